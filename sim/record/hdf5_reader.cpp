#include "sim/record/hdf5_reader.h"

#include <algorithm>

#include "sim/record/hdf5_types.h"

namespace spotsim {

namespace {

Status read_error(const RunFile& f, const std::string& what, const H5::Exception& e) {
  return Status::invalid(f.path + ": error: cannot read " + what + ": " + e.getDetailMsg());
}

// Owns the strings HDF5 allocated for variable-length members and frees them.
template <typename T>
void reclaim(std::vector<T>& rows, const H5::DataType& mem, const H5::DataSpace& space) {
  if (!rows.empty()) H5::DataSet::vlenReclaim(rows.data(), mem, space);
}

template <typename T>
Result<std::vector<T>> read_table(const RunFile& f, const char* path, const H5::DataType& mem) {
  try {
    H5::DataSet ds = f.file.openDataSet(path);
    H5::DataSpace space = ds.getSpace();
    std::vector<T> rows(static_cast<size_t>(space.getSimpleExtentNpoints()));
    if (!rows.empty()) ds.read(rows.data(), mem);
    return rows;
  } catch (const H5::Exception& e) {
    return read_error(f, path, e);
  }
}

std::vector<std::string> enum_names(const H5::EnumType& t) {
  std::vector<std::string> names;
  const int n = t.getNmembers();
  std::vector<std::pair<int, std::string>> by_value;
  for (int i = 0; i < n; ++i) {
    uint8_t v = 0;
    t.getMemberValue(static_cast<unsigned>(i), &v);
    char* name = H5Tget_member_name(t.getId(), static_cast<unsigned>(i));
    by_value.emplace_back(v, name ? name : "");
    H5free_memory(name);
  }
  std::sort(by_value.begin(), by_value.end());
  for (auto& [v, name] : by_value) {
    if (static_cast<size_t>(v) >= names.size()) names.resize(static_cast<size_t>(v) + 1, "?");
    names[static_cast<size_t>(v)] = name;
  }
  return names;
}

}  // namespace

Result<RunFile> open_run_file(const std::string& path) {
  H5::Exception::dontPrint();
  RunFile f;
  f.path = path;
  try {
    if (!H5::H5File::isHdf5(path)) {
      return Status::invalid(path + ": error: cannot open: not an HDF5 file or unreadable");
    }
    f.file.openFile(path, H5F_ACC_RDONLY);
  } catch (const H5::Exception&) {
    return Status::invalid(path + ": error: cannot open: not an HDF5 file or unreadable");
  }
  try {
    H5::Group root = f.file.openGroup("/");
    if (!root.attrExists(schema::kAttrSchemaVersion)) {
      return Status::invalid(path + ": error: not a spotsim file (no " + schema::kAttrSchemaVersion + " attribute)");
    }
    H5::Attribute a = root.openAttribute(schema::kAttrSchemaVersion);
    a.read(H5::PredType::NATIVE_INT32, &f.schema_version);
    if (f.schema_version != schema::kSchemaVersion) {
      return Status::invalid(path + ": error: schema version " + std::to_string(f.schema_version) +
                             " is not supported by this spotsim (reads " + std::to_string(schema::kSchemaVersion) +
                             "); re-run the scenario with this version");
    }
    if (root.attrExists(schema::kAttrFileKind)) {
      H5::Attribute k = root.openAttribute(schema::kAttrFileKind);
      k.read(k.getStrType(), f.kind);
    }
  } catch (const H5::Exception& e) {
    return read_error(f, "the root attributes", e);
  }
  return f;
}

bool has_path(const RunFile& f, const std::string& path) {
  if (path.empty() || path == "/") return true;
  // Check each component so a missing parent is not an error.
  size_t pos = 1;
  while (pos <= path.size()) {
    const size_t next = path.find('/', pos);
    const std::string prefix = path.substr(0, next);
    if (H5Lexists(f.file.getId(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return true;
}

namespace {
template <typename Fn>
auto with_attribute(const RunFile& f, const std::string& object_path, const std::string& name, Fn fn)
    -> Result<decltype(fn(std::declval<H5::Attribute&>()))> {
  try {
    if (!has_path(f, object_path)) {
      return Status::invalid(f.path + ": error: " + object_path + " is missing");
    }
    hid_t obj = H5Oopen(f.file.getId(), object_path.c_str(), H5P_DEFAULT);
    if (obj < 0) return Status::invalid(f.path + ": error: cannot open " + object_path);
    struct Closer {
      hid_t id;
      ~Closer() { H5Oclose(id); }
    } closer{obj};
    if (H5Aexists(obj, name.c_str()) <= 0) {
      return Status::invalid(f.path + ": error: " + object_path + " has no attribute " + name);
    }
    H5::Attribute a(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    return fn(a);
  } catch (const H5::Exception& e) {
    return read_error(f, object_path + " attribute " + name, e);
  }
}
}  // namespace

Result<std::string> read_string_attribute(const RunFile& f, const std::string& object_path, const std::string& name) {
  return with_attribute(f, object_path, name, [](H5::Attribute& a) {
    std::string s;
    a.read(a.getStrType(), s);
    return s;
  });
}

Result<double> read_double_attribute(const RunFile& f, const std::string& object_path, const std::string& name) {
  return with_attribute(f, object_path, name, [](H5::Attribute& a) {
    double v = 0;
    a.read(H5::PredType::NATIVE_DOUBLE, &v);
    return v;
  });
}

Result<int64_t> read_int_attribute(const RunFile& f, const std::string& object_path, const std::string& name) {
  return with_attribute(f, object_path, name, [](H5::Attribute& a) {
    int64_t v = 0;
    a.read(H5::PredType::NATIVE_INT64, &v);
    return v;
  });
}

Result<std::string> read_string(const RunFile& f, const std::string& dataset) {
  try {
    H5::DataSet ds = f.file.openDataSet(dataset);
    std::string s;
    ds.read(s, ds.getStrType());
    return s;
  } catch (const H5::Exception& e) {
    return read_error(f, dataset, e);
  }
}

Result<std::vector<std::string>> read_string_table(const RunFile& f, const std::string& dataset) {
  try {
    H5::DataSet ds = f.file.openDataSet(dataset);
    H5::DataSpace space = ds.getSpace();
    const size_t n = static_cast<size_t>(space.getSimpleExtentNpoints());
    std::vector<char*> raw(n, nullptr);
    H5::StrType mem = schema::string_type();
    if (n) ds.read(raw.data(), mem);
    std::vector<std::string> out;
    out.reserve(n);
    for (char* p : raw) out.emplace_back(p ? p : "");
    reclaim(raw, mem, space);
    return out;
  } catch (const H5::Exception& e) {
    return read_error(f, dataset, e);
  }
}

Result<DoubleArray> read_doubles(const RunFile& f, const std::string& dataset) {
  try {
    H5::DataSet ds = f.file.openDataSet(dataset);
    H5::DataSpace space = ds.getSpace();
    DoubleArray out;
    const int rank = space.getSimpleExtentNdims();
    std::vector<hsize_t> dims(static_cast<size_t>(std::max(rank, 0)));
    if (rank > 0) space.getSimpleExtentDims(dims.data());
    out.dims.assign(dims.begin(), dims.end());
    out.values.resize(static_cast<size_t>(space.getSimpleExtentNpoints()));
    if (!out.values.empty()) ds.read(out.values.data(), H5::PredType::NATIVE_DOUBLE);
    return out;
  } catch (const H5::Exception& e) {
    return read_error(f, dataset, e);
  }
}

Result<std::vector<int64_t>> read_ints(const RunFile& f, const std::string& dataset) {
  return read_table<int64_t>(f, dataset.c_str(), H5::PredType::NATIVE_INT64);
}

Result<std::vector<schema::EventRecord>> read_events(const RunFile& f) {
  try {
    H5::DataSet ds = f.file.openDataSet(schema::kEvents);
    H5::CompType file_type = ds.getCompType();
    H5::EnumType kind = file_type.getMemberEnumType(static_cast<unsigned>(file_type.getMemberIndex("kind")));
    return read_table<schema::EventRecord>(f, schema::kEvents,
                                           schema::event_record_type(schema::uint8_enum_type(enum_names(kind))));
  } catch (const H5::Exception& e) {
    return read_error(f, schema::kEvents, e);
  }
}

Result<std::vector<schema::VmRecord>> read_vms(const RunFile& f) {
  return read_table<schema::VmRecord>(f, schema::kVms, schema::vm_record_type());
}

Result<std::vector<schema::JobRecord>> read_jobs(const RunFile& f) {
  return read_table<schema::JobRecord>(f, schema::kJobs, schema::job_record_type());
}

Result<std::vector<schema::JobRunRecord>> read_job_runs(const RunFile& f) {
  return read_table<schema::JobRunRecord>(f, schema::kJobRuns, schema::job_run_record_type());
}

Result<std::vector<schema::ChaosIntervalRecord>> read_chaos_intervals(const RunFile& f) {
  return read_table<schema::ChaosIntervalRecord>(f, schema::kChaosIntervals, schema::chaos_interval_record_type());
}

Result<std::vector<schema::ParetoRecord>> read_pareto(const RunFile& f) {
  return read_table<schema::ParetoRecord>(f, schema::kSweepPareto, schema::pareto_record_type());
}

Result<std::vector<MetricSummary>> read_metric_summary(const RunFile& f, const std::string& summary_group) {
  const std::string path = summary_group + "/" + schema::kSummaryMetrics;
  try {
    H5::DataSet ds = f.file.openDataSet(path);
    H5::DataSpace space = ds.getSpace();
    H5::CompType mem = schema::metric_summary_record_type();
    std::vector<schema::MetricSummaryRecord> rows(static_cast<size_t>(space.getSimpleExtentNpoints()));
    if (!rows.empty()) ds.read(rows.data(), mem);
    std::vector<MetricSummary> out;
    for (const auto& r : rows) {
      out.push_back(MetricSummary{r.name ? r.name : "", r.unit ? r.unit : "", r.mean, r.stddev, r.min, r.p50, r.p95,
                                  r.p99, r.max, r.n});
    }
    reclaim(rows, mem, space);
    return out;
  } catch (const H5::Exception& e) {
    return read_error(f, path, e);
  }
}

Result<std::vector<ExpectationRow>> read_expectations(const RunFile& f, const std::string& summary_group) {
  const std::string path = summary_group + "/" + schema::kSummaryExpectations;
  try {
    H5::DataSet ds = f.file.openDataSet(path);
    H5::DataSpace space = ds.getSpace();
    H5::CompType mem = schema::expectation_record_type();
    std::vector<schema::ExpectationRecord> rows(static_cast<size_t>(space.getSimpleExtentNpoints()));
    if (!rows.empty()) ds.read(rows.data(), mem);
    std::vector<ExpectationRow> out;
    for (const auto& r : rows) {
      out.push_back(
          ExpectationRow{r.text ? r.text : "", r.passed != 0, r.observed, r.explanation ? r.explanation : ""});
    }
    reclaim(rows, mem, space);
    return out;
  } catch (const H5::Exception& e) {
    return read_error(f, path, e);
  }
}

Result<std::vector<std::string>> list_group(const RunFile& f, const std::string& group) {
  try {
    H5::Group g = f.file.openGroup(group);
    std::vector<std::string> out;
    const hsize_t n = g.getNumObjs();
    for (hsize_t i = 0; i < n; ++i) out.push_back(g.getObjnameByIdx(i));
    std::sort(out.begin(), out.end());
    return out;
  } catch (const H5::Exception& e) {
    return read_error(f, group, e);
  }
}

}  // namespace spotsim

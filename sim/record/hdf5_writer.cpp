#include "sim/record/hdf5_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "sim/record/atomic_file.h"
#include "sim/record/hdf5_recorder.h"
#include "sim/record/hdf5_types.h"
#include "sim/record/report.h"

namespace spotsim {

namespace {

using H5::PredType;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- small writing helpers ------------------------------------------------------------------------

H5::Group ensure_group(H5::H5File& file, const std::string& path) {
  size_t pos = 1;
  for (;;) {
    const size_t next = path.find('/', pos);
    const std::string prefix = path.substr(0, next);
    if (H5Lexists(file.getId(), prefix.c_str(), H5P_DEFAULT) <= 0) file.createGroup(prefix);
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return file.openGroup(path);
}

void attr_string(H5::H5Object& o, const char* name, const std::string& v) {
  H5::StrType t = schema::string_type();
  H5::Attribute a = o.createAttribute(name, t, H5::DataSpace(H5S_SCALAR));
  a.write(t, v);
}
void attr_int64(H5::H5Object& o, const char* name, int64_t v) {
  H5::Attribute a = o.createAttribute(name, PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR));
  a.write(PredType::NATIVE_INT64, &v);
}
void attr_uint64(H5::H5Object& o, const char* name, uint64_t v) {
  H5::Attribute a = o.createAttribute(name, PredType::STD_U64LE, H5::DataSpace(H5S_SCALAR));
  a.write(PredType::NATIVE_UINT64, &v);
}
void attr_int32(H5::H5Object& o, const char* name, int32_t v) {
  H5::Attribute a = o.createAttribute(name, PredType::STD_I32LE, H5::DataSpace(H5S_SCALAR));
  a.write(PredType::NATIVE_INT32, &v);
}
void attr_double(H5::H5Object& o, const char* name, double v) {
  H5::Attribute a = o.createAttribute(name, PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR));
  a.write(PredType::NATIVE_DOUBLE, &v);
}

// Chunked + deflate creation properties for `rank` dims with the given chunk shape.
H5::DSetCreatPropList chunked(const std::vector<hsize_t>& chunk) {
  H5::DSetCreatPropList p;
  p.setChunk(static_cast<int>(chunk.size()), chunk.data());
  p.setDeflate(schema::kDeflateLevel);
  H5Pset_obj_track_times(p.getId(), 0);  // no timestamps: same inputs, same bytes
  return p;
}

H5::DataSet create_chunked(H5::Group& g, const std::string& name, const H5::DataType& type,
                           const std::vector<hsize_t>& dims) {
  std::vector<hsize_t> maxdims(dims.size(), H5S_UNLIMITED), chunk(dims.size(), 1);
  // Rows of up to kChunkRows along the last dimension.
  chunk.back() = std::max<hsize_t>(1, std::min<hsize_t>(dims.back(), schema::kChunkRows));
  H5::DataSpace space(static_cast<int>(dims.size()), dims.data(), maxdims.data());
  return g.createDataSet(name, type, space, chunked(chunk));
}

void write_scalar_string(H5::Group& g, const std::string& name, const std::string& text) {
  H5::StrType t = schema::string_type();
  H5::DataSet ds = g.createDataSet(name, t, H5::DataSpace(H5S_SCALAR));
  ds.write(text, t);
}

void write_strings(H5::Group& g, const std::string& name, const std::vector<std::string>& values,
                   std::vector<hsize_t> dims = {}) {
  if (dims.empty()) dims = {values.size()};
  H5::StrType t = schema::string_type();
  H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
  H5::DataSet ds = g.createDataSet(name, t, space);
  if (values.empty()) return;
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  ds.write(ptrs.data(), t);
}

void write_doubles(H5::Group& g, const std::string& name, const std::vector<hsize_t>& dims,
                   const std::vector<double>& values, const std::string& unit = "") {
  H5::DataSet ds = create_chunked(g, name, PredType::IEEE_F64LE, dims);
  if (!values.empty()) ds.write(values.data(), PredType::NATIVE_DOUBLE);
  if (!unit.empty()) attr_string(ds, schema::kAttrUnit, unit);
}

void write_int64s(H5::Group& g, const std::string& name, const std::vector<int64_t>& values) {
  H5::DataSet ds = create_chunked(g, name, PredType::STD_I64LE, {values.size()});
  if (!values.empty()) ds.write(values.data(), PredType::NATIVE_INT64);
}

// A 1-D table assembled from several row vectors (one per replication), written in order.
template <typename T>
void write_table(H5::Group& g, const std::string& name, const H5::DataType& type,
                 const std::vector<const std::vector<T>*>& parts) {
  hsize_t total = 0;
  for (const auto* p : parts) total += p->size();
  H5::DataSet ds = create_chunked(g, name, type, {total});
  hsize_t offset = 0;
  for (const auto* p : parts) {
    if (p->empty()) continue;
    hsize_t count = p->size();
    H5::DataSpace mem(1, &count);
    H5::DataSpace file = ds.getSpace();
    file.selectHyperslab(H5S_SELECT_SET, &count, &offset);
    ds.write(p->data(), type, mem, file);
    offset += count;
  }
}

template <typename T>
void write_rows(H5::Group& g, const std::string& name, const H5::DataType& type, const std::vector<T>& rows) {
  write_table<T>(g, name, type, {&rows});
}

std::vector<std::string> event_kind_names() {
  std::vector<std::string> names;
  for (int k = 0; k < 256; ++k) {
    const std::string n = model_event_kind_name(static_cast<ModelEventKind>(k));
    if (n == "?") break;
    names.push_back(n);
  }
  return names;
}

// /meta for a scenario (attributes that depend on the run are added by the caller).
H5::Group write_meta(H5::H5File& file, const CompiledScenario& sc, const std::vector<MetricDef>& metrics, uint64_t seed,
                     const std::string& command_line, schema::RecordLevel level) {
  H5::Group meta = ensure_group(file, schema::kMeta);
  attr_string(meta, schema::kAttrSpotsimVersion, kSpotsimVersion);
  attr_string(meta, schema::kAttrScenarioName, sc.name);
  attr_string(meta, schema::kAttrScenarioFile, sc.file);
  attr_string(meta, schema::kAttrCommandLine, command_line);
  attr_uint64(meta, schema::kAttrSeed, seed);
  attr_double(meta, schema::kAttrDurationS, sc.duration.to_seconds());
  attr_double(meta, schema::kAttrSampleIntervalS, sc.sample_interval.to_seconds());
  attr_string(meta, schema::kAttrRecordLevel, record_level_name(level));
  write_scalar_string(meta, "scenario_text", sc.text);
  std::vector<std::string> overrides, pools, fleets;
  for (const auto& [k, v] : sc.overrides) overrides.push_back(k + "=" + v);
  for (const auto& p : sc.pools) pools.push_back(p.name);
  for (const auto& f : sc.fleets) fleets.push_back(f.name);
  write_strings(meta, "overrides", overrides);
  write_strings(meta, "pools", pools);
  write_strings(meta, "fleets", fleets);
  // Workloads are the owners of workload metrics, in registration order.
  write_strings(meta, "workloads", metric_owners(metrics, MetricGroup::kWorkload));
  write_strings(meta, "event_kinds", event_kind_names());
  return meta;
}

void write_summary(H5::Group& parent, const std::vector<MetricDef>& defs, const std::vector<MetricStats>& stats,
                   const std::vector<std::vector<double>>& per_rep, const std::vector<int64_t>& rep_index,
                   const std::vector<ExpectationResult>& expectations) {
  H5::Group g = parent.createGroup(schema::kSummary);
  std::vector<schema::MetricSummaryRecord> rows;
  for (size_t m = 0; m < defs.size(); ++m) {
    schema::MetricSummaryRecord r{
        defs[m].name.c_str(), metric_unit_name(defs[m].unit), kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, 0};
    if (m < stats.size()) {
      const MetricStats& s = stats[m];
      r.mean = s.mean;
      r.stddev = s.stddev;
      r.min = s.min;
      r.p50 = s.p50;
      r.p95 = s.p95;
      r.p99 = s.p99;
      r.max = s.max;
      r.n = s.n;
    }
    rows.push_back(r);
  }
  write_rows(g, schema::kSummaryMetrics, schema::metric_summary_record_type(), rows);
  std::vector<double> flat;
  flat.reserve(per_rep.size() * defs.size());
  for (const auto& row : per_rep) flat.insert(flat.end(), row.begin(), row.end());
  write_doubles(g, schema::kSummaryPerReplication, {per_rep.size(), defs.size()}, flat);
  write_int64s(g, schema::kSummaryReplications, rep_index);
  std::vector<schema::ExpectationRecord> ex;
  for (const auto& e : expectations) {
    ex.push_back(schema::ExpectationRecord{e.text.c_str(), static_cast<uint8_t>(e.passed ? 1 : 0), e.observed,
                                           e.explanation.c_str()});
  }
  write_rows(g, schema::kSummaryExpectations, schema::expectation_record_type(), ex);
}

void write_chaos(H5::H5File& file, const CompiledScenario& sc,
                 const std::vector<const std::vector<schema::ChaosIntervalRecord>*>& parts) {
  H5::Group chaos = ensure_group(file, schema::kChaos);
  std::vector<std::string> names, kinds;
  for (const auto& c : sc.chaos) {
    names.push_back(c.name);
    kinds.push_back(chaos_kind_name(c.kind));
  }
  write_strings(chaos, "names", names);
  write_strings(chaos, "kinds", kinds);
  write_table(chaos, "intervals", schema::chaos_interval_record_type(), parts);
}

void write_root_attributes(H5::H5File& file, const char* kind) {
  H5::Group root = file.openGroup("/");
  attr_int32(root, schema::kAttrSchemaVersion, schema::kSchemaVersion);
  attr_string(root, schema::kAttrFileKind, kind);
}

// Creates the file at a temporary path, runs `fill`, closes and renames; removes the temporary
// file on any failure.
template <typename Fill>
Status write_atomically(const std::string& path, Fill fill) {
  H5::Exception::dontPrint();
  const std::string tmp = temp_path_for(path);
  try {
    H5::H5File file(tmp, H5F_ACC_TRUNC);
    fill(file);
    file.close();
  } catch (const H5::Exception& e) {
    std::remove(tmp.c_str());
    return Status::io(path + ": error: cannot write the HDF5 file: " + e.getDetailMsg() +
                      " (check that the directory exists and is writable, and the disk is not full)");
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    return Status::io(path + ": error: cannot write the HDF5 file: " + e.what());
  }
  return commit_temp_file(tmp, path);
}

}  // namespace

Status write_run_file(const std::string& path, const CompiledScenario& sc, const RunResult& r, const RunFileInfo& info,
                      const std::vector<const Hdf5Recorder*>& recs) {
  return write_atomically(path, [&](H5::H5File& file) {
    write_root_attributes(file, schema::kFileKindRun);
    H5::Group meta = write_meta(file, sc, r.metrics, r.seed, info.command_line, info.level);
    attr_int64(meta, schema::kAttrReplications, r.replications);
    attr_int64(meta, schema::kAttrReplicationsCompleted, r.completed);
    attr_int32(meta, schema::kAttrCancelled, r.cancelled ? 1 : 0);
    attr_uint64(meta, schema::kAttrEvents, r.events);
    attr_double(meta, schema::kAttrWallSeconds, r.wall_seconds);
    attr_int32(meta, schema::kAttrThreads, r.threads);

    H5::Group root = file.openGroup("/");
    std::vector<int64_t> rep_index = r.replication_ids;
    if (rep_index.size() != r.per_replication.size()) {  // a RunResult not made by run_scenario
      rep_index.clear();
      for (size_t i = 0; i < r.per_replication.size(); ++i) rep_index.push_back(static_cast<int64_t>(i));
    }
    write_summary(root, r.metrics, r.stats, r.per_replication, rep_index, r.expectations);

    const bool have = !recs.empty() && recs.size() == r.per_replication.size() &&
                      std::find(recs.begin(), recs.end(), nullptr) == recs.end();

    // /timeseries
    H5::Group ts = ensure_group(file, schema::kTimeseries);
    const std::vector<SeriesDef> defs = timeseries_defs(sc, r.metrics);
    const bool series = have && info.level >= schema::RecordLevel::kTimeseries;
    std::vector<double> times;
    if (series) times = recs.front()->sample_times();
    write_doubles(ts, "time", {times.size()}, times, "s");
    if (series) {
      for (size_t i = 0; i < defs.size(); ++i) {
        const SeriesDef& d = defs[i];
        H5::Group g = ensure_group(file, std::string(schema::kTimeseries) + "/" + d.group + "/" + d.name);
        std::vector<double> flat;
        flat.reserve(recs.size() * times.size());
        for (const auto* rec : recs) {
          const auto& v = rec->series_values()[i];
          for (size_t t = 0; t < times.size(); ++t) flat.push_back(t < v.size() ? v[t] : kNaN);
        }
        write_doubles(g, d.metric, {recs.size(), times.size()}, flat, d.unit);
      }
    }

    // /events, /jobs, /vms
    std::vector<const std::vector<schema::EventRecord>*> ev;
    std::vector<const std::vector<schema::JobRecord>*> jobs;
    std::vector<const std::vector<schema::JobRunRecord>*> runs;
    std::vector<const std::vector<schema::VmRecord>*> vms;
    if (have && info.level >= schema::RecordLevel::kEvents) {
      for (const auto* rec : recs) {
        ev.push_back(&rec->events());
        jobs.push_back(&rec->jobs());
        runs.push_back(&rec->job_runs());
        if (info.level >= schema::RecordLevel::kFull) vms.push_back(&rec->vms());
      }
    }
    write_table(root, "events", schema::event_record_type(schema::uint8_enum_type(event_kind_names())), ev);
    write_table(root, "jobs", schema::job_record_type(), jobs);
    write_table(root, "job_runs", schema::job_run_record_type(), runs);
    write_table(root, "vms", schema::vm_record_type(), vms);
    std::vector<const std::vector<schema::ChaosIntervalRecord>*> chaos;
    if (have && info.level >= schema::RecordLevel::kTimeseries) {
      for (const auto* rec : recs) chaos.push_back(&rec->chaos());
    }
    write_chaos(file, sc, chaos);
  });
}

Status write_sweep_file(const std::string& path, const SweepPlan& plan, const SweepResult& r, const ParetoSpec* pareto,
                        const std::vector<ParetoPoint>* front, const std::string& command_line) {
  return write_atomically(path, [&](H5::H5File& file) {
    write_root_attributes(file, schema::kFileKindSweep);
    H5::Group meta = write_meta(file, plan.base, plan.metrics, plan.seed, command_line, schema::RecordLevel::kSummary);
    attr_int64(meta, schema::kAttrReplications, plan.items);
    attr_int64(meta, schema::kAttrReplicationsCompleted, r.items_completed);
    attr_int32(meta, schema::kAttrCancelled, r.cancelled ? 1 : 0);
    attr_uint64(meta, schema::kAttrEvents, r.events);
    attr_double(meta, schema::kAttrWallSeconds, r.wall_seconds);
    attr_int32(meta, schema::kAttrThreads, r.threads);
    attr_int32(meta, "processes", r.processes);
    attr_int64(meta, schema::kAttrGridPoints, static_cast<int64_t>(plan.points.size()));
    attr_int64(meta, schema::kAttrPointsCompleted, r.points_completed);

    H5::Group sw = ensure_group(file, schema::kSweep);
    std::vector<std::string> params, values, metrics, units, stat_names;
    for (const auto& a : plan.axes) params.push_back(a.path);
    for (const auto& p : plan.points) {
      for (const auto& kv : p) values.push_back(kv.second);
    }
    for (const auto& m : plan.metrics) {
      metrics.push_back(m.name);
      units.push_back(metric_unit_name(m.unit));
    }
    for (const char* s : schema::kStatNames) stat_names.push_back(s);
    write_strings(sw, "parameters", params);
    write_strings(sw, "points", values, {plan.points.size(), plan.axes.size()});
    write_strings(sw, "metrics", metrics);
    write_strings(sw, "units", units);
    write_strings(sw, "stat_names", stat_names);
    const size_t n = plan.points.size(), m = plan.metrics.size(), k = schema::kStatCount;
    std::vector<double> table(n * m * k, kNaN);
    std::vector<int64_t> completed(n, 0);
    for (size_t p = 0; p < n; ++p) {
      const SweepPointResult& pr = r.points[p];
      completed[p] = pr.completed;
      if (!pr.complete()) continue;
      for (size_t j = 0; j < m; ++j) {
        const MetricStats& s = pr.stats[j];
        const double row[] = {s.mean, s.stddev, s.min, s.p50, s.p95, s.p99, s.max, static_cast<double>(s.n)};
        std::copy(std::begin(row), std::end(row), table.begin() + static_cast<std::ptrdiff_t>((p * m + j) * k));
      }
    }
    write_doubles(sw, "table", {n, m, k}, table);
    write_int64s(sw, "completed", completed);
    std::vector<schema::ParetoRecord> rows;
    if (front) {
      for (const auto& f : *front) rows.push_back(schema::ParetoRecord{static_cast<uint32_t>(f.point), f.a, f.b});
    }
    write_rows(sw, "pareto", schema::pareto_record_type(), rows);
    H5::DataSet pds = sw.openDataSet("pareto");
    attr_string(pds, schema::kAttrMetricA, pareto ? pareto->metric_a : "");
    attr_string(pds, schema::kAttrMetricB, pareto ? pareto->metric_b : "");
    attr_string(pds, schema::kAttrGoalA, pareto && pareto->maximize_a ? "max" : "min");
    attr_string(pds, schema::kAttrGoalB, pareto && pareto->maximize_b ? "max" : "min");
    attr_string(pds, schema::kAttrStatA, pareto ? expect_stat_name(pareto->stat_a) : "mean");
    attr_string(pds, schema::kAttrStatB, pareto ? expect_stat_name(pareto->stat_b) : "mean");

    H5::Group runs = ensure_group(file, schema::kRuns);
    for (size_t p = 0; p < n; ++p) {
      const SweepPointResult& pr = r.points[p];
      H5::Group g = runs.createGroup(std::to_string(p));
      std::vector<std::string> ov;
      for (const auto& [key, v] : pr.overrides) ov.push_back(key + "=" + v);
      write_strings(g, schema::kRunOverrides, ov);
      write_summary(g, plan.metrics, pr.stats, pr.per_replication, pr.replication_index, {});
    }
  });
}

std::string shell_quote_command_line(int argc, const char* const* argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789-_./=:,+@%") == std::string::npos;
    if (!out.empty()) out += ' ';
    if (plain) {
      out += a;
    } else {
      out += '\'';
      for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

}  // namespace spotsim

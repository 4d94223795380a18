#pragma once
// Reading spotsim HDF5 files (run and sweep), for tests, tools and spotviz.
// Layout: sim/record/schema.h. Every function returns a Status naming the file and the dataset
// instead of letting an HDF5 exception escape.
//
// HDF5 1.10 (serial) is not thread-safe: use a RunFile from one thread at a time.
#include <cstdint>
#include <string>
#include <vector>

#include <H5Cpp.h>

#include "common/status.h"
#include "sim/record/schema.h"

namespace spotsim {

struct RunFile {
  std::string path;
  std::string kind;  // schema::kFileKindRun or kFileKindSweep
  int32_t schema_version = 0;
  H5::H5File file;
};

// Opens a file written by `spotsim run --out` or `spotsim sweep --out`. Errors (kInvalidInput):
//   "FILE: error: cannot open: not an HDF5 file or unreadable"
//   "FILE: error: not a spotsim file (no spotsim_schema_version attribute)"
//   "FILE: error: schema version N is not supported by this spotsim (reads 1); re-run the scenario
//    with this version"
Result<RunFile> open_run_file(const std::string& path);

// Whether `path` (absolute, e.g. "/timeseries/fleet/web") exists in the file.
bool has_path(const RunFile& f, const std::string& path);

// Attributes of an object (group or dataset) at `object_path`.
Result<std::string> read_string_attribute(const RunFile& f, const std::string& object_path, const std::string& name);
Result<double> read_double_attribute(const RunFile& f, const std::string& object_path, const std::string& name);
Result<int64_t> read_int_attribute(const RunFile& f, const std::string& object_path, const std::string& name);

// A scalar string dataset (e.g. /meta/scenario_text) or a 1-D string table (e.g. /meta/pools).
Result<std::string> read_string(const RunFile& f, const std::string& dataset);
Result<std::vector<std::string>> read_string_table(const RunFile& f, const std::string& dataset);

// Numeric datasets of any rank, flattened row-major, with their dimensions.
struct DoubleArray {
  std::vector<uint64_t> dims;
  std::vector<double> values;
  double at(uint64_t row, uint64_t col) const { return values[row * dims.at(1) + col]; }
};
Result<DoubleArray> read_doubles(const RunFile& f, const std::string& dataset);
Result<std::vector<int64_t>> read_ints(const RunFile& f, const std::string& dataset);

// Tables.
Result<std::vector<schema::EventRecord>> read_events(const RunFile& f);
Result<std::vector<schema::VmRecord>> read_vms(const RunFile& f);
Result<std::vector<schema::JobRecord>> read_jobs(const RunFile& f);
// /job_runs (files written before it existed have none: check has_path first).
Result<std::vector<schema::JobRunRecord>> read_job_runs(const RunFile& f);
Result<std::vector<schema::ChaosIntervalRecord>> read_chaos_intervals(const RunFile& f);
Result<std::vector<schema::ParetoRecord>> read_pareto(const RunFile& f);

// A metric summary row with owned strings (schema::MetricSummaryRecord holds HDF5's pointers).
struct MetricSummary {
  std::string name, unit;
  double mean = 0, stddev = 0, min = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
  uint64_t n = 0;
};
// A row of /summary/expectations (named apart from sim/run/expect.h's Expectation: one program links both).
struct ExpectationRow {
  std::string text;
  bool passed = false;
  double observed = 0;
  std::string explanation;
};
// `summary_group` is "/summary" in a run file or "/runs/<i>/summary" in a sweep file.
Result<std::vector<MetricSummary>> read_metric_summary(const RunFile& f, const std::string& summary_group = "/summary");
Result<std::vector<ExpectationRow>> read_expectations(const RunFile& f, const std::string& summary_group = "/summary");

// The names of the members of a group, sorted (e.g. the fleets under /timeseries/fleet).
Result<std::vector<std::string>> list_group(const RunFile& f, const std::string& group);

}  // namespace spotsim

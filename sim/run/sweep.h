#pragma once
// Parameter sweeps: the cartesian product of --grid overrides over one scenario, every
// (point, replication) pair a work item run on all cores (and, with MPI, on all ranks:
// sim/run/mpi_sweep.h). Results are stored by item index, so they are identical whatever the
// number of threads or processes.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sim/model/metrics.h"
#include "sim/run/stat.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

using Overrides = std::vector<std::pair<std::string, std::string>>;

// One --grid PATH=v1,v2,...
struct GridAxis {
  std::string path;
  std::vector<std::string> values;
};

// Parses "PATH=v1,v2,...". Errors (kInvalidInput) name the argument and what to write instead.
Result<GridAxis> parse_grid_arg(const std::string& arg);

// The cartesian product, row-major: the last axis varies fastest. Each point lists its overrides
// in axis order.
std::vector<Overrides> grid_points(const std::vector<GridAxis>& axes);

struct SweepOptions {
  int threads = 0;                      // 0 = all cores
  std::optional<uint64_t> seed;         // overrides every point's seed
  std::optional<int64_t> replications;  // overrides every point's replications
  // Called after each work item (done, total); thread-safe callers only.
  std::function<void(int64_t, int64_t)> progress;
  // Set to true (e.g. from SIGINT) to stop handing out work; items in flight finish.
  const std::atomic<bool>* cancel = nullptr;
};

// Everything needed to run the sweep, compiled up front (every point is validated before any runs).
struct SweepPlan {
  CompiledScenario base;  // the scenario with the --set overrides only
  std::vector<GridAxis> axes;
  std::vector<Overrides> points;            // grid overrides of each point
  std::vector<CompiledScenario> scenarios;  // [point] base + --set + grid overrides
  std::vector<MetricDef> metrics;           // identical at every point
  uint64_t seed = 0;
  std::vector<int64_t> replications;  // [point]
  std::vector<int64_t> first_item;    // [point] index of its first work item
  int64_t items = 0;                  // total (point, replication) pairs

  // Work item → (point, replication). Items are numbered point-major.
  std::pair<int64_t, int64_t> item(int64_t index) const;
};

// Loads `path` with `sets`, then compiles every grid point. Errors (kInvalidInput) name the point:
// "grid point 3 (fleets.web.target=abc): FILE:LINE:COL: error: ..."; the grid must not change the
// set of metrics (e.g. a pool's name).
Result<SweepPlan> plan_sweep(const std::string& path, const Overrides& sets, const std::vector<GridAxis>& axes,
                             const SweepOptions& options);

// One work item's metric values, computed in the calling thread.
std::vector<double> run_sweep_item(const SweepPlan& plan, int64_t item, uint64_t* events);

struct SweepPointResult {
  Overrides overrides;                               // the grid values of this point
  int64_t replications = 0;                          // requested
  int64_t completed = 0;                             // replications finished; results only if all did
  std::vector<std::vector<double>> per_replication;  // [replication][metric], empty unless complete
  std::vector<int64_t> replication_index;
  std::vector<MetricStats> stats;  // [metric], empty unless complete
  uint64_t events = 0;
  bool complete() const { return completed == replications && replications > 0; }
};

struct SweepResult {
  std::vector<SweepPointResult> points;
  int64_t items = 0;
  int64_t items_completed = 0;
  int64_t points_completed = 0;
  bool cancelled = false;
  uint64_t events = 0;
  double wall_seconds = 0;
  int threads = 1;  // per process
  int processes = 1;
};

// Gathers per-item results (indexed by item; done[i] says whether item i finished) into points.
SweepResult assemble_sweep(const SweepPlan& plan, std::vector<std::vector<double>> item_values,
                           const std::vector<uint64_t>& item_events, const std::vector<char>& done);

// Runs every work item on threads in this process.
SweepResult run_sweep(const SweepPlan& plan, const SweepOptions& options);

// --pareto METRIC_A,METRIC_B: minimise both unless prefixed "max:".
// `--pareto [max:|min:]METRIC[.STAT],...`: STAT is one of the statistics over replications that
// `expect:` uses (mean, p50, p95, p99, min, max, stddev); without it the mean is compared.
struct ParetoSpec {
  std::string metric_a, metric_b;  // metric names, without the statistic
  bool maximize_a = false, maximize_b = false;
  int index_a = -1, index_b = -1;  // into SweepPlan::metrics
  ExpectStat stat_a = ExpectStat::kMean, stat_b = ExpectStat::kMean;
};
Result<ParetoSpec> parse_pareto(const std::string& arg, const std::vector<MetricDef>& metrics);

struct ParetoPoint {
  int64_t point = 0;
  double a = 0, b = 0;  // the metrics' chosen statistics (stat_a, stat_b) at the point
};
// The non-dominated complete points, sorted by a (best first), then by point index.
std::vector<ParetoPoint> pareto_front(const SweepResult& result, const ParetoSpec& spec);

}  // namespace spotsim

#pragma once
// The simulator's front door: a compiled scenario in, metrics (and recordings) out.
// sim/cli and spotviz both call this; neither reaches past it into the models.
//
// Replications run on worker threads, each with its own World and engine. Results are stored
// by replication index, so they are identical whatever the thread count.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sim/chaos/runtime.h"
#include "common/status.h"
#include "sim/model/metrics.h"
#include "sim/run/laws.h"
#include "sim/model/world.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

// What a run shows its observers (recorders: HDF5, spotviz in memory, tests). Observers see
// model events, jobs, chaos windows and, at every sample interval, a Frame; never the World.
struct FleetFrame {
  int64_t target = 0, running = 0, booting = 0, waiting = 0;  // the fleet's own counts
  int64_t vms_up = 0;  // the fleet's VMs booted and not gone (running or noticed), counted VM by VM
};
struct PoolFrame {
  int64_t spot_in_use = 0, capacity = 0;
  // VMs booted and not gone, by purchase; running_fallback is the on-demand ones that replaced spot.
  int64_t running_spot = 0, running_on_demand = 0, running_fallback = 0;
  bool on_demand_available = true;  // false while on-demand capacity is exhausted (chaos)
};
struct Frame {
  SimTime time;
  const std::vector<FleetFrame>& fleets;  // [fleet], scenario order
  const std::vector<PoolFrame>& pools;    // [pool], scenario order
  const std::vector<double>& metrics;     // every metric's value so far, in RunResult::metrics order
};

// Observes one replication, from the thread running it. Made per replication by
// RunOptions::observers and owned by the caller (see Recorders below).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual bool wants_events() const { return false; }  // on_event, on_job, on_job_run
  virtual bool wants_frames() const { return false; }  // on_frame at the scenario's sample interval
  // First call: the replication's number (as `--replication K` names it).
  virtual void on_start(int64_t replication) {}
  virtual void on_event(const ModelEvent& event) {}
  // A workload's job finished, or the run ended with it unfinished (then finish is NaN).
  virtual void on_job(const JobSignal& job) {}
  // One run of a job on one VM ended.
  virtual void on_job_run(const JobRunSignal& run) {}
  virtual void on_frame(const Frame& frame) {}
  // When each chaos: item was in effect, in start order; called before on_finish when the
  // scenario has chaos items.
  virtual void on_chaos(const std::vector<ChaosInterval>& intervals) {}
  // Last call: the replication's final metric values.
  virtual void on_finish(const std::vector<double>& metrics) {}
};

// Returns the observer of replication index `rep` (0-based within the run), or nullptr. Called
// from worker threads; the observer must outlive the run.
using ObserverFactory = std::function<RunObserver*(int64_t rep)>;

struct ExpectationResult {
  std::string text;  // as written in the scenario
  bool passed = false;
  double observed = 0;                        // the statistic's value
  std::string explanation;                    // for failures: what was seen, which replications, how to reproduce
  int line = 0;                               // the assertion's line in the scenario file (0 if unknown)
  std::vector<int64_t> failing_replications;  // replications failing the per-replication form
};

struct RunOptions {
  int threads = 0;                      // 0 = all cores
  std::optional<uint64_t> seed;         // overrides the scenario's seed
  std::optional<int64_t> replications;  // overrides the scenario's replications
  // Runs replications first_replication .. first_replication + replications - 1 (each keeps its
  // own RNG streams, so `--replication K` reproduces replication K of a larger run alone).
  int64_t first_replication = 0;
  // Evaluate the scenario's expect: block (compiled before the run; a bad one is an error).
  bool check_expectations = true;
  // Called from worker threads after each replication (done, total); must be thread-safe.
  std::function<void(int64_t, int64_t)> progress;
  // The observer of each replication, or empty (see Recorders).
  ObserverFactory observers;
  // Set to true (e.g. from a signal handler) to stop after the replications in flight.
  const std::atomic<bool>* cancel = nullptr;
  // Check the laws of docs/metrics.md after every replication (sim/run/laws.h); a broken law
  // stops the run with an internal error naming it. On by default in Debug builds.
  bool check_laws = kCheckLawsByDefault;
};

struct RunResult {
  std::string scenario;
  uint64_t seed = 0;
  int64_t replications = 0;  // requested
  int64_t completed = 0;     // finished (== replications unless cancelled)
  bool cancelled = false;
  std::vector<MetricDef> metrics;
  std::vector<std::vector<double>> per_replication;  // [replication][metric]
  std::vector<int64_t> replication_ids;              // [i]: replication number of per_replication[i]
  int64_t first_replication = 0;
  std::vector<MetricStats> stats;  // [metric], over completed replications
  std::vector<ExpectationResult> expectations;
  uint64_t events = 0;
  double wall_seconds = 0;
  int threads = 1;

  int metric_index(const MetricKey& key) const { return find_metric(metrics, key); }
  // By the metric's text ("fleet.web.interruptions"), as a user or a test writes it.
  int metric_index(std::string_view text) const { return find_metric(metrics, text); }
};

// Typed recorders of a run, owned here and read back by the caller as what they are:
//   Recorders<Hdf5Recorder> recs(make);  opt.observers = recs.factory();  run_scenario(sc, opt);
//   for (const Hdf5Recorder* r : recs.completed(result)) ...
template <class R>
class Recorders {
 public:
  using Make = std::function<std::unique_ptr<R>(int64_t rep)>;
  explicit Recorders(Make make) : make_(std::move(make)) {}
  Recorders(const Recorders&) = delete;
  Recorders& operator=(const Recorders&) = delete;

  // For RunOptions::observers; empty when `make` is (nothing is recorded). Thread-safe.
  ObserverFactory factory() {
    if (!make_) return {};
    return [this](int64_t rep) -> RunObserver* {
      std::unique_ptr<R> r = make_(rep);
      R* raw = r.get();
      std::lock_guard<std::mutex> lock(mu_);
      by_rep_[rep] = std::move(r);
      return raw;
    };
  }
  // The recorders of the replications `result` completed, in its order (nullptr where none).
  std::vector<const R*> completed(const RunResult& result) const {
    std::vector<const R*> out;
    std::lock_guard<std::mutex> lock(mu_);
    for (int64_t id : result.replication_ids) {
      const auto it = by_rep_.find(id - result.first_replication);
      out.push_back(it == by_rep_.end() ? nullptr : it->second.get());
    }
    return out;
  }

 private:
  Make make_;
  mutable std::mutex mu_;
  std::map<int64_t, std::unique_ptr<R>> by_rep_;
};

int default_thread_count();

// The front door for a scenario file (the CLI, spotviz and sweeps load through it): compiles it
// (load_scenario), then makes every check a run would otherwise make later — its expect: lines
// against the metrics it will produce, and its Lua policies load (docs/policies.md) — so a bad
// file is reported the same way, before anything runs, whoever opens it.
Result<CompiledScenario> load_checked_scenario(const std::string& path, const LoadOptions& options = {});

// Every metric a replication of this scenario produces (world and chaos), in report order, declared
// from the scenario alone (declare_replication_metrics: no World is built).
std::vector<MetricDef> replication_metric_defs(const CompiledScenario& scenario);

// Runs every replication. REQUIRES: scenario is a successfully compiled scenario.
Result<RunResult> run_scenario(const CompiledScenario& scenario, const RunOptions& options);

// Runs a single replication in the calling thread (for tests, benchmarks and debugging).
// Throws PolicyFailure (sim/policy/policy_error.h) when a Lua policy fails; run_scenario turns
// that into an invalid-input Status.
// With `laws`, throws LawViolation when the replication breaks one.
std::vector<double> run_replication(const CompiledScenario& scenario, uint64_t seed, int64_t replication,
                                    RunObserver* observer = nullptr, uint64_t* events = nullptr,
                                    const LawChecker* laws = nullptr);

}  // namespace spotsim

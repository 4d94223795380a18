#pragma once
// The simulator's front door: a compiled scenario in, metrics (and recordings) out.
// sim/cli and spotviz both call this; neither reaches past it into the models.
//
// Replications run on worker threads, each with its own World and engine. Results are stored
// by replication index, so they are identical whatever the thread count.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/chaos/runtime.h"
#include "sim/core/status.h"
#include "sim/model/metrics.h"
#include "sim/run/laws.h"
#include "sim/model/world.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

// Records one replication (time series, events, ...). Created per replication by the factory in
// RunOptions and used only by the thread running that replication.
class ReplicationRecorder : public WorldObserver, public WorldSampler {
 public:
  void on_model_event(const World&, const ModelEvent&) override {}
  void on_sample(const World&, SimTime) override {}
  // Called once after the replication's metrics are final.
  virtual void on_finish(const World&) {}
  // When each chaos: item was in effect (storm windows, cliffs, ...), in start order; called once
  // before on_finish when the scenario has chaos items. For recorders and spotviz shading.
  virtual void on_chaos(const World&, const std::vector<ChaosInterval>&) {}
  // Whether on_sample should be called at the scenario's sample interval.
  virtual bool wants_samples() const { return false; }
  virtual bool wants_events() const { return false; }
};

struct ExpectationResult {
  std::string text;        // as written in the scenario
  bool passed = false;
  double observed = 0;     // the statistic's value
  std::string explanation; // for failures: what was seen, which replications, how to reproduce
  int line = 0;            // the assertion's line in the scenario file (0 if unknown)
  std::vector<int64_t> failing_replications;  // replications failing the per-replication form
};

struct RunOptions {
  int threads = 0;                             // 0 = all cores
  std::optional<uint64_t> seed;                // overrides the scenario's seed
  std::optional<int64_t> replications;         // overrides the scenario's replications
  // Runs replications first_replication .. first_replication + replications - 1 (each keeps its
  // own RNG streams, so `--replication K` reproduces replication K of a larger run alone).
  int64_t first_replication = 0;
  // Evaluate the scenario's expect: block (compiled before the run; a bad one is an error).
  bool check_expectations = true;
  // Called from worker threads after each replication (done, total); must be thread-safe.
  std::function<void(int64_t, int64_t)> progress;
  // Creates the recorder for replication `rep`, or nullptr.
  std::function<std::unique_ptr<ReplicationRecorder>(int64_t rep)> recorder_factory;
  // Set to true (e.g. from a signal handler) to stop after the replications in flight.
  const std::atomic<bool>* cancel = nullptr;
  // Check the laws of docs/metrics.md after every replication (sim/run/laws.h); a broken law
  // stops the run with an internal error naming it. On by default in Debug builds.
  bool check_laws = kCheckLawsByDefault;
};

struct RunResult {
  std::string scenario;
  uint64_t seed = 0;
  int64_t replications = 0;     // requested
  int64_t completed = 0;        // finished (== replications unless cancelled)
  bool cancelled = false;
  std::vector<MetricDef> metrics;
  std::vector<std::vector<double>> per_replication;  // [replication][metric]
  std::vector<int64_t> replication_ids;              // [i]: replication number of per_replication[i]
  int64_t first_replication = 0;
  std::vector<MetricStats> stats;                    // [metric], over completed replications
  std::vector<std::unique_ptr<ReplicationRecorder>> recorders;  // [replication] (may be null)
  std::vector<ExpectationResult> expectations;
  uint64_t events = 0;
  double wall_seconds = 0;
  int threads = 1;

  int metric_index(const MetricKey& key) const { return find_metric(metrics, key); }
  // By the metric's text ("fleet.web.interruptions"), as a user or a test writes it.
  int metric_index(std::string_view text) const { return find_metric(metrics, text); }
};

int default_thread_count();

// The front door for a scenario file (the CLI, spotviz and sweeps load through it): compiles it
// (load_scenario), then makes every check a run would otherwise make later — its expect: lines
// against the metrics it will produce, and its Lua policies load (docs/policies.md) — so a bad
// file is reported the same way, before anything runs, whoever opens it.
Result<CompiledScenario> load_checked_scenario(const std::string& path, const LoadOptions& options = {});

// Every metric a replication of this scenario produces (world and chaos), without running it.
std::vector<MetricDef> replication_metric_defs(const CompiledScenario& scenario);

// Runs every replication. REQUIRES: scenario is a successfully compiled scenario.
Result<RunResult> run_scenario(const CompiledScenario& scenario, const RunOptions& options);

// Runs a single replication in the calling thread (for tests, benchmarks and debugging).
// Throws PolicyFailure (sim/policy/policy_error.h) when a Lua policy fails; run_scenario turns
// that into an invalid-input Status.
// With `laws`, throws LawViolation when the replication breaks one.
std::vector<double> run_replication(const CompiledScenario& scenario, uint64_t seed, int64_t replication,
                                    ReplicationRecorder* recorder = nullptr, uint64_t* events = nullptr,
                                    const LawChecker* laws = nullptr);

}  // namespace spotsim

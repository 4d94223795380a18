#pragma once
// Runs a compiled scenario through the simulator's front door (sim/run) and records the result
// in memory as a RunModel: what `spotviz scenario.yaml` and the live panel show. One
// replication (`shown`) is recorded in full (events, VM lifetimes, running-VM series); the
// metric statistics cover every completed replication.
#include <atomic>
#include <cstdint>
#include <functional>

#include "common/status.h"
#include "sim/record/schema.h"
#include "sim/scenario/scenario.h"
#include "viz/data/run_model.h"

namespace spotsim::viz {

struct ModelRunOptions {
  int threads = 0;                                 // 0 = all cores
  int64_t shown_replication = 0;                   // the one recorded in full
  std::function<void(int64_t, int64_t)> progress;  // (done, total), from worker threads
  const std::atomic<bool>* cancel = nullptr;       // set to stop after replications in flight
};

// One /job_runs row as the Gantt needs it (runs made in memory and runs read from a file).
JobRun job_run_from_record(const schema::JobRunRecord& r);

// The scenario's workloads in record order (their `workloads:` entries, then its Kubernetes
// deployments), with their kinds.
std::vector<WorkloadInfo> workload_infos(const CompiledScenario& scenario);

// Pools, fleets, workloads and scenario text of a compiled scenario, without running it.
RunModel model_skeleton(const CompiledScenario& scenario);

// Runs every replication and returns the model. A cancelled run returns kInvalidInput
// "run cancelled".
Result<RunModel> run_to_model(const CompiledScenario& scenario, const ModelRunOptions& options);

}  // namespace spotsim::viz

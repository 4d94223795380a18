#pragma once
// The scenario's workloads inside one World: install_workloads() is called by ReplicationModels
// (sim/run/replication_models.h) and adds a WorkloadSet component owning the shared checkpoint store and one
// component per `workloads:` entry (batch, service, deadline_job, pipeline).
//
// Other models reach workloads only through WorkloadSet's read-only views and the store's chaos
// verb: `workload_set(world)->checkpoint_store().set_throughput_factor(0.1)` degrades the store.
#include <memory>
#include <string>
#include <vector>

#include "sim/model/checkpoint_store.h"
#include "sim/model/world.h"

namespace spotsim {

class JobRunner;
class ServiceWorkload;

class WorkloadSet : public WorldComponent {
 public:
  explicit WorkloadSet(World& world);
  void start(World& world) override;
  void finish(World& world) override;

  CheckpointStore& checkpoint_store() { return *store_; }
  // The job runner of a batch or pipeline workload (queue depth, utilization), or nullptr.
  const JobRunner* job_runner(const std::string& workload) const;
  // A service workload (serving VMs, utilization), or nullptr.
  const ServiceWorkload* service(const std::string& workload) const;
  // World's checkpoint sink (a policy's checkpoint{job=...}): the job's batch or pipeline runner
  // starts a checkpoint write (JobRunner::checkpoint_now). Unknown or finished jobs are ignored.
  bool checkpoint(uint32_t fleet, uint64_t job);

 private:
  std::unique_ptr<CheckpointStore> store_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<WorldComponent>> parts_;
};

// Adds a WorkloadSet to `world` if its scenario has workloads.
void install_workloads(World& world);
// Registers in `ms` exactly the metrics install_workloads' workloads register, in the same order,
// from the scenario alone.
void declare_workload_metrics(const CompiledScenario& scenario, MetricSet& ms);
// The world's WorkloadSet, or nullptr when the scenario has no workloads.
WorkloadSet* workload_set(World& world);

}  // namespace spotsim

#pragma once
// `type: batch`: a job stream (interval, Poisson, schedule, trace) feeding a JobRunner on a fleet.
#include <memory>
#include <string>

#include "sim/model/workload/arrivals.h"
#include "sim/model/workload/job_runner.h"

namespace spotsim {

class BatchWorkload : public WorldComponent, public EventHandler, public JobOwner {
 public:
  BatchWorkload(World& world, CheckpointStore& store, const WorkloadSpec& spec);
  void start(World& world) override;
  void finish(World& world) override;
  void handle(Engine& engine, const Event& event) override;
  void on_job_end(uint64_t, bool) override {}
  const JobRunner& runner() const { return *runner_; }
  JobRunner& runner() { return *runner_; }

 private:
  void schedule_next();
  World& world_;
  const WorkloadSpec& spec_;
  uint16_t self_;
  Rng arrival_rng_, work_rng_;
  ArrivalStream stream_;
  std::unique_ptr<JobRunner> runner_;
};

}  // namespace spotsim

#pragma once
// `type: pipeline`: a DAG of stages (ordered upstream-first at compile time with Boost.Graph).
// Each run of the pipeline submits a stage's jobs once every upstream stage has completed; a
// job that fails for good fails its run (downstream stages never start).
#include <memory>
#include <vector>

#include "sim/model/workload/arrivals.h"
#include "sim/model/workload/job_runner.h"

namespace spotsim {

class PipelineWorkload : public WorldComponent, public EventHandler, public JobOwner {
 public:
  PipelineWorkload(World& world, CheckpointStore& store, const WorkloadSpec& spec);
  // Registers exactly the metrics the workload registers, its job runner's first (its
  // constructor does it through this).
  static void declare_metrics(MetricSet& ms, const WorkloadSpec& spec) {
    JobRunner::declare_metrics(ms, spec.name);
    (void)declare(ms, spec);
  }
  void start(World& world) override;
  void finish(World& world) override;
  void handle(Engine& engine, const Event& event) override;
  void on_job_end(uint64_t tag, bool ok) override;
  const JobRunner& runner() const { return *runner_; }
  JobRunner& runner() { return *runner_; }

 private:
  struct Run {
    int64_t start_us = 0;
    std::vector<int64_t> jobs_left;  // per stage
    std::vector<int32_t> deps_left;  // per stage
    size_t stages_left = 0;
    bool failed = false;
  };
  void schedule_next();
  void submit_stage(uint32_t run, uint32_t stage);

  World& world_;
  const WorkloadSpec& spec_;
  uint16_t self_;
  Rng arrival_rng_, work_rng_;
  ArrivalStream stream_;
  std::unique_ptr<JobRunner> runner_;
  std::vector<Run> runs_;
  std::vector<std::vector<uint32_t>> downstream_;
  double started_ = 0, completed_ = 0, failed_ = 0, makespan_sum_ = 0, makespan_max_ = 0;
  struct Metrics {
    uint32_t started, completed, failed, makespan, makespan_max;
  };
  static Metrics declare(MetricSet& ms, const WorkloadSpec& spec);
  Metrics m_{};
};

}  // namespace spotsim

#include "sim/model/workload/pipeline_workload.h"

#include <algorithm>

namespace spotsim {

PipelineWorkload::Metrics PipelineWorkload::declare(MetricSet& ms, const WorkloadSpec& spec) {
  Metrics m{};
  const MetricOwner p{MetricGroup::kWorkload, spec.name};
  m.started = ms.add(p + "pipelines_started", MetricUnit::kCount, "pipeline runs started");
  m.completed = ms.add(p + "pipelines_completed", MetricUnit::kCount, "pipeline runs whose every stage completed");
  m.failed = ms.add(p + "pipelines_failed", MetricUnit::kCount, "pipeline runs stopped by a job that failed for good");
  m.makespan =
      ms.add(p + "makespan", MetricUnit::kSeconds, "mean time from a run's start to its last stage's completion");
  m.makespan_max = ms.add(p + suffixed("makespan", metric_suffix::kMax), MetricUnit::kSeconds, "longest completed run");
  return m;
}

PipelineWorkload::PipelineWorkload(World& world, CheckpointStore& store, const WorkloadSpec& spec)
    : world_(world),
      spec_(spec),
      arrival_rng_(Rng::stream(world.scenario().seed, world.replication(), "workload." + spec.name + ".runs")),
      work_rng_(Rng::stream(world.scenario().seed, world.replication(), "workload." + spec.name + ".work")),
      stream_(spec.pipeline.runs, arrival_rng_) {
  self_ = world.engine().add_handler(this);
  runner_ = std::make_unique<JobRunner>(world, store, spec.name, spec.pipeline.fleet, spec.pipeline.queue, this);
  const auto& stages = spec.pipeline.stages;
  downstream_.resize(stages.size());
  for (uint32_t s = 0; s < stages.size(); ++s) {
    for (uint32_t up : stages[s].after) downstream_[up].push_back(s);
  }
  m_ = declare(world.mutable_metrics(), spec);
}

void PipelineWorkload::schedule_next() {
  const int64_t t = stream_.next();
  if (t < 0 || t > world_.scenario().duration.us) return;
  world_.engine().schedule_at(SimTime{std::max(t, world_.now().us)}, self_, 0, 0, 0);
}

void PipelineWorkload::start(World&) {
  runner_->start();
  schedule_next();
}

void PipelineWorkload::submit_stage(uint32_t r, uint32_t s) {
  const StageSpec& st = spec_.pipeline.stages[s];
  for (int64_t k = 0; k < st.jobs; ++k) {
    const uint64_t tag = (static_cast<uint64_t>(r) << 20) | s;
    runner_->submit(st.job, st.job.work.sample(work_rng_), st.job.priority, tag);
  }
}

void PipelineWorkload::handle(Engine&, const Event&) {
  const auto& stages = spec_.pipeline.stages;
  const uint32_t r = static_cast<uint32_t>(runs_.size());
  Run run;
  run.start_us = world_.now().us;
  run.stages_left = stages.size();
  for (const auto& st : stages) {
    run.jobs_left.push_back(st.jobs);
    run.deps_left.push_back(static_cast<int32_t>(st.after.size()));
  }
  runs_.push_back(std::move(run));
  started_ += 1;
  for (uint32_t s = 0; s < stages.size(); ++s) {
    if (stages[s].after.empty()) submit_stage(r, s);
  }
  schedule_next();
}

void PipelineWorkload::on_job_end(uint64_t tag, bool ok) {
  const uint32_t r = static_cast<uint32_t>(tag >> 20);
  const uint32_t s = static_cast<uint32_t>(tag & 0xFFFFF);
  Run& run = runs_[r];
  if (run.failed) return;
  if (!ok) {
    run.failed = true;
    failed_ += 1;
    return;
  }
  if (--run.jobs_left[s] > 0) return;
  if (--run.stages_left == 0) {
    const double ms = static_cast<double>(world_.now().us - run.start_us) * 1e-6;
    completed_ += 1;
    makespan_sum_ += ms;
    makespan_max_ = std::max(makespan_max_, ms);
    return;
  }
  for (uint32_t d : downstream_[s]) {
    if (--run.deps_left[d] == 0) submit_stage(r, d);
  }
}

void PipelineWorkload::finish(World&) {
  runner_->finish();
  MetricSet& ms = world_.mutable_metrics();
  ms[m_.started] = started_;
  ms[m_.completed] = completed_;
  ms[m_.failed] = failed_;
  ms[m_.makespan] = completed_ > 0 ? makespan_sum_ / completed_ : 0.0;
  ms[m_.makespan_max] = makespan_max_;
}

}  // namespace spotsim

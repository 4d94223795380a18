#include "sim/model/workload/batch_workload.h"

namespace spotsim {

BatchWorkload::BatchWorkload(World& world, CheckpointStore& store, const WorkloadSpec& spec)
    : world_(world),
      spec_(spec),
      arrival_rng_(Rng::stream(world.scenario().seed, world.replication(), "workload." + spec.name + ".arrivals")),
      work_rng_(Rng::stream(world.scenario().seed, world.replication(), "workload." + spec.name + ".work")),
      stream_(spec.batch.arrivals, arrival_rng_) {
  self_ = world.engine().add_handler(this);
  runner_ = std::make_unique<JobRunner>(world, store, spec.name, spec.batch.fleet, spec.batch.queue, this);
}

void BatchWorkload::schedule_next() {
  const int64_t t = stream_.next();
  if (t < 0 || t > world_.scenario().duration.us) return;
  world_.engine().schedule_at(SimTime{std::max(t, world_.now().us)}, self_, 0, 0, stream_.index());
}

void BatchWorkload::start(World&) {
  runner_->start();
  schedule_next();
}

void BatchWorkload::handle(Engine&, const Event& e) {
  const BatchSpec& b = spec_.batch;
  double work = 0;
  int32_t prio = b.job.priority;
  if (b.arrivals.kind == ArrivalKind::kTrace) {
    const TraceJob& tj = b.arrivals.trace[e.b];
    work = tj.work_s > 0 ? tj.work_s : b.job.work.sample(work_rng_);
    if (b.arrivals.trace[e.b].priority != 0) prio = tj.priority;
  } else {
    work = b.job.work.sample(work_rng_);
  }
  runner_->submit(b.job, work, prio, e.b);
  schedule_next();
}

void BatchWorkload::finish(World&) { runner_->finish(); }

}  // namespace spotsim

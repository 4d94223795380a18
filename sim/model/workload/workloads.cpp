#include "sim/model/workload/workloads.h"

#include "sim/model/workload/batch_workload.h"
#include "sim/model/workload/deadline_job.h"
#include "sim/model/workload/pipeline_workload.h"
#include "sim/model/workload/service_workload.h"

namespace spotsim {

WorkloadSet::WorkloadSet(World& world) {
  const CompiledScenario& sc = world.scenario();
  store_ = std::make_unique<CheckpointStore>(world.engine(), sc.checkpoint_store.bytes_per_second);
  for (const WorkloadSpec& w : sc.workloads) {
    names_.push_back(w.name);
    switch (w.kind) {
      case WorkloadKind::kBatch: parts_.push_back(std::make_unique<BatchWorkload>(world, *store_, w)); break;
      case WorkloadKind::kPipeline: parts_.push_back(std::make_unique<PipelineWorkload>(world, *store_, w)); break;
      case WorkloadKind::kService: parts_.push_back(std::make_unique<ServiceWorkload>(world, w)); break;
      case WorkloadKind::kDeadlineJob: parts_.push_back(std::make_unique<DeadlineJobWorkload>(world, w)); break;
    }
  }
  world.set_checkpoint_sink([this](uint32_t fleet, uint64_t job) { checkpoint(fleet, job); });
}

bool WorkloadSet::checkpoint(uint32_t fleet, uint64_t job) {
  const uint32_t w = job_id_workload(job);
  if (w >= parts_.size()) return false;
  JobRunner* runner = nullptr;
  if (auto* b = dynamic_cast<BatchWorkload*>(parts_[w].get())) runner = &b->runner();
  if (auto* p = dynamic_cast<PipelineWorkload*>(parts_[w].get())) runner = &p->runner();
  if (!runner || runner->fleet() != fleet) return false;  // a fleet checkpoints only its own jobs
  return runner->checkpoint_now(job_id_number(job));
}

void WorkloadSet::start(World& world) {
  for (auto& p : parts_) p->start(world);
}

void WorkloadSet::finish(World& world) {
  for (auto& p : parts_) p->finish(world);
}

const JobRunner* WorkloadSet::job_runner(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] != name) continue;
    if (auto* b = dynamic_cast<const BatchWorkload*>(parts_[i].get())) return &b->runner();
    if (auto* p = dynamic_cast<const PipelineWorkload*>(parts_[i].get())) return &p->runner();
  }
  return nullptr;
}

const ServiceWorkload* WorkloadSet::service(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return dynamic_cast<const ServiceWorkload*>(parts_[i].get());
  }
  return nullptr;
}

void declare_workload_metrics(const CompiledScenario& sc, MetricSet& ms) {
  // As WorkloadSet's constructor, one workload after the other.
  for (const WorkloadSpec& w : sc.workloads) {
    switch (w.kind) {
      case WorkloadKind::kBatch: JobRunner::declare_metrics(ms, w.name); break;  // BatchWorkload: its runner's
      case WorkloadKind::kPipeline: PipelineWorkload::declare_metrics(ms, w); break;
      case WorkloadKind::kService: ServiceWorkload::declare_metrics(ms, w); break;
      case WorkloadKind::kDeadlineJob: DeadlineJobWorkload::declare_metrics(ms, w); break;
    }
  }
}

void install_workloads(World& world) {
  if (world.scenario().workloads.empty()) return;
  world.add_component(std::make_unique<WorkloadSet>(world));
}

WorkloadSet* workload_set(World& world) {
  for (const auto& c : world.components()) {
    if (auto* w = dynamic_cast<WorkloadSet*>(c.get())) return w;
  }
  return nullptr;
}

}  // namespace spotsim

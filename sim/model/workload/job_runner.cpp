#include "sim/model/workload/job_runner.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace spotsim {

namespace {
constexpr Duration kLoadInterval = Duration::seconds(60);
inline double secs(int64_t us) { return static_cast<double>(us) * 1e-6; }
inline Duration dur(double s) { return Duration{static_cast<int64_t>(std::llround(s * 1e6))}; }
}  // namespace

JobRunner::Metrics JobRunner::declare(MetricSet& ms, const std::string& name) {
  Metrics m{};
  const MetricOwner p{MetricGroup::kWorkload, name};
  m.submitted = ms.add(p + "jobs_submitted", MetricUnit::kCount, "jobs that arrived");
  m.completed = ms.add(p + "jobs_completed", MetricUnit::kCount, "jobs that finished their work (and commit)");
  m.failed = ms.add(p + "jobs_failed", MetricUnit::kCount, "jobs killed more often than their retries allow");
  m.success_pct =
      ms.add(p + "job_success_rate", MetricUnit::kPercent, "100 × completed / (completed + failed); 0 if no job ended");
  m.interruptions = ms.add(p + "interruptions", MetricUnit::kCount, "job runs killed by the eviction of a gang VM");
  m.resumes = ms.add(p + "resumes", MetricUnit::kCount, "restarts of a killed job from a checkpoint with progress > 0");
  m.resume_success_pct =
      ms.add(p + "resume_success_pct", MetricUnit::kPercent,
             "100 × jobs that completed after at least one kill / jobs that ended after at least one kill");
  m.lost_vm_hours = ms.add(p + "lost_work_vm_hours", MetricUnit::kHours,
                           "VM-hours of computed progress discarded by kills (unsaved progress × parallelism)");
  m.lost_per_interruption = ms.add(p + "lost_work_per_interruption", MetricUnit::kSeconds,
                                   "mean job progress discarded per kill (not multiplied by parallelism)");
  m.checkpoints = ms.add(p + "checkpoints", MetricUnit::kCount, "checkpoint writes completed (periodic and on notice)");
  m.checkpoint_latency =
      ms.add(p + "checkpoint_latency", MetricUnit::kSeconds, "mean duration of a completed checkpoint write");
  m.checkpoint_latency_max = ms.add(p + suffixed("checkpoint_latency", metric_suffix::kMax), MetricUnit::kSeconds,
                                    "longest completed checkpoint write");
  m.notice_checkpoints = ms.add(p + "notice_checkpoints", MetricUnit::kCount, "checkpoint-on-notice writes started");
  m.checkpoint_misses = ms.add(p + "checkpoint_misses", MetricUnit::kCount,
                               "checkpoint-on-notice writes still in flight when the VM was evicted (progress lost)");
  m.ttr_mean = ms.add(p + "time_to_reschedule", MetricUnit::kSeconds,
                      "mean time from a job's kill to its restart on a full gang");
  m.ttr_max = ms.add(p + suffixed("time_to_reschedule", metric_suffix::kMax), MetricUnit::kSeconds,
                     "longest time from a kill to the restart");
  m.queue_wait = ms.add(p + "queue_wait", MetricUnit::kSeconds, "mean time from arrival to first start");
  m.queue_depth_mean = ms.add(p + suffixed("queue_depth", metric_suffix::kMean), MetricUnit::kCount,
                              "time-averaged number of jobs waiting in the queue");
  m.queue_depth_max = ms.add(p + suffixed("queue_depth", metric_suffix::kMax), MetricUnit::kCount,
                             "most jobs waiting in the queue at once");
  m.queue_depth =
      ms.add(p + "queue_depth", MetricUnit::kCount,
             "gauge: jobs waiting in the queue now (sampled in time series; at the end: when the run ended)");
  m.running_jobs =
      ms.add(p + "running_jobs", MetricUnit::kCount,
             "gauge: jobs holding their gang now (sampled in time series; at the end: when the run ended)");
  m.deadline_misses =
      ms.add(p + "deadline_misses", MetricUnit::kCount,
             "jobs with a deadline that completed after it, failed, or were unfinished past it at the end");
  m.correctness_failures =
      ms.add(p + "correctness_failures", MetricUnit::kCount, "non-idempotent jobs killed during their commit");
  m.cost_per_job =
      ms.add(p + "cost_per_job", MetricUnit::kDollars, "the fleet's billed cost / jobs completed (0 if none)");
  m.turnaround = ms.add(p + "turnaround", MetricUnit::kSeconds, "mean time from arrival to completion");
  m.run_time = ms.add(p + "run_time", MetricUnit::kSeconds,
                      "mean time from first start to completion (includes kills and requeues)");
  m.commanded_checkpoints = ms.add(p + "commanded_checkpoints", MetricUnit::kCount,
                                   "checkpoint writes started by a fleet policy's checkpoint{} command");
  return m;
}

JobRunner::JobRunner(World& world, CheckpointStore& store, const std::string& name, uint32_t fleet,
                     QueueDiscipline queue, JobOwner* owner)
    : world_(world), store_(store), owner_(owner), fleet_(fleet), discipline_(queue) {
  self_ = world_.engine().add_handler(this);
  world_.signals().add_listener(this);
  const CompiledScenario& sc = world_.scenario();
  pool_zone_.resize(sc.pools.size());
  for (size_t p = 0; p < sc.pools.size(); ++p) {
    const std::string& z = sc.pools[p].zone.empty() ? sc.pools[p].region : sc.pools[p].zone;
    const auto it = std::find(zone_names_.begin(), zone_names_.end(), z);
    pool_zone_[p] = static_cast<uint16_t>(it - zone_names_.begin());
    if (it == zone_names_.end()) zone_names_.push_back(z);
  }
  idle_per_zone_.assign(zone_names_.size(), 0);
  if (fleet_ < sc.fleets.size()) {
    const FleetSpec& fs = sc.fleets[fleet_];
    scale_to_zero_ = fs.scale_to_zero;
    max_target_ = fs.target;
    target_sent_ = fs.target;
    scale_down_delay_ = fs.scale_down_delay;
  }
  for (size_t i = 0; i < world_.scenario().workloads.size(); ++i) {
    if (world_.scenario().workloads[i].name == name) workload_index_ = static_cast<uint16_t>(i);
  }
  m_ = declare(world_.mutable_metrics(), name);
}

void JobRunner::start() {
  world_.engine().schedule_in(kLoadInterval, self_, kLoadTick, 0, 0, Priority::kLow);
  // The warm start launched `target` VMs; the first evaluation (after the jobs arriving at time 0)
  // keeps only those the jobs need.
  if (scale_to_zero_) need_changed(0);
}

void JobRunner::need_changed(int64_t delta) {
  demand_ += delta;
  if (!scale_to_zero_ || eval_pending_) return;
  eval_pending_ = true;
  world_.engine().schedule_in(Duration{0}, self_, kScaleEval, 0, 1, Priority::kLow);
}

void JobRunner::evaluate_scale() {
  const int64_t now = world_.now().us;
  const int64_t need = std::min(demand_, max_target_);
  constexpr int64_t kCurrent = std::numeric_limits<int64_t>::max();
  if (need_window_.empty() || need_window_.back().vms != need) {
    if (!need_window_.empty()) need_window_.back().until_us = now;
    // Values not above the new one never matter again: it stays in the window at least as long.
    while (!need_window_.empty() && need_window_.back().vms <= need) need_window_.pop_back();
    need_window_.push_back(NeedPoint{now, kCurrent, need});
  }
  const int64_t delay = scale_down_delay_.us;
  while (need_window_.front().until_us != kCurrent && need_window_.front().until_us + delay <= now) {
    need_window_.pop_front();
  }
  const NeedPoint& top = need_window_.front();
  if (top.until_us != kCurrent && top.until_us + delay != expiry_at_us_) {
    // A higher need still in the window: look again when it leaves.
    expiry_at_us_ = top.until_us + delay;
    world_.engine().schedule_at(SimTime{expiry_at_us_}, self_, kScaleEval, 0, 0, Priority::kLow);
  }
  if (top.vms != target_sent_) {
    Commands out;
    if (top.vms < target_sent_) drain_surplus(top.vms, out);
    target_sent_ = top.vms;
    out.push_back(Command::scale(fleet_, top.vms));
    world_.submit(fleet_, out);
  }
}

void JobRunner::drain_surplus(int64_t target, Commands& out) {
  const FleetSpec& fs = world_.scenario().fleets[fleet_];
  const FleetState& f = world_.fleets()[fleet_];
  if (fs.on_demand_base > 0 || fs.on_demand_above_base > 0 || f.fallback_active > 0 || f.stopped > 0) return;
  // World's count for a scale-in (World::apply, kScale): VMs not under notice, and launches queued.
  int64_t excess = f.spot_active + f.on_demand_active - f.noticed + f.waiting - f.returning - target;
  auto drainable = [&](uint32_t serial) {
    const Worker& w = workers_[serial];
    if (w.slot >= world_.vms().size()) return false;
    const VmSlot& v = world_.vms()[w.slot];
    return v.serial == serial && (v.state == VmState::kBooting || v.state == VmState::kRunning) &&
           !(v.flags & (kVmDraining | kVmBeingReplaced | kVmScaleInProtected));
  };
  for (size_t k = booting_.size(); k-- > 0 && excess > 0;) {
    const uint32_t s = booting_[k];
    if (!drainable(s)) continue;
    out.push_back(Command::drain(fleet_, VmId{workers_[s].slot, s}));
    booting_remove(s);
    workers_[s].state = 4;
    --excess;
  }
  for (size_t k = idle_.size(); k-- > 0 && excess > 0;) {
    const uint32_t s = idle_[k];
    if (!drainable(s)) continue;
    out.push_back(Command::drain(fleet_, VmId{workers_[s].slot, s}));
    idle_remove(s);  // no job can take it before the drain applies (this instant)
    workers_[s].state = 4;
    --excess;
    if (k > idle_.size()) k = idle_.size();  // idle_remove moved the last VM into position k
  }
}

void JobRunner::booting_remove(uint32_t s) {
  Worker& w = workers_[s];
  if (w.boot_pos == kNone) return;
  const uint32_t pos = w.boot_pos;
  const uint32_t last = booting_.back();
  booting_[pos] = last;
  workers_[last].boot_pos = pos;
  booting_.pop_back();
  w.boot_pos = kNone;
}

void JobRunner::report(JobEventKind kind, const Job& job, uint32_t vm_serial) {
  if (!world_.wants_job_events(fleet_)) return;
  JobEvent ev;
  ev.kind = kind;
  ev.job = make_job_id(workload_index_, job.seq);
  ev.workload = workload_index_;
  if (vm_serial != kNone && vm_serial < workers_.size() && workers_[vm_serial].slot != kNone) {
    ev.vm = VmId{workers_[vm_serial].slot, vm_serial};
  }
  world_.report_job_event(fleet_, ev);
}

void JobRunner::report_load() {
  JobEvent ev;
  ev.kind = JobEventKind::kLoad;
  ev.workload = workload_index_;
  ev.metric = LoadMetric::kUtilization;
  ev.value = utilization();
  world_.report_job_event(fleet_, ev);
  ev.metric = LoadMetric::kQueueDepth;  // last: FleetState::load is the queue depth
  ev.value = static_cast<double>(queued_);
  world_.report_job_event(fleet_, ev);
}

double JobRunner::utilization() const {
  const size_t up = idle_.size() + busy_vms_;
  return up ? static_cast<double>(busy_vms_) / static_cast<double>(up) : 0.0;
}

JobRunner::Worker& JobRunner::worker(uint32_t serial) {
  if (serial >= workers_.size()) workers_.resize(std::max<size_t>(serial + 1, workers_.size() * 2));
  return workers_[serial];
}

void JobRunner::idle_push(uint32_t s) {
  Worker& w = worker(s);
  w.state = 1;
  w.job = kNone;
  w.idle_pos = static_cast<uint32_t>(idle_.size());
  idle_.push_back(s);
  ++idle_per_zone_[w.zone];
}

void JobRunner::idle_remove(uint32_t s) {
  Worker& w = workers_[s];
  const uint32_t pos = w.idle_pos;
  const uint32_t last = idle_.back();
  idle_[pos] = last;
  workers_[last].idle_pos = pos;
  idle_.pop_back();
  w.idle_pos = kNone;
  --idle_per_zone_[w.zone];
}

bool JobRunner::consolidate_zone(size_t n) {
  const FleetSpec& fs = world_.scenario().fleets[fleet_];
  std::vector<int64_t> room(zone_names_.size(), 0);  // spot VMs the fleet's pools can still give, per zone
  for (uint32_t p : fs.pools) room[pool_zone_[p]] += world_.market().spot_available(p);
  int32_t best = -1;
  for (size_t z = 0; z < zone_names_.size(); ++z) {
    if (static_cast<int64_t>(n) - static_cast<int64_t>(idle_per_zone_[z]) > room[z]) continue;
    if (best < 0 || idle_per_zone_[z] > idle_per_zone_[static_cast<size_t>(best)]) best = static_cast<int32_t>(z);
  }
  if (best < 0) return false;
  const uint16_t zone = static_cast<uint16_t>(best);
  int64_t want = static_cast<int64_t>(n) - static_cast<int64_t>(idle_per_zone_[zone]);
  Commands out;
  int64_t moved = 0;
  for (size_t k = idle_.size(); k-- > 0 && moved < want;) {
    const uint32_t s = idle_[k];
    const Worker& w = workers_[s];
    if (w.zone == zone || w.slot >= world_.vms().size()) continue;
    const VmSlot& v = world_.vms()[w.slot];
    if (v.serial != s || (v.flags & (kVmDraining | kVmBeingReplaced | kVmScaleInProtected))) continue;
    out.push_back(Command::drain(fleet_, VmId{w.slot, s}));
    idle_remove(s);  // no job takes it before the drain applies (this instant)
    workers_[s].state = 4;
    ++moved;
    if (k > idle_.size()) k = idle_.size();
  }
  for (uint32_t p : fs.pools) {  // the same number in that zone, in the fleet's pool order
    if (moved == 0) break;
    if (pool_zone_[p] != zone) continue;
    const int64_t c = std::min(moved, world_.market().spot_available(p));
    if (c <= 0) continue;
    out.push_back(Command::launch(fleet_, c, Purchase::kSpot, LaunchReason::kScaleOut, -1, static_cast<int32_t>(p)));
    moved -= c;
  }
  if (out.empty()) return false;
  world_.submit(fleet_, out);
  return true;
}

uint32_t JobRunner::take_idle(int32_t zone) {
  uint32_t s = idle_.back();
  if (zone >= 0) {
    for (size_t k = idle_.size(); k-- > 0;) {  // newest first, as without a zone
      if (workers_[idle_[k]].zone == static_cast<uint16_t>(zone)) {
        s = idle_[k];
        break;
      }
    }
  }
  idle_remove(s);
  return s;
}

int32_t JobRunner::pick_zone(size_t n) const {
  int32_t best = -1;
  for (size_t z = 0; z < idle_per_zone_.size(); ++z) {
    if (idle_per_zone_[z] < n) continue;
    if (best < 0 || idle_per_zone_[z] < idle_per_zone_[static_cast<size_t>(best)]) best = static_cast<int32_t>(z);
  }
  return best;
}

void JobRunner::note_depth() {
  const int64_t now = world_.now().us;
  depth_area_ += static_cast<double>(queued_) * static_cast<double>(now - depth_last_us_);
  depth_last_us_ = now;
}

void JobRunner::enqueue(uint32_t j) {
  note_depth();
  Job& job = jobs_[j];
  job.phase = Phase::kQueued;
  if (discipline_ == QueueDiscipline::kFifo) fifo_.push_back(j);
  else prio_.push(PrioKey{job.priority, job.seq, j});
  ++queued_;
  depth_max_ = std::max(depth_max_, queued_);
  report(JobEventKind::kQueued, job, kNone);
}

uint32_t JobRunner::queue_front() const {
  return discipline_ == QueueDiscipline::kFifo ? fifo_.front() : prio_.top().job;
}

void JobRunner::queue_pop() {
  note_depth();
  if (discipline_ == QueueDiscipline::kFifo) fifo_.pop_front();
  else prio_.pop();
  --queued_;
}

void JobRunner::submit(const JobSpec& spec, double work_seconds, int32_t priority, uint64_t tag) {
  uint32_t j;
  if (!free_jobs_.empty()) {
    j = free_jobs_.back();
    free_jobs_.pop_back();
  } else {
    jobs_.emplace_back();
    j = static_cast<uint32_t>(jobs_.size() - 1);
  }
  Job& job = jobs_[j];
  const uint32_t gen = job.gen;
  std::vector<uint32_t> vms = std::move(job.vms);
  job = Job{};
  job.gen = gen + 1;
  job.vms = std::move(vms);
  job.vms.clear();
  job.spec = &spec;
  job.work_s = std::max(1e-6, work_seconds);
  job.arrival_us = world_.now().us;
  job.deadline_us = spec.deadline.us > 0 ? job.arrival_us + spec.deadline.us : -1;
  job.tag = tag;
  job.seq = next_seq_++;
  job.priority = priority;
  submitted_ += 1;
  need_changed(spec.parallelism);
  enqueue(j);
  dispatch();
  publish();
}

void JobRunner::dispatch() {
  while (!queue_empty()) {
    const uint32_t j = queue_front();
    const size_t n = static_cast<size_t>(jobs_[j].spec->parallelism);
    if (idle_.size() < n) break;  // strict order: the head waits for its whole gang
    int32_t zone = -1;
    if (jobs_[j].spec->same_zone && zone_names_.size() > 1) {
      zone = pick_zone(n);
      if (zone < 0) {  // no zone holds the whole gang: it waits (nothing overtakes it)
        consolidate_zone(n);
        break;
      }
    }
    queue_pop();
    Job& job = jobs_[j];
    for (size_t k = 0; k < n; ++k) {
      const uint32_t s = take_idle(zone);
      Worker& w = workers_[s];
      w.state = 2;
      w.job = j;
      job.vms.push_back(s);
      world_.set_scale_in_protection(VmId{w.slot, s}, true);  // scale-in spares VMs with a job
    }
    busy_vms_ += n;
    ++running_jobs_;
    start_job(j);
  }
}

void JobRunner::schedule_phase(uint32_t j, Duration d) {
  Job& job = jobs_[j];
  job.phase_start_us = world_.now().us;
  world_.engine().schedule_in(d, self_, kPhaseDone, j, job.gen);
}

void JobRunner::start_job(uint32_t j) {
  Job& job = jobs_[j];
  const int64_t now = world_.now().us;
  if (job.first_start_us < 0) {
    job.first_start_us = now;
    wait_n_ += 1;
    wait_sum_ += secs(now - job.arrival_us);
  }
  job.last_start_us = now;
  job.last_vm = job.vms.empty() ? kNone : job.vms.front();
  if (job.killed_at_us >= 0) {
    const double ttr = secs(now - job.killed_at_us);
    ttr_n_ += 1;
    ttr_sum_ += ttr;
    ttr_max_ = std::max(ttr_max_, ttr);
    job.killed_at_us = -1;
    if (job.saved_s > 0) resumes_ += 1;
  }
  report(JobEventKind::kStarted, job, job.vms.empty() ? kNone : job.vms.front());
  if (job.saved_s > 0 && job.spec->restore.us > 0) {
    job.phase = Phase::kRestore;
    schedule_phase(j, job.spec->restore);
  } else {
    begin_compute(j, job.saved_s);
  }
}

void JobRunner::begin_compute(uint32_t j, double from) {
  Job& job = jobs_[j];
  const double remaining = std::max(0.0, job.work_s - from);
  const double interval = job.spec->checkpoint_interval.to_seconds();
  job.seg_base_s = from;
  if (interval > 0 && remaining > interval + 1e-6) {
    job.seg_s = interval;
    job.final_segment = false;
  } else {
    job.seg_s = remaining;
    job.final_segment = true;
  }
  job.phase = Phase::kCompute;
  schedule_phase(j, dur(job.seg_s));
}

double JobRunner::progress_now(const Job& job) const {
  switch (job.phase) {
    case Phase::kCompute: return job.seg_base_s + std::min(job.seg_s, secs(world_.now().us - job.phase_start_us));
    case Phase::kCheckpoint: return job.seg_base_s + job.seg_s;
    case Phase::kCommit: return job.work_s;
    default: return job.saved_s;
  }
}

void JobRunner::on_phase_done(uint32_t j) {
  Job& job = jobs_[j];
  switch (job.phase) {
    case Phase::kRestore: begin_compute(j, job.saved_s); break;
    case Phase::kCompute:
      if (job.final_segment) {
        if (job.spec->commit_time.us > 0) {
          job.phase = Phase::kCommit;
          schedule_phase(j, job.spec->commit_time);
        } else {
          complete(j);
        }
      } else if (job.spec->checkpoint_write.us > 0) {
        job.phase = Phase::kCheckpoint;
        schedule_phase(j, job.spec->checkpoint_write);
      } else {
        job.saved_s = std::max(job.saved_s, job.seg_base_s + job.seg_s);
        ckpt_n_ += 1;
        job.checkpoints++;
        report(JobEventKind::kCheckpointed, job, job.vms.empty() ? kNone : job.vms.front());
        begin_compute(j, job.seg_base_s + job.seg_s);
      }
      break;
    case Phase::kCheckpoint: {
      const double lat = job.spec->checkpoint_write.to_seconds();
      ckpt_n_ += 1;
      ckpt_lat_sum_ += lat;
      ckpt_lat_max_ = std::max(ckpt_lat_max_, lat);
      job.checkpoints++;
      job.saved_s = std::max(job.saved_s, job.seg_base_s + job.seg_s);
      report(JobEventKind::kCheckpointed, job, job.vms.empty() ? kNone : job.vms.front());
      begin_compute(j, job.seg_base_s + job.seg_s);
      break;
    }
    case Phase::kCommit: complete(j); break;
    default: break;
  }
}

void JobRunner::release(uint32_t j) {
  Job& job = jobs_[j];
  if (!job.vms.empty()) --running_jobs_;
  for (uint32_t s : job.vms) {
    Worker& w = workers_[s];
    if (w.job != j) continue;
    if (w.state == 2 || w.state == 3) --busy_vms_;
    if (w.state == 2) {
      idle_push(s);
      world_.set_scale_in_protection(VmId{w.slot, s}, false);
    } else {
      // Under notice (or gone): it holds no job any more, so nothing protects it from a scale-in
      // and the fleet no longer needs it (vm_hours_needed counts protected VMs above the target).
      if (w.state == 3) world_.set_scale_in_protection(VmId{w.slot, s}, false);
      w.state = 0;
      w.job = kNone;
    }
  }
  job.vms.clear();
}

void JobRunner::free_job(uint32_t j) {
  Job& job = jobs_[j];
  if (job.store_write) store_.abort_write(job.store_write);
  job.store_write = 0;
  job.phase = Phase::kFree;
  job.gen++;
  free_jobs_.push_back(j);
}

void JobRunner::record(const Job& job, bool finished) {
  JobSignal r;
  r.job = static_cast<uint32_t>(job.seq);
  r.workload = workload_index_;
  r.fleet = static_cast<uint16_t>(fleet_);
  r.checkpoints = job.checkpoints;
  r.evictions = job.kills;
  r.submit = secs(job.arrival_us);
  if (job.first_start_us >= 0) r.start = secs(job.first_start_us);
  if (job.last_start_us >= 0) r.last_start = secs(job.last_start_us);
  r.vm = job.last_vm;
  if (finished) r.finish = secs(world_.now().us);
  r.lost_work = job.lost_s;
  world_.signals().emit_job(r);
}

void JobRunner::record_runs(const Job& job, JobRunOutcome outcome) {
  if (job.last_start_us < 0 || !world_.signals().has_observers()) return;
  JobRunSignal r;
  r.job = static_cast<uint32_t>(job.seq);
  r.workload = workload_index_;
  r.fleet = static_cast<uint16_t>(fleet_);
  r.outcome = outcome;
  r.start = secs(job.last_start_us);
  r.end = secs(world_.now().us);
  for (uint32_t s : job.vms) {
    r.vm = s;
    world_.signals().emit_job_run(r);
  }
}

void JobRunner::complete(uint32_t j) {
  Job& job = jobs_[j];
  const int64_t now = world_.now().us;
  completed_ += 1;
  turn_sum_ += secs(now - job.arrival_us);
  run_sum_ += secs(now - job.first_start_us);
  if (job.deadline_us >= 0 && now > job.deadline_us) deadline_misses_ += 1;
  if (job.kills > 0) {
    interrupted_done_ += 1;
    interrupted_ok_ += 1;
  }
  record(job, true);
  record_runs(job, JobRunOutcome::kFinished);
  report(JobEventKind::kFinished, job, job.vms.empty() ? kNone : job.vms.front());
  const uint64_t tag = job.tag;
  need_changed(-job.spec->parallelism);
  release(j);
  free_job(j);
  if (owner_) owner_->on_job_end(tag, true);
  dispatch();
}

void JobRunner::kill(uint32_t j, uint32_t evicted) {
  Job& job = jobs_[j];
  const int64_t now = world_.now().us;
  if (job.store_write) {
    store_.abort_write(job.store_write);
    job.store_write = 0;
    misses_ += 1;
  }
  const double lost = std::max(0.0, progress_now(job) - job.saved_s);
  lost_progress_s_ += lost;
  job.lost_s += lost;
  lost_s_ += lost * static_cast<double>(job.spec->parallelism);
  kills_ += 1;
  if (job.phase == Phase::kCommit && !job.spec->idempotent) correctness_ += 1;
  job.kills++;
  report(JobEventKind::kLost, job, evicted);
  record_runs(job, JobRunOutcome::kLost);
  Worker& ew = workers_[evicted];
  if (ew.state == 2 || ew.state == 3) --busy_vms_;
  ew.state = 0;
  ew.job = kNone;
  release(j);
  job.gen++;
  job.killed_at_us = now;
  const JobSpec& spec = *job.spec;
  if (spec.retries >= 0 && job.retries_used >= static_cast<uint64_t>(spec.retries)) {
    failed_ += 1;
    interrupted_done_ += 1;
    if (job.deadline_us >= 0) deadline_misses_ += 1;
    record(job, false);
    const uint64_t tag = job.tag;
    need_changed(-spec.parallelism);
    free_job(j);
    if (owner_) owner_->on_job_end(tag, false);
  } else {
    job.retries_used++;
    double backoff =
        spec.backoff.to_seconds() * std::pow(spec.backoff_factor, static_cast<double>(job.retries_used - 1));
    backoff = std::min(backoff, spec.backoff_max.to_seconds());
    if (backoff > 0) {
      job.phase = Phase::kBackoff;
      world_.engine().schedule_in(dur(backoff), self_, kRequeue, j, job.gen);
    } else {
      enqueue(j);
    }
  }
  dispatch();
}

void JobRunner::on_checkpoint_written(uint64_t token) {
  const uint32_t j = static_cast<uint32_t>(token & 0xFFFFFFFFu);
  const uint32_t gen = static_cast<uint32_t>(token >> 32);
  if (j >= jobs_.size() || jobs_[j].gen != gen) return;
  Job& job = jobs_[j];
  const double lat = secs(world_.now().us - job.store_write_start_us);
  ckpt_n_ += 1;
  ckpt_lat_sum_ += lat;
  ckpt_lat_max_ = std::max(ckpt_lat_max_, lat);
  job.saved_s = std::max(job.saved_s, job.notice_progress_s);
  job.checkpoints++;
  job.store_write = 0;
  report(JobEventKind::kCheckpointed, job, job.vms.empty() ? kNone : job.vms.front());
  publish();
}

void JobRunner::on_model_event(const World&, const ModelEvent& ev) {
  if (ev.fleet != fleet_ || ev.vm == 0xFFFFFFFFu) return;
  if (scale_to_zero_) {
    if (ev.kind == ModelEventKind::kLaunch) {
      Worker& w = worker(ev.vm);
      w.slot = ev.slot;
      w.boot_pos = static_cast<uint32_t>(booting_.size());
      booting_.push_back(ev.vm);
    } else if (ev.vm < workers_.size()) {
      booting_remove(ev.vm);  // running, under notice, failed or gone: no longer booting
    }
  }
  switch (ev.kind) {
    case ModelEventKind::kRunning:
      worker(ev.vm).zone = ev.pool < pool_zone_.size() ? pool_zone_[ev.pool] : 0;
      idle_push(ev.vm);
      workers_[ev.vm].slot = ev.slot;
      dispatch();
      break;
    case ModelEventKind::kNotice: {
      Worker& w = worker(ev.vm);
      if (w.state == 1) {
        idle_remove(ev.vm);
        w.state = 0;
      } else if (w.state == 2) {
        w.state = 3;
        Job& job = jobs_[w.job];
        const JobSpec& spec = *job.spec;
        const double p = progress_now(job);
        if (spec.checkpoint_on_notice && job.store_write == 0 && p > job.saved_s) {
          notice_writes_ += 1;
          start_store_write(w.job);
        }
      }
      break;
    }
    case ModelEventKind::kEviction:
    case ModelEventKind::kTerminate: {  // drained by the fleet (scale-in): its job is killed too
      Worker& w = worker(ev.vm);
      if (w.state == 1) {
        idle_remove(ev.vm);
        w.state = 0;
      } else if (w.state == 2 || w.state == 3) {
        kill(w.job, ev.vm);
      } else if (w.state == 4) {
        w.state = 0;  // drained by our own scale-in
      }
      break;
    }
    default: break;
  }
  publish();
}

void JobRunner::start_store_write(uint32_t j) {
  Job& job = jobs_[j];
  job.notice_progress_s = progress_now(job);
  job.store_write_start_us = world_.now().us;
  const uint64_t token = (static_cast<uint64_t>(job.gen) << 32) | j;
  job.store_write = store_.start_write(job.spec->checkpoint_bytes, this, token);
}

bool JobRunner::checkpoint_now(uint64_t number) {
  // Linear in the jobs in flight: commands are rare next to job events.
  for (uint32_t j = 0; j < jobs_.size(); ++j) {
    Job& job = jobs_[j];
    if (job.phase == Phase::kFree || (job.seq & 0xFFFFFFFFull) != number) continue;
    if (job.phase != Phase::kCompute || job.store_write != 0 || !(progress_now(job) > job.saved_s)) return false;
    commanded_ += 1;
    start_store_write(j);
    publish();
    return true;
  }
  return false;
}

void JobRunner::handle(Engine&, const Event& e) {
  if (e.kind == kLoadTick) {
    report_load();
    if (world_.now().us + kLoadInterval.us <= world_.scenario().duration.us) {
      world_.engine().schedule_in(kLoadInterval, self_, kLoadTick, 0, 0, Priority::kLow);
    }
    return;
  }
  if (e.kind == kScaleEval) {
    if (e.b == 1) eval_pending_ = false;
    evaluate_scale();
    return;
  }
  if (e.a >= jobs_.size()) return;
  Job& job = jobs_[e.a];
  if (job.gen != static_cast<uint32_t>(e.b)) return;
  if (e.kind == kPhaseDone) {
    on_phase_done(e.a);
  } else if (e.kind == kRequeue && job.phase == Phase::kBackoff) {
    enqueue(e.a);
    dispatch();
  }
  publish();
}

void JobRunner::publish() {
  MetricSet& ms = world_.mutable_metrics();
  ms[m_.submitted] = submitted_;
  ms[m_.completed] = completed_;
  ms[m_.failed] = failed_;
  ms[m_.interruptions] = kills_;
  ms[m_.resumes] = resumes_;
  ms[m_.checkpoints] = ckpt_n_;
  ms[m_.notice_checkpoints] = notice_writes_;
  ms[m_.commanded_checkpoints] = commanded_;
  ms[m_.checkpoint_misses] = misses_;
  ms[m_.deadline_misses] = deadline_misses_;
  ms[m_.correctness_failures] = correctness_;
  ms[m_.queue_depth_max] = static_cast<double>(depth_max_);
  ms[m_.queue_depth] = static_cast<double>(queued_);
  ms[m_.running_jobs] = static_cast<double>(running_jobs_);
}

void JobRunner::finish() {
  note_depth();
  publish();
  const int64_t now = world_.now().us;
  for (const Job& job : jobs_) {
    if (job.phase == Phase::kFree) continue;
    if (job.deadline_us >= 0 && job.deadline_us < now) deadline_misses_ += 1;
    record(job, false);  // unfinished at the end
    record_runs(job, JobRunOutcome::kUnfinished);
  }
  MetricSet& ms = world_.mutable_metrics();
  ms[m_.submitted] = submitted_;
  ms[m_.completed] = completed_;
  ms[m_.failed] = failed_;
  ms[m_.success_pct] = completed_ + failed_ > 0 ? 100.0 * completed_ / (completed_ + failed_) : 0.0;
  ms[m_.interruptions] = kills_;
  ms[m_.resumes] = resumes_;
  ms[m_.resume_success_pct] = interrupted_done_ > 0 ? 100.0 * interrupted_ok_ / interrupted_done_ : 100.0;
  ms[m_.lost_vm_hours] = lost_s_ / 3600.0;
  ms[m_.lost_per_interruption] = kills_ > 0 ? lost_progress_s_ / kills_ : 0.0;
  ms[m_.checkpoints] = ckpt_n_;
  ms[m_.checkpoint_latency] = ckpt_n_ > 0 ? ckpt_lat_sum_ / ckpt_n_ : 0.0;
  ms[m_.checkpoint_latency_max] = ckpt_lat_max_;
  ms[m_.notice_checkpoints] = notice_writes_;
  ms[m_.checkpoint_misses] = misses_;
  ms[m_.ttr_mean] = ttr_n_ > 0 ? ttr_sum_ / ttr_n_ : 0.0;
  ms[m_.ttr_max] = ttr_max_;
  ms[m_.queue_wait] = wait_n_ > 0 ? wait_sum_ / wait_n_ : 0.0;
  ms[m_.queue_depth_mean] = now > 0 ? depth_area_ / static_cast<double>(now) : 0.0;
  ms[m_.queue_depth_max] = static_cast<double>(depth_max_);
  ms[m_.deadline_misses] = deadline_misses_;
  ms[m_.correctness_failures] = correctness_;
  const int cost_idx =
      world_.metrics().find(MetricOwner{MetricGroup::kFleet, world_.scenario().fleets[fleet_].name} + "cost");
  const double cost = cost_idx >= 0 ? world_.metrics().values()[static_cast<size_t>(cost_idx)] : 0.0;
  ms[m_.cost_per_job] = completed_ > 0 ? cost / completed_ : 0.0;
  ms[m_.turnaround] = completed_ > 0 ? turn_sum_ / completed_ : 0.0;
  ms[m_.run_time] = completed_ > 0 ? run_sum_ / completed_ : 0.0;
}

}  // namespace spotsim

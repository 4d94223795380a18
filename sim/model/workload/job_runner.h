#pragma once
// Runs jobs on the VMs one fleet keeps running: a queue (FIFO or priority), gang scheduling
// (a job of parallelism N starts only when N idle VMs are up and holds all of them), periodic
// checkpoints, checkpoint-on-notice through the shared CheckpointStore, kills on eviction (or a
// drain) with lost work, retries with backoff, commit phases and deadlines. Batch and pipeline
// workloads feed it jobs; it reports each job's end to its JobOwner. Metric definitions:
// docs/metrics.md.
//
// Towards the fleet's policy: per-job events (World::report_job_event, only when the policy
// wants them), kLoad every minute (utilization, then queue depth), checkpoint{} commands
// (checkpoint_now), and scale-in protection of the VMs that hold a job
// (World::set_scale_in_protection).
//
// Scale to zero (FleetSpec::scale_to_zero, docs/fleets.md): the runner owns its fleet's target. The
// need is the VMs of every job not yet ended (queued, in backoff, or holding its gang: Σ
// parallelism), capped at the fleet's `target:`; the target is the highest need of the last
// `scale_down_delay` (the need itself with no delay), sent as scale{} commands through
// World::submit after the instant's job events (one evaluation per instant, Priority::kLow).
//
// Placement (JobSpec::same_zone): a gang takes idle VMs of one zone only (the zone with the fewest
// idle VMs that still holds the whole gang). When enough VMs are idle but split across zones, the
// runner moves the missing ones into the zone that has the most of them and spot room for the
// rest (drain{} of idle VMs elsewhere, launch{pool} there); when no zone can hold the gang, the
// job waits.
//
// Bookkeeping is O(1) per VM event and O(log n) per job with the priority queue: an idle-VM
// stack with positions, job slots recycled through a free list, generation counters instead of
// event cancellation. VMs are tracked by serial number (dense per replication).
#include <cstdint>
#include <deque>
#include <queue>
#include <string>
#include <vector>

#include "sim/model/checkpoint_store.h"
#include "sim/model/world.h"
#include "sim/scenario/workload_spec.h"

namespace spotsim {

class JobOwner {
 public:
  virtual ~JobOwner() = default;
  // The job tagged `tag` completed (`ok`) or failed for good (retries exhausted).
  virtual void on_job_end(uint64_t tag, bool ok) = 0;
};

class JobRunner : public EventHandler, public WorldObserver, public CheckpointStore::Client {
 public:
  // Registers metrics "workload.<name>.*" in the world's MetricSet and listens to the world.
  // REQUIRES: world, store and owner outlive the runner.
  JobRunner(World& world, CheckpointStore& store, const std::string& name, uint32_t fleet, QueueDiscipline queue,
            JobOwner* owner);
  // Registers exactly the metrics a runner of workload `name` registers (the constructor does
  // it through this), from the name alone.
  static void declare_metrics(MetricSet& ms, const std::string& name) { (void)declare(ms, name); }

  // Submits a job arriving now. `deadline` is relative to now (0 = none).
  void submit(const JobSpec& spec, double work_seconds, int32_t priority, uint64_t tag);

  // Read-only views for autoscalers and tests.
  size_t queue_depth() const { return queued_; }
  size_t idle_vms() const { return idle_.size(); }
  size_t busy_vms() const { return busy_vms_; }
  // VMs the jobs not yet ended need (Σ parallelism of queued, backing-off and running jobs).
  int64_t vms_needed() const { return demand_; }
  uint32_t fleet() const { return fleet_; }
  // Busy VMs / VMs up (0 when none are up).
  double utilization() const;

  // Starts the periodic kLoad reports (queue depth and utilization, every minute).
  void start();
  // Final metrics; call once after the world's own finalize().
  void finish();

  // The policy's `checkpoint{job=...}` command (World's checkpoint sink): starts a checkpoint
  // write of job number `number` through the shared store, as a checkpoint-on-notice write does,
  // if the job is computing with unsaved progress and has no write in flight. Returns whether a
  // write started.
  bool checkpoint_now(uint64_t number);

  void handle(Engine& engine, const Event& event) override;
  void on_model_event(const World& world, const ModelEvent& event) override;
  void on_checkpoint_written(uint64_t token) override;

 private:
  enum Kind : uint16_t { kPhaseDone = 0, kRequeue = 1, kLoadTick = 2, kScaleEval = 3 };
  enum class Phase : uint8_t { kQueued, kBackoff, kRestore, kCompute, kCheckpoint, kCommit, kFree };
  static constexpr uint32_t kNone = 0xFFFFFFFFu;

  struct Job {
    const JobSpec* spec = nullptr;
    double work_s = 0;
    double saved_s = 0;     // durable progress (checkpointed)
    double seg_s = 0;       // compute length of the current segment
    double seg_base_s = 0;  // progress when the current segment started
    int64_t arrival_us = 0;
    int64_t phase_start_us = 0;
    int64_t deadline_us = -1;
    int64_t killed_at_us = -1;
    int64_t first_start_us = -1;
    int64_t last_start_us = -1;     // start of the latest run (on last_vm)
    uint32_t last_vm = kNone;       // first VM of the latest run's gang (for /jobs)
    double notice_progress_s = -1;  // progress captured by the on-notice write in flight
    uint64_t tag = 0;
    uint64_t seq = 0;
    uint64_t store_write = 0;  // on-notice write in flight (0 = none)
    int64_t store_write_start_us = 0;
    uint32_t gen = 0;
    uint32_t retries_used = 0;
    uint32_t kills = 0;
    uint32_t checkpoints = 0;
    double lost_s = 0;  // progress discarded by kills
    int32_t priority = 0;
    Phase phase = Phase::kFree;
    bool final_segment = false;
    std::vector<uint32_t> vms;  // serials of the gang
  };
  struct Worker {
    uint32_t job = kNone;
    uint32_t idle_pos = kNone;
    uint32_t slot = kNone;      // World's slot of this VM (for VmId in job events)
    uint8_t state = 0;          // 0 not ours/gone, 1 idle, 2 busy, 3 noticed (leaving), 4 drained by us
    uint16_t zone = 0;          // index into zone_names_ (its pool's zone)
    uint32_t boot_pos = kNone;  // position in booting_ (scale to zero only)
  };
  // One value of the need over time, for the scale-down delay's sliding maximum.
  struct NeedPoint {
    int64_t since_us;
    int64_t until_us;  // when a later value replaced it (INT64_MAX while it is current)
    int64_t vms;
  };
  struct PrioKey {
    int32_t priority;
    uint64_t seq;
    uint32_t job;
    bool operator<(const PrioKey& o) const { return priority != o.priority ? priority < o.priority : seq > o.seq; }
  };
  struct Metrics {
    uint32_t submitted, completed, failed, success_pct, interruptions, resumes, resume_success_pct, lost_vm_hours,
        lost_per_interruption, checkpoints, checkpoint_latency, checkpoint_latency_max, notice_checkpoints,
        checkpoint_misses, ttr_mean, ttr_max, queue_wait, queue_depth_mean, queue_depth_max, queue_depth, running_jobs,
        deadline_misses, correctness_failures, cost_per_job, turnaround, run_time, commanded_checkpoints;
  };
  static Metrics declare(MetricSet& ms, const std::string& name);

  Worker& worker(uint32_t serial);
  void idle_push(uint32_t serial);
  void idle_remove(uint32_t serial);
  // Takes an idle VM (of `zone`, or any with -1) out of the idle set; returns its serial.
  uint32_t take_idle(int32_t zone);
  // The zone a gang of n takes under same_zone placement (fewest idle VMs that still hold n;
  // ties: the zone listed first), or -1 if no zone has n idle VMs.
  int32_t pick_zone(size_t n) const;
  // Same-zone gang of n blocked by VMs split across zones (at least n idle in all): drains idle
  // VMs outside the best zone and launches as many in it. Returns false if no zone has the room.
  bool consolidate_zone(size_t n);
  // Scale to zero: the need changed now (coalesced into one evaluation per instant).
  void need_changed(int64_t delta);
  void evaluate_scale();
  // Scale-in to `target`: drains booting VMs (newest first), then idle ones (most recently idle
  // first) itself, so that World's scale{} finds nothing left to look for (its scale-in scans the
  // fleet's VMs). Only where World's own choice would be the same (no on-demand base or share, no
  // fallback or stopped VMs); otherwise, and for any excess left, World's scale-in decides.
  void drain_surplus(int64_t target, Commands& out);
  void booting_remove(uint32_t serial);
  void enqueue(uint32_t j);
  bool queue_empty() const { return queued_ == 0; }
  uint32_t queue_front() const;
  void queue_pop();
  void note_depth();
  void dispatch();
  void start_job(uint32_t j);
  void begin_compute(uint32_t j, double from_progress);
  void schedule_phase(uint32_t j, Duration d);
  void on_phase_done(uint32_t j);
  void complete(uint32_t j);
  void kill(uint32_t j, uint32_t evicted_serial);
  void release(uint32_t j);
  void free_job(uint32_t j);
  double progress_now(const Job& job) const;
  void record(const Job& job, bool finished);
  // One /job_runs row per VM of the job's current run, ending now with `outcome`.
  void record_runs(const Job& job, JobRunOutcome outcome);
  // Starts a checkpoint write of job j's progress now through the store (on notice / command).
  void start_store_write(uint32_t j);
  // Reports a per-job event to the fleet's policy (only if it wants job events).
  void report(JobEventKind kind, const Job& job, uint32_t vm_serial);
  void report_load();
  // Writes the counters and gauges into the MetricSet now, so samplers see them during the run.
  void publish();

  World& world_;
  CheckpointStore& store_;
  JobOwner* owner_;
  uint32_t fleet_;
  QueueDiscipline discipline_;
  uint16_t self_;
  uint16_t workload_index_ = 0xFFFF;
  std::vector<Job> jobs_;
  std::vector<uint32_t> free_jobs_;
  std::vector<Worker> workers_;  // by VM serial
  std::vector<uint32_t> idle_;
  std::deque<uint32_t> fifo_;
  std::priority_queue<PrioKey> prio_;
  size_t queued_ = 0;
  size_t busy_vms_ = 0;
  size_t running_jobs_ = 0;
  uint64_t next_seq_ = 0;
  // placement
  std::vector<uint16_t> pool_zone_;  // pool index → zone index
  std::vector<std::string> zone_names_;
  std::vector<uint32_t> idle_per_zone_;
  // scale to zero
  bool scale_to_zero_ = false;
  int64_t max_target_ = 0;   // the fleet's `target:`
  int64_t demand_ = 0;       // VMs the jobs not yet ended need
  int64_t target_sent_ = 0;  // the target last sent (the warm start's at first)
  Duration scale_down_delay_;
  bool eval_pending_ = false;
  int64_t expiry_at_us_ = -1;          // the scale-down delay's next look (already scheduled)
  std::deque<NeedPoint> need_window_;  // decreasing need values (sliding maximum)
  std::vector<uint32_t> booting_;      // serials of the fleet's booting VMs, launch order
  // accumulators
  double depth_area_ = 0;  // queue depth × µs
  int64_t depth_last_us_ = 0;
  size_t depth_max_ = 0;
  double completed_ = 0, failed_ = 0, interrupted_done_ = 0, interrupted_ok_ = 0;
  double lost_s_ = 0, lost_progress_s_ = 0, kills_ = 0, resumes_ = 0, notice_writes_ = 0, misses_ = 0,
         deadline_misses_ = 0, correctness_ = 0, submitted_ = 0, ckpt_n_ = 0, ckpt_lat_sum_ = 0, ckpt_lat_max_ = 0,
         commanded_ = 0;
  double ttr_n_ = 0, ttr_sum_ = 0, ttr_max_ = 0, wait_n_ = 0, wait_sum_ = 0;
  double turn_sum_ = 0, run_sum_ = 0;
  Metrics m_{};
};

}  // namespace spotsim

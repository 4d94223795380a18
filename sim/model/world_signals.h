#pragma once
// What the world of one replication tells the outside, and who is told: VM lifecycle changes
// (ModelEvent), workloads' jobs (JobSignal, JobRunSignal; sim/model/job_signals.h) and regular
// samples, to the world's observer (the run's recorder, sim/run), its sampler, and listeners
// (components such as workloads and Kubernetes), always the observer first, then the listeners
// in the order they were added. World owns one WorldSignals and hands it out as World::signals().
#include <cstdint>
#include <vector>

#include "sim/core/time.h"
#include "sim/model/fleet_types.h"
#include "sim/model/job_signals.h"

namespace spotsim {

// What happened, for event logs and recorders. Stable numbering: recorded in HDF5.
enum class ModelEventKind : uint8_t {
  kLaunch = 0,         // a VM was requested (billing starts); detail = 0 spot, 1 on-demand, 2 fallback
  kRunning = 1,        // it finished booting
  kNotice = 2,         // the provider's interruption notice
  kEviction = 3,       // the provider took it away
  kCapacityError = 4,  // a launch was refused; detail = RejectCause (0 = insufficient spot capacity)
  kEnd = 5,            // the run ended with the VM alive
  kTerminate = 6,      // the fleet removed the VM itself (drain: scale-in, return to spot, rebalance)
  kBootFailed = 7,     // it never came up (fleet or chaos boot_failure); billed from launch to now
  kRebalance = 8,      // AWS rebalance recommendation for a spot VM (elevated interruption risk)
};
// Details: kLaunch 3 = a stopped/deallocated VM restarting (a new serial); kEviction 1 = the
// eviction action kept the VM (stop, hibernate, deallocate: it waits stopped, disks billed).
const char* model_event_kind_name(ModelEventKind k);

struct ModelEvent {
  SimTime time;
  ModelEventKind kind;
  uint32_t vm;    // VM serial number (unique within a replication); UINT32_MAX if none
  uint16_t pool;  // UINT16_MAX if none
  uint16_t fleet;
  double detail;                        // kind-specific: notice length in s for kNotice, cost for kEviction/kEnd, ...
  Purchase purchase = Purchase::kSpot;  // of the VM (spot for fleet-level events)
  uint32_t slot = UINT32_MAX;           // the VM's storage slot (VmId{slot, vm}); UINT32_MAX if none
};

class World;

class WorldObserver {
 public:
  virtual ~WorldObserver() = default;
  virtual void on_model_event(const World& world, const ModelEvent& event) = 0;
  // A workload's job finished, or the run ended with it unfinished (then finish is NaN). Workload
  // models call it once per job; recorders write it to /jobs (sim/model/job_signals.h).
  virtual void on_job(const World& world, const JobSignal& job) {}
  // One run of a job on one VM ended (finished, lost its VM, or unfinished at the end of the run);
  // recorders write it to /job_runs.
  virtual void on_job_run(const World& world, const JobRunSignal& run) {}
};

// Samples the world at a regular interval (time series for recorders).
class WorldSampler {
 public:
  virtual ~WorldSampler() = default;
  virtual void on_sample(const World& world, SimTime t) = 0;
};

// The world's observer, sampler and listeners. Emitting costs nothing but a check when nobody
// listens (has_observers()).
class WorldSignals {
 public:
  // REQUIRES: world outlives this (World owns its signals).
  explicit WorldSignals(const World& world) : world_(world) {}
  WorldSignals(const WorldSignals&) = delete;
  WorldSignals& operator=(const WorldSignals&) = delete;

  void set_observer(WorldObserver* o) { observer_ = o; }
  void set_sampler(WorldSampler* s) { sampler_ = s; }
  // Extra observers (components such as workloads) told about every ModelEvent, after the
  // observer. REQUIRES: o outlives the world's run.
  void add_listener(WorldObserver* o) { listeners_.push_back(o); }
  bool has_observers() const { return observer_ != nullptr || !listeners_.empty(); }
  bool has_sampler() const { return sampler_ != nullptr; }

  // Tells the observer and listeners about one job (workloads call it once per job, when it
  // completes, fails for good, or is unfinished at the end).
  void emit_job(const JobSignal& job) const {
    if (observer_) observer_->on_job(world_, job);
    for (WorldObserver* l : listeners_) l->on_job(world_, job);
  }
  void emit_job_run(const JobRunSignal& run) const {
    if (observer_) observer_->on_job_run(world_, run);
    for (WorldObserver* l : listeners_) l->on_job_run(world_, run);
  }

 private:
  friend class World;  // VM lifecycle events and samples are the world's own
  void emit(const ModelEvent& ev) const {
    if (observer_) observer_->on_model_event(world_, ev);
    for (WorldObserver* l : listeners_) l->on_model_event(world_, ev);
  }
  void sample(SimTime t) const {
    if (sampler_) sampler_->on_sample(world_, t);
  }

  const World& world_;
  WorldObserver* observer_ = nullptr;
  WorldSampler* sampler_ = nullptr;
  std::vector<WorldObserver*> listeners_;
};

}  // namespace spotsim

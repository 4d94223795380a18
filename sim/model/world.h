#pragma once
// The simulated world of one replication: capacity pools, fleets and their VMs, driven by the
// engine. A preemption is an *event* (notice, then eviction), never an exception.
//
// Extension points for later models (chaos, workloads, policies, recording):
//  - WorldObserver: told about every VM lifecycle change (launch, running, notice, eviction).
//  - Components schedule their own events through the engine with their own handler index and
//    act on the world only through its public verbs (request_launch, give_notice, evict, ...).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/engine.h"
#include "sim/core/rng.h"
#include "sim/model/fault_injector.h"
#include "sim/model/metrics.h"
#include "sim/record/schema.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

enum class VmState : uint8_t { kFree = 0, kBooting, kRunning, kNoticed };
enum class Purchase : uint8_t { kSpot = 0, kOnDemand = 1 };

// What happened, for event logs and recorders. Stable numbering: recorded in HDF5.
enum class ModelEventKind : uint8_t {
  kLaunch = 0,         // a VM was requested (billing starts)
  kRunning = 1,        // it finished booting
  kNotice = 2,         // the provider's interruption notice
  kEviction = 3,       // the provider took it away
  kCapacityError = 4,  // a launch failed: insufficient spot capacity in every allowed pool
  kEnd = 5,            // the run ended with the VM alive
  kBootFailed = 7,     // it never came up (chaos boot_failure); billed from launch to now
};
const char* model_event_kind_name(ModelEventKind k);

struct ModelEvent {
  SimTime time;
  ModelEventKind kind;
  uint32_t vm;     // VM serial number (unique within a replication); UINT32_MAX if none
  uint16_t pool;   // UINT16_MAX if none
  uint16_t fleet;
  double detail;   // kind-specific: notice length in s for kNotice, cost for kEviction/kEnd, ...
  Purchase purchase = Purchase::kSpot;  // of the VM (spot for fleet-level events)
};

class World;

class WorldObserver {
 public:
  virtual ~WorldObserver() = default;
  virtual void on_model_event(const World& world, const ModelEvent& event) = 0;
  // A workload's job finished, or the run ended with it unfinished (then finish is NaN). Workload
  // models call it once per job; recorders write it to /jobs (sim/record/schema.h).
  virtual void on_job(const World& world, const schema::JobRecord& job) {}
};

// Samples the world at a regular interval (time series for recorders).
class WorldSampler {
 public:
  virtual ~WorldSampler() = default;
  virtual void on_sample(const World& world, SimTime t) = 0;
};

// A model owned by the world of one replication (workloads, ...). Created while the world is
// constructed (so its metrics are registered with the world's), started after the warm start,
// finished after the world's own metrics are final (fleet costs are billed by then).
class WorldComponent {
 public:
  virtual ~WorldComponent() = default;
  virtual void start(World&) {}
  virtual void finish(World&) {}
};

struct VmSlot {
  int64_t launched_us = 0;     // launch request (billing start)
  int64_t running_us = -1;     // became running; -1 while booting
  int64_t lost_at_us = -1;     // for a replacement: when the VM it replaces was (or will be) lost
  uint32_t serial = 0;         // unique per incarnation
  uint32_t gen = 0;            // bumps on every state change that invalidates pending events
  uint32_t fleet = 0;
  uint16_t pool = 0;
  VmState state = VmState::kFree;
  Purchase purchase = Purchase::kSpot;
};

struct PoolState {
  int64_t spot_in_use = 0;   // spot VMs launched from this pool and not yet evicted
  int64_t capacity = 0;      // current spot capacity
  bool on_demand_available = true;
  double spot_price = 0;     // current spot price ($/h); starts at the pool's list price
};

struct FleetState {
  int64_t target = 0;
  int64_t running = 0;
  int64_t booting = 0;
  int64_t waiting = 0;       // launches waiting on capacity retries
  int64_t last_change_us = 0;
  double running_vm_us = 0;  // integral of running VMs over time
  LogHistogram time_to_replace;  // seconds
};

class World : public EventHandler {
 public:
  // REQUIRES: scenario outlives the world.
  World(const CompiledScenario& scenario, uint64_t replication);

  // Metric names and definitions this scenario produces, without running it.
  static std::vector<MetricDef> metric_defs(const CompiledScenario& scenario);

  void set_observer(WorldObserver* o) { observer_ = o; }
  void set_sampler(WorldSampler* s) { sampler_ = s; }
  // Extra observers (components such as workloads) told about every ModelEvent, after the
  // observer. REQUIRES: o outlives the world's run.
  void add_listener(WorldObserver* o) { listeners_.push_back(o); }
  // Takes ownership of a component; returns it. REQUIRES: called before run().
  WorldComponent* add_component(std::unique_ptr<WorldComponent> c);
  const std::vector<std::unique_ptr<WorldComponent>>& components() const { return components_; }
  // Tells the observer and listeners about one job (workloads call it once per job, when it
  // completes, fails for good, or is unfinished at the end).
  void emit_job(const schema::JobRecord& job) {
    if (observer_) observer_->on_job(*this, job);
    for (WorldObserver* l : listeners_) l->on_job(*this, job);
  }
  // For components registering and updating their own metrics (names must be unique).
  MetricSet& mutable_metrics() { return metrics_; }
  // Chaos hooks into boot, notice delivery and launch admission (sim/model/fault_injector.h).
  // REQUIRES: f outlives the world's run.
  void set_fault_injector(FaultInjector* f) { injector_ = f; }

  // Runs the replication to the scenario's duration and finalizes metrics.
  void run();

  // --- verbs other models use -------------------------------------------------------------
  // Asks for one VM for `fleet`; `lost_at` is when the VM it replaces went (or goes) away, or -1.
  void request_launch(uint32_t fleet, int64_t lost_at_us);
  // Delivers a notice now and evicts after `notice` (0 = evict at once, without a notice; a
  // FaultInjector may also lose the notice, then the eviction still comes after `notice`).
  void give_notice(uint32_t vm_slot, Duration notice);
  // --- verbs for chaos (capacity cliffs, on-demand exhaustion) -------------------------------
  // Sets pool `pool`'s spot capacity now. If our spot VMs in the pool (not already under notice)
  // exceed it, the excess — newest first — gets the pool's notice and is evicted after it.
  void set_spot_capacity(uint32_t pool, int64_t capacity);
  // Whether the provider can give on-demand VMs in `pool` (read by on-demand launches).
  void set_on_demand_available(uint32_t pool, bool available);
  // Sets pool `pool`'s current spot price ($/h). Spot VMs there of fleets whose max_price is
  // below it get the pool's notice (price eviction); such fleets launch nowhere the price is
  // above their max_price. Billing stays at the list price (docs/chaos.md).
  void set_spot_price(uint32_t pool, double price);
  // --- read-only state ----------------------------------------------------------------------
  const CompiledScenario& scenario() const { return sc_; }
  Engine& engine() { return engine_; }
  SimTime now() const { return engine_.now(); }
  const std::vector<VmSlot>& vms() const { return vms_; }
  const std::vector<PoolState>& pools() const { return pools_; }
  const std::vector<FleetState>& fleets() const { return fleets_; }
  const MetricSet& metrics() const { return metrics_; }
  uint64_t events_processed() const { return engine_.events_processed(); }
  uint64_t replication() const { return replication_; }

  void handle(Engine& engine, const Event& event) override;

 private:
  enum Kind : uint16_t { kBootDone = 0, kNoticeEv, kEvictEv, kRetryLaunch, kSample };
  struct FleetMetrics {
    uint32_t interruptions, replacements, ttr_mean, ttr_p95, ttr_max, capacity_errors, vm_hours_spot,
        vm_hours_on_demand, lost_vm_hours, availability_pct, cost;
  };
  struct PoolMetrics {
    uint32_t interruptions, vm_hours, capacity_errors, cost;
  };

  void register_metrics();
  uint32_t alloc_slot();
  bool try_launch(uint32_t fleet, int64_t lost_at_us);
  void on_boot_done(uint32_t slot);
  void on_notice(uint32_t slot);
  void on_evict(uint32_t slot);
  void schedule_interruption(uint32_t slot);
  void set_running(FleetState& f, int64_t delta);
  void bill(uint32_t slot, bool interrupted);
  void emit(ModelEventKind kind, uint32_t slot, double detail);
  void emit_fleet(ModelEventKind kind, uint32_t fleet, uint16_t pool, double detail);
  void finalize();

  const CompiledScenario& sc_;
  uint64_t replication_;
  Engine engine_;
  uint16_t self_;
  Rng interruption_rng_;
  std::vector<VmSlot> vms_;
  std::vector<uint32_t> free_slots_;
  std::vector<PoolState> pools_;
  std::vector<FleetState> fleets_;
  MetricSet metrics_;
  std::vector<FleetMetrics> fleet_m_;
  std::vector<PoolMetrics> pool_m_;
  uint32_t m_cost_total_, m_cost_spot_, m_cost_on_demand_, m_cost_od_equiv_, m_cost_all_od_, m_savings_;
  uint32_t next_serial_ = 0;
  int64_t end_us_;
  WorldObserver* observer_ = nullptr;
  WorldSampler* sampler_ = nullptr;
  std::vector<WorldObserver*> listeners_;
  std::vector<std::unique_ptr<WorldComponent>> components_;
  FaultInjector* injector_ = nullptr;
};

}  // namespace spotsim

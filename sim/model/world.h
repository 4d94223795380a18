#pragma once
// The simulated world of one replication: capacity pools, fleets and their VMs, driven by the
// engine. A preemption is an *event* (notice, then eviction), never an exception.
//
// Extension points for later models (chaos, workloads, policies, recording):
//  - WorldObserver: told about every VM lifecycle change (launch, running, notice, eviction).
//  - Components schedule their own events through the engine with their own handler index and
//    act on the world only through its public verbs (submit, give_notice, market(), ...).
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/engine.h"
#include "sim/core/rng.h"
#include "sim/model/billing.h"
#include "sim/model/builtin_policy.h"
#include "sim/model/fault_injector.h"
#include "sim/model/fleet_policy.h"
#include "sim/model/fleet_types.h"
#include "sim/model/job_signals.h"
#include "sim/model/launch_admission.h"
#include "sim/model/loss_ledger.h"
#include "sim/model/metrics.h"
#include "sim/model/pool_market.h"
#include "sim/model/warm_pool.h"
#include "sim/model/world_signals.h"
#include "sim/model/world_state.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

// A model owned by the world of one replication (workloads, ...). Created while the world is
// constructed (so its metrics are registered with the world's), started after the warm start,
// finished after the world's own metrics are final (fleet costs are billed by then).
class WorldComponent {
 public:
  virtual ~WorldComponent() = default;
  virtual void start(World&) {}
  virtual void finish(World&) {}
};

class World : public EventHandler {
 public:
  // REQUIRES: scenario outlives the world. Each fleet starts with its built-in policy
  // (BuiltinFleetPolicy). The world alone has no workloads, Kubernetes, Lua policies or chaos:
  // ReplicationModels (sim/run/replication_models.h) assembles a replication's models.
  World(const CompiledScenario& scenario, uint64_t replication);
  ~World() override;
  // Registers in `metrics` exactly the metrics a World of `scenario` registers, in the same
  // order, without building one (the world's own: fleet.*, pool.*, cost.*; not region.* or the
  // components'). The world's constructor registers its metrics through this.
  static void declare_metrics(const CompiledScenario& scenario, MetricSet& metrics) {
    (void)declare(scenario, metrics);
  }

  // The world's observer, sampler and listeners, and the job signals workloads send them
  // (sim/model/world_signals.h).
  WorldSignals& signals() { return signals_; }
  const WorldSignals& signals() const { return signals_; }
  // Takes ownership of a component; returns it. REQUIRES: called before run().
  WorldComponent* add_component(std::unique_ptr<WorldComponent> c);
  const std::vector<std::unique_ptr<WorldComponent>>& components() const { return components_; }
  // For components registering and updating their own metrics (names must be unique).
  MetricSet& mutable_metrics() { return metrics_; }
  // Chaos hooks into boot, notice delivery and launch admission (sim/model/fault_injector.h).
  // REQUIRES: f outlives the world's run.
  void set_fault_injector(FaultInjector* f) {
    injector_ = f;
    admission_->set_fault_injector(f);
  }
  // Replaces fleet `fleet`'s policy. Hooks the new policy does not declare still run the
  // built-in ones. REQUIRES: called before run().
  void set_policy(uint32_t fleet, std::unique_ptr<FleetPolicy> policy);
  // Where kCheckpoint commands go (the workloads model); without one they are counted and dropped.
  using CheckpointSink = std::function<void(uint32_t fleet, uint64_t job)>;
  void set_checkpoint_sink(CheckpointSink sink) { checkpoint_sink_ = std::move(sink); }

  // Runs the replication to the scenario's duration and finalizes metrics.
  void run();

  // --- verbs other models use -------------------------------------------------------------
  // Delivers a notice now and evicts after `notice` (0 = evict at once, without a notice; a
  // FaultInjector may also lose the notice, then the eviction still comes after `notice`).
  void give_notice(uint32_t vm_slot, Duration notice);
  // Reports a workload event for `fleet` (kLoad updates FleetState::load); the fleet's policy
  // sees it in on_job_event, and the commands it returns are always queued (never applied inside
  // this call, so a workload may report from within a WorldObserver callback). For the
  // workloads model.
  void report_job_event(uint32_t fleet, const JobEvent& event);
  // Whether `fleet`'s policy (custom or built-in) declares on_job_event: workloads report
  // per-job events only then (kLoad is always reported).
  bool wants_job_events(uint32_t fleet) const {
    return ((rt_[fleet].custom_hooks | rt_[fleet].builtin_hooks) & kHookOnJobEvent) != 0;
  }
  // Applies `commands` for `fleet` the way hook output is applied (through the engine queue).
  void submit(uint32_t fleet, const Commands& commands);
  // Instance scale-in protection (AWS Auto Scaling): a protected VM is never drained by scale-in
  // (kScale). The batch model protects the VMs that hold a job. Lifting it while a scale-in is
  // still short of its target because of protected VMs queues a reconcile (a scale{} to the
  // current target). Stale ids are ignored.
  void set_scale_in_protection(VmId vm, bool on);

  // --- verbs for chaos ----------------------------------------------------------------------
  // Between begin_batch() and end_batch() (nestable), notices are given (the VMs are under notice
  // and their evictions scheduled) but delivered — the notice event, the fleet's reaction, e.g. a
  // replacement launched on notice — only at end_batch(). A chaos item changes every pool of its
  // scope first and the fleets react after, so a replacement never lands in a pool of the scope
  // that is about to be cut in the same instant (the chaos runtime wraps every item callback).
  void begin_batch() { ++batch_depth_; }
  void end_batch();
  // The pools' state — spot capacity, spot price, on-demand availability, VMs in use — and the
  // notices changes of capacity and price give (sim/model/pool_market.h): what capacity series
  // and chaos items change.
  PoolMarket& market() { return market_; }
  const PoolMarket& market() const { return market_; }
  // --- read-only state ----------------------------------------------------------------------
  const CompiledScenario& scenario() const { return sc_; }
  Engine& engine() { return engine_; }
  SimTime now() const { return engine_.now(); }
  const std::vector<VmSlot>& vms() const { return vms_; }
  const std::vector<PoolState>& pools() const { return market_.pools(); }
  const std::vector<FleetState>& fleets() const { return fleets_; }
  const MetricSet& metrics() const { return metrics_; }
  // Events the run handled: the engine's, plus the notices folded into their eviction (each
  // counts as the event it stands for, so the count does not depend on the folding).
  uint64_t events_processed() const { return engine_.events_processed() + folded_notices_; }
  uint64_t replication() const { return replication_; }
  // Fleet `fleet`'s warm pool, or nullptr (sim/model/warm_pool.h).
  const WarmPool* warm_pool(uint32_t fleet) const { return rt_[fleet].warm.get(); }
  // Active (booting, running, noticed) VMs of `fleet` in `pool`.
  int64_t fleet_vms_in_pool(uint32_t fleet, uint32_t pool) const;
  // VMs of `fleet` that are or will be serving: active VMs, plus launches waiting to be applied,
  // minus return-to-spot launches (they replace a VM already counted), minus VMs under notice
  // unless the built-in policy replaces them only at their eviction (replace_on: eviction and no
  // custom notice/eviction hook): such a VM still holds its place until its replacement is
  // launched. Stopped VMs (kept by the eviction action) count. A kScale command launches
  // target − fleet_serving VMs when that is positive.
  int64_t fleet_serving(uint32_t fleet) const;
  // The last kLoad value workload `workload` reported for `metric`; NaN if none yet.
  double workload_load(uint32_t workload, LoadMetric metric) const {
    const size_t i = static_cast<size_t>(workload) * kLoadMetrics + static_cast<size_t>(metric);
    return i < loads_.size() ? loads_[i] : std::numeric_limits<double>::quiet_NaN();
  }
  // Commands applied so far, by kind (for tests and reports).
  uint64_t commands_applied(CommandKind k) const { return commands_applied_[static_cast<size_t>(k)]; }

  void handle(Engine& engine, const Event& event) override;

 private:
  enum Kind : uint16_t {
    kBootDone = 0,
    kNoticeEv,
    kEvictEv,
    kCommandEv,
    kSample,
    kTick,
    kRebalanceEv,
    kRestartEv,
    kLifetimeEv,
    kNoticeEvictEv
  };
  struct FleetMetrics {
    uint32_t interruptions, replacements, ttr_mean, ttr_p95, ttr_max, capacity_errors, vm_hours_spot,
        vm_hours_on_demand, lost_vm_hours, availability_pct, cost;
    uint32_t rejections[kRejectCauseCount], rejection_rate;
  };
  struct PoolMetrics {
    uint32_t interruptions, vm_hours, capacity_errors, cost;
    uint32_t rejections[kRejectCauseCount];
  };
  // Provider-semantics and derived metrics (sim/model/world_metrics.cpp).
  struct FleetMetricsExtra {
    uint32_t boot_failures, rebalances, restarts, stopped_vm_hours, disk_cost, revocation_rate, spot_share_pct,
        launches, fallback_launches, fallback_rate_pct, vm_hours_fallback, cost_all_on_demand, savings_pct, unrecovered,
        unrecovered_open, cost_per_available_vm_hour, vm_hours_needed;
  };
  struct PoolMetricsExtra {
    uint32_t vm_hours_spot, vm_hours_on_demand, revocation_rate, spot_utilization_pct, disk_cost, unrecovered;
  };
  struct FleetRuntime {
    std::unique_ptr<BuiltinFleetPolicy> builtin;  // always there (devirtualized calls)
    std::unique_ptr<FleetPolicy> custom;          // optional replacement
    uint32_t custom_hooks = 0;
    uint32_t builtin_hooks = 0;
    std::vector<int64_t> pool_vms;          // active VMs per pool index (sized pools)
    std::vector<FleetPoolEntry> instances;  // the fleet's instance list (normalized)
    double fallback_cost_per_hour = 0;      // on-demand $/h of active fallback VMs
    std::unique_ptr<WarmPool> warm;         // `warm_pool:` (nullptr without one)
    bool scale_in_pending = false;          // a scale-in left protected VMs above target
    uint32_t m_warm_cost = 0, m_warm_launches = 0;
  };
  struct WarmPoolMetrics {
    uint32_t cost = 0, launches = 0;  // 0 without a warm pool
  };
  // The world's metric ids, in registration order: declared from the scenario alone.
  struct MetricIds {
    std::vector<FleetMetrics> fleet;
    std::vector<WarmPoolMetrics> warm;
    std::vector<PoolMetrics> pool;
    std::vector<FleetMetricsExtra> fleet_x;
    std::vector<PoolMetricsExtra> pool_x;
    uint32_t cost_total = 0, cost_spot = 0, cost_on_demand = 0, cost_od_equiv = 0, cost_all_od = 0, savings = 0,
             cost_disk = 0;
  };
  static MetricIds declare(const CompiledScenario& sc, MetricSet& ms);

  // Registers the world's metrics (fleet.*, pool.*, cost.*) and returns the billing that accrues
  // into them. For the constructor's member initializers: REQUIRES rt_ sized.
  std::unique_ptr<Billing> register_metrics();
  uint32_t alloc_slot();
  // Applies one launch: choose a pool, admit, create the VM. Returns false on refusal (after
  // reporting the capacity error to the policy).
  bool launch_one(const LaunchRequest& request, int32_t pool_hint, bool warm_start);
  // Where the launch goes: the hint (a command's pool), else the fleet's policy's choice.
  PoolChoice choose_pool(const LaunchRequest& request, int32_t pool_hint);
  // An admitted launch: a booting VM in `pool` (counters, kLaunch emitted); returns its slot.
  uint32_t create_vm(const LaunchRequest& request, uint32_t pool, Purchase purchase);
  // A replacement launch (return to spot, rebalance) marks the VM it replaces.
  void link_replacement(uint32_t slot, const LaunchRequest& request);
  // Schedules the booting VM's boot completion (a warm pool resume or the fleet's boot delay).
  void start_boot(uint32_t slot);
  void capacity_error(const LaunchRequest& request, int32_t pool, RejectCause cause);
  void apply(const Command& c);
  void apply_launch(const Command& c);               // kLaunch, kFallback, kRetry
  void apply_scale(uint32_t fleet, int64_t target);  // kScale: new target, then reconcile
  // Drains up to `excess` VMs of `fleet` in scale-in order; returns how many it could not.
  int64_t scale_in(uint32_t fleet, int64_t excess);
  // Hands scratch_ (a hook's output) over: queued, or for the built-in policy zero-delay
  // commands applied at once (after the hook returned). Clears scratch_.
  void flush(uint32_t fleet, bool builtin);
  void submit_one(const Command& c);
  void drain(uint32_t slot);
  void release(uint32_t slot);     // common end of a VM: counters, slot freed
  void deactivate(uint32_t slot);  // an active VM stops counting (booting/running/noticed, pool use)
  void on_boot_done(uint32_t slot);
  // handle() for every kind but the churn's two (kBootDone, kNoticeEvictEv): kept out of line so
  // that handle() itself is a check and a tail call, with no stack frame to set up per event.
  void handle_other(Engine& engine, const Event& event);
  void on_notice(uint32_t slot);
  // The part of give_notice the fleet sees: the notice may be lost, else it is emitted and the
  // fleet's notice hook runs. `gen` is the VM's generation when the notice was given.
  void deliver_notice(uint32_t slot, int64_t evict_at_us, Duration notice);
  struct PendingNotice {
    uint32_t slot, gen;
    int64_t evict_at_us;
    Duration notice;
  };
  void on_evict(uint32_t slot);
  void schedule_interruption(uint32_t slot);
  // Whether nothing in this run can see a VM between its interruption notice and its eviction
  // (no observer, sampler, component, chaos, pool series, custom policy, notice/tick/rebalance
  // hook, preemptible lifetime; one notice length): then the notice is not an event of its own
  // but is applied by the eviction event (kNoticeEvictEv), with the same order and numbers.
  // Returns the one notice length then, else nullopt.
  std::optional<Duration> unobserved_notice() const;
  // kNoticeEvictEv: the folded notice, then the eviction.
  void on_notice_evict(uint32_t slot);
  // The churn fast path of on_notice_evict: with notices folded, the built-in policy of a
  // single-spot-pool fleet replacing at the eviction, a terminating pool, no regional limits and
  // nothing unusual about the VM, the notice, eviction, release and the replacement's launch and
  // boot scheduling in one pass over the VM's slot (reused in place, as the free list would hand
  // it back). Every value gets the same updates in the same order as on the general path; only
  // counters that go down and up again and the pool integral's +0 at the same instant are skipped.
  // Returns false (nothing done) when the launch would be refused: the general path reports it.
  bool evict_and_relaunch(uint32_t slot);
  void apply_folded_notice(VmSlot& v);  // the state change a notice event made
  // At the end of a run with folded notices: the notices that came before the end and whose
  // eviction did not, applied as their notice events would have been.
  void apply_pending_notices_at_end();
  // --- provider semantics (sim/model/world_provider.cpp) ---
  // The fleet's boot latency: its fixed boot_time, else a draw from its distribution. Inline, as
  // is boot_fails' first check: every boot asks both, and most fleets need neither draw.
  Duration boot_delay(uint32_t fleet) {
    const FleetSpec& fs = sc_.fleets[fleet];
    return fs.boot_dist.kind == DurationDist::Kind::kFixed ? fs.boot_time : draw_boot_delay(fleet);
  }
  Duration draw_boot_delay(uint32_t fleet);
  // The fleet's boot_failure, then the chaos FaultInjector; false without either.
  bool boot_fails(uint32_t slot) {
    return (injector_ || sc_.fleets[vms_[slot].fleet].boot_failure > 0) && draw_boot_failure(slot);
  }
  bool draw_boot_failure(uint32_t slot);
  // A spot VM started running (or launched, for lifetimes): schedules its rebalance
  // recommendation (with the hazard notice at `notice_at_us`) and the preemptible 24 h end.
  void schedule_rebalance(uint32_t slot, int64_t notice_at_us);
  void schedule_lifetime(uint32_t slot, bool warm_start);
  void on_rebalance(uint32_t slot);  // the recommendation reaches the fleet
  // The eviction of `slot` with an action that keeps the VM: stopped, disks billed, may restart.
  void stop_vm(uint32_t slot);
  void on_restart(uint32_t slot);  // a stopped VM tries to start again
  // An eviction of a VM that a rebalance replacement covers: hands the loss to the replacement.
  // Returns true if the fleet must not launch another replacement.
  bool covered_by_replacement(uint32_t slot);
  // --- metrics (sim/model/world_metrics.cpp) ---
  static void declare_extra(const CompiledScenario& sc, MetricSet& ms, MetricIds& ids);
  // The all-on-demand counterfactual's cost for one fleet: the VM-hours it needed (its target,
  // or its protected VMs where more, at each moment) on on-demand (docs/metrics.md).
  double fleet_all_on_demand(uint32_t fleet, const FleetState& f) const;
  void finalize_extra_metrics();
  void set_running(FleetState& f, int64_t delta);
  // Clears a VM's scale-in protection flag, keeping the fleet's count of protected VMs.
  void drop_protection(VmSlot& v);
  // Losses still open at the end, up to the fleet's shortfall: counted as `unrecovered` and
  // added to the time to reschedule censored at the end of the run.
  void finalize_unrecovered();
  void finalize_unrecovered(uint32_t fleet, int64_t in_flight);  // in_flight: VMs still booting
  // Bills the VM's current run (launch → now, unless stopped) and, when `vm_ends`, its disks
  // (sim/model/billing.h).
  void bill(uint32_t slot, bool interrupted, bool vm_ends = true);
  // Tells the observer and listeners (nothing to do, and inlined, when there are none).
  void emit(ModelEventKind kind, uint32_t slot, double detail) {
    if (signals_.has_observers()) emit_to_observers(kind, slot, detail);
  }
  void emit_to_observers(ModelEventKind kind, uint32_t slot, double detail);
  void emit_fleet(ModelEventKind kind, uint32_t fleet, uint16_t pool, double detail);
  void finalize();
  VmView view_of(uint32_t slot) const;
  friend class PolicyContext;

  const CompiledScenario& sc_;
  uint64_t replication_;
  Engine engine_;
  uint16_t self_;
  // Each fleet draws from its own streams, named after it ("fleet.<name>.interruption", ...), so
  // a fleet's draws do not depend on the other fleets or on the order of the file.
  struct FleetRngs {
    Rng interruption;  // hazard interruptions
    Rng boot;          // boot latency
    Rng boot_failure;  // fleet boot_failure
    Rng rebalance;     // rebalance recommendations
    Rng restart;       // restart_after
    Rng lifetime;      // warm-start ages of preemptible VMs
    FleetRngs(uint64_t seed, uint64_t replication, const std::string& fleet);
  };
  std::vector<FleetRngs> rng_;  // per fleet
  bool rebalance_any_ = false;  // some pool has rebalance recommendations
  bool lifetime_any_ = false;   // some pool is GCP preemptible
  bool warm_starting_ = false;  // VMs promoted at time 0 never fail their boot
  std::vector<VmSlot> vms_;     // on huge pages where the kernel allows (sim/core/huge_pages.h)
  // Replacement slot → the VM it drains when it runs (return to spot, rebalance); rare, so kept
  // beside vms_ (ordered by slot: scans go in slot order, as over vms_).
  std::map<uint32_t, VmId> replaces_;
  std::vector<uint32_t> free_slots_;
  std::vector<FleetState> fleets_;
  std::vector<FleetRuntime> rt_;
  std::vector<Command> cmd_slab_;  // commands in flight (event payload = index)
  std::vector<uint32_t> cmd_free_;
  Commands scratch_;                 // hook output buffer, reused
  std::deque<Commands> flush_bufs_;  // one per flush nesting depth (stable references)
  size_t flush_depth_ = 0;
  uint64_t commands_applied_[kCommandKindCount] = {};
  int batch_depth_ = 0;
  std::vector<PendingNotice> pending_notices_;  // given inside a batch, delivered at its end
  CheckpointSink checkpoint_sink_;
  static constexpr size_t kLoadMetrics = 3;  // LoadMetric values
  std::vector<double> loads_;                // workload × LoadMetric: last kLoad value (NaN: none)
  MetricSet metrics_;
  std::vector<FleetMetrics> fleet_m_;
  std::vector<PoolMetrics> pool_m_;
  std::vector<FleetMetricsExtra> fleet_mx_;
  std::vector<PoolMetricsExtra> pool_mx_;
  uint32_t m_cost_disk_ = 0;
  uint32_t m_cost_total_, m_cost_spot_, m_cost_on_demand_, m_cost_od_equiv_, m_cost_all_od_, m_savings_;
  uint32_t next_serial_ = 0;
  Engine::LaneId boot_lane_ = 0;   // boot completions (FIFO when the boot delay is fixed)
  Engine::LaneId evict_lane_ = 0;  // evictions after a notice (FIFO with one notice length)
  bool fold_notices_ = false;      // notices_unobserved(), decided when the run starts
  Duration fold_notice_{0};        // the one notice length when folding
  uint64_t folded_notices_ = 0;    // notice events folded away (counted in events_processed)
  // Per fleet, when folding: the pool of evict_and_relaunch's fast path, or -1 (general path).
  std::vector<int32_t> relaunch_pool_;
  int64_t end_us_;
  bool started_ = false;
  WorldSignals signals_{*this};
  std::vector<std::unique_ptr<WorldComponent>> components_;
  FaultInjector* injector_ = nullptr;
  // Built in this order by the constructor's initializers, after everything above: billing
  // registers the world's metrics, admission then the region.* metrics, and the market, which
  // uses both, owns the pools' state (World::pools(); launches and evictions change its in-use
  // counts inline through market_) and starts the pools' series at the end of the constructor.
  std::unique_ptr<Billing> billing_;            // cost accrual, spot price history
  std::unique_ptr<LaunchAdmission> admission_;  // provider and region limits on launching
  PoolMarket market_;                           // the pools' state, capacity and price changes, series
};

}  // namespace spotsim

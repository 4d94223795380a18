#pragma once
// FleetPolicy: the decision hooks of one fleet. Every fleet decision the simulator makes —
// which pool a VM comes from, what to do on a notice or an eviction, when to fall back to
// on-demand, how to scale — goes through this interface, so a policy written in Lua
// (sim/policy) can replace any built-in behaviour. The built-in behaviour is itself a set of
// C++ FleetPolicy implementations (sim/model/builtin_policy.h).
//
// Contract (what World promises a policy, and what a policy must promise World):
//  - Hooks see the world through a read-only PolicyContext and *return commands* by appending
//    them to `out`. A hook never mutates the world. World applies the commands afterwards,
//    through the engine queue: each command becomes an event at now + command.delay
//    (priority kNormal), applied in the order the hook appended them. (The built-in policy's
//    zero-delay commands take a fast path: applied right after its hook returns, in the same
//    event — never inside the hook. This keeps the churn benchmark free of an extra event per
//    eviction; the only observable difference is the order among events at the same instant.)
//  - choose_pool is the one exception: it returns a decision (a pool and a purchase type), not
//    a command, because World asks it while applying a launch command.
//  - One policy object per fleet per replication (World owns it). No globals: a policy keeps its
//    state in members, and derives randomness from PolicyContext::replication() / seed() with
//    Rng::stream — never from a shared generator.
//  - Hooks must be deterministic functions of their inputs and the policy's own state.
//  - `out` is cleared by World before each hook call; it is reused (no allocation per event).
//  - A policy declares which hooks it implements in hooks(); World never calls a hook that is
//    not declared (so a policy that needs no ticks costs nothing per tick).
//
// Hook order within one VM's life: choose_pool (launch) → [on_rebalance] → on_notice →
// on_eviction. on_capacity_error replaces choose_pool's success when a launch is refused.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/time.h"
#include "sim/model/fleet_types.h"
#include "sim/scenario/provider.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

class World;

// Why a VM is being launched.
enum class LaunchReason : uint8_t {
  kInitial = 0,       // filling the fleet to its target at start
  kReplacement = 1,   // replacing a VM that got a notice or was evicted
  kScaleOut = 2,      // the target went up
  kRetry = 3,         // a previous attempt was refused
  kFallback = 4,      // on-demand instead of unavailable spot
  kRebalance = 5,     // capacity rebalancing (replacement launched on a rebalance recommendation)
  kReturnToSpot = 6,  // spot again after a fallback (the on-demand VM is drained once it runs)
};
const char* launch_reason_name(LaunchReason r);

// One VM to launch for one fleet.
struct LaunchRequest {
  uint32_t fleet = 0;
  Purchase purchase = Purchase::kSpot;  // what the fleet's mix asks for
  LaunchReason reason = LaunchReason::kInitial;
  uint32_t attempt = 0;          // 0 on the first try, +1 per retry
  int64_t lost_at_us = -1;       // when the VM this replaces is (or was) lost; -1 if none
  int64_t first_failed_us = -1;  // time of the first refusal of this request; -1 if none yet
  VmId replaces;                 // for kReturnToSpot/kRebalance: the VM to drain once running
};

// What choose_pool answers: a pool (index into CompiledScenario::pools) and a purchase type,
// or none (pool < 0) when no allowed pool can take the request.
struct PoolChoice {
  int32_t pool = -1;
  Purchase purchase = Purchase::kSpot;
  static PoolChoice none() { return PoolChoice{}; }
  bool ok() const { return pool >= 0; }
};

// A launch that World could not carry out.
struct CapacityError {
  LaunchRequest request;
  int32_t pool = -1;  // the pool that refused (-1: choose_pool found none)
  RejectCause cause = RejectCause::kInsufficientSpot;
};

// Workload events the workloads model reports for a fleet (World::report_job_event).
//  - Job events (batch and pipeline workloads): kQueued on arrival and on every re-queue after a
//    kill, kStarted when the job's gang is complete (vm = the first VM of the gang),
//    kCheckpointed when a checkpoint is durable, kFinished on completion, kLost when a gang VM is
//    evicted or drained under it (vm = that VM, already on its way out). Reported only to fleets
//    whose policy declares kHookOnJobEvent (World::wants_job_events).
//  - kLoad: a workload metric, reported every `step` (services, default 1 min) or every minute
//    (batch and pipeline) to every fleet that runs workloads: `metric` says which, `value` is
//    the number (utilization as a fraction, e.g. 0.6; queue depth in jobs).
enum class JobEventKind : uint8_t { kQueued = 0, kStarted, kCheckpointed, kFinished, kLost, kLoad };
// What a kLoad event measures.
enum class LoadMetric : uint8_t {
  kNone = 0,
  kUtilization = 1,  // service: λ / (serving VMs × capacity) (λ / capacity with none serving);
                     // batch: busy VMs / VMs up (0 with none up)
  kQueueDepth = 2,   // batch: jobs waiting in the queue
};
const char* load_metric_name(LoadMetric m);
struct JobEvent {
  JobEventKind kind = JobEventKind::kQueued;
  uint64_t job = 0;                       // job id: workload index × 2^32 + the job's number within its workload
                                          // (the `job` of /jobs); 0 for kLoad
  VmId vm;                                // the VM it runs on, if any
  double value = 0;                       // kLoad: the metric value
  uint16_t workload = 0xFFFF;             // index into CompiledScenario::workloads (0xFFFF: unknown)
  LoadMetric metric = LoadMetric::kNone;  // kLoad only
};
// Job ids (JobEvent::job, Command::job) pack the workload index and the job's number.
inline uint64_t make_job_id(uint32_t workload, uint64_t number) {
  return (static_cast<uint64_t>(workload) << 32) | (number & 0xFFFFFFFFull);
}
inline uint32_t job_id_workload(uint64_t id) { return static_cast<uint32_t>(id >> 32); }
inline uint64_t job_id_number(uint64_t id) { return id & 0xFFFFFFFFull; }

// Commands a hook returns. Build them with the static helpers.
enum class CommandKind : uint8_t {
  kLaunch = 0,      // launch `count` VMs (pool -1: ask choose_pool); purchase as given
  kFallback = 1,    // launch `count` on-demand VMs in place of spot that cannot be had
  kDrain = 2,       // gracefully remove VM `vm` (cordon, drain, terminate; billed to now)
  kCheckpoint = 3,  // ask the workloads model to checkpoint job `job` (forwarded, see World)
  kScale = 4,       // set the fleet's target to `count` (World launches or drains to meet it)
  kRetry = 5,       // re-submit `request` after `delay` (at least 1 s: a refused launch retried at
                    // the same instant would never let time advance)
};
// How many CommandKinds there are (arrays indexed by kind are sized by it); the last kind + 1.
inline constexpr size_t kCommandKindCount = static_cast<size_t>(CommandKind::kRetry) + 1;
const char* command_kind_name(CommandKind k);

struct Command {
  CommandKind kind = CommandKind::kLaunch;
  uint32_t fleet = 0;
  int32_t pool = -1;      // kLaunch: a pool, or -1 to ask choose_pool
  int64_t count = 1;      // kLaunch/kFallback: VMs; kScale: the new target
  VmId vm;                // kDrain
  uint64_t job = 0;       // kCheckpoint
  Duration delay{0};      // applied at now + delay (>= 0)
  LaunchRequest request;  // kLaunch/kFallback/kRetry: the request (purchase, reason, lost_at...)

  static Command launch(uint32_t fleet, int64_t count, Purchase purchase, LaunchReason reason, int64_t lost_at_us = -1,
                        int32_t pool = -1);
  static Command fallback(uint32_t fleet, int64_t count, const LaunchRequest& original);
  static Command drain(uint32_t fleet, VmId vm);
  static Command checkpoint(uint32_t fleet, uint64_t job);
  static Command scale(uint32_t fleet, int64_t target);
  static Command retry(const LaunchRequest& request, Duration after);
  Command& after(Duration d) {
    delay = d;
    return *this;
  }
};

// The hooks' output buffer (cleared by World before every call).
using Commands = std::vector<Command>;

// Read-only views handed to policies. Values are copies of the state at the hook's instant.
struct PoolView {
  uint32_t index = 0;  // index into CompiledScenario::pools
  const PoolSpec* spec = nullptr;
  Provider provider = Provider::kAws;
  double spot_price = 0;            // current $/h
  double on_demand_price = 0;       // $/h
  int64_t spot_capacity = 0;        // current spot capacity of the pool (VMs)
  int64_t spot_in_use = 0;          // our spot VMs in the pool (all fleets)
  int64_t spot_available = 0;       // max(0, spot_capacity - spot_in_use), bounded by the region
  int64_t on_demand_in_use = 0;     // our on-demand VMs in the pool (all fleets)
  bool on_demand_available = true;  // false while the provider has no on-demand capacity here
  double interruption_rate = 0;     // the pool's hazard per VM-hour (what capacity-optimized avoids)
  int32_t vcpus = 0;
};

struct FleetView {
  uint32_t index = 0;
  const FleetSpec* spec = nullptr;
  int64_t target = 0;
  int64_t running = 0;  // VMs running (not booting, not noticed)
  int64_t booting = 0;
  int64_t noticed = 0;           // VMs under an interruption notice
  int64_t stopped = 0;           // VMs stopped/deallocated by an eviction (kept; may restart)
  int64_t waiting = 0;           // launches waiting for a retry
  int64_t spot_active = 0;       // spot VMs booting, running or noticed
  int64_t on_demand_active = 0;  // on-demand VMs booting, running or noticed
  int64_t fallback_active = 0;   // on-demand VMs launched as fallback and still active
  int64_t fallback_waiting = 0;  // fallback VMs commanded but not yet launched
  double load = 0;               // last workload metric reported (JobEventKind::kLoad)
};

struct VmView {
  VmId id;
  uint32_t fleet = 0;
  uint32_t pool = 0;
  VmState state = VmState::kFree;
  Purchase purchase = Purchase::kSpot;
  bool fallback = false;          // launched as an on-demand fallback
  bool notice_delivered = false;  // it got a notice the fleet saw (false: lost, or none yet)
  SimTime launched;
  SimTime running;  // SimTime::never() while booting
};

// What a hook may look at. Cheap to construct; valid only during the hook call.
class PolicyContext {
 public:
  PolicyContext(const World& world, uint32_t fleet) : world_(world), fleet_(fleet) {}

  SimTime now() const;
  uint64_t seed() const;
  uint64_t replication() const;
  const CompiledScenario& scenario() const;

  // The fleet this hook is about, and any other fleet (by index).
  uint32_t fleet_index() const { return fleet_; }
  FleetView fleet() const { return fleet(fleet_); }
  FleetView fleet(uint32_t index) const;
  size_t fleet_count() const;
  // The fleet's instance list (pools with weights and priorities), in the order written.
  const std::vector<FleetPoolEntry>& fleet_pools() const;
  PoolView pool(uint32_t index) const;
  // REQUIRES: id refers to a live VM (check with vm_alive first when in doubt).
  VmView vm(VmId id) const;
  bool vm_alive(VmId id) const;
  // The fleet's live VMs (booting, running, noticed or stopped), in slot order. Allocates: for on_tick,
  // not for per-VM hooks.
  std::vector<VmId> fleet_vms() const;
  // This fleet's active VMs in pool `pool` (any purchase type).
  int64_t fleet_vms_in_pool(uint32_t pool) const;
  // What this fleet's active fallback (on-demand) VMs cost per hour now.
  double fallback_cost_per_hour() const;
  // Return-to-spot launches of this fleet in flight (launched, not yet running).
  int64_t returning_to_spot() const;
  // Whether a replacement launch for `vm` (return to spot, rebalance) is in flight.
  bool is_being_replaced(VmId id) const;
  // The last value workload `workload` (index into CompiledScenario::workloads) reported for
  // `metric` (JobEventKind::kLoad), or NaN if it has reported none yet.
  double workload_load(uint32_t workload, LoadMetric metric) const;

 private:
  const World& world_;
  uint32_t fleet_;
};

// Bit flags for FleetPolicy::hooks().
enum PolicyHook : uint32_t {
  kHookChoosePool = 1u << 0,
  kHookOnNotice = 1u << 1,
  kHookOnEviction = 1u << 2,
  kHookOnCapacityError = 1u << 3,
  kHookOnTick = 1u << 4,
  kHookOnJobEvent = 1u << 5,
  kHookOnRebalance = 1u << 6,
  kHookOnRunning = 1u << 7,
};

class FleetPolicy {
 public:
  virtual ~FleetPolicy() = default;

  // A short name for logs and reports ("builtin", "lua:my_policy.lua").
  virtual std::string name() const = 0;
  // Which hooks this policy implements (PolicyHook bits). Undeclared hooks are never called.
  virtual uint32_t hooks() const = 0;
  // How often on_tick runs (only if kHookOnTick is declared). REQUIRES: > 0 then.
  virtual Duration tick_interval() const { return Duration::seconds(60); }

  // Where to launch one VM. Return PoolChoice::none() when no pool can take it (World then
  // calls on_capacity_error with cause kInsufficientSpot, or kInsufficientOnDemand for an
  // on-demand request). World still checks capacity, quota and rate limits of the chosen pool;
  // a refusal there also ends in on_capacity_error with the pool and the cause.
  virtual PoolChoice choose_pool(const LaunchRequest& request, const PolicyContext& ctx) { return PoolChoice::none(); }
  // A VM of this fleet became running.
  virtual void on_running(VmId vm, const PolicyContext& ctx, Commands& out) {}
  // The provider's rebalance recommendation (AWS) for a spot VM of this fleet.
  virtual void on_rebalance(VmId vm, const PolicyContext& ctx, Commands& out) {}
  // The provider's interruption notice for `vm`; it will be evicted at `evict_at`. Not called
  // for a notice that was lost (chaos notice_loss) or of zero length.
  virtual void on_notice(VmId vm, SimTime evict_at, const PolicyContext& ctx, Commands& out) {}
  // `vm` was evicted (it is already gone: ctx.vm_alive(vm) is false). `view` is its last state.
  // Exception: an eviction action that keeps the VM (stop, hibernate, deallocate) leaves it
  // stopped — view.state is kStopped, it is still alive and the fleet's, and it may restart as a
  // new VmId. The built-in policy launches no replacement for it.
  virtual void on_eviction(const VmView& view, const PolicyContext& ctx, Commands& out) {}
  // A launch was refused.
  virtual void on_capacity_error(const CapacityError& error, const PolicyContext& ctx, Commands& out) {}
  // Every tick_interval() from time 0.
  virtual void on_tick(const PolicyContext& ctx, Commands& out) {}
  // The workloads model reported an event for this fleet.
  virtual void on_job_event(const JobEvent& event, const PolicyContext& ctx, Commands& out) {}
};

// Creates the policy of fleet `fleet` for one replication, or returns nullptr to keep the
// built-in one. The Lua bridge provides one of these (sim/policy); the runner passes it to World.
// Called once per fleet per replication, on the replication's thread.
using FleetPolicyFactory =
    std::function<std::unique_ptr<FleetPolicy>(const CompiledScenario& scenario, uint32_t fleet, uint64_t replication)>;

}  // namespace spotsim

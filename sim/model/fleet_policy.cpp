#include "sim/model/fleet_policy.h"

#include <algorithm>

#include "sim/model/world.h"

namespace spotsim {

const char* purchase_name(Purchase p) { return p == Purchase::kSpot ? "spot" : "on_demand"; }

const char* vm_state_name(VmState s) {
  switch (s) {
    case VmState::kFree: return "free";
    case VmState::kBooting: return "booting";
    case VmState::kRunning: return "running";
    case VmState::kNoticed: return "noticed";
    case VmState::kStopped: return "stopped";
  }
  return "?";
}

const char* reject_cause_name(RejectCause c) {
  switch (c) {
    case RejectCause::kInsufficientSpot: return "insufficient_capacity";
    case RejectCause::kInsufficientOnDemand: return "insufficient_on_demand_capacity";
    case RejectCause::kQuota: return "quota";
    case RejectCause::kThrottled: return "throttled";
    case RejectCause::kPrice: return "price";
  }
  return "?";
}

const char* launch_reason_name(LaunchReason r) {
  switch (r) {
    case LaunchReason::kInitial: return "initial";
    case LaunchReason::kReplacement: return "replacement";
    case LaunchReason::kScaleOut: return "scale_out";
    case LaunchReason::kRetry: return "retry";
    case LaunchReason::kFallback: return "fallback";
    case LaunchReason::kRebalance: return "rebalance";
    case LaunchReason::kReturnToSpot: return "return_to_spot";
  }
  return "?";
}

const char* load_metric_name(LoadMetric m) {
  switch (m) {
    case LoadMetric::kNone: return "none";
    case LoadMetric::kUtilization: return "utilization";
    case LoadMetric::kQueueDepth: return "queue_depth";
  }
  return "?";
}

const char* command_kind_name(CommandKind k) {
  switch (k) {
    case CommandKind::kLaunch: return "launch";
    case CommandKind::kFallback: return "fallback";
    case CommandKind::kDrain: return "drain";
    case CommandKind::kCheckpoint: return "checkpoint";
    case CommandKind::kScale: return "scale";
    case CommandKind::kRetry: return "retry";
  }
  return "?";
}

Command Command::launch(uint32_t fleet, int64_t count, Purchase purchase, LaunchReason reason, int64_t lost_at_us,
                        int32_t pool) {
  Command c;
  c.kind = CommandKind::kLaunch;
  c.fleet = fleet;
  c.count = count;
  c.pool = pool;
  c.request.fleet = fleet;
  c.request.purchase = purchase;
  c.request.reason = reason;
  c.request.lost_at_us = lost_at_us;
  return c;
}

Command Command::fallback(uint32_t fleet, int64_t count, const LaunchRequest& original) {
  Command c;
  c.kind = CommandKind::kFallback;
  c.fleet = fleet;
  c.count = count;
  c.request = original;
  c.request.fleet = fleet;
  c.request.purchase = Purchase::kOnDemand;
  c.request.reason = LaunchReason::kFallback;
  return c;
}

Command Command::drain(uint32_t fleet, VmId vm) {
  Command c;
  c.kind = CommandKind::kDrain;
  c.fleet = fleet;
  c.count = 0;
  c.vm = vm;
  return c;
}

Command Command::checkpoint(uint32_t fleet, uint64_t job) {
  Command c;
  c.kind = CommandKind::kCheckpoint;
  c.fleet = fleet;
  c.count = 0;
  c.job = job;
  return c;
}

Command Command::scale(uint32_t fleet, int64_t target) {
  Command c;
  c.kind = CommandKind::kScale;
  c.fleet = fleet;
  c.count = target;
  return c;
}

Command Command::retry(const LaunchRequest& request, Duration after) {
  Command c;
  c.kind = CommandKind::kRetry;
  c.fleet = request.fleet;
  c.count = 1;
  c.request = request;
  c.delay = after;
  return c;
}

// --- PolicyContext ---------------------------------------------------------------------------

SimTime PolicyContext::now() const { return world_.now(); }
uint64_t PolicyContext::seed() const { return world_.scenario().seed; }
uint64_t PolicyContext::replication() const { return world_.replication(); }
const CompiledScenario& PolicyContext::scenario() const { return world_.scenario(); }
size_t PolicyContext::fleet_count() const { return world_.fleets().size(); }

FleetView PolicyContext::fleet(uint32_t index) const {
  const FleetState& f = world_.fleets_[index];
  FleetView v;
  v.index = index;
  v.spec = &world_.scenario().fleets[index];
  v.target = f.target;
  v.running = f.running;
  v.booting = f.booting;
  v.noticed = f.noticed;
  v.stopped = f.stopped;
  v.waiting = f.waiting;
  v.spot_active = f.spot_active;
  v.on_demand_active = f.on_demand_active;
  v.fallback_active = f.fallback_active;
  v.fallback_waiting = f.fallback_waiting;
  v.load = f.load;
  return v;
}

const std::vector<FleetPoolEntry>& PolicyContext::fleet_pools() const { return world_.rt_[fleet_].instances; }

PoolView PolicyContext::pool(uint32_t index) const {
  const PoolSpec& ps = world_.scenario().pools[index];
  const PoolMarket& market = world_.market();
  const PoolState& st = market.pool(index);
  PoolView v;
  v.index = index;
  v.spec = &ps;
  v.provider = ps.provider;
  v.spot_price = st.spot_price;
  v.on_demand_price = ps.on_demand_price;
  v.spot_capacity = st.capacity;
  v.spot_in_use = st.spot_in_use;
  v.spot_available = market.spot_available(index);
  v.on_demand_in_use = st.on_demand_in_use;
  v.on_demand_available = market.on_demand_has_capacity(index);
  v.interruption_rate = ps.interruption_rate;
  v.vcpus = ps.vcpus;
  return v;
}

bool PolicyContext::vm_alive(VmId id) const {
  if (id.slot >= world_.vms_.size()) return false;
  const VmSlot& s = world_.vms_[id.slot];
  return s.state != VmState::kFree && s.serial == id.serial;
}

VmView PolicyContext::vm(VmId id) const { return world_.view_of(id.slot); }

std::vector<VmId> PolicyContext::fleet_vms() const {
  std::vector<VmId> out;
  for (uint32_t s = 0; s < world_.vms_.size(); ++s) {
    const VmSlot& v = world_.vms_[s];
    if (v.state != VmState::kFree && v.fleet == fleet_) out.push_back(VmId{s, v.serial});
  }
  return out;
}

int64_t PolicyContext::fleet_vms_in_pool(uint32_t pool) const { return world_.fleet_vms_in_pool(fleet_, pool); }

double PolicyContext::fallback_cost_per_hour() const { return world_.rt_[fleet_].fallback_cost_per_hour; }

int64_t PolicyContext::returning_to_spot() const { return world_.fleets_[fleet_].returning; }

double PolicyContext::workload_load(uint32_t workload, LoadMetric metric) const {
  return world_.workload_load(workload, metric);
}

bool PolicyContext::is_being_replaced(VmId id) const {
  return vm_alive(id) && (world_.vms_[id.slot].flags & kVmBeingReplaced) != 0;
}

}  // namespace spotsim

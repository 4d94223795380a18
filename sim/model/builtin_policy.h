#pragma once
// The built-in fleet behaviour, written as a FleetPolicy like any Lua policy:
//  - choose_pool: the mixed instances policy (on_demand_base, on_demand_above_base) decides the
//    purchase type; the allocation strategy (sim/model/allocation.h) picks the pool.
//  - on_notice / on_eviction: launch one replacement (on the notice or on the eviction, as the
//    fleet's `replace_on` says).
//  - on_rebalance: with capacity_rebalance, launch a replacement early.
//  - on_capacity_error: a throttled call is retried with exponential backoff and jitter
//    (`throttle_backoff`); otherwise retry after `retry_interval` (a fallback refused for quota or
//    on-demand capacity retries as spot); with `fallback`, once spot has been refused
//    for `fallback.after`, launch on-demand instead (bounded by max count and $/h).
//  - on_tick: with `fallback`, move fallback VMs back to spot once spot has been launchable for
//    `fallback.return_after` (hysteresis): a spot VM is launched for each, and the on-demand VM
//    is drained when the spot one runs.
//  - on_tick: with `scaling:`, the fleet's Autoscaler (sim/model/autoscaler.h) returns scale{}
//    commands (schedule, target tracking).
//
// `final` so that World's calls through a BuiltinFleetPolicy* are devirtualized (the churn hot
// path pays no virtual call).
#include <vector>

#include "sim/model/allocation.h"
#include "sim/model/autoscaler.h"
#include "sim/model/fleet_policy.h"

namespace spotsim {

// The fleet's instance list: FleetSpec::instances, or (for hand-built specs that only list
// `pools`) those pools with weight 1 and priority = position.
std::vector<FleetPoolEntry> fleet_instances(const FleetSpec& fleet);

class BuiltinFleetPolicy final : public FleetPolicy {
 public:
  // REQUIRES: scenario outlives the policy; fleet < scenario.fleets.size().
  BuiltinFleetPolicy(const CompiledScenario& scenario, uint32_t fleet);

  std::string name() const override { return "builtin"; }
  uint32_t hooks() const override { return hooks_; }
  Duration tick_interval() const override { return tick_; }

  PoolChoice choose_pool(const LaunchRequest& request, const PolicyContext& ctx) override;
  void on_rebalance(VmId vm, const PolicyContext& ctx, Commands& out) override;
  void on_notice(VmId vm, SimTime evict_at, const PolicyContext& ctx, Commands& out) override;
  void on_eviction(const VmView& view, const PolicyContext& ctx, Commands& out) override;
  void on_capacity_error(const CapacityError& error, const PolicyContext& ctx, Commands& out) override;
  void on_tick(const PolicyContext& ctx, Commands& out) override;

  // True when choose_pool is trivially "the fleet's only pool, spot" (one instance, no on-demand
  // mix): World then skips the call (the churn fast path).
  bool single_spot_pool() const { return single_spot_pool_; }
  // Whether on_eviction launches a replacement: with replace_on eviction, or when the fleet
  // never saw the notice (lost) so it could not replace on it.
  bool replaces_on_eviction(bool notice_delivered) const {
    return fs_.replace_on == ReplaceOn::kEviction || !notice_delivered;
  }

  // The purchase type the mixed instances policy wants for the next VM of the fleet.
  Purchase mix_purchase(const FleetView& fleet) const;

 private:
  const CompiledScenario& sc_;
  const FleetSpec& fs_;
  std::vector<FleetPoolEntry> instances_;
  uint32_t fleet_;
  uint32_t hooks_ = 0;
  Duration tick_{Duration::seconds(60)};
  Autoscaler autoscaler_;
  std::vector<AllocCandidate> cand_;  // scratch, one per instance entry (no allocation per call)
  int64_t spot_ok_since_us_ = -1;
  bool single_spot_pool_ = false;  // fallback return hysteresis: spot launchable since
};

}  // namespace spotsim

#pragma once
// Launch admission: whether the provider admits one launch that a fleet's policy has placed in a
// pool, and if not, why. The refusal cause is the answer (a value), so the world reports it to
// the fleet's policy as it is (capacity_error, on_capacity_error).
//
// The checks run in the provider's order; the first that fails is the cause:
//   1. the launch API call itself (the region's token bucket): a throttled call learns nothing
//      about capacity (kThrottled); the warm start takes no token (the fleet as it stands at
//      time 0 is not a call);
//   2. spot: the fleet's max_price against the pool's price (kPrice), then the pool's spot
//      capacity and the region's shared spot capacity (kInsufficientSpot); on-demand: the pool's
//      on-demand availability and capacity (kInsufficientOnDemand);
//   3. the region's vCPU quota for the purchase type (kQuota);
//   4. chaos throttling of the launch API (FaultInjector::admit_launch; kThrottled).
// Steps 1 and 3 count in the region's metrics when they refuse (sim/model/regional_limits.h).
#include <cstdint>
#include <memory>
#include <optional>

#include "sim/model/fault_injector.h"
#include "sim/model/fleet_types.h"
#include "sim/model/regional_limits.h"
#include "sim/model/world_state.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

class World;

// One launch as placed by the fleet's policy.
struct LaunchAttempt {
  uint32_t fleet = 0;
  uint32_t pool = 0;
  Purchase purchase = Purchase::kSpot;
  bool warm_start = false;  // one of the fleet's VMs at time 0: no launch API call
};

class LaunchAdmission {
 public:
  // Registers the region.<name>.* metrics when the scenario has `regions:`. REQUIRES: scenario
  // outlives this. The pools' state is the market's (sim/model/pool_market.h): each question
  // about a pool gets its current state as an argument.
  LaunchAdmission(const CompiledScenario& scenario, MetricSet& metrics);

  // Why the launch is refused, or nullopt when it is admitted; `pool` is the state of
  // attempt.pool. May take a launch token and count refusals in the region's metrics; admitting
  // changes nothing else (on_launch does).
  std::optional<RejectCause> refusal(const World& world, const LaunchAttempt& attempt, const PoolState& pool,
                                     int64_t now_us);

  // The admitted launch happened / an active VM is gone: the region's quota and shared counters.
  void on_launch(uint32_t pool, Purchase purchase) {
    if (limits_ && limits_->limited(pool)) limits_->on_launch(pool, purchase);
  }
  void on_release(uint32_t pool, Purchase purchase) {
    if (limits_) limits_->on_release(pool, purchase);
  }

  // Spot VMs pool `pool` (in state `state`) can still give now (its capacity − in use, and the
  // region's shared capacity; never negative).
  int64_t spot_available(uint32_t pool, const PoolState& state) const;
  // Whether one more on-demand VM can be had in a pool in state `p` (availability and on-demand
  // capacity; the region's quota is checked separately, as a provider does after choosing).
  static bool on_demand_has_capacity(const PoolState& p) {
    return p.on_demand_available && (p.on_demand_capacity < 0 || p.on_demand_in_use < p.on_demand_capacity);
  }

  // Chaos throttling of the launch API. REQUIRES: f outlives the run.
  void set_fault_injector(FaultInjector* f) { injector_ = f; }
  // The `regions:` limits, or nullptr without regions.
  const RegionalLimits* regional_limits() const { return limits_.get(); }

 private:
  const CompiledScenario& sc_;
  std::unique_ptr<RegionalLimits> limits_;  // null without `regions:`
  FaultInjector* injector_ = nullptr;
};

}  // namespace spotsim

#include "sim/model/launch_admission.h"

#include <algorithm>

namespace spotsim {

LaunchAdmission::LaunchAdmission(const CompiledScenario& scenario, MetricSet& metrics) : sc_(scenario) {
  if (!sc_.regions.empty()) limits_ = std::make_unique<RegionalLimits>(sc_, metrics);
}

std::optional<RejectCause> LaunchAdmission::refusal(const World& world, const LaunchAttempt& a, const PoolState& ps,
                                                    int64_t now_us) {
  const bool limited = limits_ && limits_->limited(a.pool);
  if (limited && !a.warm_start && !limits_->take_launch_token(a.pool, now_us)) return RejectCause::kThrottled;
  if (a.purchase == Purchase::kSpot) {
    const double max_price = sc_.fleets[a.fleet].max_price;
    if (max_price > 0 && ps.spot_price > max_price) return RejectCause::kPrice;
    if (ps.spot_in_use >= ps.capacity || (limited && limits_->shared_spot_available(a.pool) <= 0)) {
      return RejectCause::kInsufficientSpot;
    }
  } else if (!on_demand_has_capacity(ps)) {
    return RejectCause::kInsufficientOnDemand;
  }
  if (limited && !limits_->quota_allows(a.pool, a.purchase)) return RejectCause::kQuota;
  if (injector_ && !injector_->admit_launch(world, a.fleet, a.pool)) return RejectCause::kThrottled;
  return std::nullopt;
}

int64_t LaunchAdmission::spot_available(uint32_t pool, const PoolState& p) const {
  const int64_t own = std::max<int64_t>(0, p.capacity - p.spot_in_use);
  return limits_ && limits_->limited(pool) ? std::min(own, limits_->shared_spot_available(pool)) : own;
}

}  // namespace spotsim

#include "sim/model/builtin_policy.h"

#include <algorithm>
#include <cmath>

#include "sim/model/rate_limiter.h"

namespace spotsim {

std::vector<FleetPoolEntry> fleet_instances(const FleetSpec& fleet) {
  if (!fleet.instances.empty()) return fleet.instances;
  std::vector<FleetPoolEntry> out;
  for (size_t i = 0; i < fleet.pools.size(); ++i) {
    out.push_back(FleetPoolEntry{fleet.pools[i], 1.0, static_cast<int32_t>(i)});
  }
  return out;
}

BuiltinFleetPolicy::BuiltinFleetPolicy(const CompiledScenario& scenario, uint32_t fleet)
    : sc_(scenario),
      fs_(scenario.fleets[fleet]),
      instances_(fleet_instances(scenario.fleets[fleet])),
      fleet_(fleet),
      autoscaler_(scenario.fleets[fleet], fleet) {
  hooks_ = kHookChoosePool | kHookOnCapacityError;
  hooks_ |= kHookOnEviction;
  if (fs_.replace_on == ReplaceOn::kNotice) hooks_ |= kHookOnNotice;
  if (fs_.capacity_rebalance) hooks_ |= kHookOnRebalance;
  if (fs_.fallback.enabled) {
    hooks_ |= kHookOnTick;
    // Check the way back often enough to honour return_after within a few percent.
    tick_ = std::clamp(Duration{fs_.fallback.return_after.us / 4}, Duration::seconds(10), Duration::minutes(5));
  }
  if (autoscaler_.active()) {
    tick_ = (hooks_ & kHookOnTick) ? std::min(tick_, autoscaler_.tick_interval()) : autoscaler_.tick_interval();
    hooks_ |= kHookOnTick;
  }
  cand_.resize(instances_.size());
  single_spot_pool_ = instances_.size() == 1 && fs_.on_demand_base <= 0 && fs_.on_demand_above_base <= 0;
}

Purchase BuiltinFleetPolicy::mix_purchase(const FleetView& f) const {
  if (fs_.on_demand_base <= 0 && fs_.on_demand_above_base <= 0) return Purchase::kSpot;
  const int64_t target = f.target;
  const int64_t base = std::min(target, fs_.on_demand_base);
  // AWS rounds the on-demand share above the base up, in favour of on-demand.
  const int64_t above =
      static_cast<int64_t>(std::ceil(fs_.on_demand_above_base * static_cast<double>(target - base) - 1e-9));
  const int64_t want_od = base + std::max<int64_t>(0, above);
  const int64_t regular_od = f.on_demand_active - f.fallback_active;
  return regular_od < want_od ? Purchase::kOnDemand : Purchase::kSpot;
}

PoolChoice BuiltinFleetPolicy::choose_pool(const LaunchRequest& request, const PolicyContext& ctx) {
  Purchase purchase = request.purchase;
  if (purchase == Purchase::kSpot &&
      (request.reason == LaunchReason::kInitial || request.reason == LaunchReason::kScaleOut ||
       request.reason == LaunchReason::kReplacement || request.reason == LaunchReason::kRetry)) {
    purchase = mix_purchase(ctx.fleet());
  }
  const size_t n = instances_.size();
  for (size_t i = 0; i < n; ++i) {
    const FleetPoolEntry& e = instances_[i];
    const PoolView p = ctx.pool(e.pool);
    AllocCandidate& c = cand_[i];
    const double w = e.weight > 0 ? e.weight : 1.0;
    c.priority = e.priority;
    c.fleet_units = static_cast<int64_t>(std::llround(static_cast<double>(ctx.fleet_vms_in_pool(e.pool)) * w));
    if (purchase == Purchase::kSpot) {
      c.price_per_unit = p.spot_price / w;
      c.available = p.spot_available;
      if (fs_.max_price > 0 && p.spot_price > fs_.max_price) c.available = 0;  // never above max_price
    } else {
      c.price_per_unit = p.on_demand_price / w;
      c.available = p.on_demand_available ? 1 : 0;
    }
  }
  const int k = purchase == Purchase::kSpot
                    ? choose_spot_candidate(fs_.allocation, cand_.data(), n, fs_.spot_instance_pools)
                    : choose_on_demand_candidate(fs_.on_demand_prioritized, cand_.data(), n);
  if (k < 0) return PoolChoice{-1, purchase};
  return PoolChoice{static_cast<int32_t>(instances_[static_cast<size_t>(k)].pool), purchase};
}

void BuiltinFleetPolicy::on_rebalance(VmId vm, const PolicyContext& ctx, Commands& out) {
  if (!ctx.vm_alive(vm)) return;
  const VmView v = ctx.vm(vm);
  Command c = Command::launch(fleet_, 1, Purchase::kSpot, LaunchReason::kRebalance);
  c.request.replaces = vm;  // World drains the old VM when this one runs (if it is still there)
  (void)v;
  out.push_back(c);
}

void BuiltinFleetPolicy::on_notice(VmId vm, SimTime evict_at, const PolicyContext& ctx, Commands& out) {
  // A rebalance replacement already covers it; an action that keeps the VM keeps it in the fleet.
  if (ctx.is_being_replaced(vm)) return;
  if (ctx.vm_alive(vm)) {
    const VmView v = ctx.vm(vm);
    if (v.purchase == Purchase::kSpot && eviction_keeps_vm(sc_.pools[v.pool].action)) return;
  }
  out.push_back(Command::launch(fleet_, 1, Purchase::kSpot, LaunchReason::kReplacement, evict_at.us));
}

void BuiltinFleetPolicy::on_eviction(const VmView& view, const PolicyContext& ctx, Commands& out) {
  if (view.state == VmState::kStopped) return;  // kept by the fleet (it may restart)
  if (!replaces_on_eviction(view.notice_delivered)) return;
  out.push_back(Command::launch(fleet_, 1, Purchase::kSpot, LaunchReason::kReplacement, ctx.now().us));
}

void BuiltinFleetPolicy::on_capacity_error(const CapacityError& error, const PolicyContext& ctx, Commands& out) {
  const LaunchRequest& r = error.request;
  const bool spot_refused = r.purchase == Purchase::kSpot &&
                            (error.cause == RejectCause::kInsufficientSpot || error.cause == RejectCause::kPrice);
  if (fs_.fallback.enabled && spot_refused && r.reason != LaunchReason::kReturnToSpot &&
      r.reason != LaunchReason::kRebalance) {
    const int64_t since = r.first_failed_us >= 0 ? r.first_failed_us : ctx.now().us;
    if (ctx.now().us - since >= fs_.fallback.after.us) {
      const FleetView f = ctx.fleet();
      const int64_t fallback = f.fallback_active + f.fallback_waiting;
      bool allowed = fs_.fallback.max_on_demand <= 0 || fallback < fs_.fallback.max_on_demand;
      if (allowed && fs_.fallback.max_cost_per_hour > 0) {
        double cheapest = 0;
        for (const FleetPoolEntry& e : instances_) {
          const double p = ctx.pool(e.pool).on_demand_price;
          cheapest = cheapest == 0 ? p : std::min(cheapest, p);
        }
        allowed = ctx.fallback_cost_per_hour() + static_cast<double>(f.fallback_waiting + 1) * cheapest <=
                  fs_.fallback.max_cost_per_hour + 1e-12;
      }
      if (allowed) {
        out.push_back(Command::fallback(fleet_, 1, r));
        return;
      }
    } else if (since + fs_.fallback.after.us < ctx.now().us + fs_.retry_interval.us) {
      // The fallback deadline comes before the next retry: come back exactly then.
      out.push_back(Command::retry(r, Duration{since + fs_.fallback.after.us - ctx.now().us}));
      return;
    }
  }
  // A VM-drain replacement that cannot be had is simply dropped: the old VM keeps running.
  if (r.reason == LaunchReason::kReturnToSpot || r.reason == LaunchReason::kRebalance) return;
  if (r.reason == LaunchReason::kFallback &&
      (error.cause == RejectCause::kQuota || error.cause == RejectCause::kInsufficientOnDemand)) {
    // On-demand cannot be had either: try spot again after retry_interval (and fall back again
    // from there while spot is still refused), so the VM comes back from whichever returns first.
    LaunchRequest spot = r;
    spot.purchase = Purchase::kSpot;
    spot.reason = LaunchReason::kRetry;
    out.push_back(Command::retry(spot, fs_.retry_interval));
    return;
  }
  if (error.cause == RejectCause::kThrottled) {
    // A throttled API call: exponential backoff with deterministic jitter (docs/capacity.md).
    uint64_t key = ctx.seed() ^ (ctx.replication() * 0x9E3779B97F4A7C15ULL);
    key ^= (static_cast<uint64_t>(fleet_) << 48) ^ (static_cast<uint64_t>(r.attempt) << 40) ^
           static_cast<uint64_t>(ctx.now().us) ^ static_cast<uint64_t>(r.first_failed_us) * 0xBF58476D1CE4E5B9ULL;
    out.push_back(Command::retry(r, backoff_delay(fs_.throttle_backoff_initial, fs_.throttle_backoff_max,
                                                  fs_.throttle_backoff_jitter, r.attempt, key)));
    return;
  }
  out.push_back(Command::retry(r, fs_.retry_interval));
}

void BuiltinFleetPolicy::on_tick(const PolicyContext& ctx, Commands& out) {
  if (autoscaler_.active()) autoscaler_.on_tick(ctx, tick_, out);
  if (!fs_.fallback.enabled) return;
  const FleetView f = ctx.fleet();
  int64_t spot_available = 0;
  for (const FleetPoolEntry& e : instances_) spot_available += ctx.pool(e.pool).spot_available;
  const int64_t now = ctx.now().us;
  if (spot_available <= 0 || f.waiting > 0) {
    spot_ok_since_us_ = -1;
    return;
  }
  if (spot_ok_since_us_ < 0) spot_ok_since_us_ = now;
  if (f.fallback_active <= 0 || now - spot_ok_since_us_ < fs_.fallback.return_after.us) return;
  // Move fallback VMs back, at most as many as spot can take now (and return_batch per tick).
  int64_t budget = std::min(spot_available, f.fallback_active - ctx.returning_to_spot());
  if (fs_.fallback.return_batch > 0) budget = std::min(budget, fs_.fallback.return_batch);
  if (budget <= 0) return;
  for (const VmId vm : ctx.fleet_vms()) {
    if (budget <= 0) break;
    const VmView v = ctx.vm(vm);
    if (!v.fallback || v.state != VmState::kRunning || ctx.is_being_replaced(vm)) continue;
    Command c = Command::launch(fleet_, 1, Purchase::kSpot, LaunchReason::kReturnToSpot);
    c.request.replaces = vm;
    out.push_back(c);
    --budget;
  }
}

}  // namespace spotsim

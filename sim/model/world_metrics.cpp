// World: the per-fleet and per-pool metrics beyond the foundation set (docs/metrics.md): revocation
// rate, spot share and utilization, fallback rate, VM-hours by purchase type, disk cost, stopped
// VM-hours, restarts, rebalance recommendations, boot failures, cost and savings per fleet.
#include <algorithm>

#include "sim/model/world.h"

namespace spotsim {

void World::declare_extra(const CompiledScenario& sc, MetricSet& ms, MetricIds& ids) {
  for (const auto& f : sc.fleets) {
    const MetricOwner p{MetricGroup::kFleet, f.name};
    FleetMetricsExtra m{};
    m.boot_failures =
        ms.add(p + "boot_failures", MetricUnit::kCount, "boots that failed (fleet boot_failure or chaos)");
    m.rebalances = ms.add(p + "rebalance_recommendations", MetricUnit::kCount,
                          "AWS rebalance recommendations received by the fleet's spot VMs");
    m.restarts = ms.add(p + "restarts", MetricUnit::kCount, "stopped/deallocated VMs started again");
    m.stopped_vm_hours = ms.add(p + "stopped_vm_hours", MetricUnit::kHours,
                                "VM-hours spent stopped/deallocated after an eviction (disks billed, not running)");
    m.disk_cost =
        ms.add(p + "disk_cost", MetricUnit::kDollars,
               "disk cost of the fleet's VMs (pool disk_cost × VM lifetime, stopped time included); part of cost");
    m.revocation_rate = ms.add(p + "revocation_rate", MetricUnit::kRatio, "interruptions per running spot VM-hour");
    m.spot_share_pct =
        ms.add(p + "spot_share_pct", MetricUnit::kPercent, "100 × running spot VM-hours / running VM-hours");
    m.launches =
        ms.add(p + "launches", MetricUnit::kCount, "VMs launched during the run (warm start and restarts excluded)");
    m.fallback_launches = ms.add(p + "fallback_launches", MetricUnit::kCount,
                                 "on-demand VMs launched as a fallback for spot (warm start excluded)");
    m.fallback_rate_pct = ms.add(p + "fallback_rate_pct", MetricUnit::kPercent, "100 × fallback_launches / launches");
    m.vm_hours_fallback = ms.add(p + "vm_hours_fallback", MetricUnit::kHours,
                                 "running VM-hours of fallback on-demand VMs (part of vm_hours_on_demand)");
    m.cost_all_on_demand = ms.add(
        p + "cost_all_on_demand", MetricUnit::kDollars,
        "counterfactual: vm_hours_needed on on-demand in the fleet's cheapest on-demand pool, never interrupted");
    m.savings_pct = ms.add(p + "savings_pct", MetricUnit::kPercent, "100 × (1 − cost / cost_all_on_demand)");
    m.unrecovered = ms.add(p + "unrecovered", MetricUnit::kCount,
                           "VMs lost (evicted) and not back at the end of the run, up to the fleet's shortfall then");
    m.unrecovered_open = ms.add(p + "unrecovered_open", MetricUnit::kSeconds,
                                "how long the oldest unrecovered loss had been open at the end of the run; 0 if none");
    m.cost_per_available_vm_hour =
        ms.add(p + "cost_per_available_vm_hour", MetricUnit::kDollars,
               "cost / VM-hours available (∫ min(running, max(target, protected VMs)) dt, at least 1)");
    m.vm_hours_needed =
        ms.add(p + "vm_hours_needed", MetricUnit::kHours,
               "∫ max(target, VMs protected from scale-in) dt: what the all-on-demand counterfactual runs");
    ids.fleet_x.push_back(m);
  }
  for (const auto& pl : sc.pools) {
    const MetricOwner p{MetricGroup::kPool, pl.name};
    PoolMetricsExtra m{};
    m.vm_hours_spot = ms.add(p + "vm_hours_spot", MetricUnit::kHours, "running spot VM-hours in this pool");
    m.vm_hours_on_demand =
        ms.add(p + "vm_hours_on_demand", MetricUnit::kHours, "running on-demand VM-hours in this pool");
    m.revocation_rate =
        ms.add(p + "revocation_rate", MetricUnit::kRatio, "interruptions per running spot VM-hour in this pool");
    m.spot_utilization_pct = ms.add(p + "spot_utilization_pct", MetricUnit::kPercent,
                                    "100 × ∫ min(our spot VMs in the pool, capacity) dt / ∫ capacity dt");
    m.disk_cost = ms.add(p + "disk_cost", MetricUnit::kDollars, "disk cost of VMs in this pool; part of cost");
    m.unrecovered =
        ms.add(p + "unrecovered", MetricUnit::kCount,
               "VMs lost in this pool and not back at the end (its fleet's unrecovered, by pool of the loss)");
    ids.pool_x.push_back(m);
  }
  ids.cost_disk =
      ms.add(run_metric(MetricGroup::kCost, "disk"), MetricUnit::kDollars, "disks of all VMs (part of cost.total)");
}

double World::fleet_all_on_demand(uint32_t fleet, const FleetState& f) const {
  const double needed_vm_us = f.needed_vm_us;
  const FleetSpec& fs = sc_.fleets[fleet];
  if (fs.pools.empty()) return 0;
  // The cheapest on-demand pool of the fleet, with that pool's disks.
  uint32_t best = fs.pools.front();
  for (uint32_t p : fs.pools) {
    if (sc_.pools[p].on_demand_price < sc_.pools[best].on_demand_price) best = p;
  }
  const PoolSpec& ps = sc_.pools[best];
  const ProviderTraits& tr = provider_traits(sc_.pools[fs.pools.front()].provider);
  const double disk = ps.disk_cost * needed_vm_us / 3.6e9;
  // A target that never moved, with no protected VM above it: that many VMs for the whole run,
  // billed by the provider's rules. Otherwise the VM-hours the fleet needed at each moment (its
  // target, or the VMs protected from scale-in where more) priced at the on-demand rate.
  const double fixed_us = static_cast<double>(fs.target) * static_cast<double>(end_us_);
  if (fs.scaling.kind == ScalingKind::kFixed && !f.target_changed && needed_vm_us == fixed_us) {
    return static_cast<double>(fs.target) * billed_cost(tr, Duration{end_us_}, ps.on_demand_price, false, false) + disk;
  }
  return ps.on_demand_price * needed_vm_us / 3.6e9 + disk;
}

void World::finalize_extra_metrics() {
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  for (uint32_t fi = 0; fi < fleets_.size(); ++fi) {
    const FleetMetrics& fm = fleet_m_[fi];
    const FleetMetricsExtra& mx = fleet_mx_[fi];
    const double spot_h = metrics_[fm.vm_hours_spot], od_h = metrics_[fm.vm_hours_on_demand];
    metrics_[mx.revocation_rate] = ratio(metrics_[fm.interruptions], spot_h);
    metrics_[mx.spot_share_pct] = 100.0 * ratio(spot_h, spot_h + od_h);
    metrics_[mx.fallback_rate_pct] = 100.0 * ratio(metrics_[mx.fallback_launches], metrics_[mx.launches]);
    metrics_[mx.cost_per_available_vm_hour] = metrics_[fm.cost] / std::max(1.0, fleets_[fi].available_vm_us / 3.6e9);
    metrics_[mx.vm_hours_needed] = fleets_[fi].needed_vm_us / 3.6e9;
    const double all_od = metrics_[mx.cost_all_on_demand];  // set by finalize()
    metrics_[mx.savings_pct] = all_od > 0 ? 100.0 * (1.0 - metrics_[fm.cost] / all_od) : 0.0;
  }
  const std::vector<PoolState>& pools = market_.pools();
  for (uint32_t pi = 0; pi < pools.size(); ++pi) {
    market_.account(pi);
    const PoolMetricsExtra& mx = pool_mx_[pi];
    metrics_[mx.revocation_rate] = ratio(metrics_[pool_m_[pi].interruptions], metrics_[mx.vm_hours_spot]);
    metrics_[mx.spot_utilization_pct] = 100.0 * ratio(pools[pi].spot_in_use_us, pools[pi].capacity_us);
  }
}

}  // namespace spotsim

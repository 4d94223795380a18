#include "sim/model/billing.h"

#include <algorithm>
#include <iterator>

#include "sim/scenario/provider.h"

namespace spotsim {

Billing::Billing(const CompiledScenario& scenario, MetricSet& metrics, std::vector<FleetIds> fleets,
                 std::vector<PoolIds> pools, TotalIds totals)
    : sc_(scenario), metrics_(metrics), fleet_(std::move(fleets)), pool_(std::move(pools)), total_(totals) {
  price_hist_.resize(sc_.pools.size());
  for (const PoolSpec& p : sc_.pools) traits_.push_back(&provider_traits(p.provider));
}

void Billing::add_disks(const VmSlot& v, const PoolSpec& ps, int64_t now_us) {
  // Disks exist from the first launch until the VM is gone (stopped time included).
  const double disk = ps.disk_cost * static_cast<double>(now_us - v.created_us) / 3.6e9;
  metrics_[fleet_[v.fleet].cost] += disk;
  metrics_[fleet_[v.fleet].disk_cost] += disk;
  metrics_[pool_[v.pool].cost] += disk;
  metrics_[pool_[v.pool].disk_cost] += disk;
  metrics_[total_.total] += disk;
  metrics_[total_.disk] += disk;
}

void Billing::bill(const VmSlot& v, int64_t now, bool interrupted, bool vm_ends, double spot_price) {
  const PoolSpec& ps = sc_.pools[v.pool];
  if (vm_ends && ps.disk_cost > 0) add_disks(v, ps, now);
  if (v.state == VmState::kStopped) {  // its runs are billed; only the stopped time is left
    add_stopped_time(v.fleet, v.lost_at_us, now);
    return;
  }
  const ProviderTraits& tr = *traits_[v.pool];
  const Duration billed{now - v.launched_us};
  const bool spot = v.purchase == Purchase::kSpot;
  // Spot: the price in effect over the VM's life (the list price while it never changed).
  const double price = !spot                         ? ps.on_demand_price
                       : price_hist_[v.pool].empty() ? ps.spot_price
                                                     : mean_spot_price(v.pool, v.launched_us, now, spot_price);
  const double cost = billed_cost(tr, billed, price, spot, interrupted);
  const double equiv = billed_cost(tr, billed, ps.on_demand_price, false, false);
  const double run_h = v.running_us >= 0 ? static_cast<double>(now - v.running_us) / 3.6e9 : 0.0;
  const FleetIds& fm = fleet_[v.fleet];
  const PoolIds& pm = pool_[v.pool];
  metrics_[fm.cost] += cost;
  metrics_[spot ? fm.vm_hours_spot : fm.vm_hours_on_demand] += run_h;
  if (v.flags & kVmFallback) metrics_[fm.vm_hours_fallback] += run_h;
  metrics_[pm.cost] += cost;
  metrics_[pm.vm_hours] += run_h;
  metrics_[spot ? pm.vm_hours_spot : pm.vm_hours_on_demand] += run_h;
  metrics_[total_.total] += cost;
  metrics_[spot ? total_.spot : total_.on_demand] += cost;
  metrics_[total_.on_demand_equivalent] += equiv;
}

void Billing::add_stopped_time(uint32_t fleet, int64_t since_us, int64_t now_us) {
  metrics_[fleet_[fleet].stopped_vm_hours] += static_cast<double>(now_us - since_us) / 3.6e9;
}

void Billing::add_warm_pool_cost(uint32_t fleet, double cost) {
  metrics_[fleet_[fleet].cost] += cost;
  metrics_[total_.total] += cost;
  metrics_[total_.on_demand] += cost;
}

void Billing::price_changed(uint32_t pool, double old_price, double price, int64_t now) {
  if (price == old_price) return;
  // The first change also records the price since time 0.
  std::vector<PricePoint>& h = price_hist_[pool];
  if (h.empty()) h.push_back(PricePoint{0, 0.0, old_price});
  const PricePoint& last = h.back();
  const double integral = last.integral + last.price * static_cast<double>(now - last.t_us);
  if (last.t_us == now) h.back().price = price;
  else h.push_back(PricePoint{now, integral, price});
}

double Billing::mean_spot_price(uint32_t pool, int64_t from_us, int64_t to_us, double now_price) const {
  const std::vector<PricePoint>& h = price_hist_[pool];
  if (h.empty() || to_us <= from_us) return now_price;
  // ∫ price dt from 0 to t, from the last point at or before t.
  const auto integral = [&h](int64_t t) {
    auto it = std::upper_bound(h.begin(), h.end(), t, [](int64_t x, const PricePoint& p) { return x < p.t_us; });
    const PricePoint& p = it == h.begin() ? h.front() : *std::prev(it);
    return p.integral + p.price * static_cast<double>(t - p.t_us);
  };
  return (integral(to_us) - integral(from_us)) / static_cast<double>(to_us - from_us);
}

}  // namespace spotsim

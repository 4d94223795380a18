#pragma once
// Billing: what the run's VMs cost, accrued into the cost and VM-hour metrics (docs/metrics.md)
// when a VM's run ends (eviction, drain, boot failure, stop) and for every VM alive at the end.
//
// A VM's run is billed from its launch to now by its provider's rules (billing granularity,
// minimums, the first-hour rule for interrupted spot VMs; provider.h billed_cost), at the
// on-demand price or, for spot, at the pool's spot price in effect over the run (the list price
// while it never changed: Billing keeps each pool's price history). Disks are billed from the
// VM's first launch until it is gone, stopped time included. Billing owns the accrual only: the
// metric ids are the world's (registered in its order, which is the reports' column order).
#include <cstdint>
#include <vector>

#include "sim/model/metrics.h"
#include "sim/model/world_state.h"
#include "sim/scenario/provider.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

class Billing {
 public:
  // Metric ids the accrual adds to (the world registers them).
  struct FleetIds {
    uint32_t cost, vm_hours_spot, vm_hours_on_demand, vm_hours_fallback, disk_cost, stopped_vm_hours;
  };
  struct PoolIds {
    uint32_t cost, vm_hours, vm_hours_spot, vm_hours_on_demand, disk_cost;
  };
  struct TotalIds {
    uint32_t total, spot, on_demand, on_demand_equivalent, disk;
  };

  // REQUIRES: scenario and metrics outlive this; one FleetIds per fleet, one PoolIds per pool.
  Billing(const CompiledScenario& scenario, MetricSet& metrics, std::vector<FleetIds> fleets,
          std::vector<PoolIds> pools, TotalIds totals);

  // Bills VM `v` at `now_us`: its current run (launch → now; nothing for a stopped VM but its
  // stopped time) and, when `vm_ends`, its disks. `interrupted`: the provider took it (spot
  // billing rules for interruptions). `spot_price` is the pool's current price.
  void bill(const VmSlot& v, int64_t now_us, bool interrupted, bool vm_ends, double spot_price);
  // A stopped VM of `fleet` (stopped since `since_us`) starts again or is billed at the end.
  void add_stopped_time(uint32_t fleet, int64_t since_us, int64_t now_us);
  // What a fleet's warm pool cost over the run (on-demand; billed at the end).
  void add_warm_pool_cost(uint32_t fleet, double cost);

  // Pool `pool`'s spot price changes from `old_price` to `price` at `now_us` (kept for billing).
  void price_changed(uint32_t pool, double old_price, double price, int64_t now_us);
  // Dollars per hour a spot VM of `pool` living over [from_us, to_us] costs on average; the
  // current price `now_price` when the price never changed or the interval is empty.
  double mean_spot_price(uint32_t pool, int64_t from_us, int64_t to_us, double now_price) const;

 private:
  // Cumulative spot price of a pool whose price changed: (time, ∫ price dt up to it in $·µs/h,
  // price from then on). Empty while the price never changed (billing at the list price).
  struct PricePoint {
    int64_t t_us;
    double integral;
    double price;
  };
  void add_disks(const VmSlot& v, const PoolSpec& ps, int64_t now_us);

  const CompiledScenario& sc_;
  MetricSet& metrics_;
  std::vector<FleetIds> fleet_;
  std::vector<PoolIds> pool_;
  TotalIds total_;
  std::vector<std::vector<PricePoint>> price_hist_;  // per pool
  std::vector<const ProviderTraits*> traits_;        // per pool: its provider's billing rules
};

}  // namespace spotsim

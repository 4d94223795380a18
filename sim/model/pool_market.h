#pragma once
// The pool market of one replication: each capacity pool's state (World::pools()) — its spot
// capacity, spot price and on-demand availability as they change during the run, the VMs of ours
// using it, and its time integrals — and the eviction pressure a change puts on the spot VMs there
// (docs/capacity.md, docs/chaos.md). Three drivers change capacity and price: the pools' own
// `capacity:` / `spot_price:` series (PoolSeriesDriver, owned here), chaos items (cliffs, price
// spikes, on-demand exhaustion; sim/chaos) and tests. They reach it through World::market().
//
// The market owns the pool state; everyone else reads it (pools(), pool()). The world's launches
// and evictions tell it when a VM starts or stops using a pool (spot_used, on_demand_used), inline
// on their hot path; a capacity drop or a price rise gives notices through the world's public
// verbs (World::vms, World::give_notice). It depends on nothing else of the world: the scenario,
// the engine's clock, billing (the spot price history) and launch admission (what a pool can
// still give, regional limits included) are passed at construction.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/core/engine.h"
#include "sim/model/billing.h"
#include "sim/model/launch_admission.h"
#include "sim/model/regional_limits.h"
#include "sim/model/world_state.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

class World;
class PoolSeriesDriver;

class PoolMarket {
 public:
  // Every pool at its file's capacity, spot price and on-demand capacity. REQUIRES: all the
  // arguments outlive this (World owns its market, declared after the rest); nothing of `world`
  // is used before start_series().
  PoolMarket(const CompiledScenario& scenario, const Engine& engine, Billing& billing, const LaunchAdmission& admission,
             World& world);
  ~PoolMarket();
  PoolMarket(const PoolMarket&) = delete;
  PoolMarket& operator=(const PoolMarket&) = delete;

  // Applies the pools' capacity and price series at time 0 and schedules their changes
  // (nothing when every pool is constant). Called once, at the end of the world's constructor.
  void start_series();
  // Whether some pool's capacity or price varies over the run (a series is driving the market).
  bool has_series() const { return series_ != nullptr; }

  // --- the pools' state ------------------------------------------------------------------
  const std::vector<PoolState>& pools() const { return pools_; }
  const PoolState& pool(uint32_t pool) const { return pools_[pool]; }
  // A spot VM of ours starts (+1) or stops (-1) using pool `pool`'s spot capacity: the pool's
  // integrals are brought up to now first. For the world's launches, restarts and releases.
  void spot_used(uint32_t pool, int64_t delta) {
    account(pool);
    pools_[pool].spot_in_use += delta;
  }
  // The same for an on-demand VM (no integral).
  void on_demand_used(uint32_t pool, int64_t delta) { pools_[pool].on_demand_in_use += delta; }
  // Integrates the pool's spot_in_use (up to its capacity) and capacity up to now (the pool
  // metrics' spot utilization). Done before every change of either; the world also calls it at
  // the end of the run and where it folds a release and a launch at the same instant. Inline:
  // every launch and eviction of a spot VM runs it.
  void account(uint32_t pool) {
    PoolState& p = pools_[pool];
    const int64_t now = engine_.now().us;
    const double dt = static_cast<double>(now - p.last_change_us);
    // VMs under notice after a capacity drop are not counted beyond the capacity.
    p.spot_in_use_us += static_cast<double>(std::min(p.spot_in_use, p.capacity)) * dt;
    p.capacity_us += static_cast<double>(p.capacity) * dt;
    p.last_change_us = now;
  }

  // --- capacity --------------------------------------------------------------------------
  // Sets pool `pool`'s spot capacity now. If our spot VMs in the pool (not already under notice)
  // exceed it, the excess — newest first — gets the pool's notice and is evicted after it.
  void set_spot_capacity(uint32_t pool, int64_t capacity);
  // The pool's capacity series changed (sim/model/capacity_process.h): capacity becomes
  // min(capacity, the chaos limit), applied as set_spot_capacity does.
  void set_nominal_spot_capacity(uint32_t pool, int64_t capacity);
  // A chaos limit on the pool's spot capacity (cliff); -1 lifts it (back to the nominal).
  void limit_spot_capacity(uint32_t pool, int64_t limit);
  // Whether the provider can give on-demand VMs in `pool` (read by on-demand launches).
  void set_on_demand_available(uint32_t pool, bool available);
  // On-demand VMs the provider can give in `pool` in all (-1: no limit; the pool's
  // `on_demand_capacity`). Lowering it never evicts: on-demand VMs are not reclaimed.
  void set_on_demand_capacity(uint32_t pool, int64_t capacity);
  // Spot VMs pool `pool` can still give now (capacity − in use, and the region's shared
  // capacity; never negative).
  int64_t spot_available(uint32_t pool) const { return admission_.spot_available(pool, pools_[pool]); }
  // Whether one more on-demand VM can be had in `pool` (availability and on-demand capacity;
  // the region's quota is checked separately, as a provider does after choosing).
  bool on_demand_has_capacity(uint32_t pool) const { return LaunchAdmission::on_demand_has_capacity(pools_[pool]); }
  // The `regions:` limits (quotas, shared capacity, launch rate), or nullptr without regions.
  const RegionalLimits* regional_limits() const { return admission_.regional_limits(); }

  // --- price -----------------------------------------------------------------------------
  // Sets pool `pool`'s current spot price ($/h). Spot VMs there of fleets whose max_price is
  // below it get the pool's notice (price eviction); such fleets launch nowhere the price is
  // above their max_price. Spot VMs are billed at the price in effect over their lifetime.
  void set_spot_price(uint32_t pool, double price);
  // The pool's price series changed; the price becomes it unless a chaos override is active.
  void set_base_spot_price(uint32_t pool, double price);
  // A chaos price override (price_spike); a negative price lifts it (back to the base price).
  void override_spot_price(uint32_t pool, double price);
  // Dollars a spot VM of `pool` living over [from_us, to_us] costs per hour on average (the
  // price integrated over the interval; the current price when the interval is empty).
  double mean_spot_price(uint32_t pool, int64_t from_us, int64_t to_us) const;
  // Whether a spot price of `price` in `pool` evicts `fleet`'s VMs: the fleet's eviction type is
  // price-or-capacity, its max_price is below the price, and the pool's provider evicts for price.
  bool price_evicts(uint32_t fleet, uint32_t pool, double price) const;

 private:
  const CompiledScenario& sc_;
  const Engine& engine_;
  Billing& billing_;
  const LaunchAdmission& admission_;
  World& world_;  // its public verbs only: vms(), give_notice(); the series driver's handle
  std::vector<PoolState> pools_;
  std::unique_ptr<PoolSeriesDriver> series_;  // null when every pool is constant
};

}  // namespace spotsim

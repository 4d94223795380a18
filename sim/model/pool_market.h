#pragma once
// The pool market of one replication: each capacity pool's spot capacity, spot price and
// on-demand availability as they change during the run, and the eviction pressure a change puts
// on the spot VMs there (docs/capacity.md, docs/chaos.md). Three drivers change it: the pools'
// own `capacity:` / `spot_price:` series (PoolSeriesDriver, owned here), chaos items (cliffs,
// price spikes, on-demand exhaustion; sim/chaos) and tests. They reach it through
// World::market().
//
// The market is a part of World, not a model beside it: the pool state it changes is the world's
// (World::pools(), which launches and evictions read on their hot path), and a capacity drop or a
// price rise gives notices through the world (World::give_notice). Launches and evictions never
// go through it.
#include <cstdint>
#include <memory>

#include "sim/model/regional_limits.h"

namespace spotsim {

class World;
class PoolSeriesDriver;

class PoolMarket {
 public:
  // REQUIRES: world outlives this (World owns its market).
  explicit PoolMarket(World& world);
  ~PoolMarket();
  PoolMarket(const PoolMarket&) = delete;
  PoolMarket& operator=(const PoolMarket&) = delete;

  // Applies the pools' capacity and price series at time 0 and schedules their changes
  // (nothing when every pool is constant). Called once by the world's constructor.
  void start_series();
  // Whether some pool's capacity or price varies over the run (a series is driving the market).
  bool has_series() const { return series_ != nullptr; }

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
  int64_t spot_available(uint32_t pool) const;
  // Whether one more on-demand VM can be had in `pool` (availability and on-demand capacity;
  // the region's quota is checked separately, as a provider does after choosing).
  bool on_demand_has_capacity(uint32_t pool) const;
  // The `regions:` limits (quotas, shared capacity, launch rate), or nullptr without regions.
  const RegionalLimits* regional_limits() const;

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
  World& world_;
  std::unique_ptr<PoolSeriesDriver> series_;  // null when every pool is constant
};

}  // namespace spotsim

// PoolMarket (pool_market.h): capacity and price changes of the pools and the notices they give.
// A part of World: it reads and changes the world's pool state as World's friend.
#include "sim/model/pool_market.h"

#include <algorithm>

#include "sim/model/capacity_process.h"
#include "sim/model/world.h"

namespace spotsim {

PoolMarket::PoolMarket(World& world) : world_(world) {}

PoolMarket::~PoolMarket() = default;

void PoolMarket::start_series() { series_ = PoolSeriesDriver::create(world_); }

void PoolMarket::set_nominal_spot_capacity(uint32_t pool, int64_t capacity) {
  PoolState& ps = world_.pools_[pool];
  ps.nominal_capacity = std::max<int64_t>(0, capacity);
  set_spot_capacity(pool,
                    ps.capacity_limit >= 0 ? std::min(ps.nominal_capacity, ps.capacity_limit) : ps.nominal_capacity);
}

void PoolMarket::limit_spot_capacity(uint32_t pool, int64_t limit) {
  PoolState& ps = world_.pools_[pool];
  ps.capacity_limit = limit < 0 ? -1 : limit;
  set_spot_capacity(pool,
                    ps.capacity_limit >= 0 ? std::min(ps.nominal_capacity, ps.capacity_limit) : ps.nominal_capacity);
}

void PoolMarket::set_spot_capacity(uint32_t pool, int64_t capacity) {
  PoolState& ps = world_.pools_[pool];
  world_.account_pool(pool);
  ps.capacity = std::max<int64_t>(0, capacity);
  const std::vector<VmSlot>& vms = world_.vms_;
  int64_t noticed = 0;
  for (const VmSlot& v : vms) {
    if (v.state == VmState::kNoticed && v.pool == pool && v.purchase == Purchase::kSpot) ++noticed;
  }
  int64_t excess = ps.spot_in_use - noticed - ps.capacity;
  const Duration notice = world_.sc_.pools[pool].notice;
  for (uint32_t s = static_cast<uint32_t>(vms.size()); s-- > 0 && excess > 0;) {
    const VmSlot& v = vms[s];
    if (v.pool != pool || v.purchase != Purchase::kSpot) continue;
    if (v.state != VmState::kRunning && v.state != VmState::kBooting) continue;
    world_.give_notice(s, notice);
    --excess;
  }
}

void PoolMarket::set_on_demand_available(uint32_t pool, bool available) {
  world_.pools_[pool].on_demand_available = available;
}

void PoolMarket::set_on_demand_capacity(uint32_t pool, int64_t capacity) {
  world_.pools_[pool].on_demand_capacity = capacity < 0 ? -1 : capacity;
}

int64_t PoolMarket::spot_available(uint32_t pool) const { return world_.admission_->spot_available(pool); }

bool PoolMarket::on_demand_has_capacity(uint32_t pool) const { return world_.admission_->on_demand_has_capacity(pool); }

const RegionalLimits* PoolMarket::regional_limits() const { return world_.admission_->regional_limits(); }

void PoolMarket::set_base_spot_price(uint32_t pool, double price) {
  PoolState& ps = world_.pools_[pool];
  ps.base_spot_price = price;
  if (ps.price_override < 0) set_spot_price(pool, price);
}

void PoolMarket::override_spot_price(uint32_t pool, double price) {
  PoolState& ps = world_.pools_[pool];
  ps.price_override = price < 0 ? -1 : price;
  set_spot_price(pool, price < 0 ? ps.base_spot_price : price);
}

double PoolMarket::mean_spot_price(uint32_t pool, int64_t from_us, int64_t to_us) const {
  return world_.billing_->mean_spot_price(pool, from_us, to_us, world_.pools_[pool].spot_price);
}

void PoolMarket::set_spot_price(uint32_t pool, double price) {
  world_.billing_->price_changed(pool, world_.pools_[pool].spot_price, price, world_.engine_.now().us);
  world_.pools_[pool].spot_price = price;
  const std::vector<VmSlot>& vms = world_.vms_;
  const Duration notice = world_.sc_.pools[pool].notice;
  for (uint32_t s = 0; s < vms.size(); ++s) {
    const VmSlot& v = vms[s];
    if (v.pool != pool || v.purchase != Purchase::kSpot) continue;
    if (v.state != VmState::kRunning && v.state != VmState::kBooting) continue;
    if (price_evicts(v.fleet, pool, price)) world_.give_notice(s, notice);
  }
}

bool PoolMarket::price_evicts(uint32_t fleet, uint32_t pool, double price) const {
  const FleetSpec& fs = world_.sc_.fleets[fleet];
  if (fs.eviction_type != EvictionType::kPriceOrCapacity || fs.max_price <= 0 || price <= fs.max_price) return false;
  const ProviderTraits& t = provider_traits(world_.sc_.pools[pool].provider);
  return std::find(t.eviction_types.begin(), t.eviction_types.end(), EvictionType::kPriceOrCapacity) !=
         t.eviction_types.end();
}

}  // namespace spotsim

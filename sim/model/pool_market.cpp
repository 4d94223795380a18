// PoolMarket (pool_market.h): the pools' state, its capacity and price changes and the notices
// they give (through the world's public verbs).
#include "sim/model/pool_market.h"

#include <algorithm>

#include "sim/model/capacity_process.h"
#include "sim/model/world.h"

namespace spotsim {

PoolMarket::PoolMarket(const CompiledScenario& scenario, const Engine& engine, Billing& billing,
                       const LaunchAdmission& admission, World& world)
    : sc_(scenario), engine_(engine), billing_(billing), admission_(admission), world_(world) {
  pools_.resize(sc_.pools.size());
  for (size_t i = 0; i < pools_.size(); ++i) {
    pools_[i].capacity = pools_[i].nominal_capacity = sc_.pools[i].capacity;
    pools_[i].spot_price = pools_[i].base_spot_price = sc_.pools[i].spot_price;
    pools_[i].on_demand_capacity = sc_.pools[i].on_demand_capacity;
  }
}

PoolMarket::~PoolMarket() = default;

void PoolMarket::start_series() { series_ = PoolSeriesDriver::create(world_); }

void PoolMarket::set_nominal_spot_capacity(uint32_t pool, int64_t capacity) {
  PoolState& ps = pools_[pool];
  ps.nominal_capacity = std::max<int64_t>(0, capacity);
  set_spot_capacity(pool,
                    ps.capacity_limit >= 0 ? std::min(ps.nominal_capacity, ps.capacity_limit) : ps.nominal_capacity);
}

void PoolMarket::limit_spot_capacity(uint32_t pool, int64_t limit) {
  PoolState& ps = pools_[pool];
  ps.capacity_limit = limit < 0 ? -1 : limit;
  set_spot_capacity(pool,
                    ps.capacity_limit >= 0 ? std::min(ps.nominal_capacity, ps.capacity_limit) : ps.nominal_capacity);
}

void PoolMarket::set_spot_capacity(uint32_t pool, int64_t capacity) {
  PoolState& ps = pools_[pool];
  account(pool);
  ps.capacity = std::max<int64_t>(0, capacity);
  const std::vector<VmSlot>& vms = world_.vms();
  int64_t noticed = 0;
  for (const VmSlot& v : vms) {
    if (v.state == VmState::kNoticed && v.pool == pool && v.purchase == Purchase::kSpot) ++noticed;
  }
  int64_t excess = ps.spot_in_use - noticed - ps.capacity;
  const Duration notice = sc_.pools[pool].notice;
  for (uint32_t s = static_cast<uint32_t>(vms.size()); s-- > 0 && excess > 0;) {
    const VmSlot& v = vms[s];
    if (v.pool != pool || v.purchase != Purchase::kSpot) continue;
    if (v.state != VmState::kRunning && v.state != VmState::kBooting) continue;
    world_.give_notice(s, notice);
    --excess;
  }
}

void PoolMarket::set_on_demand_available(uint32_t pool, bool available) {
  pools_[pool].on_demand_available = available;
}

void PoolMarket::set_on_demand_capacity(uint32_t pool, int64_t capacity) {
  pools_[pool].on_demand_capacity = capacity < 0 ? -1 : capacity;
}

void PoolMarket::set_base_spot_price(uint32_t pool, double price) {
  PoolState& ps = pools_[pool];
  ps.base_spot_price = price;
  if (ps.price_override < 0) set_spot_price(pool, price);
}

void PoolMarket::override_spot_price(uint32_t pool, double price) {
  PoolState& ps = pools_[pool];
  ps.price_override = price < 0 ? -1 : price;
  set_spot_price(pool, price < 0 ? ps.base_spot_price : price);
}

double PoolMarket::mean_spot_price(uint32_t pool, int64_t from_us, int64_t to_us) const {
  return billing_.mean_spot_price(pool, from_us, to_us, pools_[pool].spot_price);
}

void PoolMarket::set_spot_price(uint32_t pool, double price) {
  billing_.price_changed(pool, pools_[pool].spot_price, price, engine_.now().us);
  pools_[pool].spot_price = price;
  const std::vector<VmSlot>& vms = world_.vms();
  const Duration notice = sc_.pools[pool].notice;
  for (uint32_t s = 0; s < vms.size(); ++s) {
    const VmSlot& v = vms[s];
    if (v.pool != pool || v.purchase != Purchase::kSpot) continue;
    if (v.state != VmState::kRunning && v.state != VmState::kBooting) continue;
    if (price_evicts(v.fleet, pool, price)) world_.give_notice(s, notice);
  }
}

bool PoolMarket::price_evicts(uint32_t fleet, uint32_t pool, double price) const {
  const FleetSpec& fs = sc_.fleets[fleet];
  if (fs.eviction_type != EvictionType::kPriceOrCapacity || fs.max_price <= 0 || price <= fs.max_price) return false;
  const ProviderTraits& t = provider_traits(sc_.pools[pool].provider);
  return std::find(t.eviction_types.begin(), t.eviction_types.end(), EvictionType::kPriceOrCapacity) !=
         t.eviction_types.end();
}

}  // namespace spotsim

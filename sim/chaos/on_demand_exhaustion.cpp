// on_demand_exhaustion — the provider runs out of on-demand capacity in the in-scope pools for
// `duration`: without `level`, none at all (on-demand launches there — base capacity, fallback —
// are refused with insufficient on-demand capacity); with `level`, each pool's on-demand capacity
// drops to that many VMs (or that percentage of its `on_demand_capacity`). On-demand VMs already
// running are never taken back; launches are refused while the pool holds `level` or more.
#include <algorithm>
#include <cmath>

#include "sim/chaos/item.h"
#include "sim/model/world.h"

namespace spotsim {
namespace {

class OnDemandExhaustion final : public ChaosItem {
 public:
  using ChaosItem::ChaosItem;
  void begin() override {
    for (uint32_t p : scope_.pools()) {
      if (!spec_.has_level) {
        world_.market().set_on_demand_available(p, false);
        continue;
      }
      const int64_t nominal = world_.scenario().pools[p].on_demand_capacity;
      const int64_t level =
          spec_.level_is_fraction
              ? static_cast<int64_t>(std::floor(spec_.level * static_cast<double>(std::max<int64_t>(0, nominal))))
              : static_cast<int64_t>(spec_.level);
      world_.market().set_on_demand_capacity(p, nominal >= 0 ? std::min(nominal, level) : level);
    }
  }
  void end() override {
    if (depth_ > 0) return;
    for (uint32_t p : scope_.pools()) {
      if (!spec_.has_level) world_.market().set_on_demand_available(p, true);
      else world_.market().set_on_demand_capacity(p, world_.scenario().pools[p].on_demand_capacity);
    }
  }
};

}  // namespace

std::unique_ptr<ChaosItem> make_on_demand_exhaustion(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) {
  return std::make_unique<OnDemandExhaustion>(rt, w, s, i);
}

}  // namespace spotsim

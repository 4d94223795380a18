// on_demand_exhaustion — the provider has no on-demand capacity in the in-scope pools for
// `duration`: on-demand launches there (base capacity, fallback) are refused.
#include "sim/chaos/item.h"
#include "sim/model/world.h"

namespace spotsim {
namespace {

class OnDemandExhaustion final : public ChaosItem {
 public:
  using ChaosItem::ChaosItem;
  void begin() override {
    for (uint32_t p : scope_.pools()) world_.set_on_demand_available(p, false);
  }
  void end() override {
    if (depth_ > 0) return;
    for (uint32_t p : scope_.pools()) world_.set_on_demand_available(p, true);
  }
};

}  // namespace

std::unique_ptr<ChaosItem> make_on_demand_exhaustion(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) {
  return std::make_unique<OnDemandExhaustion>(rt, w, s, i);
}

}  // namespace spotsim

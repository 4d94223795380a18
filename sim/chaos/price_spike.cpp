// price_spike — the spot price of every in-scope pool jumps to `price` (a multiple of the list
// price, or $/h) for `duration`. Fleets with a max_price below it lose their spot VMs there (the
// pool's notice, then eviction: Azure's price-or-capacity eviction, legacy AWS max-price
// requests) and launch elsewhere until the price comes back. Fleets without max_price are not
// affected, but pay the spiked price while it lasts (spot VMs are billed at the price in effect,
// docs/chaos.md). A multiplier applies to the pool's price at the spike (its `spot_price:` series).
#include "sim/chaos/item.h"
#include "sim/model/world.h"

namespace spotsim {
namespace {

class PriceSpike final : public ChaosItem {
 public:
  PriceSpike(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) : ChaosItem(rt, w, s, i) {
    m_evicted_ = kind_metric(0);
  }
  void begin() override {
    for (uint32_t p : scope_.pools()) {
      const double list = world_.pools()[p].base_spot_price;
      const double price = spec_.price_is_multiplier ? list * spec_.price : spec_.price;
      for (const VmSlot& v : world_.vms()) {
        if (v.pool != p || v.purchase != Purchase::kSpot) continue;
        if (v.state != VmState::kRunning && v.state != VmState::kBooting) continue;
        if (world_.market().price_evicts(v.fleet, p, price)) add(m_evicted_, 1);
      }
      world_.market().override_spot_price(p, price);
    }
  }
  void end() override {
    if (depth_ > 0) return;
    for (uint32_t p : scope_.pools()) world_.market().override_spot_price(p, -1);
  }

 private:
  uint32_t m_evicted_ = 0;
};

}  // namespace

std::unique_ptr<ChaosItem> make_price_spike(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) {
  return std::make_unique<PriceSpike>(rt, w, s, i);
}

}  // namespace spotsim

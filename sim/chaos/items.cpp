// make_chaos_item: one factory line per kind; each kind lives in its own file.
#include <stdexcept>

#include "sim/chaos/item.h"

namespace spotsim {

std::unique_ptr<ChaosItem> make_storm(ChaosRuntime&, World&, const ChaosSpec&, uint32_t);
std::unique_ptr<ChaosItem> make_cliff(ChaosRuntime&, World&, const ChaosSpec&, uint32_t);
std::unique_ptr<ChaosItem> make_price_spike(ChaosRuntime&, World&, const ChaosSpec&, uint32_t);
std::unique_ptr<ChaosItem> make_on_demand_exhaustion(ChaosRuntime&, World&, const ChaosSpec&, uint32_t);
std::unique_ptr<ChaosItem> make_api_throttle(ChaosRuntime&, World&, const ChaosSpec&, uint32_t);
std::unique_ptr<ChaosItem> make_checkpoint_store_degraded(ChaosRuntime&, World&, const ChaosSpec&, uint32_t);
std::unique_ptr<ChaosItem> make_boot_failure(ChaosRuntime&, World&, const ChaosSpec&, uint32_t);
std::unique_ptr<ChaosItem> make_notice_loss(ChaosRuntime&, World&, const ChaosSpec&, uint32_t);

std::unique_ptr<ChaosItem> make_chaos_item(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) {
  switch (s.kind) {
    case ChaosKind::kStorm: return make_storm(rt, w, s, i);
    case ChaosKind::kCliff: return make_cliff(rt, w, s, i);
    case ChaosKind::kPriceSpike: return make_price_spike(rt, w, s, i);
    case ChaosKind::kOnDemandExhaustion: return make_on_demand_exhaustion(rt, w, s, i);
    case ChaosKind::kApiThrottle: return make_api_throttle(rt, w, s, i);
    case ChaosKind::kCheckpointStoreDegraded: return make_checkpoint_store_degraded(rt, w, s, i);
    case ChaosKind::kBootFailure: return make_boot_failure(rt, w, s, i);
    case ChaosKind::kNoticeLoss: return make_notice_loss(rt, w, s, i);
  }
  throw std::logic_error("unknown chaos kind");
}

}  // namespace spotsim

// make_chaos_item: one factory line per kind; each kind lives in its own file. The metrics of
// each kind, declared from the spec alone: chaos_kind_metrics.
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

std::vector<ChaosMetricDecl> chaos_kind_metrics(ChaosKind kind) {
  switch (kind) {
    case ChaosKind::kStorm:
      return {{"evicted", MetricUnit::kCount, "spot VMs this storm gave a notice (or evicted without one)"}};
    case ChaosKind::kCliff:
      return {{"evicted", MetricUnit::kCount, "spot VMs above the reduced capacity that were evicted"}};
    case ChaosKind::kPriceSpike:
      return {{"evicted", MetricUnit::kCount, "spot VMs evicted because the price rose above their fleet's max_price"}};
    case ChaosKind::kApiThrottle: return {{"throttled", MetricUnit::kCount, "launch calls this item refused"}};
    case ChaosKind::kBootFailure: return {{"failed_boots", MetricUnit::kCount, "VMs whose boot this item failed"}};
    case ChaosKind::kNoticeLoss:
      return {{"notices_lost", MetricUnit::kCount, "interruption notices this item kept from the VM"}};
    case ChaosKind::kOnDemandExhaustion:
    case ChaosKind::kCheckpointStoreDegraded: return {};
  }
  throw std::logic_error("unknown chaos kind");
}

std::vector<uint32_t> declare_chaos_item_metrics(const ChaosSpec& spec, MetricSet& ms) {
  std::vector<uint32_t> ids;
  ids.push_back(ms.add(MetricKey{MetricGroup::kChaos, spec.name, "occurrences"}, MetricUnit::kCount,
                       "times this chaos item happened"));
  for (const ChaosMetricDecl& d : chaos_kind_metrics(spec.kind)) {
    ids.push_back(ms.add(MetricKey{MetricGroup::kChaos, spec.name, d.suffix}, d.unit, d.help));
  }
  return ids;
}

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

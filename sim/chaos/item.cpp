#include "sim/chaos/item.h"

#include "sim/chaos/runtime.h"
#include "sim/model/world.h"

namespace spotsim {

namespace {
// Streams are named after the item ("chaos.<name>"), so reordering the chaos: list changes nothing.
uint64_t vm_key_for(const World& world, const std::string& name) {
  Rng r = Rng::stream(world.scenario().seed, world.replication(), "chaos." + name + ".vms");
  return r.next_u64();
}
}  // namespace

ChaosItem::ChaosItem(ChaosRuntime& runtime, World& world, const ChaosSpec& spec, uint32_t index)
    : runtime_(runtime),
      world_(world),
      spec_(spec),
      index_(index),
      scope_(spec.scope, vm_key_for(world, spec.name)),
      rng_(Rng::stream(world.scenario().seed, world.replication(), "chaos." + spec.name)) {
  metric_ids_ = declare_chaos_item_metrics(spec, world.mutable_metrics());
  m_occurrences_ = metric_ids_.front();
}

Duration ChaosItem::active_for() const { return spec_.duration ? *spec_.duration : Duration::max(); }

uint32_t ChaosItem::kind_metric(size_t i) const { return metric_ids_.at(1 + i); }

void ChaosItem::add(uint32_t metric, double v) { world_.mutable_metrics()[metric] += v; }
double ChaosItem::value(uint32_t metric) const { return world_.metrics()[metric]; }

void ChaosItem::schedule(SimTime t, uint16_t tag, uint64_t payload) { runtime_.schedule(t, index_, tag, payload); }

}  // namespace spotsim

// Azure Spot VMs and VM scale sets with Spot priority: the provider table's row. Sources
// (docs/providers.md):
//  - "Use Azure Spot Virtual Machines": eviction policy Deallocate (the VM goes to the
//    stopped-deallocated state; its disks are kept and billed, and it still counts against quota)
//    or Delete; eviction type "capacity only" or "price or capacity" with a max price (-1: never
//    evicted for price).
//  - "Scheduled Events": a `Preempt` event whose NotBefore is at least 30 seconds ahead.
//  - Per-minute billing.
// Azure does not start a deallocated Spot VM again by itself: a scale set does so only with
// Spot-Try-Restore (spotRestorePolicy.enabled, off by default), which the pool key `restart: true`
// models (with `restart_after` for how long it usually takes).
#include "sim/scenario/provider.h"

namespace spotsim {

const ProviderTraits& azure_traits() {
  static const ProviderTraits kAzure{
      Provider::kAzure,
      "azure",
      "Preempt",
      Duration::seconds(30),
      Duration::seconds(30),
      Duration::seconds(60),
      Duration::seconds(60),
      /*free_first_hour_if_interrupted=*/false,
      /*rebalance_recommendation=*/false,
      EvictionAction::kDeallocate,
      {EvictionAction::kDeallocate, EvictionAction::kDelete},
      {},
      {EvictionType::kCapacityOnly, EvictionType::kPriceOrCapacity},
      Duration{0},
  };
  return kAzure;
}

}  // namespace spotsim

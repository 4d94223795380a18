// Google Cloud Compute Engine Spot VMs and legacy preemptible VMs: the provider table's row.
// Sources (docs/providers.md):
//  - "Spot VMs": a preemption notice 30 seconds before the VM is stopped (ACPI soft-off; the
//    `preempted` metadata value turns TRUE); termination action STOP (default) or DELETE; no
//    maximum runtime; no price-based preemption.
//  - "Preemptible VM instances": the same, and preemptible VMs always stop after 24 hours.
//  - Per-second billing with a one-minute minimum.
// A stopped VM keeps its persistent disks (billed); Compute Engine does not start it again by
// itself (the pool key `restart` models a controller that does).
#include "sim/model/provider.h"

namespace spotsim {

const ProviderTraits& gcp_traits() {
  static const ProviderTraits kGcp{
      Provider::kGcp,
      "gcp",
      "preempted",
      Duration::seconds(30),
      Duration{0},
      Duration::seconds(1),
      Duration::seconds(60),
      /*free_first_hour_if_interrupted=*/false,
      /*rebalance_recommendation=*/false,
      EvictionAction::kStop,
      {EvictionAction::kStop, EvictionAction::kDelete},
      {},
      {EvictionType::kCapacityOnly},
      Duration::hours(24),
  };
  return kGcp;
}

}  // namespace spotsim

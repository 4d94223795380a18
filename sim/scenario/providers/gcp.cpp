// Google Cloud Compute Engine Spot VMs and legacy preemptible VMs: the provider table's row.
// Sources (docs/providers.md):
//  - "Spot VMs": a preemption notice 30 seconds before the VM is stopped (ACPI soft-off; the
//    `preempted` metadata value turns TRUE); termination action STOP (default) or DELETE; no
//    maximum runtime; no price-based preemption.
//  - "Preemptible VM instances": the same, and preemptible VMs always stop after 24 hours.
//  - Per-second billing with a one-minute minimum.
//  - "About repairing VMs in a MIG" / InstanceGroupManager instanceLifecyclePolicy
//    defaultActionOnFailure: REPAIR is the default, so a managed instance group keeps recreating a
//    VM that is not running (a preempted Spot VM included) until it runs again.
// A stopped VM keeps its persistent disks (billed). A spotsim fleet stands for a MIG, so stopped
// VMs restart by default when capacity is back (`restart: false` = defaultActionOnFailure
// DO_NOTHING, or a standalone VM nobody restarts).
#include "sim/scenario/provider.h"

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
      {EvictionAction::kStop},
      {EvictionType::kCapacityOnly},
      Duration::hours(24),
  };
  return kGcp;
}

}  // namespace spotsim

#include "sim/model/provider.h"

#include <array>

namespace spotsim {
namespace {

// Sources (docs/providers.md):
//  AWS  — "Spot Instance interruption notices" (two-minute warning), "Billing for interrupted
//          Spot Instances" (no charge if AWS interrupts in the first instance-hour), per-second
//          billing with a 60-second minimum for Linux.
//  Azure — "Use Azure Spot Virtual Machines" (eviction policy Deallocate is the default, or
//          Delete), Scheduled Events "Preempt" with NotBefore at least 30 s ahead; per-minute billing.
//  GCP  — "Spot VMs" (preemption notice 30 s, termination action STOP by default or DELETE),
//          per-second billing with a 1-minute minimum.
const std::array<ProviderTraits, 3> kTable = {{
    {Provider::kAws, "aws", "instance-action", Duration::seconds(120), Duration::seconds(1),
     Duration::seconds(60), true, EvictionAction::kTerminate,
     {EvictionAction::kTerminate, EvictionAction::kStop, EvictionAction::kHibernate}},
    {Provider::kAzure, "azure", "Preempt", Duration::seconds(30), Duration::seconds(60),
     Duration::seconds(60), false, EvictionAction::kDeallocate,
     {EvictionAction::kDeallocate, EvictionAction::kDelete}},
    {Provider::kGcp, "gcp", "preempted", Duration::seconds(30), Duration::seconds(1),
     Duration::seconds(60), false, EvictionAction::kStop,
     {EvictionAction::kStop, EvictionAction::kDelete}},
}};

}  // namespace

const ProviderTraits& provider_traits(Provider p) { return kTable[static_cast<size_t>(p)]; }

std::optional<Provider> provider_from_name(std::string_view name) {
  for (const auto& t : kTable) {
    if (t.name == name) return t.provider;
  }
  return std::nullopt;
}

std::string_view eviction_action_name(EvictionAction a) {
  switch (a) {
    case EvictionAction::kTerminate: return "terminate";
    case EvictionAction::kStop: return "stop";
    case EvictionAction::kHibernate: return "hibernate";
    case EvictionAction::kDeallocate: return "deallocate";
    case EvictionAction::kDelete: return "delete";
  }
  return "terminate";
}

std::optional<EvictionAction> eviction_action_from_name(std::string_view name) {
  for (auto a : {EvictionAction::kTerminate, EvictionAction::kStop, EvictionAction::kHibernate,
                 EvictionAction::kDeallocate, EvictionAction::kDelete}) {
    if (eviction_action_name(a) == name) return a;
  }
  return std::nullopt;
}

double billed_cost(const ProviderTraits& traits, Duration billed, double price_per_hour, bool spot,
                   bool interrupted) {
  if (billed.us <= 0) return 0.0;
  if (spot && interrupted && traits.free_first_hour_if_interrupted && billed < Duration::hours(1)) {
    return 0.0;
  }
  int64_t us = std::max(billed.us, traits.minimum_billed.us);
  const int64_t g = traits.billing_granularity.us;
  us = (us + g - 1) / g * g;
  return static_cast<double>(us) / 3.6e9 * price_per_hour;
}

}  // namespace spotsim

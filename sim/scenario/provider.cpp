#include "sim/scenario/provider.h"

#include <algorithm>

namespace spotsim {

const ProviderTraits& provider_traits(Provider p) {
  switch (p) {
    case Provider::kAws: return aws_traits();
    case Provider::kAzure: return azure_traits();
    case Provider::kGcp: return gcp_traits();
  }
  return aws_traits();
}

bool eviction_keeps_vm(EvictionAction a) {
  return a == EvictionAction::kStop || a == EvictionAction::kHibernate || a == EvictionAction::kDeallocate;
}

bool provider_restarts(const ProviderTraits& traits, EvictionAction a) {
  return std::find(traits.auto_restart_actions.begin(), traits.auto_restart_actions.end(), a) !=
         traits.auto_restart_actions.end();
}

double billed_cost(const ProviderTraits& traits, Duration billed, double price_per_hour, bool spot, bool interrupted) {
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

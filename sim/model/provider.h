#pragma once
// What each cloud really does, in one table (facts and sources: docs/providers.md).
// No `if (aws)` branches elsewhere: models read these traits.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/time.h"

namespace spotsim {

enum class Provider : uint8_t { kAws = 0, kAzure = 1, kGcp = 2 };
enum class EvictionAction : uint8_t { kTerminate, kStop, kHibernate, kDeallocate, kDelete };

struct ProviderTraits {
  Provider provider;
  std::string_view name;              // "aws"
  std::string_view notice_name;       // what the VM sees: "instance-action", "Preempt", "preempted"
  Duration notice;                    // default notice before eviction
  Duration billing_granularity;       // charge unit
  Duration minimum_billed;            // minimum charge per VM
  bool free_first_hour_if_interrupted;  // AWS: interrupted by AWS in its first hour ⇒ not charged
  EvictionAction default_action;
  std::vector<EvictionAction> allowed_actions;
};

const ProviderTraits& provider_traits(Provider p);
std::optional<Provider> provider_from_name(std::string_view name);
std::string_view eviction_action_name(EvictionAction a);
std::optional<EvictionAction> eviction_action_from_name(std::string_view name);

// The charge for one VM that existed for `billed` (launch to termination) at `price_per_hour`.
// `interrupted` is true when the provider ended a spot VM (not the user).
double billed_cost(const ProviderTraits& traits, Duration billed, double price_per_hour, bool spot,
                   bool interrupted);

}  // namespace spotsim

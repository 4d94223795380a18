#pragma once
// What each cloud really does, in one table (facts and sources: docs/providers.md).
// No `if (aws)` branches elsewhere: models read these traits. One file per provider defines its
// row (sim/scenario/providers/{aws,azure,gcp}.cpp); provider.cpp only looks rows up.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/enum_table.h"
#include "sim/core/time.h"

namespace spotsim {

enum class Provider : uint8_t { kAws = 0, kAzure = 1, kGcp = 2 };
inline constexpr auto kProviders =
    enum_table<Provider>({{"aws", Provider::kAws}, {"azure", Provider::kAzure}, {"gcp", Provider::kGcp}});
// What the provider does to a spot VM it takes back. Stop, hibernate and deallocate keep the VM
// (and its disks, which stay billed); terminate and delete end it.
enum class EvictionAction : uint8_t { kTerminate, kStop, kHibernate, kDeallocate, kDelete };
inline constexpr auto kEvictionActions = enum_table<EvictionAction>({{"terminate", EvictionAction::kTerminate},
                                                                     {"stop", EvictionAction::kStop},
                                                                     {"hibernate", EvictionAction::kHibernate},
                                                                     {"deallocate", EvictionAction::kDeallocate},
                                                                     {"delete", EvictionAction::kDelete}});
// Why the provider may evict: capacity only, or also when the spot price rises above the VM's
// max price (Azure "eviction type"; AWS only for requests with a max price).
enum class EvictionType : uint8_t { kCapacityOnly = 0, kPriceOrCapacity = 1 };
inline constexpr auto kEvictionTypes = enum_table<EvictionType>(
    {{"capacity-only", EvictionType::kCapacityOnly}, {"price-or-capacity", EvictionType::kPriceOrCapacity}});
// GCP: Spot VMs, or legacy preemptible VMs (which also end 24 h after they start).
enum class ProvisioningModel : uint8_t { kSpot = 0, kPreemptible = 1 };
inline constexpr auto kProvisioningModels = enum_table<ProvisioningModel>(
    {{"spot", ProvisioningModel::kSpot}, {"preemptible", ProvisioningModel::kPreemptible}});

struct ProviderTraits {
  Provider provider;
  std::string_view name;                // "aws"
  std::string_view notice_name;         // what the VM sees: "instance-action", "Preempt", "preempted"
  Duration notice;                      // default notice before eviction
  Duration minimum_notice;              // a configured notice must be 0 (none) or at least this
  Duration billing_granularity;         // charge unit
  Duration minimum_billed;              // minimum charge per VM (per run of a restarted VM)
  bool free_first_hour_if_interrupted;  // AWS: interrupted by AWS in its first hour ⇒ not charged
  bool rebalance_recommendation;        // AWS: may signal elevated risk before the notice
  EvictionAction default_action;
  std::vector<EvictionAction> allowed_actions;
  // Actions after which the provider itself starts the VM again once capacity is back (AWS:
  // stopped/hibernated instances of persistent requests). Others stay stopped unless the pool
  // says `restart: true`.
  std::vector<EvictionAction> auto_restart_actions;
  std::vector<EvictionType> eviction_types;  // allowed; the first is the default without max_price
  Duration preemptible_max_lifetime;         // GCP legacy preemptible VMs: 24 h; 0 = no such model
};

// The rows (sim/scenario/providers/*.cpp).
const ProviderTraits& aws_traits();
const ProviderTraits& azure_traits();
const ProviderTraits& gcp_traits();

const ProviderTraits& provider_traits(Provider p);
inline std::optional<Provider> provider_from_name(std::string_view name) { return kProviders.find(name); }
inline std::string_view eviction_action_name(EvictionAction a) { return kEvictionActions.name(a); }
inline std::optional<EvictionAction> eviction_action_from_name(std::string_view name) {
  return kEvictionActions.find(name);
}
inline std::string_view eviction_type_name(EvictionType t) { return kEvictionTypes.name(t); }
inline std::optional<EvictionType> eviction_type_from_name(std::string_view name) { return kEvictionTypes.find(name); }
// True for stop, hibernate and deallocate: the VM and its disks survive the eviction.
bool eviction_keeps_vm(EvictionAction a);
// Whether the provider restarts a VM it stopped with `a` by itself when capacity returns.
bool provider_restarts(const ProviderTraits& traits, EvictionAction a);

// The charge for one VM that existed for `billed` (launch to termination) at `price_per_hour`.
// `interrupted` is true when the provider ended a spot VM (not the user).
double billed_cost(const ProviderTraits& traits, Duration billed, double price_per_hour, bool spot, bool interrupted);

}  // namespace spotsim

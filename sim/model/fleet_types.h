#pragma once
// Small value types shared by the fleet model (World) and fleet policies (FleetPolicy).
// Kept apart so that policy code (C++ or the Lua bridge) need not include world.h.
#include <cstdint>
#include <limits>

namespace spotsim {

// Stable numbering: recorded in outputs.
// kStopped: evicted with an action that keeps the VM (stop, hibernate, deallocate); it still
// belongs to its fleet, its disks are billed, and it may restart (docs/providers.md).
enum class VmState : uint8_t { kFree = 0, kBooting, kRunning, kNoticed, kStopped };
enum class Purchase : uint8_t { kSpot = 0, kOnDemand = 1 };

// Names for messages, logs and the Lua bridge: "spot", "on_demand".
const char* purchase_name(Purchase p);
const char* vm_state_name(VmState s);

// A handle to one VM incarnation. `slot` is World's storage index (reused after the VM is
// gone); `serial` is unique within a replication, so a stale handle is detected, never
// misapplied to the slot's next occupant.
struct VmId {
  uint32_t slot = std::numeric_limits<uint32_t>::max();
  uint32_t serial = std::numeric_limits<uint32_t>::max();
  bool valid() const { return slot != std::numeric_limits<uint32_t>::max(); }
  friend bool operator==(const VmId&, const VmId&) = default;
};

// Why a launch request was refused (provisioning rejection causes, see docs/metrics.md).
enum class RejectCause : uint8_t {
  kInsufficientSpot = 0,      // no spot capacity in any pool the fleet may use
  kInsufficientOnDemand = 1,  // the provider has no on-demand capacity for the type/zone
  kQuota = 2,                 // the region's on-demand vCPU quota would be exceeded
  kThrottled = 3,             // the launch API rate limit (token bucket) refused the call
  kPrice = 4,                 // spot price above the fleet's max_price
};
constexpr int kRejectCauseCount = 5;
const char* reject_cause_name(RejectCause c);

}  // namespace spotsim

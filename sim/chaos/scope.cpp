#include "sim/chaos/scope.h"

#include <algorithm>

#include "sim/core/rng.h"
#include "sim/model/world.h"

namespace spotsim {

bool ScopeSelector::sampled(uint32_t serial) const {
  if (scope_.vm_fraction >= 1.0) return true;
  uint64_t s = vm_key_ ^ (static_cast<uint64_t>(serial) * 0x9E3779B97F4A7C15ULL);
  const double u = static_cast<double>(splitmix64(s) >> 11) * 0x1.0p-53;
  return u < scope_.vm_fraction;
}

bool ScopeSelector::vm(const World& world, uint32_t slot) const {
  const VmSlot& v = world.vms()[slot];
  return v.state != VmState::kFree && pool(v.pool) && fleet(v.fleet) && sampled(v.serial);
}

std::vector<uint32_t> ScopeSelector::evictable_spot_vms(const World& world) const {
  std::vector<uint32_t> out;
  const auto& vms = world.vms();
  for (uint32_t s = 0; s < vms.size(); ++s) {
    const VmSlot& v = vms[s];
    if (v.purchase != Purchase::kSpot) continue;
    if (v.state != VmState::kRunning && v.state != VmState::kBooting) continue;
    if (pool(v.pool) && fleet(v.fleet) && sampled(v.serial)) out.push_back(s);
  }
  // In an order that does not depend on the order of fleets in the file: by fleet name, then by
  // launch (serial numbers of one fleet keep their relative order however the file is ordered).
  const auto& fleets = world.scenario().fleets;
  std::sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) {
    const VmSlot& va = vms[a];
    const VmSlot& vb = vms[b];
    if (va.fleet != vb.fleet) return fleets[va.fleet].name < fleets[vb.fleet].name;
    return va.serial < vb.serial;
  });
  return out;
}

std::vector<uint32_t> ScopeSelector::pools() const {
  std::vector<uint32_t> out;
  for (uint32_t p = 0; p < scope_.pools.size(); ++p) {
    if (scope_.pools[p]) out.push_back(p);
  }
  return out;
}

}  // namespace spotsim

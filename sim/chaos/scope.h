#pragma once
// A compiled ChaosScope applied to the live world: which pools, fleets and VMs an item touches.
#include <cstdint>
#include <vector>

#include "sim/scenario/chaos_spec.h"

namespace spotsim {

class World;

class ScopeSelector {
 public:
  // `vm_key` seeds the per-VM draw of `vms: N%` (stable for a VM's whole life).
  ScopeSelector(const ChaosScope& scope, uint64_t vm_key) : scope_(scope), vm_key_(vm_key) {}

  bool pool(uint32_t p) const { return p < scope_.pools.size() && scope_.pools[p] != 0; }
  bool fleet(uint32_t f) const { return f < scope_.fleets.size() && scope_.fleets[f] != 0; }
  // A VM (by its serial number) falls in the `vms:` sample. Always true without `vms:`.
  bool sampled(uint32_t serial) const;
  // VM `slot` of `world` is alive (booting, running or noticed) and in scope.
  bool vm(const World& world, uint32_t slot) const;
  // Live spot VMs in scope that are not under notice yet (booting or running), ordered by fleet
  // name, then launch order (independent of the order of the scenario file).
  std::vector<uint32_t> evictable_spot_vms(const World& world) const;
  // Pools in scope, index order.
  std::vector<uint32_t> pools() const;

 private:
  const ChaosScope& scope_;
  uint64_t vm_key_;
};

}  // namespace spotsim

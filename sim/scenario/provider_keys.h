#pragma once
// The provider-semantics keys of pools and fleets (docs/providers.md, docs/scenario-reference.md):
// pools — disk_cost, restart, restart_after, rebalance, provisioning_model, and the provider's
// minimum notice; fleets — boot_time (constant or distribution), boot_failure, eviction_type.
#include "sim/scenario/scenario.h"
#include "common/yaml_reader.h"

namespace spotsim {

// Reads the keys into `p` (whose provider, notice and action are already read).
void compile_pool_provider_keys(MapReader& r, PoolSpec& p);
// Reads boot_time / boot_failure into `f`.
void compile_fleet_boot_keys(MapReader& r, FleetSpec& f);
// Reads eviction_type into `f` and checks it against max_price and the fleet's pools' providers.
// REQUIRES: f.pools and f.max_price are read.
void compile_fleet_eviction_type(MapReader& r, FleetSpec& f, const CompiledScenario& sc);

}  // namespace spotsim

#pragma once
// Spot and on-demand allocation strategies of a mixed-instances fleet, as pure functions over a
// small candidate table (so each strategy's choice can be checked by hand in tests).
//
// How each strategy is defined (and the AWS documentation it follows): docs/fleets.md.
//  lowest-price        the cheapest pools (price per capacity unit); the fleet spreads evenly over
//                      the `spot_instance_pools` cheapest pools that have capacity
//  capacity-optimized  the pool with the most available spot capacity
//  capacity-optimized-prioritized
//                      among the "deep" pools (available ≥ half of the deepest pool's), the one
//                      with the best priority (capacity first, priority best-effort)
//  price-capacity-optimized
//                      among the deep pools, the cheapest per capacity unit
//  diversified         spread evenly over every pool that has capacity
#include <cstddef>
#include <cstdint>

#include "sim/scenario/scenario.h"

namespace spotsim {

struct AllocCandidate {
  double price_per_unit = 0;  // $/h divided by the instance weight
  int64_t available = 0;      // spot VMs the pool can still give (≤ 0: the pool is skipped)
  int64_t fleet_units = 0;    // this fleet's active VMs in the pool, in capacity units (weights)
  int32_t priority = 0;       // lower is preferred
};

// Index of the chosen candidate, or -1 if none has capacity. Ties go to the earlier candidate
// (the scenario's listed order). REQUIRES: spot_instance_pools >= 1.
int choose_spot_candidate(AllocationStrategy strategy, const AllocCandidate* candidates, size_t n,
                          int spot_instance_pools = 2);

// On-demand: `prioritized` takes the best priority that is available, else the cheapest per
// unit ("lowest-price", AWS's default for on-demand in a mixed instances policy). Candidates
// with available <= 0 are skipped (quota, no on-demand capacity).
int choose_on_demand_candidate(bool prioritized, const AllocCandidate* candidates, size_t n);

}  // namespace spotsim

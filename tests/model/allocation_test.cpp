// Each allocation strategy's choice on a small table checked by hand (docs/fleets.md).
#include <catch2/catch.hpp>

#include "sim/model/allocation.h"

using namespace spotsim;

namespace {
// price/unit, available, fleet units, priority
AllocCandidate cand(double price, int64_t avail, int64_t units, int32_t prio) {
  return AllocCandidate{price, avail, units, prio};
}
}  // namespace

TEST_CASE("allocation strategies pick the hand-checked pool", "[allocation]") {
  // A: mid price, deep-ish; B: cheap, shallow; C: dear, deepest, top priority; D: cheapest, empty.
  AllocCandidate t[] = {cand(0.05, 10, 0, 2), cand(0.04, 3, 0, 1), cand(0.06, 20, 0, 0), cand(0.03, 0, 0, 3)};
  const size_t n = 4;
  // lowest-price, 1 pool: B is the cheapest with capacity (D has none).
  CHECK(choose_spot_candidate(AllocationStrategy::kLowestPrice, t, n, 1) == 1);
  // lowest-price over the 2 cheapest (B, A): equal fleet units ⇒ the cheaper, B.
  CHECK(choose_spot_candidate(AllocationStrategy::kLowestPrice, t, n, 2) == 1);
  // capacity-optimized: C has the most available capacity.
  CHECK(choose_spot_candidate(AllocationStrategy::kCapacityOptimized, t, n) == 2);
  // Deep pools: available >= ceil(20/2) = 10 ⇒ A and C.
  // capacity-optimized-prioritized: C has the better priority (0 < 2).
  CHECK(choose_spot_candidate(AllocationStrategy::kCapacityOptimizedPrioritized, t, n) == 2);
  // price-capacity-optimized: the cheaper deep pool, A (B is cheaper but shallow).
  CHECK(choose_spot_candidate(AllocationStrategy::kPriceCapacityOptimized, t, n) == 0);
  // diversified: all at 0 units ⇒ the cheapest with capacity, B.
  CHECK(choose_spot_candidate(AllocationStrategy::kDiversified, t, n) == 1);
}

TEST_CASE("allocation strategies follow the fleet's spread", "[allocation]") {
  AllocCandidate t[] = {cand(0.05, 10, 1, 2), cand(0.04, 3, 2, 1), cand(0.06, 20, 0, 5), cand(0.03, 0, 0, 3)};
  // lowest-price over B and A: A has fewer of our VMs (1 < 2).
  CHECK(choose_spot_candidate(AllocationStrategy::kLowestPrice, t, 4, 2) == 0);
  // lowest-price over the 3 cheapest with capacity (B, A, C): C has none of ours yet.
  CHECK(choose_spot_candidate(AllocationStrategy::kLowestPrice, t, 4, 3) == 2);
  // diversified: C has the fewest units.
  CHECK(choose_spot_candidate(AllocationStrategy::kDiversified, t, 4) == 2);
  // capacity-optimized-prioritized: deep pools A (prio 2) and C (prio 5) ⇒ A.
  CHECK(choose_spot_candidate(AllocationStrategy::kCapacityOptimizedPrioritized, t, 4) == 0);
}

TEST_CASE("allocation finds nothing when no pool has capacity", "[allocation]") {
  AllocCandidate t[] = {cand(0.05, 0, 0, 0), cand(0.04, 0, 0, 1)};
  for (auto s : {AllocationStrategy::kLowestPrice, AllocationStrategy::kCapacityOptimized,
                 AllocationStrategy::kCapacityOptimizedPrioritized, AllocationStrategy::kPriceCapacityOptimized,
                 AllocationStrategy::kDiversified}) {
    CHECK(choose_spot_candidate(s, t, 2) == -1);
  }
}

TEST_CASE("on-demand allocation: lowest price or priority", "[allocation]") {
  AllocCandidate t[] = {cand(0.192, 1, 0, 1), cand(0.17, 1, 0, 2), cand(0.10, 0, 0, 0)};
  CHECK(choose_on_demand_candidate(false, t, 3) == 1);  // cheapest available (C has none)
  CHECK(choose_on_demand_candidate(true, t, 3) == 0);   // best available priority
}

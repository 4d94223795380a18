#include "sim/model/allocation.h"

#include <algorithm>

namespace spotsim {
namespace {

// Available capacity a pool needs to count as "deep": at least half the deepest pool's.
int64_t deep_threshold(const AllocCandidate* c, size_t n) {
  int64_t best = 0;
  for (size_t i = 0; i < n; ++i) best = std::max(best, c[i].available);
  return std::max<int64_t>(1, (best + 1) / 2);
}

}  // namespace

int choose_spot_candidate(AllocationStrategy strategy, const AllocCandidate* c, size_t n, int spot_instance_pools) {
  int best = -1;
  switch (strategy) {
    case AllocationStrategy::kLowestPrice: {
      // Rank pools with capacity by price; spread over the N cheapest: take the one of them with
      // the fewest fleet units (ties: cheaper, then listed order).
      const size_t k = static_cast<size_t>(std::max(1, spot_instance_pools));
      if (k == 1 || n == 1) {
        for (size_t i = 0; i < n; ++i) {
          if (c[i].available <= 0) continue;
          if (best < 0 || c[i].price_per_unit < c[best].price_per_unit) best = static_cast<int>(i);
        }
        return best;
      }
      // Small n (instance lists are short): selection by repeated scans, no allocation.
      int chosen[16];
      size_t m = 0;
      const size_t limit = std::min<size_t>(k, 16);
      while (m < limit) {
        int next = -1;
        for (size_t i = 0; i < n; ++i) {
          if (c[i].available <= 0) continue;
          bool taken = false;
          for (size_t j = 0; j < m; ++j) taken = taken || chosen[j] == static_cast<int>(i);
          if (taken) continue;
          if (next < 0 || c[i].price_per_unit < c[next].price_per_unit) next = static_cast<int>(i);
        }
        if (next < 0) break;
        chosen[m++] = next;
      }
      for (size_t j = 0; j < m; ++j) {
        const int i = chosen[j];
        if (best < 0 || c[i].fleet_units < c[best].fleet_units) best = i;
      }
      return best;
    }
    case AllocationStrategy::kCapacityOptimized:
      for (size_t i = 0; i < n; ++i) {
        if (c[i].available <= 0) continue;
        if (best < 0 || c[i].available > c[best].available) best = static_cast<int>(i);
      }
      return best;
    case AllocationStrategy::kCapacityOptimizedPrioritized: {
      const int64_t deep = deep_threshold(c, n);
      for (size_t i = 0; i < n; ++i) {
        if (c[i].available < deep) continue;
        if (best < 0 || c[i].priority < c[best].priority ||
            (c[i].priority == c[best].priority && c[i].available > c[best].available)) {
          best = static_cast<int>(i);
        }
      }
      return best;
    }
    case AllocationStrategy::kPriceCapacityOptimized: {
      const int64_t deep = deep_threshold(c, n);
      for (size_t i = 0; i < n; ++i) {
        if (c[i].available < deep) continue;
        if (best < 0 || c[i].price_per_unit < c[best].price_per_unit ||
            (c[i].price_per_unit == c[best].price_per_unit && c[i].available > c[best].available)) {
          best = static_cast<int>(i);
        }
      }
      return best;
    }
    case AllocationStrategy::kDiversified:
      for (size_t i = 0; i < n; ++i) {
        if (c[i].available <= 0) continue;
        if (best < 0 || c[i].fleet_units < c[best].fleet_units ||
            (c[i].fleet_units == c[best].fleet_units && c[i].price_per_unit < c[best].price_per_unit)) {
          best = static_cast<int>(i);
        }
      }
      return best;
  }
  return best;
}

int choose_on_demand_candidate(bool prioritized, const AllocCandidate* c, size_t n) {
  int best = -1;
  for (size_t i = 0; i < n; ++i) {
    if (c[i].available <= 0) continue;
    if (best < 0) {
      best = static_cast<int>(i);
    } else if (prioritized ? c[i].priority < c[best].priority : c[i].price_per_unit < c[best].price_per_unit) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

}  // namespace spotsim

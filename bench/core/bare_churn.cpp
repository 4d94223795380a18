#include "bench/core/bare_churn.h"

#include <functional>
#include <queue>
#include <random>
#include <utility>
#include <vector>

namespace spotsim::bench {

BareChurnResult bare_churn(uint32_t vms, double days, double rate_per_hour, double boot_seconds, uint64_t seed) {
  using Event = std::pair<double, uint32_t>;  // (time in seconds, VM id | kBootDone)
  constexpr uint32_t kBootDone = 1u << 31;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue;  // earliest first
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> lifetime(rate_per_hour / 3600.0);  // seconds
  const double end = days * 86400.0;

  for (uint32_t vm = 0; vm < vms; ++vm) queue.emplace(lifetime(rng), vm);
  BareChurnResult r;
  while (!queue.empty() && queue.top().first <= end) {
    const auto [t, id] = queue.top();
    queue.pop();
    ++r.events;
    if (id & kBootDone) {
      queue.emplace(t + lifetime(rng), id & ~kBootDone);  // running again: its next interruption
    } else {
      ++r.interruptions;
      queue.emplace(t + boot_seconds, id | kBootDone);  // interrupted: a replacement boots
    }
  }
  return r;
}

}  // namespace spotsim::bench

#pragma once
// The churn model's reference: the smallest simulator anyone would write for it. One
// std::priority_queue<std::pair<double, uint32_t>> (time in seconds, VM), std::mt19937_64, and two
// events per interruption: the interruption itself and the end of the replacement's boot. No
// notice event, no fleet, pool, billing, metrics or policy. `spotsim-bench` prints spotsim's
// time to solution (interruptions per second) as a ratio of this loop's.
#include <cstdint>

namespace spotsim::bench {

struct BareChurnResult {
  uint64_t events = 0;         // popped events up to the horizon
  uint64_t interruptions = 0;  // interruptions up to the horizon
};

// `vms` VMs running from t = 0, each interrupted at `rate_per_hour` (exponential lifetimes) and
// running again `boot_seconds` later, for `days`.
// REQUIRES: vms < 2^31 (the top bit of the VM id marks a boot-complete event).
BareChurnResult bare_churn(uint32_t vms, double days, double rate_per_hour = 0.05, double boot_seconds = 90,
                           uint64_t seed = 7);

}  // namespace spotsim::bench

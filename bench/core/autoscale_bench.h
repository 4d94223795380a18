#pragma once
// The autoscaling benchmark behind `spotsim-bench`: 10^5 VMs × 30 days whose target follows a
// daily schedule (60 000 ↔ 100 000 VMs) over three pools with less spot capacity than the peak,
// so every day the fleet scales out, falls back to on-demand, scales in and returns to spot —
// printed beside the plain churn benchmark (fixed 10^5 spot VMs, one pool) measured in the same
// process, with the ratio (issue: within 3×). Thread CPU time, best of 3 (1 with --quick).
#include <ostream>

#include <nlohmann/json.hpp>

#include "bench/core/core_bench.h"

namespace spotsim::bench {

nlohmann::json autoscale_churn(const BenchOptions& opt, std::ostream& log);

}  // namespace spotsim::bench

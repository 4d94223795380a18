#pragma once
// Lua policy overhead behind `spotsim-bench`: the churn benchmark (10^5 spot VMs × 30 days) with
// the built-in C++ on_eviction vs the same decision written as a Lua hook, in the same process
// (thread CPU time, so that other processes on a shared machine do not skew the ratio).
#include <ostream>

#include <nlohmann/json.hpp>

#include "bench/core/core_bench.h"

namespace spotsim::bench {

// Prints built-in vs Lua (a trivial `return launch{}` hook, and one that also reads views) with
// the time ratio and the cost per hook call.
nlohmann::json lua_churn(const BenchOptions& opt, std::ostream& log);

}  // namespace spotsim::bench

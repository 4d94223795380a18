#pragma once
// Reports of a sweep: JSON (stable keys, docs/sweeps.md) and a text table with the Pareto front.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/run/sweep.h"

namespace spotsim {

// `pareto`/`front` may be null. Keys that depend on the machine (wall_seconds, threads, processes)
// are at the top level only, so two sweeps compare equal after removing them.
nlohmann::json sweep_to_json(const SweepPlan& plan, const SweepResult& result, const ParetoSpec* pareto,
                             const std::vector<ParetoPoint>* front);
std::string sweep_to_text(const SweepPlan& plan, const SweepResult& result, const ParetoSpec* pareto,
                          const std::vector<ParetoPoint>* front);

}  // namespace spotsim

#pragma once
// Reports of a run: JSON (stable keys, see docs/cli.md) and a human-readable text report.
#include <string>

#include <nlohmann/json.hpp>

#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

extern const char* const kSpotsimVersion;

nlohmann::json run_to_json(const CompiledScenario& scenario, const RunResult& result);
std::string run_to_text(const CompiledScenario& scenario, const RunResult& result);
// The metrics run_to_text reads by key (its fixed rows); its workload, region and chaos sections
// show every metric of their group. A test checks that a run registers each of these, so a
// renamed metric fails it instead of dropping its row.
std::vector<MetricKey> report_metric_keys(const CompiledScenario& scenario);

}  // namespace spotsim

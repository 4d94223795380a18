#pragma once
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"
#include "tests/common/compile.h"

namespace spotsim::test {

// `text` compiled as tests/workload/test.yaml, so the trace files next to it resolve.
inline CompiledScenario compile_here(const std::string& text) {
  return compile(text, SPOTSIM_SOURCE_DIR "/tests/workload/test.yaml");
}

inline std::string compile_error(const std::string& text) {
  auto r = compile_scenario(text, "test.yaml");
  if (r) return "";
  return r.status().message();
}

// A one-pool, one-fleet scenario header; append `workloads:`.
inline std::string base(int target, const std::string& rate, const std::string& duration, int reps,
                        const std::string& extra_pool = "", const std::string& boot = "90s") {
  std::ostringstream s;
  s << "spotsim: 1\nname: t\nseed: 11\nreplications: " << reps << "\nduration: " << duration << "\n"
    << "pools:\n  p: {provider: aws, region: r, instance_type: m5.xlarge, spot_price: 0.05, "
    << "on_demand_price: 0.2, capacity: 100000" << (rate.empty() ? "" : ", interruption: {rate: " + rate + "}")
    << extra_pool << "}\n"
    << "fleets:\n  f: {pools: [p], target: " << target << ", boot_time: " << boot << "}\n";
  return s.str();
}

// base() with a fleet that keeps `target` VMs whatever its jobs need (scale_to_zero: false): for
// tests of fixed-size queueing models (M/M/c, exact VM-hours of a fixed fleet).
inline std::string fixed_fleet(std::string text) {
  const size_t fleet = text.find("\n  f: {");
  const size_t end = text.find('}', fleet);
  if (fleet != std::string::npos && end != std::string::npos) text.insert(end, ", scale_to_zero: false");
  return text;
}

// Mean of a metric over replications run in this thread.
inline double mean_metric(const CompiledScenario& sc, const std::string& name) {
  RunOptions o;
  o.threads = 2;
  auto r = run_scenario(sc, o);
  REQUIRE(r.is_ok());
  const int i = r->metric_index(name);
  if (i < 0) FAIL("no metric " << name);
  return r->stats[static_cast<size_t>(i)].mean;
}

}  // namespace spotsim::test

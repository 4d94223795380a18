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
  auto r = compile_scenario(text, "test.yaml", LoadOptions{{}, read_text_file});
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

// A three-run pipeline for base()'s fleet f: extract (4 × 1 h) → clean (2 × 30 min) and
// features (3 × 2 h) → train (3 h); its critical path is 6 h.
inline const std::string kEtlPipeline = R"(workloads:
  etl:
    type: pipeline
    fleet: f
    runs: {every: 12h, count: 3}
    stages:
      extract: {jobs: 4, job: {work: 1h}}
      clean: {jobs: 2, job: {work: 30m}, after: [extract]}
      features: {jobs: 3, job: {work: 2h}, after: [extract]}
      train: {job: {work: 3h}, after: [clean, features]}
)";

// `s` (its availability trace already set) with the job of the deadline tests: `work_h` hours of
// work due in `deadline_h` hours, `d_h` hours to switch to on-demand, spot at 1, on-demand at 3.
inline DeadlineJobSpec with_job(DeadlineJobSpec s, DeadlinePolicy p, double work_h, double deadline_h, double d_h) {
  s.work = Duration::hours(work_h);
  s.deadline = Duration::hours(deadline_h);
  s.switch_delay = Duration::hours(d_h);
  s.policy = p;
  s.spot_price = 1.0;
  s.on_demand_price = 3.0;
  return s;
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

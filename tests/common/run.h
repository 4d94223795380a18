#pragma once
// Running a compiled scenario in a test with the laws of docs/metrics.md checked, and reading a
// metric's statistics by name.
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "sim/run/runner.h"

namespace spotsim::test {

// Every replication of `sc` on `threads` threads, laws checked; fails the test case on an error.
inline RunResult run_checked(const CompiledScenario& sc, int threads = 1) {
  RunOptions opt;
  opt.threads = threads;
  opt.check_laws = true;
  auto r = run_scenario(sc, opt);
  if (!r) FAIL(r.status().message());
  return std::move(r).value();
}

// The statistics over replications of `metric`; fails the test case if there is no such metric.
inline const MetricStats& stats_of(const RunResult& r, const std::string& metric) {
  const int i = r.metric_index(metric);
  if (i < 0) FAIL("no metric " << metric);
  return r.stats[static_cast<size_t>(i)];
}

}  // namespace spotsim::test

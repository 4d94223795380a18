#pragma once
// Engine and model benchmarks run by `spotsim-bench` (bench/main.cpp; not part of the shipped
// `spotsim`). Each prints the engine's number beside a baseline measured in the same process
// (std::priority_queue), and the ratio.
#include <cstdint>
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/model/metrics.h"
#include "sim/scenario/scenario.h"

namespace spotsim::bench {

struct BenchOptions {
  bool quick = false;         // smaller sizes (for smoke tests)
  bool skip_million = false;  // churn: leave out the 10^6-VM size (about a minute)
};

// CPU time of this thread: the machine is shared, and other processes inflate wall time.
double thread_cpu_seconds();
// The churn benchmark's scenario: `vms` spot VMs in one pool (rate 0.05/h, boot 90 s, notice
// 120 s, capacity 2 × vms), fleet "churn", seed 7.
CompiledScenario churn_scenario(int64_t vms, double days);

// One replication (0) of `scenario` through the front door (sim/run/runner.h: run_replication,
// no observer, as `spotsim run` runs it), timed in thread CPU time from building its models to
// its last event.
struct FrontDoorRun {
  double seconds = 0;
  uint64_t events = 0;
  std::vector<MetricDef> metrics;  // replication_metric_defs (declared before the clock starts)
  std::vector<double> values;      // one per metric
  // The value of metric `key`. REQUIRES: the scenario has it.
  double value(const MetricKey& key) const;
};
FrontDoorRun run_front_door(const CompiledScenario& scenario);

// Hold model at 10^3, 10^5, 10^6 pending events: RadixHeapQueue vs std::priority_queue.
nlohmann::json hold_model(const BenchOptions& opt, std::ostream& log);
// Spot VMs × 30 days churn (rate 0.05/h, boot 90 s) at 10^5 and 10^6 VMs (2000 VMs × 5 days with
// quick): the full World model beside the bare two-event reference loop (bare_churn.h) and
// spotsim's three events on a plain std::priority_queue. Reports time to solution
// (interruptions/s), events/s and resident bytes per VM, and the ratios spotsim / bare loop.
nlohmann::json churn(const BenchOptions& opt, std::ostream& log);

}  // namespace spotsim::bench

#pragma once
// Engine and model benchmarks behind `spotsim bench`. Each prints the engine's number beside a
// baseline measured in the same process (std::priority_queue), and the ratio.
#include <ostream>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.h"

namespace spotsim::bench {

struct BenchOptions {
  bool quick = false;  // smaller sizes (for smoke tests)
};

// CPU time of this thread: the machine is shared, and other processes inflate wall time.
double thread_cpu_seconds();
// The churn benchmark's scenario: `vms` spot VMs in one pool (rate 0.05/h, boot 90 s, notice
// 120 s, capacity 2 × vms), fleet "churn", seed 7.
CompiledScenario churn_scenario(int64_t vms, double days);

// Hold model at 10^3, 10^5, 10^6 pending events: RadixHeapQueue vs std::priority_queue.
nlohmann::json hold_model(const BenchOptions& opt, std::ostream& log);
// 100,000 spot VMs × 30 days churn (rate 0.05/h, boot 90 s) through the full World model,
// vs the same model written directly on std::priority_queue.
nlohmann::json churn(const BenchOptions& opt, std::ostream& log);

}  // namespace spotsim::bench

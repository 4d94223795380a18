#pragma once
// Metric deltas between two runs: what the compare panel lists.
#include <string>
#include <vector>

#include "viz/data/run_model.h"

namespace spotsim::viz {

struct MetricDelta {
  std::string name;
  std::string unit;
  bool in_a = false, in_b = false;
  double a = 0, b = 0;  // means over replications
  double delta = 0;     // b − a
  double pct = 0;       // 100 × (b − a) / |a|; 0 when a == 0
};

// Every metric of either run, in a's order then b's extras.
std::vector<MetricDelta> compare_metrics(const RunModel& a, const RunModel& b);

}  // namespace spotsim::viz

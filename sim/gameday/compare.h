#pragma once
// `spotsim compare PREDICTION.json AUDIT.jsonl...`: predicted vs observed, metric by metric, with
// the prediction's interval, whether the observation falls inside it, and the plan's tolerances
// (its expect: block, carried in the prediction). A tolerance is exceeded when the observation is
// outside it, or when the drill did not observe (or the simulator did not predict) that metric.
#include <optional>
#include <string>
#include <vector>

#include "sim/gameday/audit.h"
#include "sim/gameday/predict.h"
#include "sim/record/junit.h"

namespace spotsim::gameday {

struct ComparedMetric {
  GamedayMetric metric;
  std::optional<MetricPrediction> predicted;
  std::optional<double> observed;
  std::optional<bool> inside;          // observed within [lo, hi]; unset without both
  std::optional<Tolerance> tolerance;  // from the plan's expect:
  bool exceeded = false;
  std::string explanation;  // for an exceeded tolerance
};

struct Comparison {
  std::vector<ComparedMetric> rows;  // kGamedayMetrics order
  int checked = 0, exceeded = 0;
  int notices = 0;  // observed notices
  size_t audit_files = 0;
};

Comparison compare(const Prediction& p, const AuditData& audit);
std::string comparison_text(const Prediction& p, const Comparison& c);
std::string comparison_json(const Prediction& p, const Comparison& c);
// One <testcase> per tolerance of the plan (named after the metric and tolerance).
JunitSuite comparison_junit(const Prediction& p, const Comparison& c);

}  // namespace spotsim::gameday

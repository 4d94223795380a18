#pragma once
// `spotsim predict SCENARIO --plan PLAN [--calibration CAL]`: what the simulator says a game-day
// drill will show (docs/gameday-loop.md).
//
// The scenario is loaded through the front door (load_checked_scenario) as written, then run as
// the drill: its fleet holds one VM per plan target, the plan's preempt and storm items become
// storm items on that fleet (a storm of ceil(fraction × targets) targets, as the agent picks;
// written as a fraction of the VMs not under an earlier notice then, which is what a simulated
// storm chooses from),
// pools lose their background hazard (interruption, rebalance: the drill's notices are the only
// ones), its chaos and expect blocks are dropped, and with a calibration a notice_loss item of
// probability never_detected is added. Per replication, the notices the simulator delivered are
// then handled as the calibration says (detection latency, drain time, never_drained), drawn
// from the stream Rng::stream(seed, replication, "gameday.notice_handling").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "sim/gameday/calibration.h"
#include "sim/gameday/metrics.h"
#include "sim/gameday/plan.h"

namespace spotsim::gameday {

struct PredictOptions {
  std::string fleet;             // "" = the scenario's only fleet
  std::optional<uint64_t> seed;  // default: the scenario's
  int64_t replications = 200;
  int threads = 0;
  Duration horizon = Duration::hours(1);                       // simulated after the drill ends, so replacements finish
  std::vector<std::pair<std::string, std::string>> overrides;  // --set
};

struct MetricPrediction {
  GamedayMetric metric;
  int64_t samples = 0;              // replications with a value (a mean over no notice has none)
  double mean = 0, lo = 0, hi = 0;  // lo/hi: the central 95% of replications (2.5th, 97.5th percentile)
};

struct Prediction {
  std::string scenario, plan, plan_name, calibration, fleet;
  int targets = 0;
  uint64_t seed = 0;
  int64_t replications = 0;
  std::vector<Tolerance> expect;
  std::vector<MetricPrediction> metrics;  // kGamedayMetrics order; absent when nothing predicts it
};

Result<Prediction> predict(const std::string& scenario_path, const GamedayPlan& plan,
                           const std::optional<Calibration>& calibration, const std::string& calibration_path,
                           const PredictOptions& options);

// The JSON document (2-space indent, keys in a fixed order; numbers with 6 significant digits).
std::string prediction_json(const Prediction& p);
// Reads it back (for compare). Errors: FILE: error: JSON PATH: what was expected.
Result<Prediction> parse_prediction(const std::string& text, const std::string& file);
Result<Prediction> load_prediction(const std::string& path);

// The central interval of a sample: nearest-rank 2.5th and 97.5th percentiles. REQUIRES: v sorted, non-empty.
std::pair<double, double> central_95(const std::vector<double>& v);

}  // namespace spotsim::gameday

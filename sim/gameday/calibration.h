#pragma once
// `spotsim calibrate --gameday`: a game day's audit → the notice handling a prediction draws from,
// written as YAML with its source and sample sizes in comments (docs/gameday-loop.md).
//
//   notice_handling:
//     notices: 3
//     detection_latency: {lognormal: {median: 0.412s, sigma: 0.21}}   # n=3: 0.310s 0.412s 0.530s
//     never_detected: 0%
//     drain_time: {lognormal: {median: 1.2s, sigma: 0.05}}
//     never_drained: 33.3%
//     ack_latency: null
//   scenario: {notice: 7.47s, notice_loss: 0%, drain: false}
//
// A distribution is null (no sample), a duration (one sample, or `--fit empirical` with one),
// {lognormal: {median, sigma}} (maximum likelihood on the logs: median = exp(mean ln x),
// sigma = sqrt(mean (ln x − ln median)²)) or {empirical: [samples...]} (drawn uniformly).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/rng.h"
#include "common/status.h"
#include "sim/gameday/audit.h"

namespace spotsim::gameday {

struct SecondsDist {
  enum class Kind { kNone, kFixed, kLognormal, kEmpirical };
  Kind kind = Kind::kNone;
  double value = 0;              // kFixed
  double median = 0, sigma = 0;  // kLognormal
  std::vector<double> samples;   // kEmpirical (sorted)
  double draw(Rng& rng) const;   // REQUIRES: kind != kNone
};

enum class Fit { kLognormal, kEmpirical };

struct Calibration {
  std::vector<std::string> sources;
  std::string run;
  int notices = 0, detected = 0, watched = 0, drained_any = 0;
  std::vector<double> detection_samples, drain_samples, ack_samples;  // sorted seconds
  std::optional<double> notice_s;  // the drilled notice length when every notice had the same
  SecondsDist detection, drain, ack;
  double never_detected = 0;  // of all notices
  double never_drained = 0;   // of detected notices with a watched workload (running at the notice)
};

// REQUIRES: audit has at least one notice (else an error saying so).
Result<Calibration> calibrate_gameday(const AuditData& audit, Fit fit);
// The YAML document (deterministic: same audit, same bytes).
std::string calibration_yaml(const Calibration& c);
// Reads a calibration written by calibration_yaml (or by hand). Errors: FILE:LINE:COL: error: PATH: ...
Result<Calibration> parse_calibration(const std::string& text, const std::string& file);
Result<Calibration> load_calibration(const std::string& path);

}  // namespace spotsim::gameday

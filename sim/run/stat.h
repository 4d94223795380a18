#pragma once
// The statistics over replications that `expect:` lines and `--pareto` name (METRIC.STAT).

#include <cstdint>

#include "sim/model/metrics.h"

namespace spotsim {

enum class ExpectStat : uint8_t { kMean, kP50, kP95, kP99, kMin, kMax, kStddev };

// "mean", "p50", "p95", "p99", "min", "max", "stddev".
const char* expect_stat_name(ExpectStat s);
// The statistic's value in `stats`.
double stat_value(const MetricStats& stats, ExpectStat s);

}  // namespace spotsim

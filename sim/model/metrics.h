#pragma once
// Per-replication metrics: a flat, named vector of doubles registered once up front, so the hot
// loop only adds to slots. Definitions of every metric: docs/metrics.md.
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/metric_key.h"

namespace spotsim {

enum class MetricUnit : uint8_t { kCount, kSeconds, kHours, kDollars, kPercent, kRatio };
const char* metric_unit_name(MetricUnit u);

struct MetricDef {
  MetricKey key;
  std::string name;  // key.to_string(), "fleet.web.interruptions": the text in JSON, HDF5 and expect:
  MetricUnit unit;
  std::string help;
};
MetricDef make_metric_def(MetricKey key, MetricUnit unit, std::string help);
// The index of `key` in `defs`, or -1.
int find_metric(const std::vector<MetricDef>& defs, const MetricKey& key);
// The index of the metric whose text (MetricDef::name) is `text`, or -1: for names a user wrote.
int find_metric(const std::vector<MetricDef>& defs, std::string_view text);
// The distinct owners of `group`'s metrics in `defs`, in registration order.
std::vector<std::string> metric_owners(const std::vector<MetricDef>& defs, MetricGroup group);

class MetricSet {
 public:
  uint32_t add(MetricKey key, MetricUnit unit, std::string help);
  const std::vector<MetricDef>& defs() const { return defs_; }
  std::vector<double>& values() { return values_; }
  const std::vector<double>& values() const { return values_; }
  double& operator[](uint32_t id) { return values_[id]; }
  double operator[](uint32_t id) const { return values_[id]; }
  int find(const MetricKey& key) const;
  // By the metric's text ("fleet.web.interruptions"), as a user or a test writes it.
  int find(std::string_view text) const { return find_metric(defs_, text); }

 private:
  std::vector<MetricDef> defs_;
  std::vector<double> values_;
};

// Fixed-memory log-bucketed histogram (about 1% relative error) for per-replication
// percentiles of many samples (e.g. time to reschedule over millions of evictions).
class LogHistogram {
 public:
  void add(double v);
  uint64_t count() const { return count_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
  double min() const { return min_; }
  double max() const { return max_; }
  // q in [0,1]; 0 if empty. Within [min(), max()].
  double quantile(double q) const;

 private:
  static constexpr double kMin = 1e-3;  // values below go to bucket 0 (reported as 0)
  static int bucket(double v);
  static double bucket_low(int b);
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
};

// Statistics of one metric over replications.
struct MetricStats {
  double mean = 0, stddev = 0, min = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
  uint64_t n = 0;
};
MetricStats compute_stats(std::vector<double> values);
// Nearest-rank-with-interpolation percentile of sorted values, q in [0,1].
double percentile_sorted(const std::vector<double>& sorted, double q);

}  // namespace spotsim

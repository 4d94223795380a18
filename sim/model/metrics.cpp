#include "sim/model/metrics.h"

#include <cstring>

#include <algorithm>
#include <numeric>

namespace spotsim {

const char* metric_unit_name(MetricUnit u) {
  switch (u) {
    case MetricUnit::kCount: return "count";
    case MetricUnit::kSeconds: return "s";
    case MetricUnit::kHours: return "h";
    case MetricUnit::kDollars: return "$";
    case MetricUnit::kPercent: return "%";
    case MetricUnit::kRatio: return "ratio";
  }
  return "";
}

MetricDef make_metric_def(MetricKey key, MetricUnit unit, std::string help) {
  std::string name = key.to_string();
  return MetricDef{std::move(key), std::move(name), unit, std::move(help)};
}

uint32_t MetricSet::add(MetricKey key, MetricUnit unit, std::string help) {
  defs_.push_back(make_metric_def(std::move(key), unit, std::move(help)));
  values_.push_back(0.0);
  return static_cast<uint32_t>(defs_.size() - 1);
}

int find_metric(const std::vector<MetricDef>& defs, const MetricKey& key) {
  for (size_t i = 0; i < defs.size(); ++i) {
    if (defs[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

int find_metric(const std::vector<MetricDef>& defs, std::string_view text) {
  for (size_t i = 0; i < defs.size(); ++i) {
    if (defs[i].name == text) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> metric_owners(const std::vector<MetricDef>& defs, MetricGroup group) {
  std::vector<std::string> out;
  for (const MetricDef& d : defs) {
    if (d.key.group != group) continue;
    if (std::find(out.begin(), out.end(), d.key.owner) == out.end()) out.push_back(d.key.owner);
  }
  return out;
}

int MetricSet::find(const MetricKey& key) const { return find_metric(defs_, key); }

int LogHistogram::bucket(double v) {
  // Bucket = binary exponent and the top 6 mantissa bits: 64 buckets per octave (≈1.1% wide),
  // computed without a logarithm. Values below kMin share bucket 0.
  if (!(v >= kMin)) return 0;
  // x = v/kMin >= 1 is a normal double: frexp's exponent is its biased exponent − 1022 and
  // (m − 0.5) · 128 its top 6 mantissa bits, read here from the bits (the same bucket; this runs
  // once per eviction). Infinity keeps frexp's answer.
  const double x = v / kMin;
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const int biased = static_cast<int>((bits >> 52) & 0x7FF);
  if (biased == 0x7FF) {
    int exp = 0;
    const double m = std::frexp(x, &exp);  // x = m·2^exp, m in [0.5, 1)
    return 1 + (exp - 1) * 64 + static_cast<int>((m - 0.5) * 128.0);
  }
  return 1 + (biased - 1023) * 64 + static_cast<int>((bits >> 46) & 63);
}

double LogHistogram::bucket_low(int b) {
  const int k = b - 1;
  return kMin * std::ldexp(0.5 + (k % 64) / 128.0, k / 64 + 1);
}

void LogHistogram::add(double v) {
  const int b = bucket(v);
  if (static_cast<size_t>(b) >= buckets_.size()) buckets_.resize(static_cast<size_t>(b) + 1, 0);
  ++buckets_[static_cast<size_t>(b)];
  ++count_;
  sum_ += v;
  min_ = count_ == 1 ? v : std::min(min_, v);
  max_ = std::max(max_, v);
}

double LogHistogram::quantile(double q) const {
  if (count_ == 0) return 0.0;
  const uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  uint64_t seen = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    seen += buckets_[b];
    if (seen >= std::max<uint64_t>(rank, 1)) {
      if (b == 0) return std::clamp(0.0, min_, max_);
      // Middle of the bucket, kept within the observed range (so a quantile is never below the
      // smallest or above the largest value seen: all values 90 ⇒ every quantile is 90).
      const double lo = bucket_low(static_cast<int>(b));
      const double hi = bucket_low(static_cast<int>(b) + 1);
      return std::clamp(0.5 * (lo + hi), min_, max_);
    }
  }
  return max_;
}

double percentile_sorted(const std::vector<double>& s, double q) {
  if (s.empty()) return 0.0;
  if (s.size() == 1) return s[0];
  const double pos = q * static_cast<double>(s.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  const double f = pos - static_cast<double>(i);
  if (i + 1 >= s.size()) return s.back();
  return s[i] + f * (s[i + 1] - s[i]);
}

MetricStats compute_stats(std::vector<double> v) {
  MetricStats st;
  st.n = v.size();
  if (v.empty()) return st;
  std::sort(v.begin(), v.end());
  const double n = static_cast<double>(v.size());
  st.mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double ss = 0;
  for (double x : v) ss += (x - st.mean) * (x - st.mean);
  st.stddev = v.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
  st.min = v.front();
  st.max = v.back();
  st.p50 = percentile_sorted(v, 0.50);
  st.p95 = percentile_sorted(v, 0.95);
  st.p99 = percentile_sorted(v, 0.99);
  return st;
}

}  // namespace spotsim

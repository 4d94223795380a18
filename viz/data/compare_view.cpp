#include "viz/data/compare_view.h"

#include <cmath>

namespace spotsim::viz {

std::vector<MetricDelta> compare_metrics(const RunModel& a, const RunModel& b) {
  std::vector<MetricDelta> out;
  auto fill = [](MetricDelta& d) {
    if (d.in_a && d.in_b) {
      d.delta = d.b - d.a;
      d.pct = d.a != 0 ? 100.0 * d.delta / std::fabs(d.a) : 0.0;
    }
  };
  for (const MetricSummary& ma : a.metrics) {
    MetricDelta d;
    d.name = ma.name;
    d.unit = ma.unit;
    d.in_a = true;
    d.a = ma.mean;
    if (const MetricSummary* mb = b.find_metric_named(ma.name)) {
      d.in_b = true;
      d.b = mb->mean;
    }
    fill(d);
    out.push_back(std::move(d));
  }
  for (const MetricSummary& mb : b.metrics) {
    if (a.find_metric_named(mb.name)) continue;
    MetricDelta d;
    d.name = mb.name;
    d.unit = mb.unit;
    d.in_b = true;
    d.b = mb.mean;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace spotsim::viz

#include "viz/data/sweep_view.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace spotsim::viz {
namespace {

// Leading number of "0.5/h", "90s", "12": for ordering labels; NaN if none.
double leading_number(const std::string& s) {
  const char* b = s.c_str();
  char* e = nullptr;
  const double v = std::strtod(b, &e);
  return e == b ? std::numeric_limits<double>::quiet_NaN() : v;
}

std::vector<std::string> distinct_sorted(const SweepTable& sw, size_t param) {
  std::vector<std::string> out;
  for (const auto& row : sw.values) {
    if (param < row.size() && std::find(out.begin(), out.end(), row[param]) == out.end()) out.push_back(row[param]);
  }
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    const double x = leading_number(a), y = leading_number(b);
    if (std::isnan(x) || std::isnan(y)) return false;
    return x < y;
  });
  return out;
}

}  // namespace

Heatmap build_heatmap(const SweepTable& sw, size_t px, size_t py, size_t metric) {
  Heatmap h;
  h.x_labels = distinct_sorted(sw, px);
  h.y_labels = px == py ? std::vector<std::string>{""} : distinct_sorted(sw, py);
  const size_t nx = h.nx(), ny = h.ny();
  std::vector<double> sum(nx * ny, 0.0), n(nx * ny, 0.0);
  for (size_t i = 0; i < sw.values.size(); ++i) {
    const auto& row = sw.values[i];
    if (metric >= sw.means[i].size() || std::isnan(sw.means[i][metric])) continue;
    const size_t x = static_cast<size_t>(std::find(h.x_labels.begin(), h.x_labels.end(), row[px]) - h.x_labels.begin());
    const size_t y =
        px == py ? 0
                 : static_cast<size_t>(std::find(h.y_labels.begin(), h.y_labels.end(), row[py]) - h.y_labels.begin());
    if (x >= nx || y >= ny) continue;
    sum[y * nx + x] += sw.means[i][metric];
    n[y * nx + x] += 1;
  }
  h.values.assign(nx * ny, std::numeric_limits<double>::quiet_NaN());
  bool first = true;
  for (size_t c = 0; c < nx * ny; ++c) {
    if (n[c] == 0) continue;
    h.values[c] = sum[c] / n[c];
    if (first || h.values[c] < h.vmin) h.vmin = h.values[c];
    if (first || h.values[c] > h.vmax) h.vmax = h.values[c];
    first = false;
  }
  return h;
}

std::vector<size_t> pareto_front(const std::vector<double>& a, const std::vector<double>& b, bool max_a, bool max_b) {
  if (!max_a && !max_b) return pareto_front(a, b);
  std::vector<double> na = a, nb = b;
  if (max_a)
    for (double& v : na) v = -v;
  if (max_b)
    for (double& v : nb) v = -v;
  return pareto_front(na, nb);
}

bool metric_varies(const SweepTable& sw, size_t k) {
  bool seen = false;
  double first = 0;
  for (const auto& row : sw.means) {
    if (k >= row.size() || std::isnan(row[k])) continue;
    if (!seen) {
      seen = true;
      first = row[k];
    } else if (row[k] != first) {
      return true;
    }
  }
  return false;
}

SweepDefaults default_sweep_metrics(const SweepTable& sw) {
  SweepDefaults d;
  auto index_of = [&](const std::string& name) {
    auto it = std::find(sw.metrics.begin(), sw.metrics.end(), name);
    return it == sw.metrics.end() ? -1 : static_cast<int>(it - sw.metrics.begin());
  };
  const int a = sw.pareto_a.empty() ? -1 : index_of(sw.pareto_a);
  const int b = sw.pareto_b.empty() ? -1 : index_of(sw.pareto_b);
  if (a >= 0 && b >= 0) {
    d.heat_metric = d.metric_a = a;
    d.metric_b = b;
    d.maximize_a = sw.maximize_a;
    d.maximize_b = sw.maximize_b;
    d.from_pareto = true;
    return d;
  }
  std::vector<int> varying;
  for (size_t k = 0; k < sw.metrics.size() && varying.size() < 2; ++k) {
    if (metric_varies(sw, k)) varying.push_back(static_cast<int>(k));
  }
  if (!varying.empty()) d.heat_metric = d.metric_a = varying[0];
  d.metric_b = varying.size() > 1 ? varying[1] : d.metric_a;
  return d;
}

std::vector<size_t> pareto_front(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<size_t> idx;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (!std::isnan(a[i]) && !std::isnan(b[i])) idx.push_back(i);
  }
  std::sort(idx.begin(), idx.end(), [&](size_t x, size_t y) { return a[x] != a[y] ? a[x] < a[y] : b[x] < b[y]; });
  std::vector<size_t> front;
  double best_b = std::numeric_limits<double>::infinity();
  for (size_t i : idx) {
    if (b[i] < best_b) {
      front.push_back(i);
      best_b = b[i];
    }
  }
  return front;
}

}  // namespace spotsim::viz

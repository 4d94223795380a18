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
    const size_t y = px == py ? 0
                              : static_cast<size_t>(std::find(h.y_labels.begin(), h.y_labels.end(), row[py]) -
                                                    h.y_labels.begin());
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

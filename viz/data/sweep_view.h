#pragma once
// A sweep as a heatmap over two grid parameters, and the Pareto front of two metrics.
#include <cstddef>
#include <string>
#include <vector>

#include "viz/data/run_model.h"

namespace spotsim::viz {

struct Heatmap {
  std::vector<std::string> x_labels;  // distinct values of the x parameter, numeric order when numeric
  std::vector<std::string> y_labels;
  std::vector<double> values;  // [y * nx + x]; NaN where no point; mean over points sharing a cell
  double vmin = 0, vmax = 0;
  size_t nx() const { return x_labels.size(); }
  size_t ny() const { return y_labels.size(); }
};

// REQUIRES: indices within the sweep's params/metrics.
Heatmap build_heatmap(const SweepTable& sweep, size_t param_x, size_t param_y, size_t metric);

// Points not dominated when minimising both a and b (NaNs ignored), sorted by a ascending.
std::vector<size_t> pareto_front(const std::vector<double>& a, const std::vector<double>& b);
// The same with a goal per metric: maximise_a/b make larger values better.
std::vector<size_t> pareto_front(const std::vector<double>& a, const std::vector<double>& b, bool maximize_a,
                                 bool maximize_b);

// What the sweeps panel shows first: the pair stored by `spotsim sweep --pareto A,B` when both
// are metrics of the table (the heatmap shows A), else the first metrics whose mean differs
// between points (a metric equal everywhere, such as one that is zero throughout, says nothing).
struct SweepDefaults {
  int heat_metric = 0;  // index into SweepTable::metrics
  int metric_a = 0, metric_b = 0;
  bool maximize_a = false, maximize_b = false;
  bool from_pareto = false;  // true: the stored --pareto pair
};
SweepDefaults default_sweep_metrics(const SweepTable& sweep);
// Whether metric `k`'s mean takes more than one value over the sweep's points (NaNs ignored).
bool metric_varies(const SweepTable& sweep, size_t k);

}  // namespace spotsim::viz

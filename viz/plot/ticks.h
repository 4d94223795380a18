#pragma once
// Axis ticks and labels, independent of any window (unit-tested).
#include <string>
#include <vector>

namespace spotsim::viz {

enum class AxisFormat { kNumber, kTime, kDollars, kPercent };

struct Ticks {
  std::vector<double> values;
  double step = 0;
};

// About `target` ticks at multiples of 1, 2 or 5 × 10^k covering [lo, hi]. Empty if lo >= hi.
Ticks nice_ticks(double lo, double hi, int target);
// Ticks for a time axis in seconds: steps of 1/2/5/10/15/30 s or min, 1/2/3/6/12 h, 1/2/7 d, ...
Ticks time_ticks(double lo, double hi, int target);
// Label of one tick value given the step (decides precision): "1.5", "2d 06:00", "$120", "35%".
std::string format_tick(double v, double step, AxisFormat fmt);
// Exact value for tooltips: "2d+03:15:07", "$1,234.56", "12.5%", "3.25".
std::string format_value(double v, AxisFormat fmt);

}  // namespace spotsim::viz

#include "viz/plot/ticks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace spotsim::viz {

Ticks nice_ticks(double lo, double hi, int target) {
  Ticks t;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi) || target < 1) return t;
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  const double nice = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
  t.step = nice * mag;
  const double first = std::ceil(lo / t.step - 1e-9) * t.step;
  for (double v = first; v <= hi + t.step * 1e-9 && t.values.size() < 1000; v += t.step) {
    t.values.push_back(std::fabs(v) < t.step * 1e-9 ? 0.0 : v);
  }
  return t;
}

Ticks time_ticks(double lo, double hi, int target) {
  static const double kSteps[] = {1,    2,    5,    10,    15,    30,    60,    120,    300,    600,     900,
                                  1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000};
  Ticks t;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi) || target < 1) return t;
  const double raw = (hi - lo) / target;
  if (raw < 1) return nice_ticks(lo, hi, target);
  t.step = kSteps[sizeof(kSteps) / sizeof(kSteps[0]) - 1];
  for (double s : kSteps) {
    if (s >= raw) {
      t.step = s;
      break;
    }
  }
  if (raw > t.step) return nice_ticks(lo, hi, target);
  const double first = std::ceil(lo / t.step - 1e-9) * t.step;
  for (double v = first; v <= hi + 1e-9 && t.values.size() < 1000; v += t.step) t.values.push_back(v);
  return t;
}

namespace {

std::string number(double v, double step) {
  char buf[64];
  int dec = 0;
  if (step > 0 && step < 1) dec = std::min(9, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  const double a = std::fabs(v);
  if (step >= 1 && a >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.*fM", a >= 1e7 ? 0 : 1, v / 1e6);
  } else if (step >= 1 && a >= 1e4) {
    std::snprintf(buf, sizeof buf, "%.*fk", a >= 1e5 ? 0 : 1, v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.*f", dec, v);
  }
  return buf;
}

// |v| seconds as whole days, hours and minutes and the seconds left over.
struct DaysHms {
  long long d;
  int h;
  int m;
  double s;
};
DaysHms split_time(double v) {
  double s = std::fabs(v);
  const long long d = static_cast<long long>(s / 86400);
  s -= static_cast<double>(d) * 86400;
  const int h = static_cast<int>(s / 3600);
  s -= h * 3600.0;
  const int m = static_cast<int>(s / 60);
  s -= m * 60.0;
  return {d, h, m, s};
}

std::string time_label(double v, double step) {
  char buf[64];
  const bool neg = v < 0;
  const auto [d, h, m, s] = split_time(v);
  const char* sign = neg ? "-" : "";
  if (step >= 86400) {
    std::snprintf(buf, sizeof buf, "%s%lldd", sign, d);
  } else if (step >= 60) {
    if (d > 0) {
      std::snprintf(buf, sizeof buf, "%s%lldd %02d:%02d", sign, d, h, m);
    } else {
      std::snprintf(buf, sizeof buf, "%s%02d:%02d", sign, h, m);
    }
  } else if (step >= 1) {
    if (d > 0) {
      std::snprintf(buf, sizeof buf, "%s%lldd %02d:%02d:%02d", sign, d, h, m, static_cast<int>(s + 1e-6));
    } else {
      std::snprintf(buf, sizeof buf, "%s%02d:%02d:%02d", sign, h, m, static_cast<int>(s + 1e-6));
    }
  } else {
    return number(v, step) + "s";
  }
  return buf;
}

}  // namespace

std::string format_tick(double v, double step, AxisFormat fmt) {
  switch (fmt) {
    case AxisFormat::kTime: return time_label(v, step);
    case AxisFormat::kDollars: return (v < 0 ? "-$" : "$") + number(std::fabs(v), step);
    case AxisFormat::kPercent: return number(v, step) + "%";
    case AxisFormat::kNumber: break;
  }
  return number(v, step);
}

std::string format_value(double v, AxisFormat fmt) {
  char buf[64];
  switch (fmt) {
    case AxisFormat::kTime: {
      const bool neg = v < 0;
      const auto [d, h, m, s] = split_time(v);
      std::snprintf(buf, sizeof buf, "%s%lldd+%02d:%02d:%02d", neg ? "-" : "", d, h, m, static_cast<int>(s));
      return buf;
    }
    case AxisFormat::kDollars: std::snprintf(buf, sizeof buf, "%s$%.2f", v < 0 ? "-" : "", std::fabs(v)); return buf;
    case AxisFormat::kPercent: std::snprintf(buf, sizeof buf, "%.2f%%", v); return buf;
    case AxisFormat::kNumber: break;
  }
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

}  // namespace spotsim::viz

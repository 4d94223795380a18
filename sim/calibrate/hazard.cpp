#include "sim/calibrate/hazard.h"

#include <boost/math/special_functions/gamma.hpp>

namespace spotsim::calibrate {

RateEstimate estimate_rate(int64_t events, double exposure_h, double confidence) {
  RateEstimate r;
  r.events = events;
  r.exposure_h = exposure_h;
  const double k = static_cast<double>(events);
  const double a = (1 - confidence) / 2;
  r.rate = k / exposure_h;
  // χ²(q; 2k)/2 is the q-quantile of a Gamma(k, 1).
  r.lo = events == 0 ? 0.0 : boost::math::gamma_p_inv(k, a) / exposure_h;
  r.hi = boost::math::gamma_p_inv(k + 1, 1 - a) / exposure_h;
  return r;
}

double chi2_survival(double x, int df) {
  if (df <= 0) return 1;
  if (x <= 0) return 1;
  return boost::math::gamma_q(df / 2.0, x / 2.0);
}

FitTest poisson_fit(const std::vector<double>& observed, const std::vector<double>& expected, double min_expected) {
  FitTest t;
  std::vector<std::pair<double, double>> bins;  // (observed, expected)
  double o = 0, e = 0;
  for (size_t i = 0; i < observed.size() && i < expected.size(); ++i) {
    o += observed[i];
    e += expected[i];
    if (e >= min_expected) {
      bins.emplace_back(o, e);
      o = e = 0;
    }
  }
  if (e > 0 || o > 0) {  // the remainder joins the last bin
    if (bins.empty()) bins.emplace_back(o, e);
    else {
      bins.back().first += o;
      bins.back().second += e;
    }
  }
  t.bins = static_cast<int>(bins.size());
  if (bins.size() < 2) {
    t.why_not = "too few interruptions: each bin must expect about " + std::to_string(static_cast<int>(min_expected));
    return t;
  }
  for (const auto& [ob, ex] : bins) {
    if (ex > 0) t.chi2 += (ob - ex) * (ob - ex) / ex;
  }
  t.df = static_cast<int>(bins.size()) - 1;
  t.p = chi2_survival(t.chi2, t.df);
  t.tested = true;
  return t;
}

}  // namespace spotsim::calibrate

#pragma once
// Statistics of a constant hazard (docs/calibration.md, "How the hazard is estimated").
//
// With k interruptions over T VM-hours of exposure, the log-likelihood of a constant hazard λ is
// k ln λ − λT, maximised at λ̂ = k / T. The 95% interval is the exact (Garwood) Poisson interval:
//   [χ²(0.025; 2k) / 2T, χ²(0.975; 2k + 2) / 2T]   (lower edge 0 when k = 0),
// which covers the true λ in at least 95% of samples whatever k is.
//
// Whether a constant hazard fits is a Pearson χ² test of observed against expected counts
// (λ̂ × exposure) over bins: the 24 hours of the day (UTC), and consecutive calendar windows (a
// burst — many interruptions at once — shows as over-dispersion there). Neighbouring bins are
// merged until each expects at least 5 events; with fewer than 2 bins left there is no test.
#include <cstdint>
#include <string>
#include <vector>

namespace spotsim::calibrate {

struct RateEstimate {
  int64_t events = 0;
  double exposure_h = 0;
  double rate = 0;  // per VM-hour
  double lo = 0, hi = 0;
};
// REQUIRES: exposure_h > 0, 0 < confidence < 1.
RateEstimate estimate_rate(int64_t events, double exposure_h, double confidence = 0.95);

struct FitTest {
  bool tested = false;
  std::string why_not;  // when !tested
  double chi2 = 0;
  int df = 0;
  double p = 1;  // upper tail: small p = the counts vary more than a constant hazard allows
  int bins = 0;  // after merging
};
// Pearson χ² of `observed` against `expected` (same length; expected ≥ 0), bins merged in order
// until each expects ≥ `min_expected`. df = bins − 1 (the rate was fitted to the same counts).
FitTest poisson_fit(const std::vector<double>& observed, const std::vector<double>& expected, double min_expected = 5);

// P(χ²_df > x).
double chi2_survival(double x, int df);

}  // namespace spotsim::calibrate

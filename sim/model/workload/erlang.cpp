#include "sim/model/workload/erlang.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace spotsim {

double erlang_c(int64_t c, double a) {
  if (c <= 0 || a >= static_cast<double>(c)) return 1.0;
  if (a <= 0) return 0.0;
  double b = 1.0;
  for (int64_t k = 1; k <= c; ++k) b = a * b / (static_cast<double>(k) + a * b);
  const double cd = static_cast<double>(c);
  return cd * b / (cd - a * (1.0 - b));
}

double mmc_mean_wait(int64_t c, double lambda, double mu) {
  const double cap = static_cast<double>(c) * mu;
  if (c <= 0 || lambda >= cap) return std::numeric_limits<double>::infinity();
  return erlang_c(c, lambda / mu) / (cap - lambda);
}

double mmc_mean_response(int64_t c, double lambda, double mu) { return mmc_mean_wait(c, lambda, mu) + 1.0 / mu; }

double mmc_response_cdf(int64_t c, double lambda, double mu, double t) {
  const double cap = static_cast<double>(c) * mu;
  if (c <= 0 || lambda >= cap) return 0.0;
  if (t <= 0) return 0.0;
  const double pw = erlang_c(c, lambda / mu);
  const double theta = cap - lambda;  // the wait, given that there is one, is exponential(θ)
  // P(Exp(θ) + Exp(μ) > t) (hypoexponential), or Erlang-2 when θ = μ.
  double tail_sum;
  if (std::fabs(theta - mu) < 1e-9 * mu) {
    tail_sum = std::exp(-mu * t) * (1.0 + mu * t);
  } else {
    tail_sum = (theta * std::exp(-mu * t) - mu * std::exp(-theta * t)) / (theta - mu);
  }
  const double tail = (1.0 - pw) * std::exp(-mu * t) + pw * tail_sum;
  return std::min(1.0, std::max(0.0, 1.0 - tail));
}

}  // namespace spotsim

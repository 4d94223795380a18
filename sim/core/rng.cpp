#include "sim/core/rng.h"

#include <algorithm>
#include <numeric>

namespace spotsim {

Empirical::Empirical(std::vector<double> samples) : sorted_(std::move(samples)) {
  std::sort(sorted_.begin(), sorted_.end());
}

double Empirical::sample(Rng& rng) const {
  if (sorted_.empty()) return 0.0;
  if (sorted_.size() == 1) return sorted_[0];
  const double pos = rng.uniform01() * static_cast<double>(sorted_.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  const double f = pos - static_cast<double>(i);
  return sorted_[i] + f * (sorted_[std::min(i + 1, sorted_.size() - 1)] - sorted_[i]);
}

double Empirical::mean() const {
  if (sorted_.empty()) return 0.0;
  return std::accumulate(sorted_.begin(), sorted_.end(), 0.0) / static_cast<double>(sorted_.size());
}

}  // namespace spotsim

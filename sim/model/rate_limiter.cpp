#include "sim/model/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "sim/core/rng.h"

namespace spotsim {

TokenBucket::TokenBucket(double rate_per_second, int64_t burst)
    : rate_per_us_(rate_per_second * 1e-6), burst_(std::max<int64_t>(1, burst)), tokens_(static_cast<double>(burst_)) {}

double TokenBucket::tokens(int64_t now_us) const {
  const double dt = static_cast<double>(std::max<int64_t>(0, now_us - last_us_));
  return std::min(static_cast<double>(burst_), tokens_ + rate_per_us_ * dt);
}

bool TokenBucket::try_take(int64_t now_us) {
  tokens_ = tokens(now_us);
  last_us_ = std::max(last_us_, now_us);
  // The small tolerance absorbs rounding of the refill (a token due at exactly now counts).
  if (tokens_ >= 1.0 - 1e-9) {
    tokens_ = std::max(0.0, tokens_ - 1.0);
    return true;
  }
  return false;
}

Duration backoff_delay(Duration initial, Duration max, double jitter, uint32_t attempt, uint64_t key) {
  const double base =
      std::min(static_cast<double>(max.us),
               static_cast<double>(initial.us) * std::ldexp(1.0, static_cast<int>(std::min<uint32_t>(attempt, 62))));
  uint64_t s = key;
  const double u = static_cast<double>(splitmix64(s) >> 11) * 0x1.0p-53;
  return Duration{static_cast<int64_t>(base * (1.0 - std::clamp(jitter, 0.0, 1.0) * u))};
}

}  // namespace spotsim

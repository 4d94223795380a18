#pragma once
// The launch API's rate limit as a token bucket (how AWS EC2 throttles API calls: each call
// takes a token; the bucket refills at a fixed rate up to its size; a call finding it empty is
// refused with RequestLimitExceeded — docs/capacity.md cites the documentation), and the retry
// backoff a client applies after a throttled call.
#include <cstdint>

#include "sim/core/time.h"

namespace spotsim {

class TokenBucket {
 public:
  TokenBucket() = default;
  // `rate_per_second` > 0 tokens refilled per second, at most `burst` >= 1 held; starts full.
  TokenBucket(double rate_per_second, int64_t burst);

  // Takes one token at `now_us` (non-decreasing across calls). False = throttled (none left).
  bool try_take(int64_t now_us);
  // Tokens held at `now_us` (after refill), for views and tests.
  double tokens(int64_t now_us) const;
  double rate_per_second() const { return rate_per_us_ * 1e6; }
  int64_t burst() const { return burst_; }

 private:
  double rate_per_us_ = 0;
  int64_t burst_ = 1;
  double tokens_ = 0;
  int64_t last_us_ = 0;
};

// Exponential backoff with jitter after the `attempt`-th consecutive refusal (0-based):
//   min(max, initial × 2^attempt) × (1 − jitter × u)
// where u in [0, 1) is a deterministic hash of `key` (the caller mixes seed, replication, fleet
// and time into it), so a run is reproducible and retries of many clients still spread out.
Duration backoff_delay(Duration initial, Duration max, double jitter, uint32_t attempt, uint64_t key);

}  // namespace spotsim

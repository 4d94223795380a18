#pragma once
// Generates arrival times from an ArrivalSpec one at a time (fixed interval, Poisson, schedule,
// trace, or `count` at once), so a stream of a million jobs never holds a million events.
#include <cstdint>

#include "sim/core/rng.h"
#include "sim/scenario/workload_spec.h"

namespace spotsim {

class ArrivalStream {
 public:
  // `rng` draws Poisson gaps; it must outlive the stream.
  ArrivalStream(const ArrivalSpec& spec, Rng& rng) : spec_(spec), rng_(rng) {}
  // The next arrival time in µs, or -1 when the stream is exhausted. `index()` afterwards is the
  // 0-based index of the arrival returned (trace row for kTrace).
  int64_t next();
  uint64_t index() const { return emitted_ - 1; }

 private:
  const ArrivalSpec& spec_;
  Rng& rng_;
  uint64_t emitted_ = 0;
  double poisson_t_us_ = -1;
};

}  // namespace spotsim

#include "sim/model/workload/arrivals.h"

namespace spotsim {

int64_t ArrivalStream::next() {
  if (spec_.count >= 0 && emitted_ >= static_cast<uint64_t>(spec_.count)) return -1;
  int64_t t = -1;
  switch (spec_.kind) {
    case ArrivalKind::kOnce: t = spec_.start.us; break;
    case ArrivalKind::kInterval: t = spec_.start.us + spec_.interval.us * static_cast<int64_t>(emitted_); break;
    case ArrivalKind::kPoisson:
      if (poisson_t_us_ < 0) poisson_t_us_ = static_cast<double>(spec_.start.us);
      poisson_t_us_ += rng_.exponential(spec_.rate_per_hour) * 3.6e9;
      t = poisson_t_us_ < 4e18 ? static_cast<int64_t>(poisson_t_us_) : -1;
      break;
    case ArrivalKind::kSchedule:
      if (emitted_ >= spec_.at_us.size()) return -1;
      t = spec_.at_us[emitted_];
      break;
    case ArrivalKind::kTrace:
      if (emitted_ >= spec_.trace.size()) return -1;
      t = spec_.trace[emitted_].at_us;
      break;
  }
  if (t < 0) return -1;
  ++emitted_;
  return t;
}

}  // namespace spotsim

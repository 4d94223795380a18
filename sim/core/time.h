#pragma once
// Simulated time. SimTime and Duration (common/units.h) are strong types over int64
// microseconds: no double seconds in the event queue and no wall clock anywhere in sim/.
#include <cstdint>
#include <limits>
#include <string>

#include "common/units.h"  // Duration, format_duration

namespace spotsim {

struct SimTime {
  int64_t us = 0;

  static constexpr SimTime zero() { return SimTime{0}; }
  static constexpr SimTime never() { return SimTime{std::numeric_limits<int64_t>::max() / 2}; }

  constexpr double to_seconds() const { return static_cast<double>(us) * 1e-6; }
  constexpr double to_hours() const { return static_cast<double>(us) / 3.6e9; }

  constexpr SimTime operator+(Duration d) const { return SimTime{us + d.us}; }
  constexpr SimTime operator-(Duration d) const { return SimTime{us - d.us}; }
  constexpr Duration operator-(SimTime o) const { return Duration{us - o.us}; }
  constexpr SimTime& operator+=(Duration d) {
    us += d.us;
    return *this;
  }
  constexpr auto operator<=>(const SimTime&) const = default;
};

// Simulated time as "d+hh:mm:ss" (e.g. "2d+03:15:00"), for event logs.
std::string format_time(SimTime t);

}  // namespace spotsim

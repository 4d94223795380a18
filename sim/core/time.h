#pragma once
// Simulated time. SimTime and Duration are strong types over int64 microseconds: no double
// seconds in the event queue and no wall clock anywhere in sim/.
#include <cstdint>
#include <limits>
#include <string>

namespace spotsim {

struct Duration {
  int64_t us = 0;

  static constexpr Duration micros(int64_t v) { return Duration{v}; }
  static constexpr Duration seconds(double s) { return Duration{static_cast<int64_t>(s * 1e6 + (s >= 0 ? 0.5 : -0.5))}; }
  static constexpr Duration minutes(double m) { return seconds(m * 60.0); }
  static constexpr Duration hours(double h) { return seconds(h * 3600.0); }
  static constexpr Duration days(double d) { return seconds(d * 86400.0); }
  static constexpr Duration max() { return Duration{std::numeric_limits<int64_t>::max() / 4}; }

  constexpr double to_seconds() const { return static_cast<double>(us) * 1e-6; }
  constexpr double to_hours() const { return static_cast<double>(us) / 3.6e9; }

  constexpr Duration operator+(Duration o) const { return Duration{us + o.us}; }
  constexpr Duration operator-(Duration o) const { return Duration{us - o.us}; }
  constexpr Duration operator*(int64_t k) const { return Duration{us * k}; }
  constexpr Duration& operator+=(Duration o) { us += o.us; return *this; }
  constexpr auto operator<=>(const Duration&) const = default;
};

struct SimTime {
  int64_t us = 0;

  static constexpr SimTime zero() { return SimTime{0}; }
  static constexpr SimTime never() { return SimTime{std::numeric_limits<int64_t>::max() / 2}; }

  constexpr double to_seconds() const { return static_cast<double>(us) * 1e-6; }
  constexpr double to_hours() const { return static_cast<double>(us) / 3.6e9; }

  constexpr SimTime operator+(Duration d) const { return SimTime{us + d.us}; }
  constexpr SimTime operator-(Duration d) const { return SimTime{us - d.us}; }
  constexpr Duration operator-(SimTime o) const { return Duration{us - o.us}; }
  constexpr SimTime& operator+=(Duration d) { us += d.us; return *this; }
  constexpr auto operator<=>(const SimTime&) const = default;
};

// "90s", "15m", "2h30m", "1.5d": the shortest exact rendering, for reports and errors.
std::string format_duration(Duration d);
// Simulated time as "d+hh:mm:ss" (e.g. "2d+03:15:00"), for event logs.
std::string format_time(SimTime t);

}  // namespace spotsim

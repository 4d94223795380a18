#pragma once
// Durations and units, one grammar for the simulator's scenario files and chaos-agent's plans.
// Each parser returns an error message (for a person) on failure; the caller adds
// file:line:col and the YAML path (common/yaml_reader.h does).
//
//   duration  "90s" "15m" "2h" "7d" "1w" "250ms" "2h30m" "0"      -> Duration
//   rate      "0.05/h" "3/d" "1/m" "0.5/s" "2/30m"                  -> events per hour
//   money     "0.192" "$0.192" "0.192/h" "$0.192/h" or a number     -> dollars per hour
//   percent   "80%" or a plain fraction 0..1 ("0.8")                 -> fraction 0..1
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "common/status.h"

namespace spotsim {

// A length of time: a strong type over int64 microseconds (no double seconds in the simulator's
// event queue). sim/core/time.h adds SimTime, an instant.
struct Duration {
  int64_t us = 0;

  static constexpr Duration micros(int64_t v) { return Duration{v}; }
  static constexpr Duration seconds(double s) {
    return Duration{static_cast<int64_t>(s * 1e6 + (s >= 0 ? 0.5 : -0.5))};
  }
  static constexpr Duration minutes(double m) { return seconds(m * 60.0); }
  static constexpr Duration hours(double h) { return seconds(h * 3600.0); }
  static constexpr Duration days(double d) { return seconds(d * 86400.0); }
  static constexpr Duration max() { return Duration{std::numeric_limits<int64_t>::max() / 4}; }

  constexpr double to_seconds() const { return static_cast<double>(us) * 1e-6; }
  constexpr double to_hours() const { return static_cast<double>(us) / 3.6e9; }

  constexpr Duration operator+(Duration o) const { return Duration{us + o.us}; }
  constexpr Duration operator-(Duration o) const { return Duration{us - o.us}; }
  constexpr Duration operator*(int64_t k) const { return Duration{us * k}; }
  constexpr Duration& operator+=(Duration o) {
    us += o.us;
    return *this;
  }
  constexpr auto operator<=>(const Duration&) const = default;
};

// "90s", "15m", "2h30m", "1.5d": the shortest exact rendering, for reports and errors.
std::string format_duration(Duration d);

// A bare number is refused (is "90" seconds or minutes?) except "0": the message says
// `duration "90" has no unit; write e.g. "90s" (units: us, ms, s, m, h, d, w)`.

Result<Duration> parse_duration(std::string_view text);
Result<double> parse_rate_per_hour(std::string_view text);
Result<double> parse_money_per_hour(std::string_view text);
Result<double> parse_fraction(std::string_view text);
// A plain finite number (no units). Accepts YAML-style numbers: 12, -3.5, 1e6.
Result<double> parse_number(std::string_view text);

}  // namespace spotsim

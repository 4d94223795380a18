#pragma once
// Strict unit parsing for scenario values. Each returns an error message (for a person) on
// failure; the caller adds file:line:col and the YAML path.
//
//   duration  "90s" "15m" "2h" "7d" "1w" "250ms" "2h30m" "0"      -> Duration
//   rate      "0.05/h" "3/d" "1/m" "0.5/s" "2/30m"                  -> events per hour
//   money     "0.192" "$0.192" "0.192/h" "$0.192/h" or a number     -> dollars per hour
//   percent   "80%" or a plain fraction 0..1 ("0.8")                 -> fraction 0..1
#include <string>
#include <string_view>

#include "sim/core/status.h"
#include "sim/core/time.h"

namespace spotsim {

Result<Duration> parse_duration(std::string_view text);
Result<double> parse_rate_per_hour(std::string_view text);
Result<double> parse_money_per_hour(std::string_view text);
Result<double> parse_fraction(std::string_view text);
// A plain finite number (no units). Accepts YAML-style numbers: 12, -3.5, 1e6.
Result<double> parse_number(std::string_view text);

}  // namespace spotsim

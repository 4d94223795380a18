// Time formats used on the wire and durations used on the command line and in plans.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "chaos-agent/core/clock.h"
#include "common/units.h"

namespace agent {

// "2026-11-23T18:00:00Z" (AWS instance-action, no fractional seconds).
std::string format_iso8601(WallTime t);
// "2026-11-23T18:00:00.123456Z" (audit log).
std::string format_iso8601_micros(WallTime t);
// "Mon, 23 Nov 2026 18:00:30 GMT" (Azure NotBefore, HTTP dates).
std::string format_rfc1123(WallTime t);
// "23 Nov 2026 18:00:30 GMT" (AWS events/maintenance/scheduled NotBefore).
std::string format_aws_event_time(WallTime t);
// Parses "2026-11-23T18:00:00Z" or with fractional seconds. nullopt when malformed.
std::optional<WallTime> parse_iso8601(std::string_view s);

// Parses a duration in common's grammar (common/units.h), the one scenario files use: "120s",
// "5m", "2h", "1h30m", "500ms", "1.5s", "7d", "1w", "0". A bare number other than 0 is refused
// ("90" could be seconds or minutes). nullopt on anything else (bad_duration_message says why).
std::optional<Millis> parse_duration(std::string_view s);
// Why `s` is not a duration, in common's words: `duration "90" has no unit; write e.g. "90s"
// (units: us, ms, s, m, h, d, w)` or `expected a duration like 90s, 15m, 2h or 7d, found "soon"`.
std::string bad_duration_message(std::string_view s);
// common's Duration (microseconds) as Millis, rounded to the nearest millisecond.
Millis to_millis(spotsim::Duration d);
// Formats a duration compactly: "2m", "90s", "1h30m", "250ms".
std::string format_duration(Millis d);
double to_seconds(Millis d);

}  // namespace agent

#include <catch2/catch.hpp>

#include "sim/core/time.h"

using namespace spotsim;

TEST_CASE("durations convert exactly and format compactly", "[time]") {
  CHECK(Duration::seconds(90).us == 90'000'000);
  CHECK(Duration::days(7).us == 7LL * 86400 * 1'000'000);
  CHECK(format_duration(Duration::seconds(90)) == "1m30s");
  CHECK(format_duration(Duration::days(7)) == "7d");
  CHECK(format_duration(Duration::hours(2) + Duration::minutes(30)) == "2h30m");
  CHECK(format_duration(Duration{0}) == "0s");
  CHECK(format_duration(Duration::seconds(0.25)) == "250ms");
  CHECK(format_time(SimTime{0} + Duration::days(2) + Duration::hours(3) + Duration::seconds(5)) ==
        "2d+03:00:05.000000");
}

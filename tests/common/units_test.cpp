#include <catch2/catch.hpp>

#include "common/units.h"

using namespace spotsim;

TEST_CASE("durations parse strictly", "[units]") {
  CHECK(parse_duration("90s")->us == 90'000'000);
  CHECK(parse_duration("15m")->us == 900'000'000);
  CHECK(parse_duration("2h")->us == 7'200'000'000);
  CHECK(parse_duration("7d")->us == 7LL * 86'400'000'000);
  CHECK(parse_duration("1w")->us == 7LL * 86'400'000'000);
  CHECK(parse_duration("250ms")->us == 250'000);
  CHECK(parse_duration("2h30m")->us == 9'000'000'000);
  CHECK(parse_duration("1.5d")->us == 129'600'000'000);
  CHECK(parse_duration("0")->us == 0);
  CHECK(parse_duration("90").status().message() ==
        "duration \"90\" has no unit; write e.g. \"90s\" (units: us, ms, s, m, h, d, w)");
  CHECK(parse_duration("5y").status().message() ==
        "in duration \"5y\": unknown time unit \"y\" (use us, ms, s, m, h, d or w)");
  CHECK(parse_duration("-5s").status().message() == "duration \"-5s\" is negative");
  CHECK(parse_duration("soon").status().message() == "expected a duration like 90s, 15m, 2h or 7d, found \"soon\"");
}

TEST_CASE("a spelled-out unit gets the unit it means, not a doubled word (issue 15)", "[units]") {
  CHECK(parse_duration("1 days").status().message() ==
        "duration \"1 days\": write \"1d\" (a number and its unit without a space; units: us, ms, s, m, h, d, w)");
  CHECK(parse_duration("90 seconds").status().message() ==
        "duration \"90 seconds\": write \"90s\" (a number and its unit without a space; units: us, ms, s, m, h, d, w)");
  CHECK(parse_duration("2 fortnights").status().message() ==
        "duration \"2 fortnights\": unknown unit \"fortnights\" (write a number and its unit without a space, e.g. "
        "90s, 15m, 2h, 7d)");
  CHECK(parse_duration("1days").status().message() ==
        "in duration \"1days\": unknown time unit \"days\" (did you mean \"d\"? units: us, ms, s, m, h, d, w)");
  CHECK(parse_rate_per_hour("1/hour").status().message() ==
        "in rate \"1/hour\": unknown time unit \"hour\" (did you mean \"h\"? units: us, ms, s, m, h, d, w)");
}

TEST_CASE("rates are per hour", "[units]") {
  CHECK(*parse_rate_per_hour("0.05/h") == Approx(0.05));
  CHECK(*parse_rate_per_hour("1/m") == Approx(60));
  CHECK(*parse_rate_per_hour("2/d") == Approx(2.0 / 24));
  CHECK(*parse_rate_per_hour("3/30m") == Approx(6));
  CHECK(parse_rate_per_hour("0.05").status().message() ==
        "expected a rate like 0.05/h (events per hour, minute, second or day), found \"0.05\"");
  CHECK(parse_rate_per_hour("1/y").status().message() ==
        "in rate \"1/y\": unknown time unit \"y\" (use us, ms, s, m, h, d or w)");
}

TEST_CASE("money is dollars per hour", "[units]") {
  CHECK(*parse_money_per_hour("0.192") == Approx(0.192));
  CHECK(*parse_money_per_hour("$0.192") == Approx(0.192));
  CHECK(*parse_money_per_hour("$0.192/h") == Approx(0.192));
  CHECK(parse_money_per_hour("cheap").status().message() ==
        "expected a price in dollars per hour like 0.192 or $0.192/h, found \"cheap\"");
  CHECK(parse_money_per_hour("-1").status().message() == "price \"-1\" is negative");
}

TEST_CASE("percentages and fractions", "[units]") {
  CHECK(*parse_fraction("80%") == Approx(0.8));
  CHECK(*parse_fraction("0.25") == Approx(0.25));
  CHECK(parse_fraction("120%").status().message() == "percentage \"120%\" is outside 0%..100%");
  CHECK(parse_fraction("30").status().message() == "fraction \"30\" is outside 0..1 (write \"30%\" for a percentage)");
}

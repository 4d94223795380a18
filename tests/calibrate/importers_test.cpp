// Each importer on fixtures written to the provider's published shape (tests/data/calibrate).
#include <catch2/catch.hpp>

#include "sim/calibrate/calibrate.h"
#include "sim/calibrate/input.h"
#include "sim/calibrate/sources.h"

using namespace spotsim;
using namespace spotsim::calibrate;

namespace {
std::string data(const std::string& name) { return std::string(SPOTSIM_SOURCE_DIR) + "/tests/data/calibrate/" + name; }
int64_t ts(const char* s) { return *parse_timestamp_us(s); }
}  // namespace

TEST_CASE("timestamps in the forms providers write them", "[calibrate][time]") {
  const int64_t t = ts("2026-01-05T10:00:00Z");
  CHECK(format_timestamp(t) == "2026-01-05T10:00:00Z");
  CHECK(ts("2026-01-05T10:00:00.000Z") == t);
  CHECK(ts("2026-01-05T10:00:00.123456Z") == t + 123456);
  CHECK(ts("2026-01-05T10:00:00+00:00") == t);
  CHECK(ts("2026-01-05T12:00:00+02:00") == t);
  CHECK(ts("2026-01-05T05:00:00-05:00") == t);
  CHECK(ts("2026-01-05T10:00:00+0000") == t);
  CHECK(ts("2026-01-05 10:00:00Z") == t);
  CHECK(ts("Mon, 05 Jan 2026 10:00:00 GMT") == t);
  CHECK(ts("1767607200") == t);
  bool no_zone = false;
  CHECK(*parse_timestamp_us("2026-01-05T10:00:00", &no_zone) == t);
  CHECK(no_zone);
  CHECK(format_timestamp(0) == "1970-01-01T00:00:00Z");
  CHECK(ts("2024-02-29T00:00:00Z") - ts("2024-02-28T00:00:00Z") == 86'400'000'000LL);
  for (const char* bad : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-01-32T00:00:00Z", "2026-01-05T25:00:00Z",
                          "2026-01-05T10:00:00+25:00", "2026-01-05T10:00", "2026-01-05T10:00:00.Z",
                          "Mon, 05 Foo 2026 10:00:00 GMT", "2026-01-05T10:00:00 PST", "-5", "1e300"}) {
    INFO(bad);
    CHECK_FALSE(parse_timestamp_us(bad));
  }
}

TEST_CASE("AWS Spot Instance Advisor data: ranges and spot_advisor", "[calibrate][advisor]") {
  auto a = read_spot_advisor(data("spot-advisor-data.json"));
  REQUIRE(a);
  REQUIRE(a->ranges.size() == 5);
  CHECK(a->ranges[4].open);
  auto e = a->lookup("us-east-1", "Linux", "c5.2xlarge");
  REQUIRE(e);
  CHECK(e->band.label == "10-15%");
  CHECK(e->savings_pct == 62);
  auto missing = a->lookup("us-east-1", "Linux", "m5.xlarg");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.status().message(), Catch::Contains("did you mean \"m5.xlarge\""));
  CHECK_FALSE(a->lookup("us-east-2", "Linux", "m5.xlarge"));
  CHECK_FALSE(a->lookup("us-east-1", "linux", "m5.xlarge"));
}

TEST_CASE("AWS describe-spot-price-history: SpotPrice strings, zones, products", "[calibrate][prices]") {
  auto h = read_aws_price_history(data("aws-spot-prices.json"));
  REQUIRE(h);
  CHECK(h->records == 5);
  CHECK(h->skipped == 1);  // no AvailabilityZone
  const PriceSeries* m5a = nullptr;
  for (const auto& s : h->series) {
    if (s.zone == "us-east-1a" && s.instance_type == "m5.xlarge" && s.product == "Linux/UNIX") m5a = &s;
  }
  REQUIRE(m5a);
  CHECK(m5a->region == "us-east-1");
  REQUIRE(m5a->points.size() == 2);
  CHECK(m5a->points[0].price == Approx(0.0689));  // sorted by time, not file order
  CHECK(m5a->points[1].price == Approx(0.0712));
}

TEST_CASE("EventBridge events: duplicates, other detail-types, CloudWatch prefixes, time zones",
          "[calibrate][events]") {
  EventLog log;
  REQUIRE(read_events(data("eventbridge.jsonl"), log));
  CHECK(log.duplicates == 1);
  CHECK(log.other == 1);
  CHECK(log.events.size() == 6);
  CHECK(log.by_source["EventBridge EC2 Instance Rebalance Recommendation"] == 1);
  CHECK(log.by_source["EventBridge EC2 Spot Instance Interruption Warning"] == 5);
  bool found = false;
  for (const auto& e : log.events) {
    if (e.instance == "i-0a1b2c3d4e5f60004") {
      found = true;
      CHECK(e.t_us == ts("2026-01-07T11:58:00Z"));  // written as 13:58+02:00 behind a CloudWatch timestamp
      CHECK(e.line == 6);
    }
  }
  CHECK(found);
}

TEST_CASE("inventory CSV: quoted cells, open rows, time zones", "[calibrate][inventory]") {
  auto inv = read_inventory(data("inventory-aws.csv"));
  REQUIRE(inv);
  REQUIRE(inv->rows.size() == 6);
  CHECK(inv->rows[4].end_us == -1);
  CHECK(inv->rows[5].instance == "i-0a1b2c3d4e5f60006");
  CHECK(inv->rows[5].end_us == ts("2026-01-10T04:30:00Z"));
  CHECK(inv->no_zone_timestamps == 1);
}

TEST_CASE("AWS events and inventory calibrate per pool", "[calibrate][estimate]") {
  Options opt;
  opt.event_files = {data("eventbridge.jsonl")};
  opt.inventory_file = data("inventory-aws.csv");
  auto cal = run_calibration(opt);
  REQUIRE(cal);
  CHECK(cal->from_us == ts("2026-01-01T00:00:00Z"));
  CHECK(cal->to_us == ts("2026-01-11T00:00:00Z"));
  REQUIRE(cal->pools.size() == 3);
  const auto& a = cal->pools[1];
  CHECK(a.name == "m5-xlarge-us-east-1a");
  CHECK(a.provider == "aws");
  CHECK(a.region == "us-east-1");
  CHECK(a.estimate.events == 1);
  CHECK(a.rebalances == 1);
  CHECK(a.estimate.exposure_h == Approx(240 + 54 + 1 / 30.0 + 186 - 1 / 12.0));
  CHECK(a.peak_concurrent == 2);
  CHECK(cal->events_used == 3);
  const std::string yaml = to_yaml(*cal, opt);
  CHECK_THAT(yaml, Catch::Contains("1 events name VMs that are not in the inventory"));
  CHECK_THAT(yaml, Catch::Contains("outside their VM's start..end"));
  CHECK_THAT(yaml, Catch::Contains("interruption: {rate: "));
}

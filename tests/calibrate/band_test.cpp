// Published interruption bands → hazards (sim/scenario/advisor_band.h) and the scenario key
// `interruption: {advisor_band: .., band_edge: ..}`.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/scenario/advisor_band.h"
#include "tests/common/compile.h"

using namespace spotsim;

TEST_CASE("advisor bands parse in the AWS and Azure spellings", "[calibrate][band]") {
  auto b = parse_frequency_band("10-15%");
  REQUIRE(b);
  CHECK(b->lower == Approx(0.10));
  CHECK(b->upper == Approx(0.15));
  CHECK_FALSE(b->open);
  auto lt = parse_frequency_band("<5%");
  REQUIRE(lt);
  CHECK(lt->lower == 0);
  CHECK(lt->upper == Approx(0.05));
  auto gt = parse_frequency_band(">20%");
  REQUIRE(gt);
  CHECK(gt->open);
  CHECK(gt->lower == Approx(0.20));
  CHECK(gt->upper == Approx(0.40));  // our assumption for the open band: 2 × lower
  auto az = parse_frequency_band("20+");
  REQUIRE(az);
  CHECK(az->open);
  auto az2 = parse_frequency_band("0-5");
  REQUIRE(az2);
  CHECK(az2->upper == Approx(0.05));
  for (const char* bad : {"", "%", "15-10%", "10-", "-5", "abc", "5-100%", ">", "<0%", "10-15%%", "1e1-20"}) {
    INFO(bad);
    CHECK_FALSE(parse_frequency_band(bad));
  }
}

TEST_CASE("a monthly fraction p becomes the hazard -ln(1-p)/720 per hour", "[calibrate][band]") {
  CHECK(monthly_fraction_to_hazard(0) == 0);
  CHECK(monthly_fraction_to_hazard(0.5) == Approx(std::log(2.0) / 720));
  CHECK(monthly_fraction_to_hazard(0.10) == Approx(1.4634e-4).epsilon(1e-4));
  // A VM exposed 720 h at that hazard is interrupted with probability p again.
  for (double p : {0.01, 0.05, 0.2, 0.6}) CHECK(1 - std::exp(-720 * monthly_fraction_to_hazard(p)) == Approx(p));
  auto b = *parse_frequency_band("10-15%");
  CHECK(band_hazard_per_hour(b, BandEdge::kLower) == Approx(-std::log(0.90) / 720));
  CHECK(band_hazard_per_hour(b, BandEdge::kUpper) == Approx(-std::log(0.85) / 720));
  CHECK(band_hazard_per_hour(b, BandEdge::kMid) == Approx(-std::log(0.875) / 720));  // the midpoint of p
}

namespace {
std::string pool_with(const std::string& interruption) {
  return "spotsim: 1\nname: t\nduration: 1d\npools:\n  p: {provider: aws, region: us-east-1, instance_type: m5.xlarge, "
         "spot_price: 0.05,"
         " on_demand_price: 0.19, capacity: 5, interruption: " +
         interruption + "}\nfleets:\n  f: {pools: [p], target: 2}\n";
}
}  // namespace

TEST_CASE("a pool can say interruption: {advisor_band: ..} with a band_edge", "[calibrate][band]") {
  auto mid = test::compile(pool_with("{advisor_band: \"10-15%\"}"));
  CHECK(mid.pools[0].interruption_rate == Approx(-std::log(0.875) / 720));
  auto up = test::compile(pool_with("{advisor_band: \"10-15%\", band_edge: upper}"));
  CHECK(up.pools[0].interruption_rate == Approx(-std::log(0.85) / 720));
  auto lo = test::compile(pool_with("{advisor_band: \"<5%\", band_edge: lower}"));
  CHECK(lo.pools[0].interruption_rate == 0);
  auto az = test::compile(pool_with("{advisor_band: \"20+\", band_edge: lower}"));
  CHECK(az.pools[0].interruption_rate == Approx(-std::log(0.80) / 720));
  // A sweep sets the edge like any scalar.
  auto swept = test::compile(pool_with("{advisor_band: \"10-15%\"}"), "t.yaml",
                             LoadOptions{{{"pools.p.interruption.band_edge", "lower"}}});
  CHECK(swept.pools[0].interruption_rate == Approx(-std::log(0.90) / 720));
}

TEST_CASE("a bad advisor_band is a clear error", "[calibrate][band]") {
  for (const auto& [text, want] : std::vector<std::pair<std::string, std::string>>{
           {"{advisor_band: \"lots\"}", "expected a monthly interruption band"},
           {"{advisor_band: \"10-15%\", band_edge: top}", "band_edge"},
           {"{advisor_band: \"10-15%\", rate: 0.1/h}", "either rate or advisor_band"},
           {"{rate: 0.1/h, band_edge: lower}", "band_edge needs advisor_band"}}) {
    auto r = compile_scenario(pool_with(text), "t.yaml");
    INFO(text);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.status().message(), Catch::Contains(want));
    CHECK_THAT(r.status().message(), Catch::Contains("t.yaml:"));
  }
}

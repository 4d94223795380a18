// The chaos: section: scope selection on the topology and exact validation texts.
#include <catch2/catch.hpp>

#include "sim/scenario/scenario.h"

using namespace spotsim;

namespace {

const char* kHead =
    "spotsim: 1\nname: t\nduration: 1d\n"
    "pools:\n"
    "  a1: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.05, "
    "on_demand_price: 0.2, capacity: 10}\n"
    "  a2: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: c5.large, spot_price: 0.05, "
    "on_demand_price: 0.2, capacity: 10}\n"
    "  w1: {provider: aws, region: us-west-2, zone: us-west-2a, instance_type: m5.2xlarge, spot_price: 0.05, "
    "on_demand_price: 0.2, capacity: 10}\n"
    "  g1: {provider: gcp, region: us-central1, zone: us-central1-a, instance_type: n2-standard-4, spot_price: 0.05, "
    "on_demand_price: 0.2, capacity: 10}\n"
    "fleets:\n"
    "  web: {pools: [a1, a2], target: 1}\n"
    "  batch: {pools: [w1, g1], target: 1}\n"
    "chaos:\n";

std::string pools_of(const std::string& scope) {
  auto r = compile_scenario(std::string(kHead) + "  - {kind: storm, at: 1h, scope: " + scope + "}\n", "t.yaml");
  if (!r) return "ERROR " + r.status().message();
  std::string out;
  const ChaosScope& s = r->chaos.at(0).scope;
  for (size_t p = 0; p < s.pools.size(); ++p) {
    if (s.pools[p]) out += (out.empty() ? "" : " ") + r->pools[p].name;
  }
  return out;
}

std::string error_of(const std::string& items) {
  auto r = compile_scenario(std::string(kHead) + items, "t.yaml");
  return r ? "ok" : r.status().message();
}

}  // namespace

TEST_CASE("chaos scope: selection on provider, region, zone, instance family/type, pools and fleets",
          "[chaos][scope]") {
  CHECK(pools_of("{}") == "a1 a2 w1 g1");
  CHECK(pools_of("{provider: aws}") == "a1 a2 w1");
  CHECK(pools_of("{provider: gcp}") == "g1");
  CHECK(pools_of("{region: us-east-1}") == "a1 a2");
  CHECK(pools_of("{zone: [us-east-1b, us-west-2a]}") == "a2 w1");
  CHECK(pools_of("{instance_family: m5}") == "a1 w1");
  CHECK(pools_of("{instance_family: n2}") == "g1");
  CHECK(pools_of("{instance_type: m5.2xlarge}") == "w1");
  CHECK(pools_of("{pools: [a1, g1]}") == "a1 g1");
  CHECK(pools_of("{fleets: batch}") == "w1 g1");
  // Keys combine with "and"; a list within a key means "or".
  CHECK(pools_of("{instance_family: m5, region: us-east-1}") == "a1");
  CHECK(pools_of("{fleets: web, instance_family: [m5, c5]}") == "a1 a2");

  auto r =
      compile_scenario(std::string(kHead) + "  - {kind: storm, at: 1h, scope: {fleets: web, vms: 30%}}\n", "t.yaml");
  REQUIRE(r.is_ok());
  const ChaosScope& s = r->chaos[0].scope;
  CHECK(s.fleets == std::vector<char>{1, 0});
  CHECK(s.vm_fraction == Approx(0.3));
  CHECK(s.text == "fleets=web, vms=30%");
}

TEST_CASE("chaos scope: unknown names and empty selections are errors with exact texts", "[chaos][scope]") {
  CHECK(
      pools_of("{zone: us-east-1c}") ==
      "ERROR t.yaml:13:41: error: chaos[0].scope.zone: no pool has zone \"us-east-1c\" (did you mean \"us-east-1a\"?) "
      "(known: us-central1-a, us-east-1a, us-east-1b, us-west-2a)");
  CHECK(
      pools_of("{instance_family: m5, provider: gcp}") ==
      "ERROR t.yaml:13:34: error: chaos[0].scope: this scope selects no pool (provider=gcp, instance_family=m5): every "
      "key must match the same pool");
  CHECK(pools_of("{fleets: webb}") ==
        "ERROR t.yaml:13:43: error: chaos[0].scope.fleets: no fleet named \"webb\" (did you mean \"web\"?)");
  CHECK(
      pools_of("{zones: us-east-1a}") ==
      "ERROR t.yaml:13:35: error: chaos[0].scope.zones: unknown key (did you mean \"zone\"?); valid keys here: fleets, "
      "instance_family, instance_type, pools, provider, region, vms, zone");
}

TEST_CASE("chaos items: keys, defaults and exact validation texts", "[chaos][spec]") {
  auto r = compile_scenario(std::string(kHead) +
                                "  - kind: storm\n    every: 6h\n    jitter: 30m\n    fraction: 40%\n    window: 5m\n"
                                "    notice: 0s\n    waves: {count: 2, every: 20m}\n"
                                "  - {kind: cliff, name: gone, at: 2h, duration: 1h, level: 3, recovery: 10m}\n"
                                "  - {kind: price_spike, random: {rate: 0.5/d}, price: $0.40/h, duration: 2h}\n"
                                "  - {kind: api_throttle, at: 0s, rate: 10/m, burst: 5}\n",
                            "t.yaml");
  REQUIRE(r.is_ok());
  const auto& c = r->chaos;
  REQUIRE(c.size() == 4);
  CHECK(c[0].name == "0");
  CHECK(c[0].timing.mode == ChaosTiming::Mode::kEvery);
  CHECK(c[0].timing.start == Duration::hours(6));
  CHECK(c[0].timing.until == Duration::days(1));
  CHECK(c[0].timing.jitter == Duration::minutes(30));
  CHECK(c[0].fraction == Approx(0.4));
  CHECK(c[0].notice == Duration{0});
  CHECK(c[0].wave_count == 2);
  CHECK(c[0].wave_fraction == Approx(0.4));
  CHECK(c[1].name == "gone");
  CHECK_FALSE(c[1].level_is_fraction);
  CHECK(c[1].level == 3);
  CHECK(c[1].duration == Duration::hours(1));
  CHECK(c[2].timing.mode == ChaosTiming::Mode::kRandom);
  CHECK(c[2].timing.rate_per_hour == Approx(0.5 / 24));
  CHECK_FALSE(c[2].price_is_multiplier);
  CHECK(c[2].price == Approx(0.40));
  CHECK(c[3].launches_per_hour == Approx(600));
  CHECK(c[3].burst == 5);
  CHECK_FALSE(c[3].duration.has_value());

  CHECK(error_of("  - {kind: strom, at: 1h}\n") ==
        "t.yaml:13:12: error: chaos[0].kind: \"strom\" is not one of: storm, cliff, price_spike, on_demand_exhaustion, "
        "api_throttle, checkpoint_store_degraded, boot_failure, notice_loss");
  CHECK(error_of("  - {kind: storm}\n") ==
        "t.yaml:13:5: error: chaos[0]: missing when it happens: give exactly one of at: (e.g. at: 2d), every: (e.g. "
        "every: 6h) or random: {rate: 0.1/d}");
  CHECK(error_of("  - {kind: storm, at: 1h, every: 2h}\n") ==
        "t.yaml:13:5: error: chaos[0]: give only one of at:, every: and random:");
  CHECK(error_of("  - {kind: storm, at: 2d}\n") ==
        "t.yaml:13:23: error: chaos[0].at: at 2d is not before the end of the run (duration 1d)");
  CHECK(
      error_of("  - {kind: cliff, at: 1h, level: -3}\n") ==
      "t.yaml:13:34: error: chaos[0].level: expected a percentage of each pool's capacity (e.g. 10%) or a whole number "
      "of VMs per pool, found \"-3\"");
  CHECK(error_of("  - {kind: price_spike, at: 1h}\n") ==
        "t.yaml:13:5: error: chaos[0].price: missing required key (e.g. price: 3x, or price: $0.30/h)");
  CHECK(
      error_of("  - {kind: boot_failure, at: 1h, probability: 1.5}\n") ==
      "t.yaml:13:47: error: chaos[0].probability: fraction \"1.5\" is outside 0..1 (write \"1.5%\" for a percentage)");
  CHECK(
      error_of("  - {kind: storm, at: 1h, duration: 1h}\n") ==
      "t.yaml:13:27: error: chaos[0].duration: unknown key; valid keys here: at, every, fraction, jitter, kind, name, "
      "notice, random, scope, start, until, waves, window");
  CHECK(error_of("  - {kind: storm, name: x, at: 1h}\n  - {kind: cliff, name: x, at: 1h}\n") ==
        "t.yaml:14:25: error: chaos[1].name: another chaos item is already named \"x\"");
  CHECK(error_of("  - {kind: storm, name: a.b, at: 1h}\n") ==
        "t.yaml:13:25: error: chaos[0].name: use letters, digits, _ and - only (it becomes a metric name)");
  CHECK(error_of("  - {kind: storm, every: 100ms}\n") ==
        "t.yaml:13:5: error: chaos[0]: would happen about 863999 times in this run; at most 100000 occurrences per "
        "item are allowed");
  CHECK(error_of("  - {kind: notice_loss, every: 1h, jitter: 2h, probability: 10%}\n") ==
        "t.yaml:13:44: error: chaos[0].jitter: must be shorter than every (1h)");
}

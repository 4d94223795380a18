#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/scenario.h"
#include "tests/scenario/scenario_test_helpers.h"

using namespace spotsim;

namespace {

const char* kValid = R"(spotsim: 1
name: t
seed: 42
replications: 2
duration: 7d
pools:
  m5-1a:
    provider: aws
    region: us-east-1
    zone: us-east-1a
    instance_type: m5.xlarge
    spot_price: 0.058
    on_demand_price: 0.192
    capacity: 500
    interruption: {rate: 0.05/h}
fleets:
  web: {pools: [m5-1a], target: 40, boot_time: 90s}
)";

std::string error_of(const std::string& text, LoadOptions opt = {}) { return test::compile_error(text, "s.yaml", opt); }
using test::replace_once;

}  // namespace

TEST_CASE("a valid scenario compiles into indices and units", "[validation]") {
  auto r = compile_scenario(kValid, "s.yaml");
  REQUIRE(r.is_ok());
  const CompiledScenario& sc = *r;
  CHECK(sc.name == "t");
  CHECK(sc.seed == 42);
  CHECK(sc.replications == 2);
  CHECK(sc.duration == Duration::days(7));
  REQUIRE(sc.pools.size() == 1);
  CHECK(sc.pools[0].notice == Duration::seconds(120));
  CHECK(sc.pools[0].interruption_rate == Approx(0.05));
  REQUIRE(sc.fleets.size() == 1);
  CHECK(sc.fleets[0].pools == std::vector<uint32_t>{0});
  CHECK(sc.fleets[0].boot_time == Duration::seconds(90));
}

TEST_CASE("dangling pool reference names the position and suggests the closest name", "[validation]") {
  CHECK(error_of(replace_once(kValid, "pools: [m5-1a]", "pools: [m5-1x]")) ==
        "s.yaml:17:17: error: fleets.web.pools[0]: no pool named \"m5-1x\" (did you mean \"m5-1a\"?)");
}

TEST_CASE("unknown keys are errors with did-you-mean and the valid keys", "[validation]") {
  CHECK(error_of(replace_once(kValid, "target: 40", "tarket: 40")) ==
        "s.yaml:17:8: error: fleets.web.target: missing required key\n"
        "s.yaml:17:25: error: fleets.web.tarket: unknown key (did you mean \"target\"?); valid keys here: "
        "allocation_strategy, boot_failure, boot_time, capacity_rebalance, eviction_type, fallback, max_price, "
        "on_demand_above_base, on_demand_allocation_strategy, on_demand_base, policy, pools, replace_on, "
        "retry_interval, scale_down_delay, scale_to_zero, scaling, spot_instance_pools, target, throttle_backoff, "
        "warm_pool");
}

TEST_CASE("bad units and wrong types name the field", "[validation]") {
  CHECK(error_of(replace_once(kValid, "duration: 7d", "duration: 7")) ==
        "s.yaml:5:11: error: duration: duration \"7\" has no unit; write e.g. \"7s\" (units: us, ms, s, m, h, d, w)");
  CHECK(error_of(replace_once(kValid, "capacity: 500", "capacity: -5")) ==
        "s.yaml:14:15: error: pools.m5-1a.capacity: must be at least 0, found -5");
  CHECK(error_of(replace_once(kValid, "capacity: 500", "capacity: lots")) ==
        "s.yaml:14:15: error: pools.m5-1a.capacity: expected a whole number, found \"lots\"");
  CHECK(error_of(replace_once(kValid, "provider: aws", "provider: aws2")) ==
        "s.yaml:8:15: error: pools.m5-1a.provider: \"aws2\" is not one of: aws, azure, gcp (did you mean \"aws\"?)");
  CHECK(error_of(replace_once(kValid, "rate: 0.05/h", "rate: 0.05")) ==
        "s.yaml:15:26: error: pools.m5-1a.interruption.rate: expected a rate like 0.05/h (events per hour, "
        "minute, second or day), found \"0.05\"");
}

TEST_CASE("schema version and missing sections and YAML syntax errors", "[validation]") {
  CHECK(error_of(replace_once(kValid, "spotsim: 1", "spotsim: 2")) ==
        "s.yaml:1:10: error: spotsim: this is schema version 2; this spotsim reads version 1");
  CHECK(error_of("spotsim: 1\nname: x\nduration: 1d\n") ==
        "s.yaml:1:1: error: pools: missing required key (define at least one capacity pool)\n"
        "s.yaml:1:1: error: fleets: missing required key (define at least one fleet)");
  CHECK(error_of("spotsim: 1\nname: [unclosed\n") == "s.yaml:3:1: error: YAML syntax: end of sequence flow not found");
  CHECK(error_of("- just\n- a list\n") == "s.yaml:1:1: error: (top level): expected a map of key: value, found a list");
}

TEST_CASE("duplicate keys are errors", "[validation]") {
  CHECK(error_of(replace_once(kValid, "seed: 42", "seed: 42\nseed: 43")) ==
        "s.yaml:4:1: error: seed: duplicate key \"seed\": already defined at line 3, column 1 (each key may appear "
        "once in a map: rename or remove one)");
}

TEST_CASE("a repeated name in any collection is an error at the repeat, naming the first (issue 15)", "[validation]") {
  // Two pools named m5-1a used to validate as "2 pools" and run twice.
  const std::string two_pools = replace_once(kValid, "fleets:",
                                             "  m5-1a: {provider: aws, region: us-east-1, zone: us-east-1a, "
                                             "instance_type: m5.xlarge, spot_price: 0.058, on_demand_price: 0.192, "
                                             "capacity: 5}\nfleets:");
  CHECK(error_of(two_pools) ==
        "s.yaml:16:3: error: pools.m5-1a: duplicate key \"m5-1a\": already defined at line 7, column 3 (each key may "
        "appear once in a map: rename or remove one)");
  const std::string two_fleets = std::string(kValid) + "  web: {pools: [m5-1a], target: 3}\n";
  CHECK(error_of(two_fleets) ==
        "s.yaml:18:3: error: fleets.web: duplicate key \"web\": already defined at line 17, column 3 (each key may "
        "appear once in a map: rename or remove one)");
  // Inside lists and nested maps too (workloads, Kubernetes, policies: every map of the file).
  const std::string nested = std::string(kValid) +
                             "kubernetes:\n  node_pools:\n    a: {fleet: web, cpu: 4, memory: 16Gi}\n"
                             "    a: {fleet: web, cpu: 4, memory: 16Gi}\n";
  CHECK(error_of(nested) ==
        "s.yaml:21:5: error: kubernetes.node_pools.a: duplicate key \"a\": already defined at line 20, column 5 "
        "(each key may appear once in a map: rename or remove one)");
  const std::string in_list =
      std::string(kValid) +
      "chaos:\n  - {kind: storm, at: 1h, fraction: 10%, fraction: 20%, scope: {zone: us-east-1a}}\n";
  CHECK(error_of(in_list) ==
        "s.yaml:19:42: error: chaos[0].fraction: duplicate key \"fraction\": already defined at line 19, column 27 "
        "(each key may appear once in a map: rename or remove one)");
}

TEST_CASE("set overrides add a key the file does not have, validated as if it were there (issue 15)", "[validation]") {
  LoadOptions opt;
  opt.overrides = {{"fleets.web.max_price", "0.1"}, {"pools.m5-1a.disk_cost", "0.01"}};
  auto r = compile_scenario(kValid, "s.yaml", opt);
  REQUIRE(r.is_ok());
  CHECK(r->fleets[0].max_price == Approx(0.1));
  CHECK(r->pools[0].disk_cost == Approx(0.01));
  // A whole missing section is created.
  LoadOptions section;
  section.overrides = {{"fleets.web.fallback.after", "5m"}};
  CHECK(error_of(kValid, section) == "(no error)");
  // ... and validated: an unknown key in it is the same error as in the file, at the override.
  LoadOptions typo;
  typo.overrides = {{"fleets.web.max_prise", "0.1"}};
  CHECK(
      error_of(kValid, typo)
          .rfind(
              "--set fleets.web.max_prise=0.1: error: fleets.web.max_prise: unknown key (did you mean \"max_price\"?)",
              0) == 0);
  // A new name in a collection of names is not invented: that is a typo.
  LoadOptions name;
  name.overrides = {{"fleets.webb.target", "3"}};
  CHECK(error_of(kValid, name) ==
        "--set fleets.webb.target=3: fleets.webb does not exist in the scenario (did you mean \"web\"?)");
}

TEST_CASE("set overrides change any scalar and errors point at the override", "[validation]") {
  LoadOptions opt;
  opt.overrides = {{"fleets.web.target", "60"}, {"pools.m5-1a.interruption.rate", "0.1/h"}};
  auto r = compile_scenario(kValid, "s.yaml", opt);
  REQUIRE(r.is_ok());
  CHECK(r->fleets[0].target == 60);
  CHECK(r->pools[0].interruption_rate == Approx(0.1));

  LoadOptions bad;
  bad.overrides = {{"fleets.web.target", "many"}};
  CHECK(error_of(kValid, bad) ==
        "--set fleets.web.target=many: error: fleets.web.target: expected a whole number, found \"many\"");
  LoadOptions missing;
  missing.overrides = {{"fleets.api.target", "3"}};
  CHECK(error_of(kValid, missing) == "--set fleets.api.target=3: fleets.api does not exist in the scenario");
}

TEST_CASE("a missing file is a clear error", "[validation]") {
  auto r = load_scenario("/nonexistent/x.yaml");
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message() == "/nonexistent/x.yaml: error: cannot open the scenario file (check the path)");
  CHECK(r.status().code() == StatusCode::kInvalidInput);
}

// Error texts of the capacity keys: `regions:`, pool `capacity:` / `spot_price:` series,
// `on_demand_capacity`, `vcpus`, fleet `throttle_backoff` (docs/scenario-reference.md).
#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/scenario.h"
#include "tests/scenario/scenario_test_helpers.h"

using namespace spotsim;

namespace {

const char* kBase = R"(spotsim: 1
name: t
duration: 1d
pools:
  a:
    provider: aws
    region: us-east-1
    zone: us-east-1a
    instance_type: m5.xlarge
    vcpus: 4
    spot_price: 0.058
    on_demand_price: 0.192
    capacity: 10
  b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: c5.xlarge, spot_price: 0.06, on_demand_price: 0.17, capacity: 10}
fleets:
  web: {pools: [a], target: 4}
)";

using test::compile_error;
std::string error_of(const std::string& text) { return compile_error(text); }
using test::replace_once;

std::string with_regions(const std::string& regions) { return std::string(kBase) + "regions:\n" + regions; }

}  // namespace

TEST_CASE("regions: a valid section compiles into pools, quotas, shared capacity and a bucket",
          "[validation][capacity]") {
  auto r = compile_scenario(
      replace_once(
          with_regions("  us-east-1:\n    on_demand_vcpu_quota: 512\n    spot_capacity: {instance_family: {m5: 200}}\n"
                       "    launch_rate: {rate: 2/s, burst: 20}\n"),
          "instance_type: c5.xlarge,", "instance_type: c5.xlarge, vcpus: 4,"),
      "s.yaml");
  REQUIRE(r.is_ok());
  REQUIRE(r->regions.size() == 1);
  const RegionSpec& rs = r->regions[0];
  CHECK(rs.pools == std::vector<uint32_t>{0, 1});
  CHECK(rs.on_demand_vcpu_quota == 512);
  CHECK(rs.spot_vcpu_quota == -1);
  REQUIRE(rs.spot_capacity.size() == 1);
  CHECK(rs.spot_capacity[0].pools == std::vector<uint32_t>{0});
  CHECK(rs.spot_capacity[0].capacity == 200);
  CHECK(rs.launch_rate_per_second == Approx(2));
  CHECK(rs.launch_burst == 20);
}

TEST_CASE("regions: unknown region, family and keys name the position and the choices", "[validation][capacity]") {
  CHECK(error_of(with_regions("  us-east-2: {}\n")) ==
        "s.yaml:18:3: error: regions.us-east-2: no pool is in region \"us-east-2\" (did you mean \"us-east-1\"?) "
        "(regions of the pools: us-east-1)");
  CHECK(error_of(with_regions("  us-east-1: {spot_capacity: {instance_family: {m6: 5}}}\n")) ==
        "s.yaml:18:49: error: regions.us-east-1.spot_capacity.instance_family.m6: no pool of region us-east-1 has "
        "instance family \"m6\" (families here: c5, m5)");
  CHECK(error_of(with_regions("  us-east-1: {on_demand_quota: 5}\n")) ==
        "s.yaml:18:15: error: regions.us-east-1.on_demand_quota: unknown key (did you mean \"on_demand_vcpu_quota\"?); "
        "valid keys here: launch_rate, on_demand_vcpu_quota, provider, spot_capacity, spot_vcpu_quota");
  CHECK(error_of(with_regions("  us-east-1: {launch_rate: {rate: 0/s}}\n")) ==
        "s.yaml:18:35: error: regions.us-east-1.launch_rate.rate: must be above 0 (e.g. 2/s)");
}

TEST_CASE("regions: a vCPU quota needs vcpus on every pool of the region", "[validation][capacity]") {
  CHECK(error_of(with_regions("  us-east-1: {on_demand_vcpu_quota: 64}\n")) ==
        "s.yaml:18:37: error: regions.us-east-1.on_demand_vcpu_quota: pool b has no vcpus: give every pool of this "
        "region vcpus: (its instance type's vCPU count), which the quota counts");
}

TEST_CASE("capacity and spot_price series: errors name the key and the expected form", "[validation][capacity]") {
  CHECK(error_of(replace_once(kBase, "capacity: 10\n", "capacity: {schedule: [{at: 1h, value: 5}]}\n")) ==
        "s.yaml:13:32: error: pools.a.capacity.schedule[0].at: the first step must be at: 0 (the value at the start "
        "of the run)");
  CHECK(error_of(replace_once(kBase, "capacity: 10\n", "capacity: {schedule: [{at: 0, value: 2.5}]}\n")) ==
        "s.yaml:13:42: error: pools.a.capacity.schedule[0].value: expected a whole number of VMs (0 or more), found "
        "\"2.5\"");
  CHECK(error_of(replace_once(kBase, "capacity: 10\n", "capacity: {}\n")) ==
        "s.yaml:13:15: error: pools.a.capacity: expected schedule: [{at: 0, value: ...}, ...], trace: FILE or "
        "process: {mean: ..., change_rate: ...} (or a plain a whole number of VMs (0 or more))");
  CHECK(error_of(
            replace_once(kBase, "capacity: 10\n", "capacity: {trace: none.csv, available_value: 1, available: 5}\n")) ==
        "s.yaml:13:23: error: pools.a.capacity.trace: cannot open trace file \"none.csv\" (paths are relative to the "
        "scenario file)");
  CHECK(error_of(replace_once(kBase, "capacity: 10\n", "capacity: {trace: none.csv}\n"))
            .find("say what the trace's cells mean: available_value: 1 (or 0) with available: N") != std::string::npos);
  CHECK(
      error_of(replace_once(kBase, "capacity: 10\n", "capacity: {process: {mean: 20, max: 10, change_rate: 1/h}}\n")) ==
      "s.yaml:13:25: error: pools.a.capacity.process: needs min ≤ mean ≤ max, found min 0, mean 20, max 10");
  CHECK(error_of(replace_once(kBase, "spot_price: 0.058\n", "spot_price: {schedule: [{at: 0, value: cheap}]}\n")) ==
        "s.yaml:11:44: error: pools.a.spot_price.schedule[0].value: expected a price like $0.05/h, found \"cheap\"");
  CHECK(error_of(replace_once(kBase, "capacity: 10\n", "capacity: 10\n    on_demand_capacity: -1\n")) ==
        "s.yaml:14:25: error: pools.a.on_demand_capacity: must be at least 0, found -1");
}

TEST_CASE("throttle_backoff: initial must be positive and max at least initial", "[validation][capacity]") {
  CHECK(error_of(replace_once(kBase, "target: 4}", "target: 4, throttle_backoff: {initial: 10s, max: 5s}}")) ==
        "s.yaml:16:70: error: fleets.web.throttle_backoff.max: must be at least initial (10s)");
}

TEST_CASE("on_demand_exhaustion: a percentage level needs on_demand_capacity", "[validation][capacity]") {
  CHECK(error_of(std::string(kBase) + "chaos:\n  - {kind: on_demand_exhaustion, at: 1h, level: 50%}\n") ==
        "s.yaml:18:49: error: chaos[0].level: pool a has no on_demand_capacity to take a percentage of: give the pools "
        "on_demand_capacity:, or level as a number of VMs");
}

// The `policies:` and `policy_limits:` sections of a scenario (docs/policies.md).
#include <catch2/catch.hpp>

#include "sim/scenario/scenario.h"

using namespace spotsim;

namespace {

const char* kHead = R"(spotsim: 1
name: t
duration: 1d
pools:
  a: {provider: aws, region: us-east-1, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.19, capacity: 10}
fleets:
  web: {pools: [a], target: 2}
)";

// Compiled the way the loader does: the policy files come from the disk.
Result<CompiledScenario> compile(const std::string& tail) {
  return compile_scenario(std::string(kHead) + tail, "tests/policy/data/s.yaml", LoadOptions{{}, read_text_file});
}

}  // namespace

TEST_CASE("policies: a path relative to the scenario file is read at compile time") {
  auto sc = compile("policies:\n  fleet.web: replace.lua\n");
  REQUIRE(sc.is_ok());
  REQUIRE(sc->policies.size() == 1);
  const PolicySpec& p = sc->policies[0];
  CHECK(p.target == "fleet.web");
  CHECK(p.fleet == 0);
  CHECK(p.path == "tests/policy/data/replace.lua");
  CHECK(p.source.find("function on_eviction") != std::string::npos);
  CHECK(p.tick == Duration::seconds(60));
  CHECK(p.line == 9);
  CHECK(sc->policy_limits.instructions == 1'000'000);
  CHECK(sc->policy_limits.memory_bytes == 64LL << 20);
}

TEST_CASE("policies: the compiler reads no file, it asks the loader's reader") {
  std::vector<std::string> asked;
  LoadOptions in_memory;
  in_memory.read_file = [&asked](const std::string& path) -> std::optional<std::string> {
    asked.push_back(path);
    return std::string("-- in memory\n");
  };
  auto sc = compile_scenario(std::string(kHead) + "policies:\n  fleet.web: nowhere/x.lua\n", "dir/s.yaml", in_memory);
  REQUIRE(sc.is_ok());
  CHECK(asked == std::vector<std::string>{"dir/nowhere/x.lua"});
  CHECK(sc->policies[0].source == "-- in memory\n");
  // Without a reader a named file cannot be had (and nothing touches the disk).
  auto none =
      compile_scenario(std::string(kHead) + "policies:\n  fleet.web: replace.lua\n", "tests/policy/data/s.yaml");
  REQUIRE_FALSE(none.is_ok());
  CHECK(none.status().message() ==
        "tests/policy/data/s.yaml:9:14: error: policies.fleet.web: cannot read the policy file "
        "\"tests/policy/data/replace.lua\" (paths are relative to the scenario file's folder)");
}

TEST_CASE("policies: the map form sets the tick") {
  auto sc = compile(
      "policies:\n  fleet.web: {file: replace.lua, tick: 5m}\npolicy_limits: {instructions: 2e6, memory: 8MiB}\n");
  REQUIRE(sc.is_ok());
  CHECK(sc->policies[0].tick == Duration::minutes(5));
  CHECK(sc->policy_limits.instructions == 2'000'000);
  CHECK(sc->policy_limits.memory_bytes == 8LL << 20);
}

TEST_CASE("policies: errors name the entry") {
  auto bad_fleet = compile("policies:\n  fleet.wbe: replace.lua\n");
  REQUIRE_FALSE(bad_fleet.is_ok());
  CHECK(
      bad_fleet.status().message() ==
      "tests/policy/data/s.yaml:9:3: error: policies.fleet.wbe: no fleet named \"wbe\" (did you mean \"fleet.web\"?)");
  auto bad_key = compile("policies:\n  web: replace.lua\n");
  REQUIRE_FALSE(bad_key.is_ok());
  CHECK(bad_key.status().message() ==
        "tests/policy/data/s.yaml:9:3: error: policies.web: expected \"fleet.<name>\" (a policy belongs to one fleet)");
  auto missing = compile("policies:\n  fleet.web: nope.lua\n");
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().message() ==
        "tests/policy/data/s.yaml:9:14: error: policies.fleet.web: cannot read the policy file "
        "\"tests/policy/data/nope.lua\" (paths are relative to the scenario file's folder)");
  auto bad_tick = compile("policies:\n  fleet.web: {file: replace.lua, tick: 0s, every: 1}\n");
  REQUIRE_FALSE(bad_tick.is_ok());
  CHECK(bad_tick.status().message().find("policies.fleet.web.tick: must be longer than 0s") != std::string::npos);
  CHECK(bad_tick.status().message().find("policies.fleet.web.every: unknown key") != std::string::npos);
}

TEST_CASE("policy_limits: sizes and ranges are checked") {
  auto mem = compile("policy_limits: {memory: 64 parsecs}\n");
  REQUIRE_FALSE(mem.is_ok());
  CHECK(mem.status().message() ==
        "tests/policy/data/s.yaml:8:25: error: policy_limits.memory: expected a size like 64MiB, 512KiB or 1GiB");
  auto small = compile("policy_limits: {memory: 1KiB}\n");
  REQUIRE_FALSE(small.is_ok());
  CHECK(small.status().message() ==
        "tests/policy/data/s.yaml:8:25: error: policy_limits.memory: must be between 256KiB and 16GiB, found 1KiB");
  auto ins = compile("policy_limits: {instructions: 10}\n");
  REQUIRE_FALSE(ins.is_ok());
  CHECK(ins.status().message() ==
        "tests/policy/data/s.yaml:8:31: error: policy_limits.instructions: must be between 1000 and 2000000000, found "
        "10");
  auto ok = compile("policy_limits: {memory: 1GiB, instructions: 5000}\n");
  REQUIRE(ok.is_ok());
  CHECK(ok->policy_limits.memory_bytes == 1LL << 30);
}

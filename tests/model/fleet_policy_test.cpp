// The FleetPolicy contract: hooks return commands, World applies them through the engine queue;
// a custom policy replaces the built-in hooks it declares; built-in fallback and return to spot.
#include <catch2/catch.hpp>

#include <functional>

#include "sim/model/world.h"
#include "tests/common/compile.h"

using namespace spotsim;

namespace {

using test::compile;

const char* kTwoPools = R"(
spotsim: 1
name: t
duration: 1d
pools:
  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.058, on_demand_price: 0.192,
      capacity: 100, interruption: {rate: 0.5/h}}
  b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: m5.xlarge, spot_price: 0.070, on_demand_price: 0.192,
      capacity: 100}
fleets:
  web: {pools: [a, b], target: 10, boot_time: 90s}
)";

// Runs `fn` at simulated time `t` (a chaos-like actor).
class At : public EventHandler {
 public:
  At(World& w, std::function<void(World&)> fn) : w_(w), fn_(std::move(fn)) { id_ = w.engine().add_handler(this); }
  void at(SimTime t) { w_.engine().schedule_at(t, id_, 0, 0, 0, Priority::kChaos); }
  void handle(Engine&, const Event&) override { fn_(w_); }

 private:
  World& w_;
  std::function<void(World&)> fn_;
  uint16_t id_;
};

// Sends every VM to pool b, and on eviction asks for two replacements; records what it saw.
class TestPolicy : public FleetPolicy {
 public:
  std::string name() const override { return "test"; }
  uint32_t hooks() const override { return kHookChoosePool | kHookOnEviction; }
  PoolChoice choose_pool(const LaunchRequest& r, const PolicyContext& ctx) override {
    ++choose_calls;
    return PoolChoice{1, Purchase::kSpot};
  }
  void on_eviction(const VmView& view, const PolicyContext& ctx, Commands& out) override {
    ++evictions;
    CHECK_FALSE(ctx.vm_alive(view.id));
    active_seen = ctx.fleet().spot_active;
    out.push_back(Command::launch(ctx.fleet_index(), 1, Purchase::kSpot, LaunchReason::kReplacement, ctx.now().us));
    // Not applied inside the hook: the world is unchanged until the command event runs.
    CHECK(ctx.fleet().spot_active == active_seen);
    CHECK(ctx.fleet().waiting == 0);
  }
  int choose_calls = 0;
  int evictions = 0;
  int64_t active_seen = -1;
};

}  // namespace

TEST_CASE("a custom policy's choose_pool places every VM", "[fleet_policy]") {
  const CompiledScenario sc = compile(kTwoPools);
  World w(sc, 0);
  auto p = std::make_unique<TestPolicy>();
  TestPolicy* tp = p.get();
  w.set_policy(0, std::move(p));
  bool checked = false;
  At probe(w, [&](World& world) {
    CHECK(world.fleet_vms_in_pool(0, 0) == 0);
    CHECK(world.fleet_vms_in_pool(0, 1) == 10);
    checked = true;
  });
  probe.at(SimTime{1});
  w.run();
  CHECK(checked);
  CHECK(tp->choose_calls >= 10);
  CHECK(w.metrics().values()[static_cast<size_t>(w.metrics().find("fleet.web.interruptions"))] == 0);  // b: no hazard
}

TEST_CASE("hook commands are applied through the engine queue, after the hook", "[fleet_policy]") {
  const CompiledScenario sc = compile(kTwoPools);
  World w(sc, 0);
  // Eviction hook only: pool choice stays built-in (cheapest: pool a, which has a hazard).
  class EvictOnly : public TestPolicy {
    uint32_t hooks() const override { return kHookOnEviction; }
  };
  auto p = std::make_unique<EvictOnly>();
  TestPolicy* tp = p.get();
  w.set_policy(0, std::move(p));
  w.run();
  REQUIRE(tp->evictions > 0);
  CHECK(tp->choose_calls == 0);
  CHECK(w.commands_applied(CommandKind::kLaunch) == static_cast<uint64_t>(tp->evictions));
  CHECK(w.fleets()[0].spot_active == 10);
}

TEST_CASE("built-in policy falls back to on-demand and returns to spot", "[fleet_policy][fallback]") {
  CompiledScenario sc = compile(R"(
spotsim: 1
name: t
duration: 12h
pools:
  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.058, on_demand_price: 0.192,
      capacity: 10}
fleets:
  web:
    pools: [a]
    target: 10
    boot_time: 90s
    retry_interval: 30s
    fallback: {after: 5m, max_on_demand: 8, return_after: 10m}
)");
  World w(sc, 0);
  int64_t fallback_peak = 0;
  At cliff(w, [](World& world) { world.market().set_spot_capacity(0, 0); });
  cliff.at(SimTime{0} + Duration::hours(1));
  At check(w, [&](World& world) {
    const FleetState& f = world.fleets()[0];
    fallback_peak = std::max(fallback_peak, f.fallback_active);
    CHECK(f.on_demand_active == 8);  // bounded by max_on_demand
    CHECK(f.spot_active == 0);
    CHECK(f.running == 8);
  });
  check.at(SimTime{0} + Duration::hours(2));
  At restore(w, [](World& world) { world.market().set_spot_capacity(0, 10); });
  restore.at(SimTime{0} + Duration::hours(4));
  // Hysteresis: 5 minutes after spot returns, still on-demand.
  At early(w, [](World& world) { CHECK(world.fleets()[0].fallback_active == 8); });
  early.at(SimTime{0} + Duration::hours(4) + Duration::minutes(5));
  w.run();
  CHECK(fallback_peak == 8);
  const FleetState& f = w.fleets()[0];
  CHECK(f.fallback_active == 0);
  CHECK(f.on_demand_active == 0);
  CHECK(f.spot_active == 10);
  CHECK(f.running == 10);
  CHECK(w.commands_applied(CommandKind::kFallback) == 8);
}

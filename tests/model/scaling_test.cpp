// Fleet scaling (`scaling:`): schedules hit their targets at the right times; target tracking
// converges, respects cooldowns, the scale-in stabilization window and min/max; VMs holding a job
// are protected from scale-in; scaling goes through the policy (a Lua on_tick replaces it).
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "sim/run/replication_models.h"
#include "sim/model/autoscaler.h"
#include "sim/model/world.h"
#include "tests/common/world_metric.h"
#include "sim/scenario/scenario.h"
#include "tests/common/compile.h"

using namespace spotsim;
using spotsim::test::metric;

namespace {

using test::compile;

std::string compile_error(const std::string& text) {
  auto r = compile_scenario(text, "test.yaml");
  return r.is_ok() ? "" : r.status().message();
}

const char* kHead = R"(spotsim: 1
name: t
duration: 2d
pools:
  p: {provider: aws, region: r, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.2, capacity: 1000}
)";

struct Sample {
  double t_h;
  int64_t target, running, active;
};

// Samples fleet 0 every `every` (after everything else at that instant), keeps target changes
// and answers "what was the state at time t".
class Probe : public WorldComponent, public EventHandler {
 public:
  Probe(World& w, Duration every) : w_(w), every_(every) { self_ = w.engine().add_handler(this); }
  void start(World&) override { w_.engine().schedule_at(SimTime{0}, self_, 0, 0, 0, Priority::kObserver); }
  void handle(Engine& e, const Event&) override {
    const FleetState& f = w_.fleets()[0];
    const Sample s{e.now().to_seconds() / 3600.0, f.target, f.running, f.spot_active + f.on_demand_active};
    if (changes.empty() || changes.back().target != s.target) changes.push_back(s);
    samples.push_back(s);
    if (e.now().us + every_.us <= w_.scenario().duration.us) e.schedule_in(every_, self_, 0, 0, 0, Priority::kObserver);
  }
  const Sample& at_hours(double h) const {
    const Sample* best = &samples.front();
    for (const Sample& s : samples) {
      if (s.t_h <= h + 1e-9) best = &s;
    }
    return *best;
  }
  std::vector<Sample> changes;  // first sample, then every target change
  std::vector<Sample> samples;

 private:
  World& w_;
  Duration every_;
  uint16_t self_;
};

Probe* add_probe(World& w, Duration every) {
  return static_cast<Probe*>(w.add_component(std::make_unique<Probe>(w, every)));
}

}  // namespace

TEST_CASE("scaling: a schedule sets its targets at the exact times, once or daily", "[scaling]") {
  const auto sc = compile(std::string(kHead) + R"(fleets:
  f:
    pools: [p]
    boot_time: 90s
    scaling:
      schedule:
        - {at: 0s, target: 2}
        - {at: 3h, target: 5}
        - {daily: "08:00", target: 10}
        - {daily: "20:00", target: 4}
)");
  REQUIRE(sc.fleets[0].target == 2);  // the schedule's value at 0s
  REQUIRE(sc.fleets[0].scaling.kind == ScalingKind::kSchedule);
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  Probe* p = add_probe(w, Duration::seconds(1));
  w.run();
  CHECK(p->at_hours(0).target == 2);
  CHECK(p->at_hours(0).running == 2);  // warm start
  CHECK(p->at_hours(3 - 1 / 3600.0).target == 2);
  CHECK(p->at_hours(3).target == 5);
  CHECK(p->at_hours(3).running == 2);                // booting
  CHECK(p->at_hours(3 + 90 / 3600.0).running == 5);  // boot_time later
  CHECK(p->at_hours(8 - 1 / 3600.0).target == 5);
  CHECK(p->at_hours(8).target == 10);
  CHECK(p->at_hours(20 - 1 / 3600.0).target == 10);
  CHECK(p->at_hours(20).target == 4);
  CHECK(p->at_hours(20).active == 4);  // scale-in drains at once
  CHECK(p->at_hours(27).target == 4);  // `at: 3h` happens once
  CHECK(p->at_hours(32 - 1 / 3600.0).target == 4);
  CHECK(p->at_hours(32).target == 10);  // day 2, 08:00
  CHECK(p->at_hours(44).target == 4);
  REQUIRE(p->changes.size() == 6);  // 2, 5, 10, 4, 10, 4
  // Lost VM-hours follow the target's integral: only the boot of scale-outs is missing.
  const double target_h = 2 * 3 + 5 * 5 + 10 * 12 + 4 * 12 + 10 * 12 + 4 * 4;
  CHECK(metric(w, "fleet.f.lost_vm_hours") == Approx((3 + 5 + 6) * 90 / 3600.0).epsilon(1e-9));
  CHECK(metric(w, "fleet.f.availability_pct") ==
        Approx(100.0 * (target_h - (3 + 5 + 6) * 90 / 3600.0) / target_h).epsilon(1e-9));
  CHECK(metric(w, "cost.all_on_demand") == Approx(target_h * 0.2).epsilon(1e-9));
}

TEST_CASE("scaling: the recommendation follows AWS/HPA target tracking with a tolerance", "[scaling]") {
  FleetSpec f;
  f.scaling.kind = ScalingKind::kTargetTracking;
  f.scaling.tracking.metric = TrackedMetric::kUtilization;
  f.scaling.tracking.target_value = 0.5;
  f.scaling.tracking.min = 1;
  f.scaling.tracking.max = 100;
  Autoscaler a(f, 0);
  CHECK(a.recommend(1.0, 10, 10) == 20);  // twice the target: twice the VMs
  CHECK(a.recommend(0.25, 10, 10) == 5);
  CHECK(a.recommend(0.53, 10, 10) == 10);  // within 10 %: keep the target
  CHECK(a.recommend(0.56, 10, 7) == 12);   // ceil(10 × 1.12)
  CHECK(a.recommend(3.0, 0, 0) == 6);      // with none running: as if one
  f.scaling.tracking.metric = TrackedMetric::kQueueDepth;
  f.scaling.tracking.target_value = 4;  // jobs waiting per VM (AWS backlog per instance)
  CHECK(a.recommend(40, 3, 3) == 10);
  CHECK(a.recommend(0, 3, 3) == 0);
  CHECK(a.recommend(41, 10, 10) == 10);  // 10.25 VMs: within the tolerance
}

namespace {

std::string tracking_scenario(const std::string& tracking, const std::string& fleet_extra = "") {
  return std::string(kHead) + R"(fleets:
  f:
    pools: [p]
    boot_time: 90s
)" + fleet_extra +
         R"(
    scaling:
      target_tracking: {metric: utilization, workload: api, target_value: 50%, )" +
         tracking + R"(}
workloads:
  api: {type: service, fleet: f, rate: 100/s, capacity: 10/s, slo: {latency: 1s, target: 99%}}
)";
}

}  // namespace

TEST_CASE("scaling: target tracking converges, then scales in only after the stabilization window", "[scaling]") {
  CompiledScenario sc = compile(
      tracking_scenario("min: 2, max: 40, scale_out_cooldown: 3m, scale_in_cooldown: 5m, stabilization_window: 10m"));
  REQUIRE(sc.fleets[0].target == 2);  // defaults to min
  // 100 requests/s until 3 h, then 20/s.
  ServiceSpec& s = sc.workloads[0].service;
  s.rate_kind = ServiceSpec::RateKind::kTrace;
  s.trace = {RatePoint{0, 100.0}, RatePoint{Duration::hours(3).us, 20.0}};
  sc.duration = Duration::hours(5);
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  Probe* p = add_probe(w, Duration::seconds(10));
  w.run();
  // 100/s ÷ (10/s × 50 %) = 20 VMs, reached in one step after the first report (t = 1 min).
  REQUIRE(p->changes.size() >= 2);
  CHECK(p->changes[1].target == 20);
  CHECK(p->changes[1].t_h <= 3.0 / 60);
  CHECK(p->at_hours(2.9).target == 20);
  CHECK(p->at_hours(2.9).running == 20);
  // 20/s needs 4 VMs; the window holds the pre-drop recommendation for 10 minutes.
  const Sample& first_in = p->changes[2];
  CHECK(first_in.target == 4);
  CHECK(first_in.t_h >= 3.0 + 10.0 / 60);
  CHECK(first_in.t_h <= 3.0 + 13.0 / 60);
  CHECK(p->changes.size() == 3);  // and stays there
  CHECK(p->at_hours(4.9).active == 4);
  for (const Sample& c : p->changes) CHECK((c.target >= 2 && c.target <= 40));
}

TEST_CASE("scaling: target tracking respects max, min and the scale-out cooldown", "[scaling]") {
  SECTION("max") {
    CompiledScenario sc = compile(tracking_scenario("min: 2, max: 12"));
    sc.workloads[0].service.rate = 1000;
    sc.duration = Duration::hours(2);
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    Probe* p = add_probe(w, Duration::seconds(10));
    w.run();
    CHECK(p->samples.back().target == 12);
    for (const Sample& c : p->changes) CHECK(c.target <= 12);
  }
  SECTION("min") {
    CompiledScenario sc = compile(tracking_scenario("min: 3, max: 12", "    target: 8\n"));
    REQUIRE(sc.fleets[0].target == 8);
    sc.workloads[0].service.rate = 1;
    sc.duration = Duration::hours(2);
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    Probe* p = add_probe(w, Duration::seconds(10));
    w.run();
    CHECK(p->samples.back().target == 3);
    for (const Sample& c : p->changes) CHECK(c.target >= 3);
  }
  SECTION("scale-out cooldown") {
    // The rate climbs every minute for two hours; scale-outs come at least 5 minutes apart.
    CompiledScenario sc = compile(tracking_scenario("min: 1, max: 1000, scale_out_cooldown: 5m"));
    ServiceSpec& s = sc.workloads[0].service;
    s.rate_kind = ServiceSpec::RateKind::kTrace;
    s.trace.clear();
    for (int k = 0; k < 120; ++k) s.trace.push_back(RatePoint{Duration::minutes(k).us, 10.0 + 5.0 * k});
    sc.duration = Duration::hours(2);
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    Probe* p = add_probe(w, Duration::seconds(10));
    w.run();
    REQUIRE(p->changes.size() > 5);
    for (size_t i = 2; i < p->changes.size(); ++i) {
      INFO("change " << i << " at " << p->changes[i].t_h << " h");
      CHECK(p->changes[i].target > p->changes[i - 1].target);
      CHECK((p->changes[i].t_h - p->changes[i - 1].t_h) * 60 >= 5.0 - 1e-6);
    }
    // Tracks the last rate (605/s needs 121 VMs at 50 %) within a cooldown's growth.
    CHECK(p->samples.back().target >= 100);
  }
}

TEST_CASE("scaling: queue-depth tracking scales a batch fleet out and in without killing a job", "[scaling]") {
  const auto sc = compile(std::string(kHead) + R"(fleets:
  f:
    pools: [p]
    boot_time: 90s
    scaling:
      target_tracking: {metric: queue_depth, workload: j, target_value: 1, min: 1, max: 20, scale_in_cooldown: 1m, stabilization_window: 2m}
workloads:
  j: {type: batch, fleet: f, arrivals: {count: 50}, job: {work: 1h}}
)");
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  Probe* p = add_probe(w, Duration::seconds(10));
  w.run();
  CHECK(metric(w, "workload.j.jobs_completed") == 50);
  CHECK(metric(w, "workload.j.interruptions") == 0);  // busy VMs are protected from scale-in
  int64_t most = 0;
  for (const Sample& s : p->samples) most = std::max(most, s.active);
  CHECK(most == 20);
  CHECK(p->samples.back().target == 1);
  CHECK(p->samples.back().active == 1);
  CHECK(p->at_hours(3.5).active == 1);  // drained as the queue ran out (the last jobs end near 3 h)
  CHECK(metric(w, "fleet.f.vm_hours_spot") < 20 * 3.0 + 48);
}

TEST_CASE("scaling: scenario errors", "[scaling]") {
  const std::string fleet = std::string(kHead) + "fleets:\n  f:\n    pools: [p]\n";
  CHECK(compile_error(fleet) == "test.yaml:8:5: error: fleets.f.target: missing required key");
  CHECK(compile_error(fleet + "    scaling: {schedule: [{at: 1h, target: 2}], target_tracking: {}}\n") ==
        "test.yaml:9:14: error: fleets.f.scaling: give either schedule: or target_tracking:, not both");
  CHECK(compile_error(fleet + "    scaling: {schedule: [{target: 2}]}\n") ==
        "test.yaml:9:26: error: fleets.f.scaling.schedule[0]: missing the time: at: DURATION (since the start) or "
        "daily: \"HH:MM\"");
  CHECK(compile_error(fleet + "    scaling: {schedule: [{daily: \"25:00\", target: 2}]}\n") ==
        "test.yaml:9:34: error: fleets.f.scaling.schedule[0].daily: expected a time of day \"HH:MM\" (00:00 to 23:59), "
        "found \"25:00\"");
  const std::string tt = fleet + "    scaling:\n      target_tracking: {metric: utilization, workload: ";
  const std::string wl =
      "\nworkloads:\n  api: {type: service, fleet: f, rate: 1/s, capacity: 1/s, slo: {latency: 1s, target: 99%}}\n";
  CHECK(compile_error(tt + "apx, target_value: 60%, min: 1, max: 5}" + wl) ==
        "test.yaml:10:56: error: fleets.f.scaling.target_tracking.workload: no workload named \"apx\" (did you mean "
        "\"api\"?)");
  CHECK(compile_error(tt + "api, target_value: 0.6, min: 1, max: 5}" + wl) ==
        "test.yaml:10:75: error: fleets.f.scaling.target_tracking.target_value: expected a percentage like 60% "
        "(utilization), found 0.6");
  CHECK(compile_error(tt + "api, target_value: 60%, min: 6, max: 5}" + wl) ==
        "test.yaml:10:93: error: fleets.f.scaling.target_tracking.max: must be at least min (6), found 5");
  CHECK(compile_error(fleet +
                      "    target: 9\n    scaling:\n      target_tracking: {metric: utilization, workload: api, "
                      "target_value: 60%, min: 1, max: 5}" +
                      wl) ==
        "test.yaml:9:13: error: fleets.f.target: the initial target 9 is outside target tracking's min..max (1..5)");
  CHECK(
      compile_error(
          fleet +
          "    scaling:\n      target_tracking: {metric: queue_depth, workload: api, target_value: 2, min: 1, max: 5}" +
          wl) ==
      "test.yaml:10:56: error: fleets.f.scaling.target_tracking.workload: workload \"api\" is a service, which has no "
      "queue; use metric: utilization");
}

// A run that keeps its scenario: the world refers to it, so it lives (at a stable address) as long
// as the world, and is destroyed after it.
struct KeptRun {
  std::unique_ptr<const CompiledScenario> sc;
  std::unique_ptr<World> w;
  Probe* p = nullptr;
};

TEST_CASE("scaling: a warm pool shortens the time to running and bills its instances by state",
          "[scaling][warm_pool]") {
  auto run = [](const std::string& warm) {
    KeptRun r;
    r.sc = std::make_unique<const CompiledScenario>(compile(std::string(kHead) + R"(fleets:
  f:
    pools: [p]
    boot_time: 5m
    scaling:
      schedule: [{at: 0s, target: 2}, {at: 1h, target: 6}]
)" + warm));
    r.w = std::make_unique<World>(*r.sc, 0);
    r.p = add_probe(*r.w, Duration::seconds(1));
    r.w->run();
    return r;
  };
  SECTION("stopped") {
    auto [sc, w, p] = run("    warm_pool: {size: 3, state: stopped, resume_time: 30s, disk_cost: 0.01}\n");
    // Of the 4 launches at 1 h, 3 resume from the pool (30 s) and 1 boots (5 min).
    CHECK(p->at_hours(1 + 29 / 3600.0).running == 2);
    CHECK(p->at_hours(1 + 30 / 3600.0).running == 5);
    CHECK(p->at_hours(1 + 299 / 3600.0).running == 5);
    CHECK(p->at_hours(1 + 300 / 3600.0).running == 6);
    CHECK(metric(*w, "fleet.f.warm_launches") == 3);
    REQUIRE(w->warm_pool(0) != nullptr);
    CHECK(w->warm_pool(0)->ready() == 3);  // refilled
    // Stopped and ready: disk only (3 × $0.01/h for 1 h, then for 47 h − 5 min); the 3 refills
    // initialize for 5 min at the on-demand price ($0.2/h).
    const double expect = 3 * 0.01 * 1 + 3 * 0.01 * (47 - 5 / 60.0) + 3 * 0.2 * (5 / 60.0);
    CHECK(metric(*w, "fleet.f.warm_pool_cost") == Approx(expect).epsilon(1e-9));
    // Lost VM-hours: 3 × 30 s + 1 × 5 min instead of 4 × 5 min.
    CHECK(metric(*w, "fleet.f.lost_vm_hours") == Approx((3 * 30 + 300) / 3600.0).epsilon(1e-9));
    const double vm_cost = metric(*w, "cost.spot");
    CHECK(metric(*w, "fleet.f.cost") == Approx(vm_cost + expect).epsilon(1e-9));
    CHECK(metric(*w, "cost.total") == Approx(vm_cost + expect).epsilon(1e-9));
  }
  SECTION("running") {
    auto [sc, w, p] = run("    warm_pool: {size: 3, state: running}\n");
    CHECK(p->at_hours(1 + 9 / 3600.0).running == 2);
    CHECK(p->at_hours(1 + 10 / 3600.0).running == 5);  // default resume_time of a running pool: 10 s
    // Running and ready or initializing: always 3 instances at the on-demand price.
    CHECK(metric(*w, "fleet.f.warm_pool_cost") == Approx(3 * 0.2 * 48).epsilon(1e-9));
  }
  SECTION("none") {
    auto [sc, w, p] = run("");
    CHECK(p->at_hours(1 + 299 / 3600.0).running == 2);
    CHECK(p->at_hours(1 + 300 / 3600.0).running == 6);
    CHECK(w->metrics().find("fleet.f.warm_pool_cost") < 0);
  }
}

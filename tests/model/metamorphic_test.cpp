// Metamorphic properties (docs/metrics.md, "Laws"): relations between runs that must hold whatever
// the models do inside. Every run here also checks the per-replication laws (check_laws).
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <sstream>
#include <string>

#include "sim/record/report.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"
#include "tests/common/compile.h"
#include "tests/common/run.h"

using namespace spotsim;

namespace {

// `text` with `sets` applied as --set overrides.
CompiledScenario compile(const std::string& text, std::vector<std::pair<std::string, std::string>> sets = {}) {
  LoadOptions opt;
  opt.overrides = std::move(sets);
  return test::compile(text, "m.yaml", opt);
}

RunResult run(const CompiledScenario& sc, int threads = 1) { return test::run_checked(sc, threads); }
double mean(const RunResult& r, const std::string& metric) { return test::stats_of(r, metric).mean; }

// Every metric's per-replication values, by name (the order of metrics follows the file).
std::map<std::string, std::vector<double>> by_name(const RunResult& r) {
  std::map<std::string, std::vector<double>> out;
  for (size_t m = 0; m < r.metrics.size(); ++m) {
    for (const auto& rep : r.per_replication) out[r.metrics[m].name].push_back(rep[m]);
  }
  return out;
}

const char* kPools[] = {
    "  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.05, "
    "on_demand_price: 0.19, capacity: 40, interruption: {rate: 0.03/h}}\n",
    "  b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: m5.xlarge, spot_price: 0.06, "
    "on_demand_price: 0.19, capacity: 40, interruption: {rate: 0.02/h}}\n",
    "  g: {provider: gcp, region: us-central1, zone: us-central1-a, instance_type: n2-standard-4, spot_price: 0.04, "
    "on_demand_price: 0.19, capacity: 30, interruption: {rate: 0.05/h}}\n",
    "  z: {provider: azure, region: eastus, zone: \"1\", instance_type: Standard_D4s_v5, spot_price: 0.04, "
    "on_demand_price: 0.19, capacity: 30, interruption: {rate: 0.04/h}, restart: true}\n",
};
const char* kFleets[] = {
    "  web: {pools: [a, b], target: 20, boot_time: {dist: uniform, min: 60s, max: 120s}, replace_on: notice}\n",
    "  ml: {pools: [g], target: 12, boot_time: 3m}\n",
    "  az: {pools: [z], target: 8, boot_time: 90s}\n",
};
const char* kChaos[] = {
    "  - {kind: cliff, name: a-down, at: 1d, duration: 3h, scope: {zone: us-east-1a}, level: 0}\n",
    "  - {kind: storm, name: gcp-storm, every: 20h, fraction: 30%, window: 10m, scope: {zone: us-central1-a}}\n",
    "  - {kind: price_spike, name: b-spike, at: 2d, duration: 2h, scope: {zone: us-east-1b}, price: \"$0.50/h\"}\n",
};

std::string scenario_in_order(const int pools[4], const int fleets[3], const int chaos[3]) {
  std::ostringstream s;
  s << "spotsim: 1\nname: perm\nseed: 99\nreplications: 3\nduration: 3d\npools:\n";
  for (int i = 0; i < 4; ++i) s << kPools[pools[i]];
  s << "fleets:\n";
  for (int i = 0; i < 3; ++i) s << kFleets[fleets[i]];
  s << "chaos:\n";
  for (int i = 0; i < 3; ++i) s << kChaos[chaos[i]];
  return s.str();
}

const char* kOneFleet = R"(spotsim: 1
name: one
seed: 4
replications: 10
duration: 7d
pools:
  p: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.05,
      on_demand_price: 0.19, capacity: 1000, interruption: {rate: 0.05/h}}
fleets:
  f: {pools: [p], target: 100, boot_time: 90s}
)";

}  // namespace

TEST_CASE("no hazard and no chaos: nothing is interrupted, nothing lost", "[metamorphic]") {
  const int pools[] = {0, 1, 2, 3}, fleets[] = {0, 1, 2}, none[] = {0, 1, 2};
  std::string text = scenario_in_order(pools, fleets, none);
  text = text.substr(0, text.find("chaos:\n"));
  const RunResult r = run(compile(text, {{"pools.a.interruption.rate", "0/h"},
                                         {"pools.b.interruption.rate", "0/h"},
                                         {"pools.g.interruption.rate", "0/h"},
                                         {"pools.z.interruption.rate", "0/h"}}));
  for (const char* f : {"web", "ml", "az"}) {
    const std::string p = std::string("fleet.") + f + ".";
    CHECK(mean(r, p + "interruptions") == 0);
    CHECK(mean(r, p + "lost_vm_hours") == 0);
    CHECK(mean(r, p + "availability_pct") == 100);
    CHECK(mean(r, p + "unrecovered") == 0);
  }
}

TEST_CASE("doubling the hazard doubles interruptions within Poisson bounds", "[metamorphic]") {
  const RunResult r1 = run(compile(kOneFleet));
  const RunResult r2 = run(compile(kOneFleet, {{"pools.p.interruption.rate", "0.1/h"}}));
  // Interruptions over the exposure (spot VM-hours) estimate the hazard; a Poisson count N has
  // standard deviation √N, so each estimate is within 4 σ of its rate.
  for (const auto& [r, rate] : {std::pair<const RunResult*, double>{&r1, 0.05}, {&r2, 0.1}}) {
    const double n = mean(*r, "fleet.f.interruptions") * 10, exposure = mean(*r, "fleet.f.vm_hours_spot") * 10;
    CHECK(std::fabs(n - rate * exposure) <= 4 * std::sqrt(rate * exposure));
  }
  const double ratio = mean(r2, "fleet.f.revocation_rate") / mean(r1, "fleet.f.revocation_rate");
  CHECK(ratio == Approx(2.0).epsilon(0.1));
  CHECK(mean(r2, "fleet.f.interruptions") > 1.8 * mean(r1, "fleet.f.interruptions"));
}

TEST_CASE("more capacity never lowers availability in a capacity-bound scenario", "[metamorphic]") {
  double last = -1;
  for (const char* cap : {"5", "10", "15", "20", "40"}) {
    const RunResult r = run(compile(kOneFleet, {{"pools.p.capacity", cap}, {"fleets.f.target", "20"}}));
    const double a = mean(r, "fleet.f.availability_pct");
    INFO("capacity " << cap << ": availability " << a);
    CHECK(a >= last);
    last = a;
  }
}

TEST_CASE("the order of pools, fleets and chaos items in the file changes no metric (run-wide sums to rounding)",
          "[metamorphic]") {
  const int p0[] = {0, 1, 2, 3}, f0[] = {0, 1, 2}, c0[] = {0, 1, 2};
  const auto base = by_name(run(compile(scenario_in_order(p0, f0, c0))));
  CHECK(base.at("chaos.gcp-storm.evicted")[0] > 0);
  CHECK(base.at("chaos.a-down.evicted")[0] > 0);
  const int p1[] = {3, 2, 1, 0}, f1[] = {2, 0, 1}, c1[] = {1, 2, 0};
  const int p2[] = {1, 3, 0, 2}, f2[] = {1, 2, 0}, c2[] = {2, 1, 0};
  for (const auto& [p, f, c] :
       {std::tuple<const int*, const int*, const int*>{p1, f1, c1}, {p2, f2, c2}, {p0, f1, c0}, {p1, f0, c1}}) {
    const auto other = by_name(run(compile(scenario_in_order(p, f, c))));
    REQUIRE(other.size() == base.size());
    // Per fleet, pool and chaos item: exactly equal. Run-wide sums (cost.*) add the same amounts
    // in another order (the end-of-run billing goes over VMs in storage order), so they agree to
    // floating-point rounding.
    for (const auto& [name, values] : base) {
      INFO(name);
      const std::vector<double>& o = other.at(name);
      REQUIRE(o.size() == values.size());
      for (size_t k = 0; k < o.size(); ++k) {
        if (MetricKey::parse(name)->group == MetricGroup::kCost) CHECK(o[k] == Approx(values[k]).epsilon(1e-12));
        else CHECK(o[k] == values[k]);
      }
    }
  }
}

TEST_CASE("the same seed gives byte-identical JSON on any number of threads", "[metamorphic]") {
  const int p0[] = {0, 1, 2, 3}, f0[] = {0, 1, 2}, c0[] = {0, 1, 2};
  const CompiledScenario sc = compile(scenario_in_order(p0, f0, c0));
  auto json_of = [&](int threads) {
    RunResult r = run(sc, threads);
    nlohmann::json j = run_to_json(sc, r);
    j.erase("wall_seconds");
    j.erase("threads");
    return j.dump(2);
  };
  const std::string one = json_of(1);
  CHECK(json_of(1) == one);
  CHECK(json_of(2) == one);
  CHECK(json_of(3) == one);
}

// Issue 15, "numbers you can gate on": each defect a new user met, as a regression test, plus the
// laws of docs/metrics.md checked on every replication (RunOptions::check_laws, on in Debug).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "sim/record/report.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"
#include "tests/common/compile.h"
#include "tests/common/run.h"

using namespace spotsim;

namespace {

using test::compile;

RunResult run(const CompiledScenario& sc, int threads = 1) { return test::run_checked(sc, threads); }
double mean(const RunResult& r, const std::string& metric) { return test::stats_of(r, metric).mean; }
double max_of(const RunResult& r, const std::string& metric) { return test::stats_of(r, metric).max; }

// A cliff to 0 spot capacity at 12 h that never recovers, on a 10-VM fleet, for one day.
const char* kDeadFleet = R"(spotsim: 1
name: dead-fleet
seed: 7
replications: 3
duration: 1d
pools:
  p: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.05,
      on_demand_price: 0.2, capacity: 20}
fleets:
  f: {pools: [p], target: 10, boot_time: 60s}
chaos:
  - {kind: cliff, name: gone, at: 12h, scope: {zone: us-east-1a}, level: 0}
expect:
  - fleet.f.time_to_reschedule_max.max < 5m
  - fleet.f.time_to_reschedule.mean < 5m
  - fleet.f.time_to_reschedule_p95.p50 < 5m
  - fleet.f.availability_pct.mean > 40
)";

}  // namespace

TEST_CASE("losses that never come back: unrecovered, censored time to reschedule, failing gates", "[issue15]") {
  const CompiledScenario sc = compile(kDeadFleet);
  const RunResult r = run(sc);
  // Every VM is evicted after the 2-minute notice at 12h and none comes back by 24h.
  CHECK(mean(r, "fleet.f.interruptions") == 10);
  CHECK(mean(r, "fleet.f.replacements") == 0);
  CHECK(mean(r, "fleet.f.unrecovered") == 10);
  CHECK(mean(r, "pool.p.unrecovered") == 10);
  // Censored at the end: open for 24h − 12h02m = 43080 s, so every statistic is at least that.
  CHECK(mean(r, "fleet.f.time_to_reschedule_max") == Approx(43080));
  CHECK(mean(r, "fleet.f.time_to_reschedule") == Approx(43080));
  CHECK(mean(r, "fleet.f.unrecovered_open") == Approx(43080));
  // Availability: 10 VMs for 12h02m of 24h.
  CHECK(mean(r, "fleet.f.availability_pct") == Approx(100.0 * (12 * 60 + 2) / (24 * 60)));
  // Every expectation on time to reschedule fails, whatever its statistic; the others still run.
  REQUIRE(r.expectations.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(r.expectations[static_cast<size_t>(i)].passed);
    CHECK(r.expectations[static_cast<size_t>(i)].explanation.find(
              "fleet.f lost VMs that never came back in 3 of 3 replications") != std::string::npos);
  }
  CHECK(r.expectations[3].passed);
  // The report says it in words, and does not claim "a lost VM is back in 15 s".
  const std::string text = run_to_text(sc, r);
  CHECK(text.find("fleet f: 10 VMs lost (the first at 12h2m into the run) never came back") != std::string::npos);
  CHECK(text.find("a lost VM is back in") == std::string::npos);
  CHECK(text.find("lost and never back (VMs at the end)      10.0      10.0") != std::string::npos);
  CHECK(text.find("but fleet f was there for only 50.1% of its target VM-hours") != std::string::npos);
}

TEST_CASE("Azure VMs deallocated and never restarted are unrecovered", "[issue15]") {
  const CompiledScenario sc = compile(R"(spotsim: 1
name: azure
seed: 3
replications: 2
duration: 7d
pools:
  d4: {provider: azure, region: eastus, zone: "1", instance_type: Standard_D4s_v5, spot_price: 0.04,
       on_demand_price: 0.192, capacity: 100, interruption: {rate: 0.05/h}}
fleets:
  f: {pools: [d4], target: 10, boot_time: 90s}
expect:
  - fleet.f.time_to_reschedule.mean < 5m
)");
  const RunResult r = run(sc);
  // Deallocated VMs stay the fleet's (stopped) but never run again: all 10 are lost in a week at
  // 0.05/h (P(a VM survives 7 d) = e^−8.4 ≈ 0.0002).
  CHECK(mean(r, "fleet.f.interruptions") == 10);
  CHECK(mean(r, "fleet.f.unrecovered") == 10);
  CHECK(mean(r, "fleet.f.restarts") == 0);
  CHECK(max_of(r, "fleet.f.time_to_reschedule") > 3600);
  REQUIRE(r.expectations.size() == 1);
  CHECK_FALSE(r.expectations[0].passed);
}

TEST_CASE("a replacement still booting at the end is not unrecovered, its time is exact", "[issue15]") {
  // One VM evicted at 5h59m with no notice (zero-notice cliff of one VM), boot 10 min: its
  // replacement is running at 6h09m, after the run's end at 6h. It is in flight, not lost.
  const CompiledScenario sc = compile(R"(spotsim: 1
name: in-flight
seed: 1
replications: 1
duration: 6h
pools:
  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.05,
      on_demand_price: 0.2, capacity: 10}
fleets:
  f: {pools: [a], target: 2, boot_time: 10m}
chaos:
  - {kind: storm, name: s, at: 5h59m, fraction: 50%, notice: 0s}
)");
  const RunResult r = run(sc);
  CHECK(mean(r, "fleet.f.interruptions") == 1);
  CHECK(mean(r, "fleet.f.unrecovered") == 0);
  CHECK(mean(r, "fleet.f.time_to_reschedule_max") == Approx(600).epsilon(0.02));
}

TEST_CASE("a zone-wide cliff evicts each VM of the zone once, not again in a sibling pool", "[issue15]") {
  // Three pools in zone a (cheapest first), one in zone b, replace on notice: before, each pool was
  // cut in turn and the replacements of the first landed in the next pool of the same zone, which
  // was then cut too (62 evictions from 28 VMs).
  const CompiledScenario sc = compile(R"(spotsim: 1
name: zone-cliff
seed: 5
replications: 3
duration: 1d
pools:
  a1: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.2, capacity: 10}
  a2: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.2xlarge, spot_price: 0.051, on_demand_price: 0.4, capacity: 10}
  a3: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: c5.xlarge, spot_price: 0.052, on_demand_price: 0.2, capacity: 10}
  b1: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: m5.xlarge, spot_price: 0.06, on_demand_price: 0.2, capacity: 60}
fleets:
  web: {pools: [a1, a2, a3, b1], target: 28, boot_time: 90s, replace_on: notice}
chaos:
  - {kind: cliff, name: cut, at: 12h, duration: 2h, scope: {zone: us-east-1a}, level: 0}
)");
  const RunResult r = run(sc);
  // 28 VMs fill a1, a2 and 8 of a3 (lowest price first); all 28 are in zone a when it is cut.
  CHECK(mean(r, "chaos.cut.evicted") == 28);
  CHECK(mean(r, "fleet.web.interruptions") == 28);
  CHECK(mean(r, "pool.b1.interruptions") == 0);
  CHECK(mean(r, "fleet.web.unrecovered") == 0);
}

TEST_CASE("savings under scaling compare the VM-hours the fleet needed", "[issue15]") {
  // Queue workers tracking queue depth with min 0: VMs holding a job are protected from scale-in,
  // so the fleet runs far more VM-hours than its target's integral. The counterfactual runs what
  // the fleet needed (max(target, protected VMs) at each moment), never less.
  const CompiledScenario sc = compile(R"(spotsim: 1
name: queue
seed: 11
replications: 3
duration: 2d
pools:
  c5: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: c5.xlarge, spot_price: 0.06,
       on_demand_price: 0.17, capacity: 200}
fleets:
  workers:
    pools: [c5]
    target: 0
    boot_time: 2m
    scaling:
      target_tracking: {metric: queue_depth, workload: jobs, target_value: 1, min: 0, max: 40}
workloads:
  jobs:
    type: batch
    fleet: workers
    arrivals: {rate: 10/h, count: 200}
    job: {work: {dist: exponential, mean: 3h}}
)");
  const RunResult r = run(sc);
  const double ran = mean(r, "fleet.workers.vm_hours_spot");
  const double needed = mean(r, "fleet.workers.vm_hours_needed");
  // Protected VMs are running VMs, so what was needed is at least what protected VMs ran and the
  // counterfactual prices it at on-demand.
  CHECK(needed > 0);
  CHECK(mean(r, "fleet.workers.cost_all_on_demand") == Approx(0.17 * needed));
  // With no interruption, spot at 0.06 vs on-demand at 0.17 saves at most 1 − 0.06/0.17 = 64.7%,
  // and at least that minus what VMs above the need cost (boot time is billed).
  const double s = mean(r, "fleet.workers.savings_pct");
  CHECK(s > 55);
  CHECK(s <= 100.0 * (1 - 0.06 / 0.17) + 1e-9);
  CHECK(ran <= needed * 1.05);
  CHECK(mean(r, "fleet.workers.cost_per_available_vm_hour") == Approx(0.06).epsilon(0.05));
}

TEST_CASE("an all-on-demand fleet saves exactly nothing", "[issue15][metamorphic]") {
  const CompiledScenario sc = compile(R"(spotsim: 1
name: od
seed: 2
replications: 2
duration: 3d
pools:
  p: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.05,
      on_demand_price: 0.2, capacity: 50, interruption: {rate: 0.1/h}}
fleets:
  f: {pools: [p], target: 10, boot_time: 90s, on_demand_base: 10}
)");
  const RunResult r = run(sc);
  CHECK(mean(r, "fleet.f.vm_hours_spot") == 0);
  CHECK(mean(r, "fleet.f.savings_pct") == Approx(0).margin(1e-9));
  CHECK(mean(r, "cost.savings_pct") == Approx(0).margin(1e-9));
  CHECK(mean(r, "fleet.f.cost_per_available_vm_hour") == Approx(0.2));
}

TEST_CASE("the rejection rate is refusals against the run's launches, not diluted by the warm start", "[issue15]") {
  // 100 VMs fill their pool; a cliff to 99 at 12h for 1h evicts one (notice 2 min). Its
  // replacement is refused every 30 s from 12:02 until the capacity is back at 13:00: attempts at
  // 12:02 + 30 s·k, k = 0..115 refused (116), k = 116 at 13:00 admitted (the cliff's end runs
  // first at that instant). 100 × 116 / (116 + 1), where counting the warm start's 100 VMs as
  // launches would have said 53%.
  const CompiledScenario sc = compile(R"(spotsim: 1
name: dilution
seed: 3
replications: 2
duration: 1d
pools:
  p: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.05,
      on_demand_price: 0.2, capacity: 100}
fleets:
  f: {pools: [p], target: 100, boot_time: 90s}
chaos:
  - {kind: cliff, name: dip, at: 12h, duration: 1h, level: 99}
)");
  const RunResult r = run(sc);
  CHECK(mean(r, "fleet.f.interruptions") == 1);
  CHECK(mean(r, "fleet.f.capacity_errors") == 116);
  CHECK(mean(r, "fleet.f.launches") == 1);
  CHECK(mean(r, "fleet.f.rejection_rate_pct") == Approx(100.0 * 116 / 117));
  // Lost from the eviction at 12:02 until 13:00 + 90 s boot: 59.5 min.
  CHECK(mean(r, "fleet.f.lost_vm_hours") == Approx(59.5 / 60));
}

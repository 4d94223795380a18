// Provider semantics in the world model (docs/providers.md): notices and billing per provider,
// AWS rebalance recommendations and capacity rebalancing, evictions that keep the VM (stop,
// hibernate, deallocate) with disk billing and restarts, GCP preemptible 24 h lifetime, boot
// latency distributions and boot failures.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <vector>

#include "sim/model/world.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"
#include "tests/common/compile.h"

using namespace spotsim;

namespace {

using test::compile;

// Runs replication `rep` and returns metric values by name, with every model event.
struct Run : RunObserver {
  std::vector<ModelEvent> events;
  std::map<std::string, double> m;
  bool wants_events() const override { return true; }
  void on_event(const ModelEvent& e) override { events.push_back(e); }
  double operator[](const std::string& name) const {
    auto it = m.find(name);
    if (it == m.end()) FAIL("no metric " + name);
    return it->second;
  }
  size_t count(ModelEventKind k, double detail = -1) const {
    return static_cast<size_t>(std::count_if(events.begin(), events.end(), [&](const ModelEvent& e) {
      return e.kind == k && (detail < 0 || e.detail == detail);
    }));
  }
};

Run run(const CompiledScenario& sc, int64_t rep = 0) {
  Run r;
  const std::vector<double> values = run_replication(sc, sc.seed, rep, &r);
  const auto defs = replication_metric_defs(sc);
  for (size_t i = 0; i < defs.size(); ++i) r.m[defs[i].name] = values[i];
  return r;
}

std::string pool(const std::string& provider, const std::string& extra) {
  return "  p: {provider: " + provider +
         ", region: r, instance_type: m5.xlarge, spot_price: 3.6, on_demand_price: 7.2, "
         "capacity: 100" +
         extra + "}\n";
}

std::string scenario(const std::string& duration, const std::string& pools, const std::string& fleet,
                     const std::string& tail = "", int seed = 3) {
  return "spotsim: 1\nname: t\nseed: " + std::to_string(seed) + "\nduration: " + duration + "\npools:\n" + pools +
         "fleets:\n  f: {pools: [p], " + fleet + "}\n" + tail;
}

const std::string kStormAt10m = "chaos:\n  - {kind: storm, at: 10m}\n";

}  // namespace

TEST_CASE("the same scenario under each provider gives that provider's notice and billing", "[provider][world]") {
  struct Case {
    const char* provider;
    double notice_s;
    double uninterrupted_cost;  // one VM for 30m30s at $3.6/h
    double interrupted_cost;    // one VM stormed at 10m: evicted at 10m + notice
  };
  const Case c = GENERATE(Case{"aws", 120, 1.83, 0.0},    // per second; interrupted in hour 1: free
                          Case{"azure", 30, 1.86, 0.66},  // per minute: 31 min; 10m30s → 11 min
                          Case{"gcp", 30, 1.83, 0.63});   // per second: 1830 s; 630 s
  INFO(c.provider);
  const std::string p =
      pool(c.provider, ", eviction_action: " + std::string(c.provider == std::string("aws") ? "terminate" : "delete"));
  // Uninterrupted: billed from 0 to the end of the run.
  const Run quiet = run(compile(scenario("30m30s", p, "target: 1, boot_time: 90s")));
  CHECK(quiet["cost.total"] == Approx(c.uninterrupted_cost));
  // A storm at 10 min: the provider's notice, then the eviction, billed by the provider's rules.
  const Run stormed = run(compile(scenario("30m30s", p, "target: 1, boot_time: 90s, retry_interval: 1h", kStormAt10m)));
  REQUIRE(stormed.count(ModelEventKind::kNotice) == 1);
  const auto notice = std::find_if(stormed.events.begin(), stormed.events.end(),
                                   [](const ModelEvent& e) { return e.kind == ModelEventKind::kNotice; });
  const auto evict = std::find_if(stormed.events.begin(), stormed.events.end(),
                                  [](const ModelEvent& e) { return e.kind == ModelEventKind::kEviction; });
  REQUIRE(evict != stormed.events.end());
  CHECK(notice->detail == c.notice_s);
  CHECK((evict->time - notice->time).to_seconds() == c.notice_s);
  CHECK(evict->vm == notice->vm);
  // The first VM's charge: the total minus its replacement's (launched at the eviction, 90 s boot,
  // running to the end; not interrupted).
  const double repl_s = 30 * 60 + 30 - evict->time.to_seconds();
  const double repl =
      c.provider == std::string("azure") ? std::ceil(repl_s / 60) * 60 / 3600 * 3.6 : repl_s / 3600 * 3.6;
  CHECK(stormed["cost.total"] - repl == Approx(c.interrupted_cost).margin(1e-9));
}

TEST_CASE("azure rejects a notice shorter than 30 s but accepts none", "[provider][scenario]") {
  auto bad = compile_scenario(scenario("1h", pool("azure", ", notice: 10s"), "target: 1"), "test.yaml");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message() ==
        "test.yaml:6:123: error: pools.p.notice: azure gives at least 30s of notice; write 0s for no notice at all, "
        "or a longer notice");
  CHECK(compile_scenario(scenario("1h", pool("azure", ", notice: 0s"), "target: 1"), "test.yaml").is_ok());
}

TEST_CASE("rebalance recommendations come before the notice and capacity rebalancing replaces early",
          "[provider][rebalance]") {
  const std::string p =
      pool("aws", ", interruption: {rate: 1/h}, rebalance: {probability: 100%, lead: {uniform: [20m, 30m]}}");
  SECTION("with capacity_rebalance the replacement runs and the old VM is drained before its notice") {
    const Run r = run(compile(scenario("2d", p, "target: 10, boot_time: 90s, capacity_rebalance: true")));
    CHECK(r["fleet.f.rebalance_recommendations"] > 300);
    // Each recommendation launched a replacement that drained the old VM 90 s later, before its
    // notice — except when the interruption came less than 90 s after the recommendation (the
    // lead is cut short for a VM interrupted within its first 20–30 min of running).
    std::map<uint32_t, SimTime> rebalance_at;
    for (const ModelEvent& e : r.events) {
      if (e.kind == ModelEventKind::kRebalance) rebalance_at[e.vm] = e.time;
      if (e.kind == ModelEventKind::kNotice) CHECK((e.time - rebalance_at.at(e.vm)).to_seconds() < 90);
    }
    CHECK(r["fleet.f.interruptions"] < 0.05 * r["fleet.f.rebalance_recommendations"]);
    CHECK(r.count(ModelEventKind::kTerminate) + r.count(ModelEventKind::kEviction) ==
          r.count(ModelEventKind::kRebalance));
    CHECK(r["fleet.f.availability_pct"] == Approx(100).margin(0.5));
  }
  SECTION("without capacity_rebalance the recommendation is only a signal") {
    const Run r = run(compile(scenario("2d", p, "target: 10, boot_time: 90s")));
    std::map<uint32_t, SimTime> rebalance_at, running_at;
    size_t checked = 0, full_lead = 0;
    for (const ModelEvent& e : r.events) {
      if (e.kind == ModelEventKind::kRunning) running_at[e.vm] = e.time;
      if (e.kind == ModelEventKind::kRebalance) rebalance_at[e.vm] = e.time;
      if (e.kind != ModelEventKind::kNotice) continue;
      REQUIRE(rebalance_at.count(e.vm) == 1);
      const double lead = (e.time - rebalance_at[e.vm]).to_seconds();
      CHECK(lead <= 30 * 60);
      // The drawn lead (20–30 min), or cut short: the recommendation comes when the VM starts
      // running if its interruption is due sooner than the lead.
      if (lead >= 20 * 60) {
        ++full_lead;
      } else {
        CHECK(rebalance_at[e.vm] == running_at.at(e.vm));
      }
      ++checked;
    }
    CHECK(checked > 300);
    CHECK(full_lead > checked / 2);
    CHECK(r.count(ModelEventKind::kTerminate) == 0);
    CHECK(r["fleet.f.interruptions"] == r.count(ModelEventKind::kEviction));
  }
  SECTION("a recommendation that is not early arrives together with the notice, just before it") {
    const std::string p0 = pool("aws", ", interruption: {rate: 1/h}, rebalance: {probability: 0%, lead: 10m}");
    const Run r = run(compile(scenario("1d", p0, "target: 5, boot_time: 90s")));
    size_t pairs = 0;
    for (size_t i = 0; i + 1 < r.events.size(); ++i) {
      if (r.events[i + 1].kind != ModelEventKind::kNotice) continue;
      CHECK(r.events[i].kind == ModelEventKind::kRebalance);
      CHECK(r.events[i].vm == r.events[i + 1].vm);
      CHECK(r.events[i].time == r.events[i + 1].time);
      ++pairs;
    }
    CHECK(pairs > 50);
  }
}

TEST_CASE("a late rebalance replacement takes over the evicted VM instead of a second replacement",
          "[provider][rebalance]") {
  // Boot (10 min) longer than the lead (5 min): the replacement is still booting at the eviction.
  const std::string p = pool("aws", ", interruption: {rate: 0.5/h}, rebalance: {probability: 100%, lead: 5m}");
  const Run r = run(compile(scenario("2d", p, "target: 10, boot_time: 10m, capacity_rebalance: true")));
  CHECK(r["fleet.f.interruptions"] > 100);
  // One launch per recommendation and none per eviction: the fleet never exceeds its target.
  CHECK(r.count(ModelEventKind::kLaunch) == 10 + r.count(ModelEventKind::kRebalance));
  // The replacement runs 10 min after the recommendation, i.e. 10 − 5 − 2 = 3 min after the
  // eviction — or later when the lead was cut short (interruption due within 5 min of running).
  CHECK(r["fleet.f.time_to_reschedule"] >= 179);
  CHECK(r["fleet.f.time_to_reschedule"] < 240);
  CHECK(r["fleet.f.time_to_reschedule_max"] <= 600 + 1);
}

TEST_CASE("stop keeps the VM and its disks billed and AWS restarts it when capacity is back", "[provider][stop]") {
  const std::string action = GENERATE(std::string("stop"), std::string("hibernate"));
  INFO(action);
  const std::string p = pool("aws", ", eviction_action: " + action + ", disk_cost: $0.01/h, restart_after: 1h");
  const Run r = run(compile(scenario("10h", p, "target: 1, boot_time: 90s", kStormAt10m)));
  // Evicted at 12 min (10 min + 2 min notice), stopped, restarted 1 h later, running 90 s after.
  CHECK(r.count(ModelEventKind::kEviction, 1) == 1);
  CHECK(r.count(ModelEventKind::kLaunch, 3) == 1);
  CHECK(r["fleet.f.restarts"] == 1);
  CHECK(r["fleet.f.interruptions"] == 1);
  CHECK(r["fleet.f.stopped_vm_hours"] == Approx(1.0));
  CHECK(r["fleet.f.time_to_reschedule"] == Approx(3600 + 90));
  CHECK(r["fleet.f.vm_hours_spot"] == Approx(10 - 1 - 90.0 / 3600));
  // Disks for the whole run (one VM existed throughout); compute: first run free (interrupted in
  // hour 1 by AWS), second run from the restart (1h12m) to the end.
  CHECK(r["fleet.f.disk_cost"] == Approx(0.1));
  CHECK(r["cost.disk"] == Approx(0.1));
  CHECK(r["cost.total"] == Approx(0.1 + (10 - 1.2) * 3.6));
  CHECK(r["fleet.f.savings_pct"] == Approx(100 * (1 - r["cost.total"] / (10 * 7.2 + 0.1))));
}

TEST_CASE("gcp stop: the managed instance group restarts the VM by default and restart false keeps it stopped",
          "[provider][stop][gcp]") {
  const std::string fleet = "target: 4, boot_time: 90s, retry_interval: 5m";
  const std::string storm = "chaos:\n  - {kind: storm, at: 1h, fraction: 50%}\n";
  SECTION("default (MIG repair): both stopped VMs restart at once, nothing stays stopped") {
    const Run r = run(compile(scenario("5h", pool("gcp", ", disk_cost: $0.02/h"), fleet, storm)));
    CHECK(r["fleet.f.interruptions"] == 2);
    CHECK(r["fleet.f.restarts"] == 2);
    CHECK(r["fleet.f.stopped_vm_hours"] == Approx(0));
    CHECK(r["fleet.f.lost_vm_hours"] == Approx(2 * 90.0 / 3600));  // the restarts boot again
  }
  SECTION("restart false (DO_NOTHING): both stay stopped to the end with their disks billed") {
    const Run r = run(compile(scenario("5h", pool("gcp", ", disk_cost: $0.02/h, restart: false"), fleet, storm)));
    CHECK(r["fleet.f.restarts"] == 0);
    CHECK(r["fleet.f.stopped_vm_hours"] == Approx(2 * (5 - 1 - 30.0 / 3600)));
    CHECK(r["fleet.f.disk_cost"] == Approx(4 * 5 * 0.02));
  }
}

TEST_CASE("azure deallocate keeps the VM in the scale set and delete replaces it", "[provider][stop]") {
  const std::string fleet = "target: 4, boot_time: 90s";
  const std::string storm = "chaos:\n  - {kind: storm, at: 1h, fraction: 50%}\n";
  SECTION("deallocate without restart: two VMs stay deallocated to the end, disks billed, no replacement") {
    const Run r = run(compile(scenario("5h", pool("azure", ", disk_cost: $0.02/h"), fleet, storm)));
    CHECK(r["fleet.f.interruptions"] == 2);
    CHECK(r.count(ModelEventKind::kLaunch) == 4);
    CHECK(r["fleet.f.restarts"] == 0);
    const double stopped_h = 5 - 1 - 30.0 / 3600;
    CHECK(r["fleet.f.stopped_vm_hours"] == Approx(2 * stopped_h));
    CHECK(r["fleet.f.disk_cost"] == Approx(4 * 5 * 0.02));
    CHECK(r["fleet.f.lost_vm_hours"] == Approx(2 * stopped_h));
  }
  SECTION("deallocate with restart: back at once when the pool has capacity (restart_after 0)") {
    const Run r = run(compile(
        scenario("5h", pool("azure", ", disk_cost: $0.02/h, restart: true"), fleet + ", retry_interval: 5m", storm)));
    CHECK(r["fleet.f.restarts"] == 2);
    CHECK(r["fleet.f.stopped_vm_hours"] == Approx(0));  // restart_after 0: capacity is there at once
    CHECK(r["fleet.f.disk_cost"] == Approx(4 * 5 * 0.02));
  }
  SECTION("delete: replacements, disks only while the VMs exist") {
    const Run r =
        run(compile(scenario("5h", pool("azure", ", disk_cost: $0.02/h, eviction_action: delete"), fleet, storm)));
    CHECK(r.count(ModelEventKind::kLaunch) == 6);
    CHECK(r["fleet.f.stopped_vm_hours"] == 0);
    CHECK(r["fleet.f.disk_cost"] == Approx((4 * 5) * 0.02));  // evicted disks + replacement disks = 4 VMs all along
    CHECK(r["fleet.f.lost_vm_hours"] == Approx(2 * 90.0 / 3600));
  }
}

TEST_CASE("gcp preemptible VMs end 24 h after launch at the latest and spot VMs do not", "[provider][gcp]") {
  const std::string fleet = "target: 5, boot_time: 2m";
  const Run pre =
      run(compile(scenario("4d", pool("gcp", ", eviction_action: delete, provisioning_model: preemptible"), fleet)));
  std::map<uint32_t, SimTime> launched;
  size_t full_lifetimes = 0;
  for (const ModelEvent& e : pre.events) {
    if (e.kind == ModelEventKind::kLaunch) launched[e.vm] = e.time;
    if (e.kind != ModelEventKind::kEviction) continue;
    const double life = (e.time - launched.at(e.vm)).to_seconds();
    CHECK(life <= 24 * 3600.0);
    if (launched.at(e.vm).us > 0) {
      CHECK(life == 24 * 3600.0);  // launched during the run: exactly 24 h
      ++full_lifetimes;
    }
  }
  CHECK(pre["fleet.f.interruptions"] >= 5 * 3);
  CHECK(full_lifetimes >= 10);
  const Run spot = run(compile(scenario("4d", pool("gcp", ", eviction_action: delete"), fleet)));
  CHECK(spot["fleet.f.interruptions"] == 0);
  auto bad =
      compile_scenario(scenario("1h", pool("aws", ", provisioning_model: preemptible"), "target: 1"), "test.yaml");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message() ==
        "test.yaml:6:133: error: pools.p.provisioning_model: the preemptible provisioning model is GCP's; aws pools "
        "are spot");
}

TEST_CASE("boot latency follows the configured distribution", "[provider][boot]") {
  auto boot_times = [](const std::string& boot) {
    const Run r = run(compile(
        scenario("20d", pool("aws", ", interruption: {rate: 2/h}, notice: 0s"), "target: 10, boot_time: " + boot)));
    std::map<uint32_t, SimTime> launched;
    std::vector<double> out;
    for (const ModelEvent& e : r.events) {
      if (e.kind == ModelEventKind::kLaunch) launched[e.vm] = e.time;
      if (e.kind == ModelEventKind::kRunning && e.time.us > 0) out.push_back((e.time - launched.at(e.vm)).to_seconds());
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  SECTION("lognormal by median and p95") {
    const auto b = boot_times("{lognormal: {median: 90s, p95: 4m}}");
    REQUIRE(b.size() > 5000);
    CHECK(b[b.size() / 2] == Approx(90).epsilon(0.04));
    CHECK(b[b.size() * 95 / 100] == Approx(240).epsilon(0.06));
  }
  SECTION("uniform") {
    const auto b = boot_times("{uniform: [60s, 120s]}");
    REQUIRE(b.size() > 5000);
    CHECK(b.front() >= 60);
    CHECK(b.back() <= 120);
    double sum = 0;
    for (double x : b) sum += x;
    CHECK(sum / static_cast<double>(b.size()) == Approx(90).epsilon(0.01));
  }
  SECTION("the long form of workloads works too") {
    const auto b = boot_times("{dist: uniform, min: 30s, max: 40s}");
    CHECK(b.front() >= 30);
    CHECK(b.back() <= 40);
  }
}

TEST_CASE("boot failures happen with the configured probability", "[provider][boot]") {
  const Run r = run(compile(scenario("10d", pool("aws", ", interruption: {rate: 2/h}, notice: 0s"),
                                     "target: 10, boot_time: 60s, boot_failure: 20%")));
  const double failed = static_cast<double>(r.count(ModelEventKind::kBootFailed));
  const double ok = static_cast<double>(r.count(ModelEventKind::kRunning)) - 10;  // warm start never fails
  REQUIRE(failed + ok > 3000);
  // Binomial standard error ≈ sqrt(.2·.8/n) < 0.008 ⇒ ±4 SE.
  CHECK(failed / (failed + ok) == Approx(0.2).margin(0.03));
  CHECK(r["fleet.f.boot_failures"] == failed);
}

TEST_CASE("fleet and pool metrics on a hand-checked tiny scenario", "[provider][metrics]") {
  // One spot VM (pool capacity 1) for 10 h. At 1 h the pool's capacity drops to 0 (a cliff): the
  // VM gets its 2-minute notice and is evicted at 1h02m; its replacement is refused and falls back
  // to on-demand at once (running 90 s later, at 1h03m30s) for the rest of the run.
  const std::string p =
      "  p: {provider: aws, region: r, instance_type: m5.xlarge, spot_price: 0.1, on_demand_price: 0.4, "
      "capacity: 1}\n";
  const Run r = run(compile(scenario("10h", p, "target: 1, boot_time: 90s, fallback: {after: 0s}",
                                     "chaos:\n  - {kind: cliff, at: 1h, level: 0}\n")));
  const double spot_h = 1 + 2.0 / 60, od_h = 10 - 1 - 3.5 / 60;
  CHECK(r["fleet.f.interruptions"] == 1);
  CHECK(r["fleet.f.vm_hours_spot"] == Approx(spot_h));
  CHECK(r["fleet.f.vm_hours_on_demand"] == Approx(od_h));
  CHECK(r["fleet.f.vm_hours_fallback"] == Approx(od_h));
  CHECK(r["fleet.f.spot_share_pct"] == Approx(100 * spot_h / (spot_h + od_h)));
  CHECK(r["fleet.f.revocation_rate"] == Approx(1 / spot_h));
  CHECK(r["fleet.f.launches"] == 1);
  CHECK(r["fleet.f.fallback_launches"] == 1);
  CHECK(r["fleet.f.fallback_rate_pct"] == 100);
  CHECK(r["fleet.f.time_to_reschedule"] == Approx(90));
  // Spot 1h02m (past the first hour: billed) + on-demand from 1h02m (booting is billed).
  const double cost = spot_h * 0.1 + (10 - spot_h) * 0.4;
  CHECK(r["fleet.f.cost"] == Approx(cost));
  CHECK(r["fleet.f.cost_all_on_demand"] == Approx(10 * 0.4));
  CHECK(r["fleet.f.savings_pct"] == Approx(100 * (1 - cost / 4.0)));
  CHECK(r["pool.p.vm_hours_spot"] == Approx(spot_h));
  CHECK(r["pool.p.vm_hours_on_demand"] == Approx(od_h));
  CHECK(r["pool.p.revocation_rate"] == Approx(1 / spot_h));
  // In use 1 of capacity 1 until the cliff; capacity 0 after (the noticed VM is not counted
  // beyond the capacity).
  CHECK(r["pool.p.spot_utilization_pct"] == Approx(100));
  SECTION("revocation rate is interruptions per running spot VM-hour") {
    const Run h = run(compile(scenario("5d", pool("aws", ", interruption: {rate: 0.5/h}, eviction_action: terminate"),
                                       "target: 10, boot_time: 90s")));
    CHECK(h["fleet.f.revocation_rate"] == Approx(h["fleet.f.interruptions"] / h["fleet.f.vm_hours_spot"]));
    CHECK(h["fleet.f.revocation_rate"] == Approx(0.5).epsilon(0.1));
    CHECK(h["pool.p.revocation_rate"] == Approx(h["fleet.f.revocation_rate"]));
    // 10 of 100 capacity in use all along (booting and noticed VMs count as in use).
    CHECK(h["pool.p.spot_utilization_pct"] == Approx(10).epsilon(0.001));
  }
}

TEST_CASE("eviction_type capacity-only ignores price and price-or-capacity needs max_price", "[provider][price]") {
  const std::string spike = "chaos:\n  - {kind: price_spike, at: 1h, duration: 1h, price: $10/h}\n";
  const std::string p = pool("azure", ", eviction_action: delete");
  const Run price = run(compile(scenario("3h", p, "target: 4, max_price: 5", spike)));
  CHECK(price["fleet.f.interruptions"] == 4);
  const Run cap = run(compile(scenario("3h", p, "target: 4, max_price: 5, eviction_type: capacity-only", spike)));
  CHECK(cap["fleet.f.interruptions"] == 0);
  auto bad = compile_scenario(scenario("1h", p, "target: 1, eviction_type: price-or-capacity"), "test.yaml");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message() ==
        "test.yaml:8:45: error: fleets.f.eviction_type: price-or-capacity needs a max_price (the price above which VMs "
        "are evicted)");
  auto gcp = compile_scenario(
      scenario("1h", pool("gcp", ""), "target: 1, max_price: 5, eviction_type: price-or-capacity"), "test.yaml");
  REQUIRE_FALSE(gcp.is_ok());
  CHECK(gcp.status().message() ==
        "test.yaml:8:59: error: fleets.f.eviction_type: pool \"p\" is gcp, which evicts only for capacity (use "
        "capacity-only)");
}

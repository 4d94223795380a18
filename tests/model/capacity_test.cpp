// Regional shared capacity, vCPU quotas, the launch token bucket, capacity and price over time,
// and rejection metrics (docs/capacity.md), each on a tiny hand-checked setup.
#include <catch2/catch.hpp>

#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/run/replication_models.h"
#include "sim/chaos/runtime.h"
#include "sim/model/capacity_process.h"
#include "sim/model/rate_limiter.h"
#include "sim/model/world.h"
#include "sim/record/report.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"
#include "tests/common/compile.h"

using namespace spotsim;

namespace {

using test::compile;

std::map<std::string, double> metrics_of(const World& w) {
  std::map<std::string, double> m;
  const auto& defs = w.metrics().defs();
  for (size_t i = 0; i < defs.size(); ++i) m[defs[i].name] = w.metrics().values()[i];
  return m;
}

// Checks after every model event that no region exceeds its quotas or shared capacity, from the
// VMs themselves (not from RegionalLimits' own counters), and records launch times per region.
struct InvariantObserver : WorldObserver {
  int checks = 0;
  int64_t od_peak = 0, spot_peak = 0;
  std::vector<int64_t> launches_us;  // every kLaunch in a limited region
  void on_model_event(const World& w, const ModelEvent& e) override {
    const CompiledScenario& sc = w.scenario();
    if (e.kind == ModelEventKind::kLaunch && w.market().regional_limits() &&
        w.market().regional_limits()->limited(e.pool)) {
      launches_us.push_back(e.time.us);
    }
    for (const RegionSpec& r : sc.regions) {
      int64_t od = 0, spot = 0;
      std::vector<int64_t> shared(r.spot_capacity.size(), 0);
      for (const VmSlot& v : w.vms()) {
        if (v.state == VmState::kFree) continue;
        if (std::find(r.pools.begin(), r.pools.end(), v.pool) == r.pools.end()) continue;
        (v.purchase == Purchase::kSpot ? spot : od) += sc.pools[v.pool].vcpus;
        if (v.purchase != Purchase::kSpot) continue;
        for (size_t k = 0; k < r.spot_capacity.size(); ++k) {
          const auto& ps = r.spot_capacity[k].pools;
          if (std::find(ps.begin(), ps.end(), v.pool) != ps.end()) shared[k]++;
        }
      }
      od_peak = std::max(od_peak, od);
      spot_peak = std::max(spot_peak, spot);
      if (r.on_demand_vcpu_quota >= 0) REQUIRE(od <= r.on_demand_vcpu_quota);
      if (r.spot_vcpu_quota >= 0) REQUIRE(spot <= r.spot_vcpu_quota);
      for (size_t k = 0; k < shared.size(); ++k) REQUIRE(shared[k] <= r.spot_capacity[k].capacity);
    }
    ++checks;
  }
};

// Admitted calls in any window [a, b] ≤ burst + rate × (b − a): checked on the launch times.
void check_rate(const std::vector<int64_t>& t, double rate_per_s, int64_t burst) {
  for (size_t i = 0; i < t.size(); ++i) {
    for (size_t j = i; j < t.size(); ++j) {
      const double allowed = static_cast<double>(burst) + rate_per_s * static_cast<double>(t[j] - t[i]) * 1e-6;
      REQUIRE(static_cast<double>(j - i + 1) <= allowed + 1e-6);
    }
  }
}

std::string tmp_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("spotsim-capacity-" + name);
  std::filesystem::create_directories(d);
  return d.string();
}

}  // namespace

// --- token bucket and backoff ----------------------------------------------------------------

TEST_CASE("token bucket: burst at once then one token per 1/rate", "[capacity][rate]") {
  TokenBucket b(0.5, 3);  // one token every 2 s, three at most
  CHECK(b.try_take(0));
  CHECK(b.try_take(0));
  CHECK(b.try_take(0));
  CHECK_FALSE(b.try_take(0));
  CHECK_FALSE(b.try_take(1'999'999));
  CHECK(b.try_take(2'000'000));
  CHECK_FALSE(b.try_take(2'000'000));
  CHECK(b.tokens(100'000'000) == Approx(3));  // refills to the burst, never above
}

TEST_CASE("token bucket: admitted calls never exceed burst plus rate times the window", "[capacity][rate]") {
  Rng rng = Rng::stream(7, 0, "bucket-test");
  TokenBucket b(2.0, 5);
  std::vector<int64_t> admitted;
  int64_t t = 0;
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    t += static_cast<int64_t>(rng.exponential(4.0) * 1e6);  // calls at twice the rate
    if (b.try_take(t)) admitted.push_back(t);
    else ++refused;
  }
  CHECK(refused > 500);
  check_rate(admitted, 2.0, 5);
}

TEST_CASE("throttle backoff: exponential, capped, jittered deterministically", "[capacity][rate]") {
  const Duration init = Duration::seconds(1), max = Duration::seconds(20);
  CHECK(backoff_delay(init, max, 0, 0, 1) == Duration::seconds(1));
  CHECK(backoff_delay(init, max, 0, 3, 1) == Duration::seconds(8));
  CHECK(backoff_delay(init, max, 0, 10, 1) == Duration::seconds(20));
  CHECK(backoff_delay(init, max, 0, 500, 1) == Duration::seconds(20));
  for (uint64_t key = 0; key < 200; ++key) {
    const Duration d = backoff_delay(init, max, 0.5, 4, key);
    CHECK(d > Duration::seconds(8));
    CHECK(d <= Duration::seconds(16));
    CHECK(d == backoff_delay(init, max, 0.5, 4, key));
  }
  CHECK(backoff_delay(init, max, 0.5, 4, 1) != backoff_delay(init, max, 0.5, 4, 2));
}

// --- regions: shared capacity, quotas, rate limits --------------------------------------------

namespace {

// Two m5 pools in two zones of one region (capacity 10 each) and a c5 pool; each fleet on one pool.
std::string region_scenario(const std::string& regions, const std::string& fleets, const std::string& chaos = "",
                            const std::string& duration = "6h") {
  std::ostringstream s;
  s << "spotsim: 1\nname: t\nseed: 3\nreplications: 1\nduration: " << duration << "\n"
    << "pools:\n"
    << "  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, vcpus: 4, spot_price: "
       "0.06, "
       "on_demand_price: 0.192, capacity: 10}\n"
    << "  b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: m5.2xlarge, vcpus: 8, spot_price: "
       "0.12, "
       "on_demand_price: 0.384, capacity: 10}\n"
    << "  c: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: c5.xlarge, vcpus: 4, spot_price: "
       "0.06, "
       "on_demand_price: 0.17, capacity: 10}\n"
    << "regions:\n"
    << regions << "fleets:\n"
    << fleets;
  if (!chaos.empty()) s << "chaos:\n" << chaos;
  return s.str();
}

// One replication with the scenario's chaos and the invariant observer; the world stays for
// inspection after the run.
struct CheckedRun {
  World world;
  ChaosRuntime chaos;
  InvariantObserver inv;
  std::map<std::string, double> m;
  explicit CheckedRun(const CompiledScenario& sc) : world(sc, 0), chaos(world) {
    world.signals().set_observer(&inv);
    world.run();
    m = metrics_of(world);
  }
};

}  // namespace

TEST_CASE("shared regional spot capacity bounds all pools of a family together", "[capacity][region]") {
  const auto sc = compile(region_scenario("  us-east-1: {spot_capacity: {instance_family: {m5: 12}}}\n",
                                          "  fa: {pools: [a], target: 10}\n  fb: {pools: [b], target: 10}\n"
                                          "  fc: {pools: [c], target: 10}\n"));
  CheckedRun r(sc);
  const World& w = r.world;
  const InvariantObserver& inv = r.inv;
  const auto& m = r.m;
  // fa fills first (10), fb gets the 2 left of the family's 12; c5 is not shared.
  CHECK(w.pools()[0].spot_in_use == 10);
  CHECK(w.pools()[1].spot_in_use == 2);
  CHECK(w.pools()[2].spot_in_use == 10);
  CHECK(w.market().spot_available(1) == 0);
  CHECK(m.at("fleet.fb.rejections_insufficient_spot") > 0);
  CHECK(m.at("fleet.fa.rejections_insufficient_spot") == 0);
  CHECK(m.at("fleet.fb.rejection_rate_pct") > 50);
  CHECK(m.at("fleet.fa.rejection_rate_pct") == 0);
  CHECK(inv.checks > 0);
}

TEST_CASE("a cliff scoped to a region hits every pool of the region", "[capacity][region]") {
  const auto sc = compile(
      region_scenario("  us-east-1: {spot_capacity: {instance_family: {m5: 40}}}\n",
                      "  fa: {pools: [a], target: 10}\n  fb: {pools: [b], target: 10}\n"
                      "  fc: {pools: [c], target: 10}\n",
                      "  - {kind: cliff, name: c, at: 1h, duration: 1h, level: 30%, scope: {region: us-east-1}}\n"));
  CheckedRun r(sc);
  const auto& m = r.m;
  CHECK(m.at("chaos.c.evicted") == 21);  // 7 of 10 in each of the three pools
  CHECK(m.at("fleet.fa.interruptions") == 7);
  CHECK(m.at("fleet.fb.interruptions") == 7);
  CHECK(m.at("fleet.fc.interruptions") == 7);
}

TEST_CASE("on-demand vCPU quota is never exceeded, launches beyond it are refused as quota", "[capacity][region]") {
  // 3 fleets want 6 on-demand VMs of 4 or 8 vCPUs each (72 vCPUs) under a 40 vCPU quota.
  const auto sc = compile(region_scenario("  us-east-1: {on_demand_vcpu_quota: 40}\n",
                                          "  fa: {pools: [a], target: 6, on_demand_base: 6}\n"
                                          "  fb: {pools: [b], target: 6, on_demand_base: 6}\n"
                                          "  fc: {pools: [c], target: 6, on_demand_base: 6}\n"));
  CheckedRun r(sc);
  const World& w = r.world;
  const InvariantObserver& inv = r.inv;
  const auto& m = r.m;
  // Warm start in fleet order: fa 6 × 4 = 24, fb 2 × 8 = 16 (40 reached), fc none.
  CHECK(w.pools()[0].on_demand_in_use == 6);
  CHECK(w.pools()[1].on_demand_in_use == 2);
  CHECK(w.pools()[2].on_demand_in_use == 0);
  CHECK(inv.od_peak == 40);
  CHECK(m.at("region.us-east-1.on_demand_vcpus_peak") == 40);
  CHECK(m.at("fleet.fc.rejections_quota") > 0);
  CHECK(m.at("fleet.fb.rejections_quota") > 0);
  CHECK(m.at("fleet.fa.rejections_quota") == 0);
  CHECK(m.at("pool.c.rejections_quota") == m.at("fleet.fc.rejections_quota"));
  CHECK(m.at("region.us-east-1.quota_rejections") ==
        m.at("fleet.fb.rejections_quota") + m.at("fleet.fc.rejections_quota"));
}

TEST_CASE("spot vCPU quota bounds spot launches in the region", "[capacity][region]") {
  const auto sc = compile(region_scenario("  us-east-1: {spot_vcpu_quota: 48}\n",
                                          "  fa: {pools: [a], target: 10}\n  fc: {pools: [c], target: 10}\n"));
  CheckedRun r(sc);
  const World& w = r.world;
  CHECK(r.inv.spot_peak == 48);
  CHECK(w.pools()[0].spot_in_use + w.pools()[2].spot_in_use == 12);
  CHECK(r.m.at("fleet.fc.rejections_quota") > 0);
}

TEST_CASE("pool on_demand_capacity refuses launches as insufficient on-demand", "[capacity][region]") {
  auto text = region_scenario("  us-east-1: {}\n", "  fa: {pools: [a], target: 5, on_demand_base: 5}\n");
  text.replace(text.find("capacity: 10}"), 13, "capacity: 10, on_demand_capacity: 3}");
  const auto sc = compile(text);
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  CHECK(w.pools()[0].on_demand_in_use == 3);
  CHECK(metrics_of(w).at("fleet.fa.rejections_insufficient_on_demand") > 0);
}

TEST_CASE("on_demand_exhaustion with a level cuts on-demand capacity without evicting", "[capacity][chaos]") {
  auto text = region_scenario(
      "  us-east-1: {}\n", "  fa: {pools: [a], target: 6, on_demand_base: 6, boot_time: 60s}\n",
      "  - {kind: storm, name: s, at: 1h, fraction: 100%, notice: 0s}\n"
      "  - {kind: on_demand_exhaustion, name: od, at: 30m, duration: 2h, level: 50%, scope: {pools: a}}\n");
  text.replace(text.find("capacity: 10}"), 13, "capacity: 10, on_demand_capacity: 8}");
  struct Sampler : WorldSampler {
    std::vector<std::pair<double, int64_t>> od;
    void on_sample(const World& w, SimTime t) override { od.emplace_back(t.to_hours(), w.pools()[0].on_demand_in_use); }
  };
  auto sc = compile(text);
  sc.sample_interval = Duration::minutes(30);
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  ChaosRuntime chaos(w);
  Sampler s;
  w.signals().set_sampler(&s);
  w.run();
  // The storm evicts nothing on-demand; the 6 on-demand VMs stay through the window (level 4 < 6).
  for (const auto& [h, n] : s.od) CHECK(n == 6);
  CHECK(w.pools()[0].on_demand_capacity == 8);  // restored after the window
}

TEST_CASE("launch rate limit: throttled calls back off and retry, the rate is never exceeded", "[capacity][region]") {
  // 10 VMs evicted at once at 1h; the bucket holds 2 calls and refills 1 per minute.
  const auto sc = compile(region_scenario("  us-east-1: {launch_rate: {rate: 1/m, burst: 2}}\n",
                                          "  fa: {pools: [a], target: 10, boot_time: 60s}\n",
                                          "  - {kind: storm, name: s, at: 1h, fraction: 100%, notice: 0s}\n"));
  CheckedRun r(sc);
  const InvariantObserver& inv = r.inv;
  const auto& m = r.m;
  CHECK(m.at("fleet.fa.replacements") == 10);
  CHECK(m.at("fleet.fa.rejections_throttled") > 0);
  CHECK(m.at("region.us-east-1.throttled") == m.at("fleet.fa.rejections_throttled"));
  // Ten replacements, two at once and then one per minute at best: the last runs ≥ 8 min + boot later.
  CHECK(m.at("fleet.fa.time_to_reschedule_max") >= 8 * 60 + 60);
  // Backoff is capped at 20 s: no replacement waits much beyond its token.
  CHECK(m.at("fleet.fa.time_to_reschedule_max") <= 8 * 60 + 60 + 25);
  // Launch calls after the warm start (10 initial VMs at time 0 took the initial burst and more:
  // warm-start launches are calls too, so check only from 1h on).
  std::vector<int64_t> after;
  for (int64_t t : inv.launches_us)
    if (t >= Duration::hours(1).us) after.push_back(t);
  CHECK(after.size() == 10);
  check_rate(after, 1.0 / 60, 2);
}

TEST_CASE("fallback under quota and rate limits never exceeds either", "[capacity][region]") {
  const auto sc =
      compile(region_scenario("  us-east-1: {on_demand_vcpu_quota: 32, launch_rate: {rate: 2/m, burst: 3}}\n",
                              "  fa: {pools: [a], target: 10, boot_time: 60s, fallback: {after: 2m}}\n"
                              "  fc: {pools: [c], target: 10, boot_time: 60s, fallback: {after: 2m}}\n",
                              "  - {kind: storm, name: s, at: 1h, fraction: 100%, notice: 0s}\n"
                              "  - {kind: cliff, name: c, at: 1h, duration: 3h, level: 0}\n"));
  CheckedRun r(sc);
  const InvariantObserver& inv = r.inv;
  const auto& m = r.m;
  CHECK(inv.od_peak == 32);  // 8 on-demand VMs of 4 vCPUs: the quota, never more
  CHECK(m.at("fleet.fa.rejections_quota") + m.at("fleet.fc.rejections_quota") > 0);
  CHECK(m.at("fleet.fa.rejections_throttled") + m.at("fleet.fc.rejections_throttled") > 0);
  std::vector<int64_t> after;
  for (int64_t t : inv.launches_us)
    if (t >= Duration::hours(1).us) after.push_back(t);
  check_rate(after, 2.0 / 60, 3);
}

// --- capacity and price over time --------------------------------------------------------------

namespace {

std::string series_scenario(const std::string& capacity, const std::string& price = "0.1", int target = 10,
                            const std::string& extra_pool = "", const std::string& duration = "6h", int reps = 1) {
  std::ostringstream s;
  s << "spotsim: 1\nname: t\nseed: 9\nreplications: " << reps << "\nduration: " << duration << "\n"
    << "pools:\n  p: {provider: aws, region: r, instance_type: m5.large, spot_price: " << price
    << ", on_demand_price: 0.5, capacity: " << capacity << "}\n"
    << extra_pool << "fleets:\n  f: {pools: [p], target: " << target << ", boot_time: 0s}\n";
  return s.str();
}

struct CapacitySampler : WorldSampler {
  std::vector<std::pair<double, int64_t>> cap;
  void on_sample(const World& w, SimTime t) override { cap.emplace_back(t.to_hours(), w.pools()[0].capacity); }
};

}  // namespace

TEST_CASE("capacity schedule: steps apply at their times and evict the excess with notice", "[capacity][series]") {
  auto sc = compile(series_scenario("{schedule: [{at: 0, value: 10}, {at: 2h, value: 4}, {at: 4h, value: 7}]}"));
  sc.sample_interval = Duration::hours(1);
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  CapacitySampler s;
  w.signals().set_sampler(&s);
  w.run();
  const std::vector<std::pair<double, int64_t>> want = {{0, 10}, {1, 10}, {2, 4}, {3, 4}, {4, 7}, {5, 7}, {6, 7}};
  CHECK(s.cap == want);
  const auto m = metrics_of(w);
  CHECK(m.at("fleet.f.interruptions") == 6);
  CHECK(m.at("fleet.f.rejections_insufficient_spot") > 0);
  CHECK(w.pools()[0].spot_in_use == 7);  // the retries got the capacity back at 4h
}

TEST_CASE("capacity trace: polarity is explicit and the trace wraps around", "[capacity][series]") {
  const std::string dir = tmp_dir("polarity");
  {
    std::ofstream f(dir + "/avail.csv");
    f << "seconds,spot_available\n0,1\n3600,0\n7200,1\n";
  }
  const auto run = [&](const std::string& polarity) {
    auto sc = compile(
        series_scenario("{trace: avail.csv, column: spot_available, available_value: " + polarity + ", available: 8}"),
        dir + "/s.yaml");
    sc.sample_interval = Duration::hours(1);
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    CapacitySampler s;
    w.signals().set_sampler(&s);
    w.run();
    std::vector<int64_t> caps;
    for (const auto& [h, c] : s.cap) caps.push_back(c);
    return caps;
  };
  CHECK(run("1") == std::vector<int64_t>{8, 0, 8, 8, 0, 8, 8});
  CHECK(run("0") == std::vector<int64_t>{0, 8, 0, 0, 8, 0, 0});
}

TEST_CASE("capacity trace: counts, tick and JSON", "[capacity][series]") {
  const std::string dir = tmp_dir("json");
  {
    std::ofstream f(dir + "/cap.json");
    f << "[{\"capacity\": 5}, {\"capacity\": 3}, {\"capacity\": 9}]\n";
  }
  auto sc = compile(series_scenario("{trace: cap.json, column: capacity, counts: true, tick: 2h}"), dir + "/s.yaml");
  sc.sample_interval = Duration::hours(1);
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  CapacitySampler s;
  w.signals().set_sampler(&s);
  w.run();
  std::vector<int64_t> caps;
  for (const auto& [h, c] : s.cap) caps.push_back(c);
  CHECK(caps == std::vector<int64_t>{5, 5, 3, 3, 9, 9, 9});  // the wrap at 6h is the end of the run
}

TEST_CASE("capacity trace: random start is per replication, deterministic, shared by pools on one column",
          "[capacity][series]") {
  const std::string dir = tmp_dir("random");
  {
    std::ofstream f(dir + "/avail.csv");
    f << "seconds,avail\n";
    for (int i = 0; i < 50; ++i) f << i * 600 << "," << (i * 7 % 3 == 0 ? 1 : 0) << "\n";
  }
  const std::string cap = "{trace: avail.csv, available_value: 1, available: 5, random_start: true}";
  const std::string extra =
      "  q: {provider: aws, region: r, zone: r2, instance_type: m5.large, spot_price: 0.1, on_demand_price: 0.5, "
      "capacity: " +
      cap + "}\n";
  const auto sc = compile(series_scenario(cap, "0.1", 10, extra, "6h", 1), dir + "/s.yaml");
  const auto offset = [&](uint64_t rep, size_t pool) {
    const SeriesSpec& s = sc.pools[pool].capacity_series;
    return SeriesCursor(s, Rng::stream(sc.seed, rep, s.stream)).trace_offset();
  };
  std::set<uint64_t> seen;
  for (uint64_t rep = 0; rep < 20; ++rep) {
    CHECK(offset(rep, 0) == offset(rep, 0));  // deterministic
    CHECK(offset(rep, 0) == offset(rep, 1));  // same file and column: same offset
    seen.insert(offset(rep, 0));
  }
  CHECK(seen.size() > 10);  // replications start at different rows
  // The world applies that offset at time 0.
  ReplicationModels w0_models(sc, 3, kWithoutPoliciesOrChaos);
  World& w0 = w0_models.world();
  const uint64_t o = offset(3, 0);
  CHECK(w0.pools()[0].nominal_capacity == ((o * 7 % 3 == 0) ? 5 : 0));
}

TEST_CASE("capacity process: stays within bounds, changes at about its rate, reproducible", "[capacity][series]") {
  const auto sc = compile(series_scenario("{process: {mean: 20, min: 5, max: 30, change_rate: 2/h, persistence: 0.5}}",
                                          "0.1", 10, "", "200h"));
  SeriesCursor c(sc.pools[0].capacity_series, Rng::stream(1, 0, "x"));
  SeriesCursor c2(sc.pools[0].capacity_series, Rng::stream(1, 0, "x"));
  int changes = 0;
  double sum = 0;
  while (c.next_change_us() < Duration::hours(2000).us) {
    c.advance();
    c2.advance();
    REQUIRE(c.value() == c2.value());
    REQUIRE(c.value() >= 5);
    REQUIRE(c.value() <= 30);
    REQUIRE(c.value() == std::round(c.value()));
    sum += c.value();
    ++changes;
  }
  CHECK(changes == Approx(4000).margin(300));  // 2/h over 2000 h
  CHECK(sum / changes == Approx(20).margin(1));
}

TEST_CASE("spot price schedule: spot VMs are billed at the price in effect", "[capacity][price]") {
  // One VM for 2 h: $0.10/h in the first hour, $0.30/h in the second.
  const auto sc =
      compile(series_scenario("5", "{schedule: [{at: 0, value: $0.10/h}, {at: 1h, value: $0.30/h}]}", 1, "", "2h"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  CHECK(metrics_of(w).at("cost.spot") == Approx(0.40));
  CHECK(w.pools()[0].spot_price == Approx(0.30));
  CHECK(w.market().mean_spot_price(0, Duration::minutes(30).us, Duration::minutes(90).us) == Approx(0.20));
}

TEST_CASE("constant spot price bills at the list price, a price spike is billed while it lasts", "[capacity][price]") {
  const auto base = series_scenario("5", "0.1", 1, "", "2h");
  const auto sc = compile(base);
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  CHECK(metrics_of(w).at("cost.spot") == Approx(0.20));
  const auto spiked = compile(base + "chaos:\n  - {kind: price_spike, name: ps, at: 30m, duration: 30m, price: 5x}\n");
  ReplicationModels w2_models(spiked, 0, kWithoutPoliciesOrChaos);
  World& w2 = w2_models.world();
  ChaosRuntime chaos(w2);
  w2.run();
  CHECK(metrics_of(w2).at("cost.spot") == Approx(0.1 * 1.5 + 0.5 * 0.5));
}

TEST_CASE("spot price trace and a spike on top of it return to the trace", "[capacity][price]") {
  const std::string dir = tmp_dir("price");
  {
    std::ofstream f(dir + "/price.csv");
    f << "hour_start,price\n0,0.1\n3600,0.2\n";
  }
  auto sc = compile(series_scenario("5", "{trace: price.csv, column: price}", 1, "", "4h") +
                        "chaos:\n  - {kind: price_spike, name: ps, at: 90m, duration: 1h, price: 2x}\n",
                    dir + "/s.yaml");
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  ChaosRuntime chaos(w);
  w.run();
  // 0-1h 0.1, 1-1.5h 0.2, 1.5-2.5h 0.4 (2 × 0.2 at the spike's start; the trace's return to 0.1
  // at 2h waits under the spike), 2.5-3h 0.1 (the trace again), 3-4h 0.2.
  CHECK(metrics_of(w).at("cost.spot") == Approx(0.1 + 0.1 + 0.4 + 0.05 + 0.2));
}

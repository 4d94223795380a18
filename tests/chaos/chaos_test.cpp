// Each chaos item's effect on a tiny fleet, with counts checked by hand. No interruption hazard:
// every eviction below is the chaos item's doing.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "sim/chaos/runtime.h"
#include "sim/record/report.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"
#include "tests/common/compile.h"

using namespace spotsim;

namespace {

using test::compile;

// Two pools in two zones, one fleet on each (so placement is fixed), 10 VMs each, boot 90 s.
std::string two_fleets(const std::string& chaos, const std::string& fleet_extra = "", const std::string& dur = "6h") {
  std::ostringstream s;
  s << "spotsim: 1\nname: t\nseed: 11\nreplications: 1\nduration: " << dur << "\n"
    << "pools:\n"
    << "  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.058, "
       "on_demand_price: 0.192, capacity: 10}\n"
    << "  b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: c5.xlarge, spot_price: 0.06, "
       "on_demand_price: 0.17, capacity: 10}\n"
    << "fleets:\n"
    << "  fa: {pools: [a], target: 10, boot_time: 90s" << fleet_extra << "}\n"
    << "  fb: {pools: [b], target: 10, boot_time: 90s}\n"
    << "chaos:\n"
    << chaos;
  return s.str();
}

struct Counter : RunObserver {
  const CompiledScenario* sc = nullptr;
  std::map<std::string, int> kinds;  // "notice@a" → count
  std::vector<std::pair<SimTime, std::string>> log;
  std::vector<ChaosInterval> intervals;
  bool wants_events() const override { return true; }
  void on_event(const ModelEvent& e) override {
    const std::string k = std::string(model_event_kind_name(e.kind)) + "@" + sc->pools[e.pool].name;
    kinds[k]++;
    log.emplace_back(e.time, k);
  }
  void on_chaos(const std::vector<ChaosInterval>& iv) override { intervals = iv; }
  int count(const std::string& k) const {
    auto it = kinds.find(k);
    return it == kinds.end() ? 0 : it->second;
  }
  int count_at(const std::string& k, SimTime t) const {
    int n = 0;
    for (const auto& [at, kk] : log) n += (at == t && kk == k) ? 1 : 0;
    return n;
  }
};

struct Outcome {
  Counter events;
  std::map<std::string, double> metrics;
};

Outcome run(const CompiledScenario& sc) {
  Outcome o;
  o.events.sc = &sc;
  const auto defs = replication_metric_defs(sc);
  const auto values = run_replication(sc, sc.seed, 0, &o.events);
  REQUIRE(values.size() == defs.size());
  for (size_t i = 0; i < defs.size(); ++i) o.metrics[defs[i].name] = values[i];
  return o;
}

SimTime at(double hours) { return SimTime{0} + Duration::hours(hours); }

}  // namespace

TEST_CASE("storm: round(fraction × N) in-scope spot VMs get the pool's notice, other zones untouched", "[chaos]") {
  const auto o =
      run(compile(two_fleets("  - {kind: storm, name: s, at: 1h, scope: {zone: us-east-1a}, fraction: 50%}\n")));
  CHECK(o.metrics.at("chaos.s.evicted") == 5);
  CHECK(o.metrics.at("chaos.s.occurrences") == 1);
  CHECK(o.events.count_at("notice@a", at(1)) == 5);
  CHECK(o.events.count_at("eviction@a", at(1) + Duration::seconds(120)) == 5);  // AWS: two minutes
  CHECK(o.events.count("notice@b") == 0);
  CHECK(o.metrics.at("fleet.fa.interruptions") == 5);
  CHECK(o.metrics.at("fleet.fb.interruptions") == 0);
  // Each replacement runs 90 s after its eviction: lost 5 × 90 s.
  CHECK(o.metrics.at("fleet.fa.time_to_reschedule") == Approx(90));
  // 35% of 10 VMs = 3.5 rounds to 4.
  const auto r = run(compile(two_fleets("  - {kind: storm, name: s, at: 1h, scope: {pools: a}, fraction: 35%}\n")));
  CHECK(r.metrics.at("chaos.s.evicted") == 4);
}

TEST_CASE("storm: notice 0s evicts at once without a notice, window spreads notices, waves strike again", "[chaos]") {
  const auto o = run(compile(
      two_fleets("  - {kind: storm, name: s, at: 1h, scope: {zone: us-east-1a}, fraction: 50%, notice: 0s}\n")));
  CHECK(o.events.count("notice@a") == 0);
  CHECK(o.events.count_at("eviction@a", at(1)) == 5);

  const auto w = run(
      compile(two_fleets("  - {kind: storm, name: s, at: 1h, scope: {fleets: fa}, fraction: 100%, window: 10m}\n")));
  CHECK(w.metrics.at("chaos.s.evicted") == 10);
  int inside = 0;
  for (const auto& [t, k] : w.events.log) {
    if (k == "notice@a") inside += (t >= at(1) && t < at(1) + Duration::minutes(10)) ? 1 : 0;
  }
  CHECK(inside == 10);
  CHECK(w.events.count_at("notice@a", at(1)) <= 1);

  // 50% of 10, then 50% of the 10 alive an hour later (replacements included), twice.
  const auto v = run(compile(two_fleets(
      "  - {kind: storm, name: s, at: 1h, scope: {zone: us-east-1a}, fraction: 50%, waves: {count: 2, every: 1h}}\n")));
  CHECK(v.metrics.at("chaos.s.evicted") == 15);
  CHECK(v.events.count_at("notice@a", at(2)) == 5);
  CHECK(v.events.count_at("notice@a", at(3)) == 5);
  REQUIRE(v.events.intervals.size() == 1);
  CHECK(v.events.intervals[0].start == at(1));
  CHECK(v.events.intervals[0].end == at(3));
  // waves.fraction overrides the storm's fraction.
  const auto f = run(compile(two_fleets(
      "  - {kind: storm, name: s, at: 1h, scope: {zone: us-east-1a}, fraction: 50%, waves: {count: 1, every: 1h, "
      "fraction: 20%}}\n")));
  CHECK(f.metrics.at("chaos.s.evicted") == 7);
}

TEST_CASE("cliff: capacity drops to the level, the excess is evicted, launches fail until it returns", "[chaos]") {
  const auto o = run(compile(
      two_fleets("  - {kind: cliff, name: c, at: 1h, duration: 1h, scope: {instance_family: m5}, level: 30%}\n")));
  CHECK(o.metrics.at("chaos.c.evicted") == 7);  // 10 running, capacity 3
  CHECK(o.events.count_at("notice@a", at(1)) == 7);
  CHECK(o.events.count("notice@b") == 0);
  // 7 replacements retry every 30 s from 1h02m (eviction) until 2h: refused at 1h02m and then
  // at each retry up to 1h59m30s... every refusal is one capacity error.
  CHECK(o.metrics.at("fleet.fa.capacity_errors") == 7 * 116);
  CHECK(o.metrics.at("fleet.fa.replacements") == 7);
  CHECK(o.events.count("capacity_error@a") == 7 * 116);
  // Back to 10 running: all replacements launched at 2h and ran at 2h01m30s.
  CHECK(o.metrics.at("fleet.fa.time_to_reschedule") ==
        Approx((Duration::hours(1) + Duration::seconds(90) - Duration::seconds(120)).to_seconds()));
  // An absolute level and a recovery ramp: capacity 0, then +1 VM every minute for 10 minutes.
  const auto r = run(compile(two_fleets(
      "  - {kind: cliff, name: c, at: 1h, duration: 1h, scope: {zone: us-east-1a}, level: 0, recovery: 10m}\n")));
  CHECK(r.metrics.at("chaos.c.evicted") == 10);
  // The 10 waiting replacements retry every 30 s; each ramp step lets exactly one more launch.
  for (int k = 1; k <= 10; ++k) CHECK(r.events.count_at("launch@a", at(2) + Duration::minutes(k)) == 1);
  CHECK(r.metrics.at("fleet.fa.replacements") == 10);
  REQUIRE(r.events.intervals.size() == 1);
  CHECK(r.events.intervals[0].end == at(2) + Duration::minutes(10));
}

TEST_CASE("price_spike: fleets whose max_price is exceeded lose their spot VMs, others keep them", "[chaos]") {
  const auto o = run(
      compile(two_fleets("  - {kind: price_spike, name: p, at: 1h, duration: 1h, price: 3x}\n", ", max_price: 0.10")));
  // fa (max 0.10) in pool a: 0.058 × 3 = 0.174 > 0.10 → all 10 evicted; fb has no max_price.
  CHECK(o.metrics.at("chaos.p.evicted") == 10);
  CHECK(o.events.count_at("notice@a", at(1)) == 10);
  CHECK(o.events.count("notice@b") == 0);
  CHECK(o.metrics.at("fleet.fa.replacements") == 10);  // relaunched once the price is back
  CHECK(o.metrics.at("fleet.fa.capacity_errors") > 0);
  // A spike to an absolute price below max_price changes nothing.
  const auto n = run(compile(
      two_fleets("  - {kind: price_spike, name: p, at: 1h, duration: 1h, price: $0.09/h}\n", ", max_price: 0.10")));
  CHECK(n.metrics.at("chaos.p.evicted") == 0);
  CHECK(n.events.count("notice@a") == 0);
}

TEST_CASE("boot_failure: new VMs fail to boot, are billed, and the fleet keeps relaunching", "[chaos]") {
  // Storm at 1h: 5 VMs of fa evicted at once. Boot failure in [1h, 2h30s): every replacement
  // boot completing at 1h + k·90s fails for k = 1..40 (2h + 0s < 2h + 30s) and k = 41 succeeds.
  const auto o = run(compile(two_fleets(
      "  - {kind: storm, name: s, at: 1h, scope: {pools: a}, fraction: 50%, notice: 0s}\n"
      "  - {kind: boot_failure, name: bad, at: 1h, duration: 1h30s, probability: 100%, scope: {fleets: fa}}\n")));
  CHECK(o.metrics.at("chaos.bad.failed_boots") == 5 * 40);
  CHECK(o.events.count("boot_failed@a") == 5 * 40);
  CHECK(o.events.count("launch@a") == 10 + 5 * 41);
  CHECK(o.metrics.at("fleet.fa.replacements") == 5);
  CHECK(o.metrics.at("fleet.fa.time_to_reschedule") == Approx(41 * 90));
  // Billed VM-hours of fa: 5 untouched VMs 6 h, 5 evicted after 1 h (not inside their first
  // hour, so charged), 200 failed boots of 90 s, 5 replacements from 2h00m00s to 6h.
  CHECK(o.metrics.at("fleet.fa.cost") == Approx(0.058 * (30 + 5 + 200 * 90.0 / 3600 + 5 * 4.0)));
}

TEST_CASE("notice_loss: notices are never delivered, the eviction still comes when due", "[chaos]") {
  const auto o = run(
      compile(two_fleets("  - {kind: storm, name: s, at: 1h, scope: {pools: a}, fraction: 50%}\n"
                         "  - {kind: notice_loss, name: nl, at: 0s, probability: 100%, scope: {zone: us-east-1a}}\n",
                         ", replace_on: notice")));
  CHECK(o.metrics.at("chaos.nl.notices_lost") == 5);
  CHECK(o.events.count("notice@a") == 0);
  CHECK(o.events.count_at("eviction@a", at(1) + Duration::seconds(120)) == 5);
  // replace_on: notice cannot act on a notice it never got: replacements start at the eviction.
  CHECK(o.events.count_at("launch@a", at(1)) == 0);
  CHECK(o.events.count_at("launch@a", at(1) + Duration::seconds(120)) == 5);
}

TEST_CASE("api_throttle: launch calls beyond the token bucket are refused and retried", "[chaos]") {
  // At 1h 5 VMs are evicted at once; the bucket (1 call/h, burst 1, full at 1h) admits one
  // launch; the 4 others are refused at 1h and at every 30 s retry until the window ends at 2h
  // (a throttle backoff fixed at 30 s without jitter).
  const auto o = run(compile(
      two_fleets("  - {kind: storm, name: s, at: 1h, scope: {pools: a}, fraction: 50%, notice: 0s}\n"
                 "  - {kind: api_throttle, name: t, at: 1h, duration: 1h, rate: 1/h, scope: {region: us-east-1}}\n",
                 ", throttle_backoff: {initial: 30s, max: 30s, jitter: 0}")));
  CHECK(o.metrics.at("chaos.t.throttled") == 4 * 120);
  CHECK(o.events.count_at("launch@a", at(1)) == 1);
  CHECK(o.events.count_at("launch@a", at(2)) == 4);
  CHECK(o.metrics.at("fleet.fa.replacements") == 5);
}

TEST_CASE("on_demand_exhaustion: on-demand availability is switched off in scope for the duration", "[chaos]") {
  struct Sampler : RunObserver {
    std::vector<std::pair<double, std::pair<bool, bool>>> seen;
    bool wants_frames() const override { return true; }
    void on_frame(const Frame& f) override {
      seen.push_back({f.time.to_hours(), {f.pools[0].on_demand_available, f.pools[1].on_demand_available}});
    }
  };
  auto sc = compile(
      two_fleets("  - {kind: on_demand_exhaustion, name: od, at: 1h, duration: 2h, scope: {zone: us-east-1b}}\n"));
  sc.sample_interval = Duration::minutes(30);
  Sampler s;
  run_replication(sc, sc.seed, 0, &s);
  for (const auto& [h, av] : s.seen) {
    INFO(h);
    CHECK(av.first);
    CHECK(av.second == (h < 1 || h >= 3));
  }
}

TEST_CASE("occurrences: at, every with start/jitter/until, and random (Poisson) times", "[chaos]") {
  Rng rng(1);
  ChaosTiming t;
  t.mode = ChaosTiming::Mode::kEvery;
  t.every = Duration::hours(6);
  t.start = Duration::hours(6);
  t.until = Duration::days(10);
  auto v = chaos_occurrences(t, Duration::days(1), rng);
  REQUIRE(v.size() == 3);
  CHECK(v[0] == at(6));
  CHECK(v[2] == at(18));
  t.jitter = Duration::hours(1);
  v = chaos_occurrences(t, Duration::days(1), rng);
  REQUIRE(v.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(v[i] >= at(6.0 * static_cast<double>(i + 1)));
    CHECK(v[i] < at(6.0 * static_cast<double>(i + 1) + 1));
  }
  t.mode = ChaosTiming::Mode::kRandom;
  t.rate_per_hour = 2;
  t.start = Duration{0};
  t.until = Duration::days(100);
  v = chaos_occurrences(t, Duration::days(100), rng);
  CHECK(std::is_sorted(v.begin(), v.end()));
  // Poisson: 4800 expected, sd ≈ 69; ±5 sd.
  CHECK(v.size() > 4800 - 350);
  CHECK(v.size() < 4800 + 350);
  t.mode = ChaosTiming::Mode::kAt;
  t.at = Duration::hours(30);
  CHECK(chaos_occurrences(t, Duration::days(1), rng).empty());
}

TEST_CASE("every: overlapping windows of one cliff keep it in effect until the last one closes", "[chaos]") {
  const auto o = run(compile(two_fleets(
      "  - {kind: cliff, name: c, every: 1h, duration: 90m, scope: {zone: us-east-1a}, level: 0}\n", "", "4h")));
  CHECK(o.metrics.at("chaos.c.occurrences") == 3);  // 1h, 2h, 3h
  CHECK(o.metrics.at("chaos.c.evicted") == 10);     // all at 1h; nothing came back while in effect
  CHECK(o.metrics.at("fleet.fa.replacements") == 0);
}

TEST_CASE("chaos: same seed, same results on any thread count, storms differ by replication", "[chaos][determinism]") {
  auto sc = compile(two_fleets(
      "  - {kind: storm, name: s, random: {rate: 1/h}, scope: {zone: us-east-1a}, fraction: 30%, window: 20m}\n"
      "  - {kind: boot_failure, name: b, at: 0s, probability: 20%}\n"
      "  - {kind: notice_loss, name: n, at: 0s, probability: 50%, scope: {vms: 50%}}\n",
      "", "2d"));
  sc.replications = 6;
  RunOptions one, two;
  one.threads = 1;
  two.threads = 2;
  auto a = run_scenario(sc, one);
  auto b = run_scenario(sc, two);
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  auto ja = run_to_json(sc, *a), jb = run_to_json(sc, *b);
  ja.erase("wall_seconds");
  jb.erase("wall_seconds");
  ja.erase("threads");
  jb.erase("threads");
  CHECK(ja.dump() == jb.dump());
  const int m = a->metric_index("chaos.s.evicted");
  REQUIRE(m >= 0);
  CHECK(a->stats[static_cast<size_t>(m)].stddev > 0);
}

TEST_CASE("checkpoint_store_degraded: simultaneous on-notice writes miss the notice only while degraded", "[chaos]") {
  // 4 VMs run 4 single-VM jobs; a storm at 1h gives all 4 the two-minute notice; each writes
  // 10 GB through a 1 GB/s store shared by 4 writers: 40 s each (fits) at full speed; at 25% it
  // takes 160 s (> 120 s: all 4 miss); at 50%, 80 s (fits).
  auto scenario = [](const std::string& throughput) {
    return std::string(
               "spotsim: 1\nname: t\nseed: 3\nduration: 3h\ncheckpoint_store: {throughput: 1GB/s}\n"
               "pools:\n  a: {provider: aws, region: r, zone: z, instance_type: m5.xlarge, spot_price: 0.05, "
               "on_demand_price: 0.2, capacity: 10}\n"
               "fleets:\n  f: {pools: [a], target: 4, boot_time: 90s}\n"
               "workloads:\n  jobs:\n    type: batch\n    fleet: f\n    arrivals: {count: 4}\n"
               "    job: {work: 10h, checkpoint: {size: 10GB, on_notice: true}}\n"
               "chaos:\n  - {kind: storm, name: s, at: 1h, fraction: 100%}\n") +
           (throughput.empty() ? ""
                               : "  - {kind: checkpoint_store_degraded, name: d, at: 30m, duration: 1h, throughput: " +
                                     throughput + "}\n");
  };
  const auto healthy = run(compile(scenario("")));
  CHECK(healthy.metrics.at("chaos.s.evicted") == 4);
  CHECK(healthy.metrics.at("workload.jobs.notice_checkpoints") == 4);
  CHECK(healthy.metrics.at("workload.jobs.checkpoint_misses") == 0);
  CHECK(healthy.metrics.at("workload.jobs.checkpoint_latency_max") == Approx(40));
  const auto slow = run(compile(scenario("25%")));
  CHECK(slow.metrics.at("workload.jobs.checkpoint_misses") == 4);
  const auto half = run(compile(scenario("50%")));
  CHECK(half.metrics.at("workload.jobs.checkpoint_misses") == 0);
  CHECK(half.metrics.at("workload.jobs.checkpoint_latency_max") == Approx(80));
}

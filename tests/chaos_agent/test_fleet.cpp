// Fleet plans (selection, storms, windows, blast radius, exact errors), the replay guard, and
// the fleet report's summary and JUnit rendering.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "chaos-agent/fleet/coordinator.h"
#include "chaos-agent/fleet/fleet_plan.h"
#include "chaos-agent/fleet/replay_guard.h"
#include "chaos-agent/fleet/resolve.h"

using namespace agent;
using namespace agent::fleet;

namespace {
std::string inventory(int n) {
  std::string s = "targets:\n";
  const char* zones[] = {"us-east-1a", "us-east-1b"};
  const char* pools[] = {"gpu", "cpu", "cpu"};
  for (int i = 0; i < n; ++i)
    s += "  - {name: n" + std::to_string(i) + ", address: \"10.0.0." + std::to_string(i + 1) +
         ":8443\", labels: {zone: " + zones[i % 2] + ", pool: " + pools[i % 3] + ", role: worker}}\n";
  return s;
}
std::string err(const std::string& plan, const std::string& inv = inventory(10)) {
  auto p = parse_fleet_plan(plan, "plan.yaml", inv, "fleet.yaml");
  return p ? "OK" : p.status().message();
}
const std::string kHead = "name: drill\nprovider: aws\nmax_duration: 30m\nseed: 7\n";
}  // namespace

TEST_CASE("fleet plan: selection by label, storm fraction of the selection, window offsets", "[chaos_agent][fleet]") {
  std::string plan = kHead +
                     "select: {zone: us-east-1a}\n"
                     "blast_radius: {max_targets: 5}\n"
                     "chaos:\n"
                     "  - {at: 1m, storm: {fraction: 50%, window: 2m, notice: 120s}}\n"
                     "  - {kind: storm, at: 5m, fraction: 100%, scope: {pool: gpu}}\n";
  auto p = parse_fleet_plan(plan, "plan.yaml", inventory(10), "fleet.yaml");
  INFO((p ? "" : p.status().message()));
  REQUIRE(p);
  CHECK(p->selection.size() == 5);  // n0 n2 n4 n6 n8
  CHECK(p->allowed == 5);
  REQUIRE(p->items.size() == 2);
  const auto& s = p->items[0];
  CHECK(s.picked.size() == 3);  // ceil(0.5 * 5)
  for (size_t k = 0; k < s.picked.size(); ++k) {
    CHECK(p->targets[s.picked[k]].labels.at("zone") == "us-east-1a");
    CHECK(s.offsets[k] >= Millis(0));
    CHECK(s.offsets[k] < Millis(120000));
  }
  // pool gpu within zone a: n0 and n6.
  REQUIRE(p->items[1].picked.size() == 2);
  CHECK(p->targets[p->items[1].picked[0]].name == "n0");
  CHECK(p->targets[p->items[1].picked[1]].name == "n6");
  CHECK(p->reached.size() <= p->allowed);
  CHECK(p->items[0].inject.source == "gameday:drill");
  CHECK(p->items[0].inject.ttl == std::chrono::minutes(29));
  // Deterministic: the same seed picks the same machines at the same offsets.
  auto again = parse_fleet_plan(plan, "plan.yaml", inventory(10), "fleet.yaml");
  CHECK(again->items[0].picked == s.picked);
  CHECK(again->items[0].offsets == s.offsets);
  auto other = parse_fleet_plan(std::string(plan).replace(plan.find("seed: 7"), 7, "seed: 8"), "plan.yaml",
                                inventory(10), "fleet.yaml");
  REQUIRE(other);
  CHECK(other->items[0].offsets != s.offsets);
  std::string text = describe(p.value());
  CHECK(text.find("blast radius: 5 of 5 selected targets (max_fraction 1, max_targets 5); this plan reaches " +
                  std::to_string(p->reached.size())) != std::string::npos);
  CHECK(text.find("window 2m: 3 target(s)") != std::string::npos);
}

TEST_CASE("fleet plan: a list of label values widens, keys narrow", "[chaos_agent][fleet]") {
  auto p = parse_fleet_plan(
      kHead + "select: {zone: [us-east-1a, us-east-1b], pool: cpu}\nchaos:\n  - {at: 0s, preempt: {}}\n", "plan.yaml",
      inventory(6), "fleet.yaml");
  REQUIRE(p);
  std::set<std::string> names;
  for (size_t i : p->selection) names.insert(p->targets[i].name);
  CHECK(names == std::set<std::string>{"n1", "n2", "n4", "n5"});
}

TEST_CASE("fleet plan: blast radius is computed on the real selection before anything runs", "[chaos_agent][fleet]") {
  CHECK(err(kHead + "select: {pool: cpu}\nblast_radius: {max_fraction: 50%, max_targets: 2}\nchaos:\n"
                    "  - {at: 0s, storm: {fraction: 30%}}\n  - {at: 1m, storm: {fraction: 40%}}\n") ==
        "plan.yaml:9:5: error: chaos[1].storm: would reach 5 of the 6 selected targets, beyond the blast radius "
        "of 2 (blast_radius: max_fraction 0.5, max_targets 2)");
  CHECK(err(kHead + "chaos:\n  - {at: 0s, preempt: {}}\n") == "OK");  // default: the whole selection
}

TEST_CASE("fleet plan: errors name the file, line, column and path", "[chaos_agent][fleet]") {
  CHECK(err(kHead + "select: {zone: mars-1a}\nchaos:\n  - {at: 0s, preempt: {}}\n") ==
        "plan.yaml:5:9: error: select: selects none of the 10 targets");
  CHECK(err(kHead + "chaos:\n  - {at: 0s, storm: {fraction: 30%, waves: 2}}\n") ==
        "plan.yaml:6:37: error: chaos[0].storm.waves: unknown key; valid keys here: action, allow_unrealistic, "
        "azure_event_type, fraction, notice, provider, scope, select, window");
  CHECK(err(kHead + "chaos:\n  - {kind: storm, at: 0s, fraction: 30%, waves: {count: 2}}\n") ==
        "plan.yaml:6:49: error: chaos[0].waves: not supported in a fleet plan: write each wave as its own storm item");
  CHECK(err(kHead + "chaos:\n  - {kind: cliff, at: 0s}\n") ==
        "plan.yaml:6:12: error: chaos[0].kind: expected one of: preempt, storm, rebalance, maintenance, clear, found "
        "'cliff' (a fleet drill acts on real VMs; cliffs and price spikes exist only in the simulator)");
  CHECK(err(kHead + "chaos:\n  - {at: 0s, storm: {fraction: 30%, notice: 90}}\n") ==
        "plan.yaml:6:45: error: chaos[0].storm.notice: duration \"90\" has no unit; write e.g. \"90s\" (units: us, ms, "
        "s, m, h, d, w)");
  CHECK(err(kHead + "chaos:\n  - {at: 0s, storm: {fraction: 30%, select: {pool: tpu}}}\n") ==
        "plan.yaml:6:45: error: chaos[0].storm: selects no target (plan select {} (all), item select {pool: tpu})");
  CHECK(err(kHead + "chaos:\n  - {at: 29m, storm: {fraction: 30%, window: 2m}}\n") ==
        "plan.yaml:6:46: error: chaos[0].storm.window: the window ends after max_duration 30m");
  CHECK(err("max_duration: 30m\nprovider: azure\nchaos:\n  - {at: 0s, preempt: {notice: 10s}}\n")
            .find("chaos[0].preempt.notice: Azure Scheduled Events give Preempt at least 30s of notice, got 10s") !=
        std::string::npos);
  CHECK(err(kHead + "targets: []\nchaos:\n  - {at: 0s, preempt: {}}\n") ==
        "plan.yaml:5:10: error: targets: given twice: here and --inventory fleet.yaml (keep one)");
  CHECK(err(kHead + "chaos:\n  - {at: 0s, preempt: {}}\n", "targets:\n  - {name: a, address: nowhere}\n") ==
        "fleet.yaml:2:24: error: targets[0].address: expected HOST:PORT (e.g. 10.0.1.11:8443), found 'nowhere'");
  CHECK(err(kHead + "chaos:\n  - {at: 0s, preempt: {}}\n",
            "targets:\n  - {name: a, address: \"1.2.3.4:1\"}\n  - {name: a, address: \"1.2.3.5:1\"}\n") ==
        "fleet.yaml:3:12: error: targets[1].name: duplicate target name 'a'");
  CHECK(err(kHead + "abort: {prometheus: {url: \"http://10.1.1.1:9090\", query: up, above: 1}}\nchaos:\n  - {at: 0s, "
                    "preempt: {}}\n")
            .find("plan.yaml:5:27: error: abort.prometheus.url:") == 0);
  CHECK(err(kHead +
            "abort: {prometheus: {url: \"http://127.0.0.1:9090\", query: up}}\nchaos:\n  - {at: 0s, preempt: {}}\n") ==
        "plan.yaml:5:21: error: abort.prometheus: give exactly one of above: N (abort when the value exceeds N) or "
        "below: N");
}

TEST_CASE("fleet plan: garbage never crashes the parser", "[chaos_agent][fleet]") {
  std::string base = kHead + "select: {zone: us-east-1a}\nchaos:\n  - {at: 1m, storm: {fraction: 50%, window: 2m}}\n";
  uint64_t x = 42;
  for (int i = 0; i < 2000; ++i) {
    std::string s = base;
    for (int k = 0; k < 3; ++k) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      size_t pos = (x >> 33) % s.size();
      s[pos] = "{}[]:,-\"' \n%9a"[(x >> 20) % 14];
    }
    auto p = parse_fleet_plan(s, "plan.yaml", inventory(4), "fleet.yaml");
    if (!p) CHECK(p.status().message().rfind("plan.yaml:", 0) == 0);
  }
}

TEST_CASE("fleet plans are told apart from local plans", "[chaos_agent][fleet]") {
  CHECK(looks_like_fleet_plan("targets:\n  - {name: a, address: \"1.2.3.4:8443\"}\n"));
  CHECK_FALSE(looks_like_fleet_plan("targets:\n  - {name: a, control: \"unix:/x\"}\n"));
  CHECK_FALSE(looks_like_fleet_plan("{{{"));
}

TEST_CASE("replay guard: fresh once, replay refused, stale refused, forgotten only when stale",
          "[chaos_agent][fleet]") {
  ReplayGuard g(Millis(30000));
  const std::string n1(32, 'a'), n2(32, 'b');
  int64_t now = 1'800'000'000'000;
  CHECK(g.check(n1, std::to_string(now), now) == ReplayGuard::Verdict::kOk);
  CHECK(g.check(n1, std::to_string(now), now + 1) == ReplayGuard::Verdict::kReplayed);
  CHECK(g.check(n1, std::to_string(now), now + 29'999) == ReplayGuard::Verdict::kReplayed);
  CHECK(g.check(n1, std::to_string(now), now + 30'001) == ReplayGuard::Verdict::kStale);
  CHECK(g.check(n2, std::to_string(now - 31'000), now) == ReplayGuard::Verdict::kStale);
  CHECK(g.check(n2, std::to_string(now + 31'000), now) == ReplayGuard::Verdict::kStale);
  CHECK(g.check("", std::to_string(now), now) == ReplayGuard::Verdict::kMissing);
  CHECK(g.check("xyz", std::to_string(now), now) == ReplayGuard::Verdict::kMalformed);
  CHECK(g.check(n2, "12ab", now) == ReplayGuard::Verdict::kMalformed);
  // The cache forgets n1 once its time could no longer pass: the size stays bounded.
  CHECK(g.check(std::string(32, 'c'), std::to_string(now + 70'000), now + 70'000) == ReplayGuard::Verdict::kOk);
  CHECK(g.size() == 1);
  ReplayGuard small(Millis(30000), 1);
  CHECK(small.check(n1, std::to_string(now), now) == ReplayGuard::Verdict::kOk);
  CHECK(small.check(n2, std::to_string(now), now) == ReplayGuard::Verdict::kBusy);
}

TEST_CASE("fleet report: per-target and per-label-group figures, JUnit", "[chaos_agent][fleet]") {
  using nlohmann::json;
  auto inj = [](json det) {
    return json{
        {"kind", "preempt"}, {"detection_latency_s", det}, {"ack_latency_s", nullptr}, {"drain_time_s", nullptr}};
  };
  json r = {{"plan", "p"},
            {"aborted", false},
            {"targets",
             {{"a",
               {{"status", "ok"},
                {"labels", {{"zone", "z1"}}},
                {"injections", {inj(1.0), inj(3.0)}},
                {"sent", {{{"status", 200}, {"step_to_visible_s", 0.01}}}}}},
              {"b", {{"status", "ok"}, {"labels", {{"zone", "z2"}}}, {"injections", {inj(nullptr)}}}},
              {"c", {{"status", "unreachable"}, {"error", "Connection refused"}, {"labels", {{"zone", "z2"}}}}}}}};
  summarize_fleet(r);
  CHECK(r["fleet"]["injections"] == 3);
  CHECK(r["fleet"]["never_detected"] == 1);
  CHECK(r["fleet"]["not_ok"] == 1);
  CHECK(r["fleet"]["detection_latency_s"]["p50"] == 1.0);
  CHECK(r["fleet"]["detection_latency_s"]["max"] == 3.0);
  CHECK(r["groups"]["zone=z1"]["detected"] == 2);
  CHECK(r["groups"]["zone=z2"]["never_detected"] == 1);
  CHECK(r["groups"]["zone=z2"]["targets"] == 2);
  std::string x = fleet_junit(r);
  CHECK(x.find("tests=\"4\" failures=\"2\"") != std::string::npos);
  CHECK(x.find("<failure message=\"unreachable: Connection refused\"/>") != std::string::npos);
  CHECK(x.find("<failure message=\"1 notice(s) never detected\"/>") != std::string::npos);
}

TEST_CASE("fleet plan: every mistake is reported, the plan's and then the inventory's", "[chaos_agent][fleet]") {
  // Three distinct mistakes: a lease without a unit, a misspelt key, an inventory address.
  const std::string got =
      err("name: drill\nmax_duration: 30m\nlease: 5\nchaos:\n  - {at: 0s, storm: {fraction: 30%, windw: 1m}}\n",
          "targets:\n  - {name: a, address: nowhere}\n");
  CHECK(got ==
        "plan.yaml:3:8: error: lease: duration \"5\" has no unit; write e.g. \"5s\" (units: us, ms, s, m, h, d, w)\n"
        "plan.yaml:5:37: error: chaos[0].storm.windw: unknown key (did you mean \"window\"?); valid keys here: action, "
        "allow_unrealistic, azure_event_type, fraction, notice, provider, scope, select, window\n"
        "fleet.yaml:2:24: error: targets[0].address: expected HOST:PORT (e.g. 10.0.1.11:8443), found 'nowhere'");
}

TEST_CASE("fleet host-name lookups: a slow name is given up after the time limit, never waited for",
          "[chaos_agent][fleet]") {
  // A stand-in for the system resolver (no lookup leaves the machine): "slow.invalid" hangs
  // like a name server that never answers, "gone.invalid" fails, the rest resolve.
  LookupFn fake = [](const std::string& host) {
    Lookup l;
    if (host == "slow.invalid") std::this_thread::sleep_for(std::chrono::seconds(3));
    if (host.find(".invalid") != std::string::npos) {
      l.error = "Name or service not known";
    } else {
      l.addresses = {boost::asio::ip::make_address("10.0.0.7")};
    }
    return l;
  };
  const auto t0 = std::chrono::steady_clock::now();
  auto r = lookup_all({"slow.invalid", "agent-1.fleet", "gone.invalid", "10.0.0.9", "agent-1.fleet", "::1"},
                      Millis(300), fake, 2);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(took < 2.0);  // the 3 s lookup was not waited for
  REQUIRE(r.size() == 5);
  CHECK(r["slow.invalid"].addresses.empty());
  CHECK(r["slow.invalid"].error == "no answer within 300ms (--resolve-timeout)");
  CHECK(r["gone.invalid"].error == "Name or service not known");
  REQUIRE(r["agent-1.fleet"].addresses.size() == 1);
  CHECK(r["agent-1.fleet"].addresses[0].to_string() == "10.0.0.7");
  CHECK(r["10.0.0.9"].addresses[0].to_string() == "10.0.0.9");  // literals need no lookup
  CHECK(r["::1"].addresses[0].is_v6());
  CHECK(lookup_all({}, Millis(100), fake).empty());
}

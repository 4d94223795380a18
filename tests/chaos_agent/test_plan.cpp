#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "chaos-agent/plan/plan.h"
#include "chaos-agent/plan/runner.h"
#include "chaos-agent/http/server.h"
#include "tests/chaos_agent/helpers.h"

using namespace agent;
using namespace agent::plan;

namespace {
std::string err(const std::string& yaml) {
  auto p = parse_plan(yaml, "plan.yaml");
  return p ? "OK" : p.status().message();
}
const char* kTargets =
    "targets:\n"
    "  - {name: a, control: \"unix:/tmp/a.sock\"}\n"
    "  - {name: b, control: \"unix:/tmp/b.sock\"}\n"
    "  - {name: c, control: \"unix:/tmp/c.sock\"}\n"
    "  - {name: d, control: \"unix:/tmp/d.sock\"}\n";
}  // namespace

TEST_CASE("plan: a full plan parses, sorted, with dead-man TTLs", "[chaos_agent][plan]") {
  std::string yaml = std::string("name: drill\nprovider: aws\nmax_duration: 30m\nseed: 7\n") + kTargets +
                     "blast_radius: {max_fraction: 75%}\n"
                     "abort:\n  health_check: {url: \"http://127.0.0.1:9/healthz\", interval: 1s, failures: 2}\n"
                     "chaos:\n"
                     "  - {at: 5m, storm: {fraction: 50%, notice: 30s}}\n"
                     "  - {at: 0s, rebalance: {targets: [a]}}\n"
                     "  - {at: 8m, clear: {}}\n";
  auto p = parse_plan(yaml, "plan.yaml");
  INFO((p ? "" : p.status().message()));
  REQUIRE(p);
  CHECK(p->name == "drill");
  REQUIRE(p->items.size() == 3);
  CHECK(p->items[0].type == Item::Type::kRebalance);
  CHECK(p->items[0].inject.ttl == std::chrono::minutes(30));
  CHECK(p->items[1].type == Item::Type::kStorm);
  CHECK(p->items[1].selected.size() == 2);
  CHECK(p->items[1].inject.ttl == std::chrono::minutes(25));
  CHECK(p->items[1].inject.notice == std::chrono::seconds(30));
  CHECK(p->duration == std::chrono::minutes(8) + std::chrono::seconds(30));
  CHECK(p->health.failures == 2);
  std::string d = describe(p.value());
  CHECK(d.find("T+5m  storm  provider aws, notice 30s, action terminate, fraction 0.5 -> ") != std::string::npos);
  CHECK(d.find("dead-man: every injection expires by itself 30m after the start") != std::string::npos);
  // Storm selection is deterministic and depends on the seed.
  auto s1 = storm_selection(p->targets, 0.5, 7);
  CHECK(s1 == storm_selection(p->targets, 0.5, 7));
  CHECK(storm_selection(p->targets, 0.25, 1).size() == 1);
  CHECK(storm_selection(p->targets, 1.0, 1).size() == 4);
}

TEST_CASE("plan: the simulator's flat chaos item form is accepted too", "[chaos_agent][plan]") {
  std::string yaml = std::string("max_duration: 30m\nprovider: gcp\n") + kTargets +
                     "chaos:\n"
                     "  - kind: storm\n    at: 2m\n    fraction: 50%\n    notice: 30s\n"
                     "  - {kind: preempt, at: 1m, notice: 30s, targets: [a]}\n"
                     "  - {kind: clear, at: 5m}\n";
  auto p = parse_plan(yaml, "plan.yaml");
  INFO((p ? "" : p.status().message()));
  REQUIRE(p);
  REQUIRE(p->items.size() == 3);
  CHECK(p->items[0].type == Item::Type::kPreempt);
  CHECK(p->items[0].selected == std::vector<std::string>{"a"});
  CHECK(p->items[1].type == Item::Type::kStorm);
  CHECK(p->items[1].fraction == 0.5);
  CHECK(p->items[1].inject.notice == std::chrono::seconds(30));
  CHECK(p->items[1].inject.providers == static_cast<unsigned>(Provider::kGcp));
  CHECK(err("max_duration: 10m\nchaos:\n  - {kind: cliff, at: 1m}\n") ==
        "plan.yaml:3:12: error: chaos[0].kind: expected one of: preempt, storm, rebalance, maintenance, clear, found "
        "'cliff'");
  CHECK(err("max_duration: 10m\nchaos:\n  - {kind: storm, at: 1m, fraction: 10%, scope: {zone: a}}\n") ==
        "plan.yaml:3:42: error: chaos[0].scope: unknown key; valid keys here: action, allow_unrealistic, at, "
        "azure_event_type, fraction, kind, name, notice, provider");
}

TEST_CASE("plan: errors are FILE:LINE:COL: error: PATH: message", "[chaos_agent][plan]") {
  // Every mistake is reported, one line each: here the empty chaos list too.
  CHECK(err("chaos: []\n") ==
        "plan.yaml:1:1: error: max_duration: required: every plan needs a dead-man limit after which all injections "
        "expire, e.g. max_duration: 30m\n"
        "plan.yaml:1:8: error: chaos: expected a non-empty list of items");
  CHECK(err("max_duration: soon\nchaos: []\n") ==
        "plan.yaml:1:15: error: max_duration: expected a duration like 90s, 15m, 2h or 7d, found \"soon\"\n"
        "plan.yaml:2:8: error: chaos: expected a non-empty list of items");
  CHECK(err("max_duration: 10m\nchaos:\n  - {at: 1m, preempt: {notice: 2x}}\n") ==
        "plan.yaml:3:32: error: chaos[0].preempt.notice: in duration \"2x\": unknown time unit \"x\" (use us, ms, s, "
        "m, h, d or w)");
  // A bare number is refused, as in scenario files (issue 17).
  CHECK(err("max_duration: 10m\nchaos:\n  - {at: 1m, preempt: {notice: 120}}\n") ==
        "plan.yaml:3:32: error: chaos[0].preempt.notice: duration \"120\" has no unit; write e.g. \"120s\" (units: us, "
        "ms, s, m, h, d, w)");
  CHECK(err("max_duration: 10m\nchaos:\n  - at: 1m\n    preempt: {action: reboot}\n") ==
        "plan.yaml:4:23: error: chaos[0].preempt.action: \"reboot\" is not one of: terminate, stop, hibernate");
  CHECK(err("max_duration: 10m\nchaos:\n  - at: 20m\n    preempt: {}\n") ==
        "plan.yaml:3:9: error: chaos[0].at: 20m is not before max_duration 10m");
  CHECK(err("max_duration: 10m\nchaos:\n  - at: 1m\n    evict: {}\n") ==
        "plan.yaml:4:5: error: chaos[0].evict: unknown key; valid keys here: at and one of: preempt, storm, "
        "rebalance, maintenance, clear");
  CHECK(err("max_duration: 10m\nchaos:\n  - at: 1m\n    premept: {}\n") ==
        "plan.yaml:4:5: error: chaos[0].premept: unknown key (did you mean \"preempt\"?); valid keys here: at and one "
        "of: preempt, storm, rebalance, maintenance, clear");
  CHECK(err("max_duration: 10m\nchaos:\n  - {at: 1m, preempt: {}, storm: {fraction: 1}}\n") ==
        "plan.yaml:3:5: error: chaos[0]: one action per item, found preempt and storm");
  CHECK(err("max_duration: 10m\nchaos:\n  - {at: 1m, storm: {fraction: 150%}}\n") ==
        "plan.yaml:3:32: error: chaos[0].storm.fraction: percentage \"150%\" is outside 0%..100%");
  CHECK(err("max_duration: 10m\nchaos:\n  - {at: 1m, storm: {notice: 30s}}\n") ==
        "plan.yaml:3:21: error: chaos[0].storm.fraction: required: the fraction of targets hit, e.g. fraction: 30%");
  CHECK(err(std::string("max_duration: 10m\n") + kTargets +
            "blast_radius: {max_targets: 1}\nchaos:\n  - {at: 1m, storm: {fraction: 50%}}\n") ==
        "plan.yaml:9:5: error: chaos[0].storm: would reach 2 of 4 targets, beyond the blast radius of 1 (blast_radius: "
        "max_fraction 1, max_targets 1)");
  CHECK(err(std::string("max_duration: 10m\n") + kTargets + "chaos:\n  - {at: 1m, preempt: {targets: [z]}}\n") ==
        "plan.yaml:8:34: error: chaos[0].preempt.targets[0]: no target named 'z' in targets");
  CHECK(err("max_duration: 10m\nabort: {health_check: \"http://10.0.0.1/health\"}\nchaos:\n  - {at: 1m, preempt: "
            "{}}\n") ==
        "plan.yaml:2:23: error: abort.health_check.url: '10.0.0.1' is not a loopback address; health checks must stay "
        "on this machine");
  CHECK(err("max_duration: 10m\nbogus: 1\nchaos: []\n") ==
        "plan.yaml:3:8: error: chaos: expected a non-empty list of items\n"
        "plan.yaml:2:1: error: bogus: unknown key; valid keys here: abort, blast_radius, chaos, duration, expect, "
        "max_duration, name, provider, report, seed, targets");
  CHECK(err("max_duration: 10m\nchaos: [\n").rfind("plan.yaml:3:1: error: ", 0) == 0);
  CHECK(err("max_duration: 10m\ntargets:\n  - {name: a, control: \"10.1.1.1:80\"}\nchaos:\n  - {at: 1m, preempt: "
            "{}}\n") ==
        "plan.yaml:3:24: error: targets[0].control: control endpoints are local only (unix socket or loopback)");
  auto missing = load_plan("/nonexistent/plan.yaml");
  CHECK(missing.status().message() == "/nonexistent/plan.yaml: error: cannot read plan: No such file or directory");
}

TEST_CASE("plan runner: injects on schedule into the selected agents and clears at the end", "[chaos_agent][plan]") {
  test::RunningAgent a, b;
  std::string yaml =
      "name: t\nprovider: aws\nmax_duration: 10m\nduration: 600ms\ntargets:\n"
      "  - {name: a, control: \"" +
      a.agent().options().control +
      "\"}\n"
      "  - {name: b, control: \"" +
      b.agent().options().control +
      "\"}\n"
      "chaos:\n  - {at: 0s, preempt: {notice: 120s, targets: [a]}}\n"
      "  - {at: 200ms, rebalance: {}}\n";
  auto p = parse_plan(yaml, "t.yaml");
  REQUIRE(p);
  std::vector<std::string> lines;
  RunnerOptions ro;
  ro.log = [&](const std::string& s) { lines.push_back(s); };
  // Observe mid-run state from the agents.
  std::thread observer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    auto sa = a.control().get("/v1/status");
    auto sb = b.control().get("/v1/status");
    CHECK(sa->at("injections").size() == 2);
    CHECK(sb->at("injections").size() == 1);
    CHECK(sa->at("injections")[0]["source"] == "plan:t");
  });
  auto out = run_plan(p.value(), ro);
  observer.join();
  CHECK(out.exit_code == 0);
  CHECK(a.control().get("/v1/status")->at("injections").empty());
  CHECK(b.control().get("/v1/status")->at("injections").empty());
  CHECK(out.report["targets"]["a"]["injections"].size() == 2);
  CHECK(out.report["aborted"] == false);
}

TEST_CASE("plan runner: the report covers only the plan's own injections, tagged with its run id",
          "[chaos_agent][plan]") {
  test::RunningAgent a;
  // Made by hand before the plan starts: not part of the drill.
  a.inject({{"kind", "preempt"}, {"provider", "aws"}, {"notice", "120s"}, {"source", "cli"}});
  a.inject({{"kind", "rebalance"}, {"provider", "aws"}, {"source", "cli"}});
  std::string yaml =
      "name: t\nprovider: aws\nmax_duration: 10m\nduration: 300ms\ntargets:\n"
      "  - {name: a, control: \"" +
      a.agent().options().control +
      "\"}\n"
      "chaos:\n  - {at: 0s, preempt: {notice: 120s}}\n";
  auto p = parse_plan(yaml, "t.yaml");
  REQUIRE(p);
  RunnerOptions ro;
  ro.log = [](const std::string&) {};
  auto out = run_plan(p.value(), ro);
  CHECK(out.exit_code == 0);
  const std::string run = out.report["run"];
  CHECK(run.rfind("run-", 0) == 0);
  const auto& rep = out.report["targets"]["a"];
  CHECK(rep["summary"]["injections"] == 1);
  CHECK(rep["summary"]["undetected"] == 1);
  REQUIRE(rep["injections"].size() == 1);
  CHECK(rep["injections"][0]["source"] == "plan:t");
  CHECK(rep["injections"][0]["run"] == run);
  // The agent's whole report still has all three.
  CHECK(a.control().get("/v1/report")->at("summary")["injections"] == 3);
}

TEST_CASE("plan: an Azure preempt notice under 30s is refused unless allow_unrealistic", "[chaos_agent][plan]") {
  auto p =
      parse_plan("max_duration: 10m\nprovider: azure\nchaos:\n  - {at: 1m, preempt: {notice: 10s}}\n", "plan.yaml");
  REQUIRE(!p);
  CHECK(p.status().message() ==
        "plan.yaml:4:32: error: chaos[0].preempt.notice: Azure Scheduled Events give Preempt at least 30s "
        "of notice, got 10s (add allow_unrealistic: true to drill a shorter one anyway)");
  auto ok = parse_plan(
      "max_duration: 10m\nprovider: azure\nchaos:\n  - {at: 1m, preempt: {notice: 10s, allow_unrealistic: true}}\n",
      "plan.yaml");
  REQUIRE(ok);
  CHECK(ok->items[0].inject.allow_unrealistic);
  CHECK(parse_plan("max_duration: 10m\nprovider: aws\nchaos:\n  - {at: 1m, preempt: {notice: 10s}}\n", "plan.yaml"));
}

TEST_CASE("plan runner: a failing health check aborts and clears everything", "[chaos_agent][plan]") {
  test::RunningAgent a;
  // A health endpoint on loopback that starts failing after the first answer.
  boost::asio::io_context io;
  int calls = 0;
  agent::http::Server health(io, {}, [&](agent::http::Request&&, const std::string&, agent::http::Respond respond) {
    agent::http::Response r{
        ++calls == 1 ? boost::beast::http::status::ok : boost::beast::http::status::service_unavailable, 11};
    respond(std::move(r));
  });
  REQUIRE(health.listen_tcp("127.0.0.1", 0));
  std::thread hthread([&] { io.run(); });
  std::string yaml = "name: t\nmax_duration: 10m\nduration: 5s\ntargets:\n  - {name: a, control: \"" +
                     a.agent().options().control +
                     "\"}\n"
                     "abort:\n  health_check: {url: \"http://127.0.0.1:" +
                     std::to_string(health.port()) +
                     "/health\", interval: 100ms, failures: 2}\n"
                     "chaos:\n  - {at: 0s, preempt: {notice: 120s}}\n";
  auto p = parse_plan(yaml, "t.yaml");
  REQUIRE(p);
  RunnerOptions ro;
  std::vector<std::string> lines;
  ro.log = [&](const std::string& s) { lines.push_back(s); };
  auto t0 = std::chrono::steady_clock::now();
  auto out = run_plan(p.value(), ro);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
  CHECK(out.exit_code == 1);
  CHECK(out.report["aborted"] == true);
  CHECK(out.report["abort_reason"].get<std::string>().find("failed 2 time(s)") != std::string::npos);
  CHECK(a.control().get("/v1/status")->at("injections").empty());
  auto report = a.control().get("/v1/report");
  CHECK(report->at("injections")[0]["ended"]["how"] == "abort");
  health.close();
  io.stop();
  hthread.join();
}

TEST_CASE("plan: expect: (spotsim compare's tolerances) is shape-checked and otherwise ignored",
          "[chaos_agent][plan]") {
  const std::string head = "max_duration: 5m\nchaos: [{at: 1m, preempt: {}}]\n";
  CHECK(err(head + "expect: {notices: 0, drained_in_time: interval, detection_latency_mean_s: 50%}\n") == "OK");
  CHECK(err(head + "expect: [notices]\n") ==
        "plan.yaml:3:9: error: expect: expected a mapping of metric: tolerance, e.g. {notices: 0, drained_in_time: "
        "interval}");
  CHECK(err(head + "expect: {notices: [0]}\n") ==
        "plan.yaml:3:19: error: expect.notices: expected a tolerance: interval, a number or a percentage like 25%");
}

TEST_CASE("plan: a plan with several mistakes reports every one, one line each", "[chaos_agent][plan]") {
  // Three distinct mistakes: a duration without a unit, a misspelt key, an action that is not one.
  const std::string text =
      "max_duration: 90\n"
      "blast_radius: {max_fraction: 50%, max_target: 2}\n"
      "chaos:\n"
      "  - {at: 1m, preempt: {action: reboot}}\n";
  const std::string got = err(text);
  CHECK(got ==
        "plan.yaml:1:15: error: max_duration: duration \"90\" has no unit; write e.g. \"90s\" (units: us, ms, s, m, h, "
        "d, w)\n"
        "plan.yaml:2:35: error: blast_radius.max_target: unknown key (did you mean \"max_targets\"?); valid keys here: "
        "max_fraction, max_targets\n"
        "plan.yaml:4:32: error: chaos[0].preempt.action: \"reboot\" is not one of: terminate, stop, hibernate");
  // Each mistake alone is reported alone: nothing is reported twice or as a consequence of another.
  CHECK(std::count(got.begin(), got.end(), '\n') == 2);
}

TEST_CASE("plan: garbage never crashes the reader, and every line of an error names the file", "[chaos_agent][plan]") {
  const std::string base =
      std::string("max_duration: 10m\nseed: 3\n") + kTargets +
      "blast_radius: {max_fraction: 75%}\nabort: {health_check: \"http://127.0.0.1:8080/h\"}\n"
      "chaos:\n  - {at: 1m, storm: {fraction: 50%, notice: 30s}}\n  - {kind: preempt, at: 2m, targets: [a]}\n";
  REQUIRE(err(base) == "OK");
  uint64_t x = 7;
  int refused = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string s = base;
    for (int k = 0; k < 3; ++k) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      s[(x >> 33) % s.size()] = "{}[]:,-\"' \n%9ams"[(x >> 20) % 16];
    }
    auto p = parse_plan(s, "fuzz.yaml");
    if (p) continue;
    ++refused;
    std::istringstream lines(p.status().message());
    for (std::string line; std::getline(lines, line);) CHECK(line.rfind("fuzz.yaml", 0) == 0);
  }
  CHECK(refused > 100);
}

// The game-day loop's parsers and arithmetic (sim/gameday): audit logs, plans, calibrations and
// predictions, exact error texts, garbage, and a prediction on a tiny fleet checked by hand.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "sim/core/rng.h"
#include "sim/gameday/audit.h"
#include "sim/gameday/calibration.h"
#include "sim/gameday/compare.h"
#include "sim/gameday/plan.h"
#include "sim/gameday/predict.h"

using namespace spotsim;
using namespace spotsim::gameday;

namespace {

// Garbage for a parser: 1..max_edits random edits of `s` (a byte replaced, up to 8 bytes erased,
// or one character of `alphabet` -- the format's own punctuation -- inserted).
std::string mutated(std::string s, Rng& rng, uint64_t max_edits, std::string_view alphabet) {
  const int edits = 1 + static_cast<int>(rng.below(max_edits));
  for (int e = 0; e < edits; ++e) {
    const size_t at = rng.below(s.size());
    switch (rng.below(3)) {
      case 0: s[at] = static_cast<char>(rng.below(256)); break;
      case 1: s.erase(at, 1 + rng.below(8)); break;
      default: s.insert(at, 1, alphabet[rng.below(alphabet.size())]); break;
    }
  }
  return s;
}

// A two-notice audit: inj-1 read after 0.5 s, workload exit after 2 s (in time, notice 8 s);
// inj-2 read after 1.5 s, its workload exits only after the drill cleared the notice (no drain);
// a rebalance that is not a notice.
const char* kAudit =
    R"({"ts":"x","ts_us":1000000,"event":"serve_start","workload":"pidfile:/tmp/w.pid"})"
    "\n"
    R"({"ts":"x","ts_us":2000000,"event":"inject","injection":"inj-1","kind":"preempt","notice_s":8.0,"provider":"aws","run":"run-a"})"
    "\n"
    R"({"ts":"x","ts_us":2100000,"event":"read","notice_visible":false,"path":"/x"})"
    "\n"
    R"({"ts":"x","ts_us":2500000,"event":"read","injection":"inj-1","notice_visible":true})"
    "\n"
    R"({"ts":"x","ts_us":2600000,"event":"read","injection":"inj-1","notice_visible":true})"
    "\n"
    R"({"ts":"x","ts_us":4000000,"event":"workload_exit","injection":"inj-1"})"
    "\n"
    "\n"
    R"({"ts":"x","ts_us":5000000,"event":"inject","injection":"inj-2","kind":"preempt","notice_s":8.0,"provider":"aws","run":"run-a"})"
    "\n"
    R"({"ts":"x","ts_us":5000001,"event":"inject","injection":"inj-3","kind":"rebalance","notice_s":0,"provider":"aws"})"
    "\n"
    R"({"ts":"x","ts_us":6500000,"event":"read","injection":"inj-2","notice_visible":true})"
    "\n"
    R"({"ts":"x","ts_us":13000000,"event":"deadline","injection":"inj-2"})"
    "\n"
    R"({"ts":"x","ts_us":14000000,"event":"clear","injection":"inj-2"})"
    "\n"
    R"({"ts":"x","ts_us":14500000,"event":"workload_exit","injection":"inj-2"})"
    "\n"
    R"({"ts":"x","ts_us":14000000,"event":"some_future_event"})"
    "\n";

std::string parse_error(const std::string& text) {
  AuditData a;
  Status st = parse_audit(text, "a.jsonl", "", a);
  return st.is_ok() ? "" : st.message();
}

std::string plan_error(const std::string& text) {
  auto p = parse_gameday_plan(text, "p.yaml");
  return p.is_ok() ? "" : p.status().message();
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path =
      std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/gameday_test_" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("gameday audit: notices, detection, drain and never-drained from an agent's log") {
  AuditData a;
  REQUIRE(parse_audit(kAudit, "a.jsonl", "", a).is_ok());
  REQUIRE(a.notices.size() == 2);
  CHECK(a.notices[0].injection == "inj-1");
  CHECK(a.notices[0].line == 2);
  CHECK(*a.notices[0].detection_s == Approx(0.5));
  CHECK(*a.notices[0].drain_s == Approx(2.0));
  CHECK(a.notices[0].watched);
  CHECK(*a.notices[1].detection_s == Approx(1.5));
  CHECK_FALSE(a.notices[1].drain_s);
  const Observed o = observe(a);
  CHECK(*o[static_cast<size_t>(GamedayMetric::kNotices)] == 2);
  CHECK(*o[static_cast<size_t>(GamedayMetric::kDetected)] == 2);
  CHECK(*o[static_cast<size_t>(GamedayMetric::kDrainedInTime)] == 1);
  CHECK(*o[static_cast<size_t>(GamedayMetric::kNotDrained)] == 1);
  CHECK(*o[static_cast<size_t>(GamedayMetric::kDetectionLatencyMean)] == Approx(1.0));
  CHECK(*o[static_cast<size_t>(GamedayMetric::kDrainTimeMean)] == Approx(2.0));
  CHECK_FALSE(o[static_cast<size_t>(GamedayMetric::kTimeToReplacement)]);

  AuditData other_run;
  REQUIRE(parse_audit(kAudit, "a.jsonl", "run-b", other_run).is_ok());
  CHECK(other_run.notices.empty());
}

TEST_CASE("gameday audit: without a watched workload nothing says whether notices drained") {
  AuditData a;
  REQUIRE(parse_audit(R"({"ts_us":1,"event":"serve_start","workload":"none"})"
                      "\n"
                      R"({"ts_us":2,"event":"inject","injection":"i","kind":"preempt","notice_s":120})"
                      "\n",
                      "a.jsonl", "", a)
              .is_ok());
  const Observed o = observe(a);
  CHECK(*o[static_cast<size_t>(GamedayMetric::kNotices)] == 1);
  CHECK(*o[static_cast<size_t>(GamedayMetric::kDetected)] == 0);
  CHECK_FALSE(o[static_cast<size_t>(GamedayMetric::kDrainedInTime)]);
  CHECK_FALSE(o[static_cast<size_t>(GamedayMetric::kDetectionLatencyMean)]);
  // An older agent's log (no workload in serve_start): a workload event means one was watched.
  AuditData b;
  REQUIRE(parse_audit(R"({"ts_us":2,"event":"inject","injection":"i","kind":"preempt","notice_s":120})"
                      "\n"
                      R"({"ts_us":9,"event":"workload_exit","injection":"i"})"
                      "\n",
                      "b.jsonl", "", b)
              .is_ok());
  CHECK(b.notices[0].watched);
}

TEST_CASE("gameday audit: malformed lines name the file, line and field") {
  CHECK(parse_error("{\"ts_us\":1,\"event\":\"inject\"\n") ==
        "a.jsonl:1: error: not a JSON object (a chaos-agent audit log has one object per line)");
  CHECK(parse_error("[1,2]\n") ==
        "a.jsonl:1: error: not a JSON object (a chaos-agent audit log has one object per line)");
  CHECK(parse_error("\n{\"ts_us\":1}\n") ==
        "a.jsonl:2: error: event: expected a string such as \"inject\" or \"read\"");
  CHECK(parse_error("{\"event\":\"read\",\"ts_us\":\"1\"}\n") ==
        "a.jsonl:1: error: ts_us: expected the time in microseconds since the epoch (an integer)");
  CHECK(parse_error("{\"event\":\"inject\",\"ts_us\":1,\"kind\":\"preempt\",\"notice_s\":1}\n") ==
        "a.jsonl:1: error: injection: expected a non-empty string (inject event)");
  CHECK(parse_error("{\"event\":\"inject\",\"ts_us\":1,\"injection\":\"i\",\"kind\":\"preempt\",\"notice_s\":-1}\n") ==
        "a.jsonl:1: error: notice_s: expected the notice length in seconds (a number >= 0)");
  CHECK(parse_error("{\"event\":\"read\",\"ts_us\":1}\n") ==
        "a.jsonl:1: error: notice_visible: expected true or false (read event)");
  CHECK(parse_error("{\"event\":\"read\",\"ts_us\":1,\"notice_visible\":true}\n") ==
        "a.jsonl:1: error: injection: expected a non-empty string (read event)");
  CHECK(parse_error("{\"event\":\"workload_exit\",\"ts_us\":1,\"injection\":7}\n") ==
        "a.jsonl:1: error: injection: expected a non-empty string (workload_exit event)");
  CHECK(parse_error("{\"event\":\"inject\",\"ts_us\":1,\"injection\":\"i\",\"kind\":\"preempt\",\"notice_s\":1}\n"
                    "{\"event\":\"inject\",\"ts_us\":2,\"injection\":\"i\",\"kind\":\"preempt\",\"notice_s\":1}\n") ==
        "a.jsonl:2: error: injection: 'i' was injected twice in this log");
  auto missing = read_audits({"/nonexistent/audit.jsonl"});
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().message() ==
        "/nonexistent/audit.jsonl: error: cannot read the audit log: No such file or directory");
}

TEST_CASE("gameday audit: garbage never crashes and is refused with a line number") {
  Rng rng(7);
  const std::string base = kAudit;
  for (int round = 0; round < 2000; ++round) {
    const std::string s = mutated(base, rng, 6, "{}[]\",:0\n\\");
    AuditData a;
    const Status st = parse_audit(s, "g.jsonl", "", a);
    if (!st.is_ok()) {
      CHECK(st.message().rfind("g.jsonl:", 0) == 0);
      CHECK(st.code() == StatusCode::kInvalidInput);
    }
  }
}

namespace {
const char* kPlan = R"(name: drill
provider: aws
max_duration: 5m
seed: 3
targets:
  - {name: a, control: "unix:/run/a/control.sock"}
  - {name: b, control: "unix:/run/b/control.sock"}
  - {name: c, control: "unix:/run/c/control.sock"}
blast_radius: {max_fraction: 100%}
chaos:
  - {at: 0s, rebalance: {targets: [a]}}
  - {at: 10s, storm: {fraction: 50%, notice: 8s, allow_unrealistic: true}}
  - {kind: preempt, at: 2s, notice: 6s, targets: [c], allow_unrealistic: true}
  - {at: 40s, clear: {}}
expect:
  notices: 0
  drained_in_time: interval
  detection_latency_mean_s: 50%
)";
}  // namespace

TEST_CASE("gameday plan: the agent's vocabulary, storm counts as the agent picks, expect tolerances") {
  auto p = parse_gameday_plan(kPlan, "p.yaml");
  REQUIRE(p.is_ok());
  CHECK(p->name == "drill");
  CHECK(p->targets == 3);
  CHECK(p->seed == 3);
  REQUIRE(p->notices.size() == 2);
  CHECK(p->notices[0].at == Duration::seconds(2));
  CHECK(p->notices[0].targets == 1);
  CHECK(p->notices[0].notice == Duration::seconds(6));
  CHECK(p->notices[1].targets == 2);  // ceil(50% of 3)
  CHECK(p->notices[1].where == "chaos[1].storm");
  CHECK(p->duration == Duration::seconds(120 + 30));  // the rebalance's default 120s, as the agent derives it
  REQUIRE(p->expect.size() == 3);
  CHECK(p->expect[0].kind == Tolerance::Kind::kAbsolute);
  CHECK(p->expect[0].value == 0);
  CHECK(p->expect[0].line == 16);
  CHECK(p->expect[1].kind == Tolerance::Kind::kInterval);
  CHECK(p->expect[2].kind == Tolerance::Kind::kRelative);
  CHECK(p->expect[2].value == Approx(0.5));
}

TEST_CASE("gameday plan: errors name FILE:LINE:COL and the YAML path") {
  CHECK(plan_error("chaos: []\n") ==
        "p.yaml:1:1: error: max_duration: required: the plan's dead-man limit, e.g. max_duration: 30m");
  CHECK(plan_error("max_duration: 5m\nchaos: [{at: 1m, preempt: {}}]\nbogus: 1\n") ==
        "p.yaml:3:1: error: bogus: unknown key; valid keys here: abort, blast_radius, chaos, duration, expect, "
        "max_duration, name, provider, report, seed, targets");
  CHECK(plan_error("max_duration: 5m\nchaos: [{at: 1m, preempt: {}}]\nexpect: {notices: soon}\n") ==
        "p.yaml:3:19: error: expect.notices: expected interval (inside the prediction's interval), a number (largest "
        "|observed - predicted mean|) or a percentage like 25% (of the predicted mean), found 'soon'");
  CHECK(plan_error("max_duration: 5m\nchaos: [{at: 1m, preempt: {}}]\nexpect: {notise: 1}\n") ==
        "p.yaml:3:10: error: expect.notise: unknown metric (did you mean \"notices\"?); a drill observes: notices, "
        "detected, drained_in_time, not_drained, detection_latency_mean_s, drain_time_mean_s");
  CHECK(
      plan_error("max_duration: 5m\nchaos: [{at: 1m, preempt: {}}]\nexpect: {time_to_replacement_s: 1}\n") ==
      "p.yaml:3:10: error: expect.time_to_replacement_s: a drill does not observe this metric (the simulator predicts "
      "it); a drill observes: notices, detected, drained_in_time, not_drained, detection_latency_mean_s, "
      "drain_time_mean_s");
  CHECK(plan_error("max_duration: 5m\nchaos:\n  - {at: 1m, storm: {notice: 30s}}\n") ==
        "p.yaml:3:21: error: chaos[0].storm.fraction: required: the fraction of targets hit, e.g. fraction: 30%");
  CHECK(plan_error("max_duration: 5m\nchaos:\n  - {at: 1m, preempt: {targets: [x]}}\n") ==
        "p.yaml:3:34: error: chaos[0].preempt.targets[0]: no target named 'x' in targets");
  CHECK(plan_error("max_duration: 5m\nchaos:\n  - {at: 9m, preempt: {}}\n") ==
        "p.yaml:3:10: error: chaos[0].at: 9m is not before max_duration 5m");
  CHECK(plan_error("max_duration: 5m\nchaos:\n  - {at: 1m, clear: {}}\n") ==
        "p.yaml:3:3: error: chaos: has no preempt or storm item: there is no preemption notice to predict");
  CHECK(plan_error("max_duration: 5m\nchaos: [{at: 1m, preempt: {notice: 90}}]\n") ==
        "p.yaml:2:36: error: chaos[0].preempt.notice: duration \"90\" has no unit; write e.g. \"90s\" (units: us, ms, "
        "s, m, h, d, w)");
  CHECK(plan_error("max_duration: [\n").rfind("p.yaml:", 0) == 0);
}

TEST_CASE("gameday plan: a misspelt key gets its did-you-mean, and every mistake is reported") {
  CHECK(plan_error("max_duration: 5m\nchaos: [{at: 1m, preempt: {}}]\nexpcet: {notices: 0}\n") ==
        "p.yaml:3:1: error: expcet: unknown key (did you mean \"expect\"?); valid keys here: abort, blast_radius, "
        "chaos, duration, expect, max_duration, name, provider, report, seed, targets");
  CHECK(plan_error("max_duration: 5m\nchaos:\n  - {at: 1m, preemt: {}}\n") ==
        "p.yaml:3:14: error: chaos[0].preemt: unknown key (did you mean \"preempt\"?); valid keys here: at and one "
        "of: preempt, storm, rebalance, maintenance, clear");
  // Two mistakes, both reported: a misspelt top-level key and a misspelt target key.
  CHECK(plan_error("max_duration: 5m\nnme: x\ntargets:\n  - {name: a, contrl: \"unix:/a\"}\n"
                   "chaos: [{at: 1m, preempt: {}}]\n") ==
        "p.yaml:2:1: error: nme: unknown key (did you mean \"name\"?); valid keys here: abort, blast_radius, chaos, "
        "duration, expect, max_duration, name, provider, report, seed, targets\n"
        "p.yaml:4:15: error: targets[0].contrl: unknown key (did you mean \"control\"?); valid keys here: control, "
        "name, token_file");
  // An unknown key and a missing required one, and two items' misspelt actions.
  CHECK(plan_error("max_duraton: 5m\nchaos: [{at: 1m, preempt: {}}]\n") ==
        "p.yaml:1:1: error: max_duraton: unknown key (did you mean \"max_duration\"?); valid keys here: abort, "
        "blast_radius, chaos, duration, expect, max_duration, name, provider, report, seed, targets\n"
        "p.yaml:1:1: error: max_duration: required: the plan's dead-man limit, e.g. max_duration: 30m");
  // Every mistake in expect: an unknown metric and a bad tolerance.
  CHECK(plan_error("max_duration: 5m\nchaos: [{at: 1m, preempt: {}}]\nexpect: {detectd: 1, notices: soon}\n") ==
        "p.yaml:3:10: error: expect.detectd: unknown metric (did you mean \"detected\"?); a drill observes: notices, "
        "detected, drained_in_time, not_drained, detection_latency_mean_s, drain_time_mean_s\n"
        "p.yaml:3:31: error: expect.notices: expected interval (inside the prediction's interval), a number (largest "
        "|observed - predicted mean|) or a percentage like 25% (of the predicted mean), found 'soon'");
  const std::string two = plan_error("max_duration: 5m\nchaos:\n  - {at: 1m, storn: {}}\n  - {at: 2m, peempt: {}}\n");
  CHECK(two.find("p.yaml:3:14: error: chaos[0].storn: unknown key (did you mean \"storm\"?)") == 0);
  CHECK(two.find("\np.yaml:4:14: error: chaos[1].peempt: unknown key (did you mean \"preempt\"?)") !=
        std::string::npos);
}

TEST_CASE("gameday plan: an item's body takes the keys chaos-agent takes for its action, no other") {
  // common/plan_items.h, the table both readers use: a misspelt notice is not a 120 s default.
  CHECK(plan_error("max_duration: 5m\nchaos: [{at: 1m, preempt: {notise: 30s}}]\n") ==
        "p.yaml:2:28: error: chaos[0].preempt.notise: unknown key (did you mean \"notice\"?); valid keys here: "
        "action, allow_unrealistic, azure_event_type, notice, provider, targets");
  // A key of another action: fraction is a storm's.
  CHECK(plan_error("max_duration: 5m\nchaos: [{at: 1m, preempt: {fraction: 50%}}]\n") ==
        "p.yaml:2:28: error: chaos[0].preempt.fraction: unknown key (did you mean \"action\"?); valid keys here: "
        "action, allow_unrealistic, azure_event_type, notice, provider, targets");
  // The flat form also takes kind, at and name.
  CHECK(plan_error("max_duration: 5m\nchaos: [{kind: storm, at: 1m, fraction: 50%, windw: 1m}]\n") ==
        "p.yaml:2:46: error: chaos[0].windw: unknown key; valid keys here: action, allow_unrealistic, at, "
        "azure_event_type, fraction, kind, name, notice, provider");
  auto ok = parse_gameday_plan(
      "max_duration: 5m\nchaos:\n  - {kind: storm, name: s, at: 1m, fraction: 50%, notice: 30s}\n"
      "  - {at: 2m, maintenance: {gcp_event: TERMINATE_ON_HOST_MAINTENANCE, notice: 1m}}\n",
      "p.yaml");
  REQUIRE(ok.is_ok());
  CHECK(ok.value().notices.size() == 1);
}

TEST_CASE("gameday plan: garbage never crashes") {
  Rng rng(11);
  const std::string base = kPlan;
  for (int round = 0; round < 1500; ++round) {
    const std::string s = mutated(base, rng, 5, "{}[]:-,%'\"\n ");
    auto p = parse_gameday_plan(s, "g.yaml");
    if (!p.is_ok()) CHECK(p.status().message().rfind("g.yaml:", 0) == 0);
  }
}

TEST_CASE("gameday calibration: lognormal by maximum likelihood, shares, and the YAML round trip") {
  AuditData a;
  REQUIRE(parse_audit(kAudit, "a.jsonl", "", a).is_ok());
  auto c = calibrate_gameday(a, Fit::kLognormal);
  REQUIRE(c.is_ok());
  CHECK(c->notices == 2);
  CHECK(c->detected == 2);
  // ln 0.5 and ln 1.5: median = sqrt(0.75) = 0.866, sigma = |ln 3| / 2 = 0.5493
  REQUIRE(c->detection.kind == SecondsDist::Kind::kLognormal);
  CHECK(c->detection.median == Approx(0.8660254));
  CHECK(c->detection.sigma == Approx(0.5493061));
  CHECK(c->drain.kind == SecondsDist::Kind::kFixed);  // one timed drain
  CHECK(c->drain.value == Approx(2.0));
  CHECK(c->never_detected == 0);
  CHECK(c->never_drained == Approx(0.5));
  const std::string yaml = calibration_yaml(*c);
  CHECK(yaml.find("  detection_latency: {lognormal: {median: 0.866s, sigma: 0.5493}}") != std::string::npos);
  CHECK(yaml.find("  never_drained: 50.0%") != std::string::npos);
  CHECK(yaml.find("  notice: 6.500s   # pools' and storm items' notice: drilled notice 8.000s - p90 detection latency "
                  "1.500s") != std::string::npos);
  CHECK(yaml.find("  drain: false") != std::string::npos);
  auto back = parse_calibration(yaml, "c.yaml");
  REQUIRE(back.is_ok());
  CHECK(back->detection.median == Approx(0.866));
  CHECK(back->detection.sigma == Approx(0.5493));
  CHECK(back->drain.value == Approx(2.0));
  CHECK(back->never_drained == Approx(0.5));
  CHECK(*back->notice_s == Approx(8.0));

  auto emp = calibrate_gameday(a, Fit::kEmpirical);
  REQUIRE(emp.is_ok());
  CHECK(calibration_yaml(*emp).find("{empirical: [0.500s, 1.500s]}") != std::string::npos);

  AuditData none;
  auto nothing = calibrate_gameday(none, Fit::kLognormal);
  REQUIRE_FALSE(nothing.is_ok());
}

TEST_CASE("gameday calibration: errors name the line and key") {
  auto err = [](const std::string& t) {
    auto c = parse_calibration(t, "c.yaml");
    return c.is_ok() ? std::string() : c.status().message();
  };
  CHECK(err("x: 1\n") ==
        "c.yaml:1:1: error: x: unknown key; valid keys here: notice_handling, scenario\n"
        "c.yaml:1:1: error: notice_handling: required: a calibration has a notice_handling: block (spotsim calibrate "
        "--gameday writes one)");
  CHECK(err("[1]\n") ==
        "c.yaml:1:1: error: notice_handling: required: a calibration has a notice_handling: block (spotsim calibrate "
        "--gameday writes one)");
  CHECK(err("notice_handling:\n  detection_latency: {lognormal: {median: 1s}}\n") ==
        "c.yaml:2:34: error: notice_handling.detection_latency.lognormal: expected {median: DURATION, sigma: NUMBER}");
  CHECK(err("notice_handling:\n  detection_latency: 1s\n  never_drained: 120%\n") ==
        "c.yaml:3:18: error: notice_handling.never_drained: percentage \"120%\" is outside 0%..100%");
  CHECK(err("notice_handling:\n  drain_time: 1s\n") ==
        "c.yaml:2:3: error: notice_handling.detection_latency: required unless never_detected is 100%: how long "
        "clients take to see a notice");
  CHECK(err("notice_handling:\n  detection_latency: 1s\n  bogus: 1\n") ==
        "c.yaml:3:3: error: notice_handling.bogus: unknown key; valid keys here: ack_latency, detection_latency, "
        "drain_time, never_detected, never_drained, notice, notices");
  // A misspelt key gets its did-you-mean; two mistakes are both reported.
  CHECK(err("notice_handling:\n  detection_latency: 1s\n  never_drianed: 5%\nscenaro: {}\n") ==
        "c.yaml:4:1: error: scenaro: unknown key (did you mean \"scenario\"?); valid keys here: notice_handling, "
        "scenario\n"
        "c.yaml:3:3: error: notice_handling.never_drianed: unknown key (did you mean \"never_drained\"?); valid keys "
        "here: ack_latency, detection_latency, drain_time, never_detected, never_drained, notice, notices");
  CHECK(err("notice_handling:\n  detection_latncy: 1s\n") ==
        "c.yaml:2:3: error: notice_handling.detection_latncy: unknown key (did you mean \"detection_latency\"?); "
        "valid keys here: ack_latency, detection_latency, drain_time, never_detected, never_drained, notice, notices\n"
        "c.yaml:2:3: error: notice_handling.detection_latency: required unless never_detected is 100%: how long "
        "clients take to see a notice");
}

TEST_CASE("gameday prediction: JSON errors name the field") {
  auto err = [](const std::string& t) {
    auto p = parse_prediction(t, "p.json");
    return p.is_ok() ? std::string() : p.status().message();
  };
  CHECK(err("[") == "p.json: error: (document): not a JSON object (is this a file spotsim predict wrote?)");
  CHECK(err("{\"spotsim_prediction\":2}") ==
        "p.json: error: spotsim_prediction: expected 1 (is this a file spotsim predict wrote?)");
  const std::string head =
      R"({"spotsim_prediction":1,"scenario":"s","plan":"p","plan_name":"n","fleet":"f","targets":3,"seed":1,"replications":10,)";
  CHECK(err(head + R"("expect":[{"metric":"notices","tolerance":"x","line":3}],"metrics":{}})")
            .find("expect[0].tolerance") != std::string::npos);
  CHECK(err(head + R"("expect":[],"metrics":{"notices":{"mean":1,"lo":2,"hi":1,"samples":3}}})") ==
        "p.json: error: metrics.notices: lo is above hi (is this a file spotsim predict wrote?)");
  CHECK(err(head + R"("expect":[],"metrics":{"bogus":{}}})") ==
        "p.json: error: metrics.bogus: unknown metric (is this a file spotsim predict wrote?)");
}

TEST_CASE("gameday calibration and prediction readers: garbage never crashes") {
  AuditData a;
  REQUIRE(parse_audit(kAudit, "a.jsonl", "", a).is_ok());
  auto c = calibrate_gameday(a, Fit::kLognormal);
  REQUIRE(c.is_ok());
  const std::string cal = calibration_yaml(*c);
  Calibration fixed;
  fixed.detection.kind = SecondsDist::Kind::kFixed;
  fixed.detection.value = 1;
  Prediction p;
  p.scenario = "s.yaml";
  p.plan = "p.yaml";
  p.plan_name = "n";
  p.fleet = "web";
  p.targets = 3;
  p.replications = 10;
  p.metrics.push_back(MetricPrediction{GamedayMetric::kNotices, 10, 3, 3, 3});
  p.metrics.push_back(MetricPrediction{GamedayMetric::kDrainTimeMean, 10, 1.5, 1, 2});
  Tolerance t;
  REQUIRE(parse_tolerance("25%", t).empty());
  t.line = 4;
  p.expect.push_back(t);
  const std::string pred = prediction_json(p);
  REQUIRE(parse_prediction(pred, "p.json").is_ok());
  Rng rng(5);
  for (int round = 0; round < 1500; ++round) {
    for (int which = 0; which < 2; ++which) {
      const std::string s = mutated(which == 0 ? cal : pred, rng, 5, "{}[]:-,%'\"\n 0");
      if (which == 0) {
        auto r = parse_calibration(s, "g.yaml");
        if (!r.is_ok()) CHECK(r.status().message().rfind("g.yaml:", 0) == 0);
      } else {
        auto r = parse_prediction(s, "g.json");
        if (!r.is_ok()) CHECK(r.status().message().rfind("g.json: error: ", 0) == 0);
      }
    }
  }
}

TEST_CASE("gameday predict and compare: a 3-VM fleet drilled by a storm of 2 and a preempt of 1") {
  const std::string scenario = write_temp("fleet.yaml", R"(spotsim: 1
name: drill-fleet
seed: 9
replications: 3
duration: 1d
pools:
  p: {provider: aws, region: us-east-1, instance_type: m5.large, spot_price: 0.03, on_demand_price: 0.096,
      capacity: 50, interruption: {rate: 0.5/h}}
fleets:
  web: {pools: [p], target: 10, boot_time: 90s}
expect:
  - fleet.web.availability_pct.mean >= 99.99
)");
  auto plan = parse_gameday_plan(kPlan, "p.yaml");
  REQUIRE(plan.is_ok());
  Calibration cal;
  cal.detection.kind = SecondsDist::Kind::kFixed;
  cal.detection.value = 0.5;
  cal.drain.kind = SecondsDist::Kind::kFixed;
  cal.drain.value = 7.0;  // in time for the storm's 8 s notices, late for the preempt's 6 s
  PredictOptions opt;
  opt.replications = 20;
  opt.threads = 2;
  auto p = predict(scenario, *plan, cal, "c.yaml", opt);
  REQUIRE(p.is_ok());
  auto metric = [&](GamedayMetric m) {
    for (const auto& x : p->metrics)
      if (x.metric == m) return x;
    FAIL("no prediction for metric");
    return MetricPrediction{};
  };
  // No background hazard on the drill: exactly the plan's 1 + 2 notices, all seen, the 2 of the storm drained.
  CHECK(metric(GamedayMetric::kNotices).mean == 3);
  CHECK(metric(GamedayMetric::kNotices).lo == 3);
  CHECK(metric(GamedayMetric::kNotices).hi == 3);
  CHECK(metric(GamedayMetric::kDetected).mean == 3);
  CHECK(metric(GamedayMetric::kDrainedInTime).mean == 2);
  CHECK(metric(GamedayMetric::kNotDrained).mean == 1);
  CHECK(metric(GamedayMetric::kDetectionLatencyMean).mean == Approx(0.5));
  CHECK(metric(GamedayMetric::kDrainTimeMean).mean == Approx(7.0));
  // Replacements boot in 90 s after each eviction.
  CHECK(metric(GamedayMetric::kTimeToReplacement).mean == Approx(90.0));
  CHECK(p->expect.size() == 3);

  // Same input and seed: the same bytes, whatever the thread count.
  opt.threads = 1;
  auto again = predict(scenario, *plan, cal, "c.yaml", opt);
  REQUIRE(again.is_ok());
  CHECK(prediction_json(*again) == prediction_json(*p));

  auto back = parse_prediction(prediction_json(*p), "pred.json");
  REQUIRE(back.is_ok());
  AuditData a;
  REQUIRE(parse_audit(kAudit, "a.jsonl", "", a).is_ok());
  const Comparison c = compare(*back, a);
  // Observed 2 notices (predicted exactly 3: tolerance 0 exceeded), 1 drained in time (outside [2, 2]),
  // detection mean 1.0 s vs 0.5 s predicted (50% tolerance: exceeded).
  CHECK(c.checked == 3);
  CHECK(c.exceeded == 3);
  const std::string text = comparison_text(*back, c);
  CHECK(text.find("exceeded: notices: observed 2, predicted mean 3 [3, 3]; the plan (p.yaml:16) expects it within 0 of "
                  "the predicted mean") != std::string::npos);
  CHECK(text.find("time_to_replacement_s") != std::string::npos);
  CHECK(text.find("tolerances: 3 checked, 3 exceeded") != std::string::npos);
  const JunitSuite s = comparison_junit(*back, c);
  REQUIRE(s.expectations.size() == 3);
  CHECK_FALSE(s.expectations[0].passed);
  std::remove(scenario.c_str());
}

TEST_CASE("gameday predict: a scenario with several fleets needs --fleet") {
  const std::string scenario = write_temp("two.yaml", R"(spotsim: 1
name: two
duration: 1d
pools:
  p: {provider: aws, region: us-east-1, instance_type: m5.large, spot_price: 0.03, on_demand_price: 0.096, capacity: 50}
fleets:
  a: {pools: [p], target: 2}
  b: {pools: [p], target: 2}
)");
  auto plan = parse_gameday_plan(kPlan, "p.yaml");
  REQUIRE(plan.is_ok());
  auto p = predict(scenario, *plan, std::nullopt, "", PredictOptions{});
  REQUIRE_FALSE(p.is_ok());
  CHECK(p.status().message() ==
        scenario +
            ": error: the scenario has 2 fleets (a, b); say which one the drill's targets are with --fleet NAME");
  PredictOptions opt;
  opt.fleet = "c";
  auto q = predict(scenario, *plan, std::nullopt, "", opt);
  REQUIRE_FALSE(q.is_ok());
  CHECK(q.status().message() == "--fleet: the scenario has no fleet \"c\" (its fleets: a, b)");
  std::remove(scenario.c_str());
}

#include <catch2/catch.hpp>

#include <fstream>

#include "chaos-agent/core/audit.h"
#include "chaos-agent/core/metrics.h"
#include "tests/chaos_agent/helpers.h"

using namespace agent;
using nlohmann::json;

TEST_CASE("audit: one JSON line per event, flushed, ts first - report figures", "[chaos_agent][audit]") {
  std::string dir = test::temp_dir("audit");
  FakeClock clock(test::t0());
  {
    AuditLog log(clock);
    REQUIRE(log.open(dir + "/a.jsonl"));
    log.write(
        {{"event", "inject"}, {"injection", "inj-1"}, {"kind", "preempt"}, {"provider", "aws"}, {"notice_s", 120.0}});
    clock.advance(std::chrono::milliseconds(1500));
    log.write({{"event", "read"},
               {"injection", "inj-1"},
               {"notice_visible", true},
               {"provider", "aws"},
               {"peer", "127.0.0.1:5000"},
               {"path", "/latest/meta-data/spot/instance-action"}});
    clock.advance(std::chrono::milliseconds(500));
    log.write({{"event", "ack"}, {"injection", "inj-1"}});
    clock.advance(std::chrono::seconds(40));
    log.write({{"event", "workload_exit"}, {"injection", "inj-1"}});
    log.write({{"event", "clear"}, {"injection", "inj-1"}, {"reason", "done"}});
    // The file is complete before the log is closed (flushed per line).
    auto lines = read_audit_file(dir + "/a.jsonl");
    REQUIRE(lines);
    CHECK(lines->size() == 5);
  }
  std::ifstream in(dir + "/a.jsonl");
  std::string first;
  std::getline(in, first);
  CHECK(
      first ==
      R"({"ts":"2026-11-23T18:00:00.000000Z","ts_us":1795456800000000,"event":"inject","injection":"inj-1","kind":"preempt","notice_s":120.0,"provider":"aws"})");
  auto lines = read_audit_file(dir + "/a.jsonl");
  std::deque<json> dq(lines->begin(), lines->end());
  json rep = build_report(dq);
  const auto& r = rep["injections"][0];
  CHECK(r["detection_latency_s"].get<double>() == Approx(1.5));
  CHECK(r["ack_latency_s"].get<double>() == Approx(2.0));
  CHECK(r["drain_time_s"].get<double>() == Approx(42.0));
  CHECK(r["first_reader"]["peer"] == "127.0.0.1:5000");
  CHECK(r["ended"]["how"] == "clear");
  CHECK(rep["summary"]["undetected"] == 0);
  std::string text = format_report(rep);
  CHECK(text.find("inj-1") != std::string::npos);
  CHECK(text.find("1.500s") != std::string::npos);

  std::ofstream(dir + "/bad.jsonl") << "{\"event\":\"inject\"}\nnot json\n";
  auto bad = read_audit_file(dir + "/bad.jsonl");
  REQUIRE(!bad);
  CHECK(bad.status().message() == dir + "/bad.jsonl:2: error: not a JSON object (is this a chaos-agent audit log?)");
  std::filesystem::remove_all(dir);
}

TEST_CASE("audit report: a workload that exits after the notice was cleared did not drain", "[chaos_agent][audit]") {
  // The drill clears its notice at 30 s; the workload is stopped by the operator at 90 s. That exit
  // is no reaction to the notice: no drain time, and the summary's drain figures stay empty.
  auto at = [](double s, json e) {
    e["ts_us"] = static_cast<int64_t>(1'795'456'800'000'000 + s * 1e6);
    return e;
  };
  std::deque<json> dq{
      at(0,
         {{"event", "inject"}, {"injection", "inj-1"}, {"kind", "preempt"}, {"provider", "aws"}, {"notice_s", 120.0}}),
      at(2, {{"event", "read"}, {"injection", "inj-1"}, {"notice_visible", true}, {"provider", "aws"}}),
      at(30, {{"event", "clear"}, {"injection", "inj-1"}, {"reason", "drill over"}}),
      at(90, {{"event", "workload_exit"}, {"injection", "inj-1"}})};
  json rep = build_report(dq);
  const auto& r = rep["injections"][0];
  CHECK(r["detection_latency_s"].get<double>() == Approx(2.0));
  CHECK(r["drain_time_s"].is_null());
  CHECK(r["drain_status"].is_null());
  CHECK(r["ended"]["how"] == "clear");
  CHECK(rep["summary"]["drain_time_s"].is_null());
  // The same exit before the clear is a drain of 20 s.
  dq[2].swap(dq[3]);
  dq[2]["ts_us"] = dq[2]["ts_us"].get<int64_t>() - 70'000'000;
  json rep2 = build_report(dq);
  CHECK(rep2["injections"][0]["drain_time_s"].get<double>() == Approx(20.0));
}

TEST_CASE("metrics: Prometheus text format with counters, gauges and a latency histogram", "[chaos_agent][metrics]") {
  Metrics m;
  m.inc("chaos_agent_injections_total", R"(kind="preempt",provider="aws")");
  m.inc("chaos_agent_injections_total", R"(kind="preempt",provider="aws")");
  m.observe_latency("metadata", 0.0003);
  m.observe_latency("metadata", 0.2);
  std::string text = m.render();
  CHECK(text.find("# TYPE chaos_agent_injections_total counter\n") != std::string::npos);
  CHECK(text.find("chaos_agent_injections_total{kind=\"preempt\",provider=\"aws\"} 2\n") != std::string::npos);
  CHECK(text.find("# TYPE chaos_agent_request_duration_seconds histogram\n") != std::string::npos);
  CHECK(text.find("chaos_agent_request_duration_seconds_bucket{listener=\"metadata\",le=\"0.0005\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("chaos_agent_request_duration_seconds_bucket{listener=\"metadata\",le=\"+Inf\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("chaos_agent_request_duration_seconds_count{listener=\"metadata\"} 2\n") != std::string::npos);
  CHECK(text.find("# TYPE chaos_agent_aborts_total counter\n") != std::string::npos);
}

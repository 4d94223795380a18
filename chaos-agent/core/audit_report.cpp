#include "chaos-agent/core/audit_report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "chaos-agent/core/time_format.h"

namespace agent {

namespace {
double secs_between(int64_t from_us, int64_t to_us) { return static_cast<double>(to_us - from_us) / 1e6; }

nlohmann::json stats(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  auto pct = [&](double p) {
    size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  return {{"count", v.size()}, {"min", v.front()}, {"p50", pct(0.5)},
          {"p90", pct(0.9)},   {"max", v.back()},  {"mean", sum / static_cast<double>(v.size())}};
}

nlohmann::json opt(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }
}  // namespace

ReportBuilder::Row* ReportBuilder::find(std::string_view id) {
  if (id.empty()) return nullptr;
  auto it = index_.find(std::string(id));
  return it == index_.end() ? nullptr : &rows_[it->second];
}

void ReportBuilder::add(const nlohmann::json& e) {
  std::string ev = e.value("event", "");
  int64_t ts = e.value("ts_us", int64_t{0});
  std::string id = e.value("injection", "");
  if (ev == "inject") {
    Row r;
    r.injection = id;
    r.kind = e.value("kind", "");
    r.provider = e.value("provider", "");
    r.notice_s = e.value("notice_s", 0.0);
    r.injected_at = e.value("ts", "");
    r.injected_us = ts;
    r.source = e.value("source", "");
    r.run = e.value("run", "");
    index_[id] = rows_.size();
    rows_.push_back(std::move(r));
    return;
  }
  if (ev == "read") {
    add_read(ts, id, e.value("notice_visible", false), e.value("provider", ""), e.value("peer", ""),
             e.value("path", ""));
    return;
  }
  Row* r = find(id);
  if (!r) return;
  if (ev == "ack" && !r->ack_latency_s) {
    r->ack_latency_s = secs_between(r->injected_us, ts);
  } else if (ev == "workload_exit" && !r->ended && !r->drain_time_s && r->drain_status.empty()) {
    // An exit after the notice was cleared, expired or aborted (the drill's end) is no drain: the
    // handler never saw a notice then. spotsim's game-day audit reader (sim/gameday/audit.cpp) agrees.
    r->drain_time_s = secs_between(r->injected_us, ts);
    r->drain_status = "exited";
  } else if (ev == "workload_not_running" && r->drain_status.empty()) {
    r->drain_status = "process not running";
  } else if ((ev == "clear" || ev == "expire" || ev == "abort" || ev == "superseded") && !r->ended) {
    r->ended = std::make_pair(ev, secs_between(r->injected_us, ts));
    if (ev == "expire") r->ended_cause = e.value("cause", "");
  }
}

void ReportBuilder::add_read(int64_t ts_us, std::string_view injection, bool notice_visible, std::string_view provider,
                             std::string_view peer, std::string_view path) {
  if (!notice_visible) return;
  Row* r = find(injection);
  if (!r) return;
  ++r->reads;
  if (!r->detection_latency_s) {
    r->detection_latency_s = secs_between(r->injected_us, ts_us);
    r->first_provider = provider;
    r->first_peer = peer;
    r->first_path = path;
  }
}

nlohmann::json ReportBuilder::report(std::string_view run) const {
  nlohmann::json injections = nlohmann::json::array();
  std::vector<double> det, ack, drain;
  size_t undetected = 0, not_running = 0, rows = 0;
  for (const Row& r : rows_) {
    if (!run.empty() && r.run != run) continue;
    ++rows;
    nlohmann::json j = {
        {"injection", r.injection},
        {"kind", r.kind},
        {"provider", r.provider},
        {"notice_s", r.notice_s},
        {"injected_at", r.injected_at},
        {"source", r.source},
        {"detection_latency_s", opt(r.detection_latency_s)},
        {"first_reader", nullptr},
        {"ack_latency_s", opt(r.ack_latency_s)},
        {"drain_time_s", opt(r.drain_time_s)},
        {"drain_status", r.drain_status.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.drain_status)},
        {"reads", r.reads},
        {"ended", nullptr}};
    if (r.detection_latency_s) {
      j["first_reader"] = {{"provider", r.first_provider}, {"peer", r.first_peer}, {"path", r.first_path}};
      det.push_back(*r.detection_latency_s);
    } else {
      ++undetected;
    }
    if (!r.run.empty()) j["run"] = r.run;
    if (r.ended) j["ended"] = {{"how", r.ended->first}, {"after_s", r.ended->second}};
    if (r.ended && !r.ended_cause.empty()) j["ended"]["cause"] = r.ended_cause;
    if (r.drain_status == "process not running") ++not_running;
    if (r.ack_latency_s) ack.push_back(*r.ack_latency_s);
    if (r.drain_time_s) drain.push_back(*r.drain_time_s);
    injections.push_back(std::move(j));
  }
  return {{"injections", injections},
          {"summary",
           {{"injections", rows},
            {"undetected", undetected},
            {"drain_process_not_running", not_running},
            {"detection_latency_s", stats(det)},
            {"ack_latency_s", stats(ack)},
            {"drain_time_s", stats(drain)}}}};
}

nlohmann::json build_report(const std::deque<nlohmann::json>& events, std::string_view run) {
  ReportBuilder b;
  for (const auto& e : events) b.add(e);
  return b.report(run);
}

std::string format_report(const nlohmann::json& report) {
  std::ostringstream o;
  auto num = [](const nlohmann::json& v) -> std::string {
    if (!v.is_number()) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3fs", v.get<double>());
    return buf;
  };
  o << "injection                 kind         provider  notice   detect    ack       drain     reads\n";
  for (const auto& r : report["injections"]) {
    char line[256];
    std::snprintf(line, sizeof line, "%-25s %-12s %-9s %-8s %-9s %-9s %-9s %d\n",
                  r["injection"].get<std::string>().c_str(), r["kind"].get<std::string>().c_str(),
                  r["provider"].get<std::string>().c_str(),
                  format_duration(Millis(static_cast<long long>(r["notice_s"].get<double>() * 1000))).c_str(),
                  num(r["detection_latency_s"]).c_str(), num(r["ack_latency_s"]).c_str(),
                  r.value("drain_status", nlohmann::json()) == "process not running" ? "process not running"
                                                                                     : num(r["drain_time_s"]).c_str(),
                  r["reads"].get<int>());
    o << line;
  }
  const auto& s = report["summary"];
  o << "injections: " << s["injections"].get<size_t>() << ", never detected: " << s["undetected"].get<size_t>() << "\n";
  if (s.value("drain_process_not_running", size_t{0}) > 0)
    o << "drain not timed: process not running at the notice: " << s["drain_process_not_running"].get<size_t>() << "\n";
  for (const char* k : {"detection_latency_s", "ack_latency_s", "drain_time_s"}) {
    if (s[k].is_null()) continue;
    o << k << ": p50 " << num(s[k]["p50"]) << ", p90 " << num(s[k]["p90"]) << ", max " << num(s[k]["max"]) << "\n";
  }
  return o.str();
}

}  // namespace agent

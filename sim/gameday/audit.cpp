#include "sim/gameday/audit.h"

#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/gameday/input.h"

namespace spotsim::gameday {
namespace {

using nlohmann::json;

std::string where(const std::string& file, int line) { return file + ":" + std::to_string(line) + ": error: "; }

double secs(int64_t from_us, int64_t to_us) { return static_cast<double>(to_us - from_us) / 1e6; }

}  // namespace

Status parse_audit(const std::string& text, const std::string& file, const std::string& run, AuditData& out) {
  struct Pending {
    ObservedNotice n;
    int64_t injected_us = 0;
    bool ended = false;
  };
  std::vector<Pending> rows;
  std::map<std::string, size_t> index;  // injection id → row (ids are unique per agent)
  std::optional<bool> declared_watch;   // serve_start's "workload", when present
  bool saw_workload_event = false;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const json j = json::parse(line, nullptr, false);
    const std::string at = where(file, n);
    if (j.is_discarded() || !j.is_object())
      return Status::invalid(at + "not a JSON object (a chaos-agent audit log has one object per line)");
    if (!j.contains("event") || !j["event"].is_string())
      return Status::invalid(at + "event: expected a string such as \"inject\" or \"read\"");
    if (!j.contains("ts_us") || !j["ts_us"].is_number_integer())
      return Status::invalid(at + "ts_us: expected the time in microseconds since the epoch (an integer)");
    const std::string ev = j["event"].get<std::string>();
    const int64_t ts = j["ts_us"].get<int64_t>();
    auto str_field = [&](const char* key) -> Result<std::string> {
      if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty())
        return Status::invalid(at + key + ": expected a non-empty string (" + ev + " event)");
      return j[key].get<std::string>();
    };
    auto row_of = [&](const std::string& id) -> Pending* {
      auto it = index.find(id);
      return it == index.end() ? nullptr : &rows[it->second];
    };
    if (ev == "serve_start") {
      if (j.contains("workload")) {
        if (!j["workload"].is_string())
          return Status::invalid(at + "workload: expected a string such as \"pid:123\" or \"none\"");
        declared_watch = j["workload"].get<std::string>() != "none";
      }
    } else if (ev == "inject") {
      auto id = str_field("injection");
      if (!id.is_ok()) return id.status();
      auto kind = str_field("kind");
      if (!kind.is_ok()) return kind.status();
      if (!j.contains("notice_s") || !j["notice_s"].is_number() || j["notice_s"].get<double>() < 0)
        return Status::invalid(at + "notice_s: expected the notice length in seconds (a number >= 0)");
      if (j.contains("run") && !j["run"].is_string()) return Status::invalid(at + "run: expected a string");
      if (index.count(id.value()))
        return Status::invalid(at + "injection: '" + id.value() + "' was injected twice in this log");
      if (kind.value() != "preempt") continue;  // rebalance and maintenance are not preemption notices
      Pending p;
      p.n.injection = id.value();
      p.n.file = file;
      p.n.line = n;
      p.n.provider = j.value("provider", "");
      p.n.run = j.value("run", "");
      p.n.notice_s = j["notice_s"].get<double>();
      p.injected_us = ts;
      index[id.value()] = rows.size();
      rows.push_back(std::move(p));
    } else if (ev == "read") {
      if (!j.contains("notice_visible") || !j["notice_visible"].is_boolean())
        return Status::invalid(at + "notice_visible: expected true or false (read event)");
      if (!j["notice_visible"].get<bool>()) continue;
      auto id = str_field("injection");
      if (!id.is_ok()) return id.status();
      Pending* p = row_of(id.value());
      if (p && !p->ended && !p->n.detection_s) p->n.detection_s = secs(p->injected_us, ts);
    } else if (ev == "ack" || ev == "workload_exit" || ev == "workload_not_running" || ev == "deadline" ||
               ev == "clear" || ev == "expire" || ev == "abort" || ev == "superseded") {
      auto id = str_field("injection");
      if (!id.is_ok()) return id.status();
      if (ev == "workload_exit" || ev == "workload_not_running") saw_workload_event = true;
      Pending* p = row_of(id.value());
      if (!p) continue;
      if (ev == "ack" && !p->n.ack_s) p->n.ack_s = secs(p->injected_us, ts);
      // An exit after the notice was cleared (the drill's end) is no drain: the handler never
      // finished while the notice stood (the operator stopped it afterwards).
      if (ev == "workload_exit" && !p->ended && !p->n.drain_s && !p->n.not_running)
        p->n.drain_s = secs(p->injected_us, ts);
      if (ev == "workload_not_running") p->n.not_running = true;
      if (ev == "clear" || ev == "expire" || ev == "abort" || ev == "superseded") p->ended = true;
    }
  }
  const bool watched = declared_watch.value_or(saw_workload_event);
  for (auto& p : rows) {
    if (!run.empty() && p.n.run != run) continue;
    p.n.watched = watched;
    out.notices.push_back(std::move(p.n));
  }
  out.files.push_back(file);
  return Status::ok();
}

Result<AuditData> read_audits(const std::vector<std::string>& paths, const std::string& run) {
  AuditData out;
  for (const auto& path : paths) {
    std::string text;
    ASSIGN_OR_RETURN(text, read_input(path, "audit log"));
    RETURN_IF_ERROR(parse_audit(text, path, run, out));
  }
  return out;
}

Observed observe(const AuditData& audit) {
  Observed o{};
  double notices = 0, detected = 0, watched = 0, drained = 0, det_sum = 0, drain_sum = 0, drains = 0;
  for (const auto& n : audit.notices) {
    notices += 1;
    if (n.detection_s) {
      detected += 1;
      det_sum += *n.detection_s;
    }
    // A workload gone before the notice says nothing about draining: left out of the drain figures.
    if (!n.watched || n.not_running) continue;
    watched += 1;
    if (n.drain_s) {
      drains += 1;
      drain_sum += *n.drain_s;
      if (*n.drain_s <= n.notice_s) drained += 1;
    }
  }
  auto at = [&](GamedayMetric m) -> std::optional<double>& { return o[static_cast<size_t>(m)]; };
  at(GamedayMetric::kNotices) = notices;
  at(GamedayMetric::kDetected) = detected;
  if (watched > 0) {
    at(GamedayMetric::kDrainedInTime) = drained;
    at(GamedayMetric::kNotDrained) = watched - drained;
  }
  if (detected > 0) at(GamedayMetric::kDetectionLatencyMean) = det_sum / detected;
  if (drains > 0) at(GamedayMetric::kDrainTimeMean) = drain_sum / drains;
  return o;
}

}  // namespace spotsim::gameday

#include "chaos-agent/core/audit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "chaos-agent/core/time_format.h"

namespace chaos {

AuditLog::AuditLog(const Clock& clock, size_t keep_in_memory)
    : clock_(clock), keep_(keep_in_memory) {}

AuditLog::~AuditLog() {
  if (file_) std::fclose(file_);
}

Status AuditLog::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0)
    return Error{"--audit: cannot open '" + path + "' for appending: " + std::strerror(errno)};
  file_ = ::fdopen(fd, "a");
  if (!file_) {
    ::close(fd);
    return Error{"--audit: cannot open '" + path + "': " + std::strerror(errno)};
  }
  path_ = path;
  return ok_status();
}

void AuditLog::write(nlohmann::json event) {
  WallTime now = clock_.now();
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = format_iso8601_micros(now);
  line["ts_us"] = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  for (auto& [k, v] : event.items()) line[k] = v;
  if (file_) {
    // Human order on disk: ts, ts_us, event, then the rest.
    nlohmann::ordered_json ordered;
    ordered["ts"] = line["ts"];
    ordered["ts_us"] = line["ts_us"];
    if (line.contains("event")) ordered["event"] = line["event"];
    for (auto& [k, v] : line.items())
      if (k != "ts" && k != "ts_us" && k != "event") ordered[k] = v;
    std::string s = ordered.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    s += '\n';
    std::fwrite(s.data(), 1, s.size(), file_);
    std::fflush(file_);
  }
  recent_.push_back(std::move(line));
  while (recent_.size() > keep_) recent_.pop_front();
}

Result<std::vector<nlohmann::json>> read_audit_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{path + ": cannot open audit log: " + std::strerror(errno)};
  std::vector<nlohmann::json> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Error{path + ":" + std::to_string(n) + ": error: not a JSON object (is this a chaos-agent audit log?)"};
    out.push_back(std::move(j));
  }
  return out;
}

namespace {
double secs_between(int64_t from_us, int64_t to_us) {
  return static_cast<double>(to_us - from_us) / 1e6;
}
nlohmann::json stats(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  auto pct = [&](double p) {
    size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  return {{"count", v.size()}, {"min", v.front()}, {"p50", pct(0.5)}, {"p90", pct(0.9)},
          {"max", v.back()}, {"mean", sum / static_cast<double>(v.size())}};
}
}  // namespace

nlohmann::json build_report(const std::deque<nlohmann::json>& events) {
  nlohmann::json injections = nlohmann::json::array();
  std::map<std::string, size_t> index;
  std::string last_preempt;  // workload exits without an id belong to the latest injection
  for (const auto& e : events) {
    std::string ev = e.value("event", "");
    int64_t ts = e.value("ts_us", int64_t{0});
    std::string id = e.value("injection", "");
    if (ev == "inject") {
      nlohmann::json r = {{"injection", id},
                          {"kind", e.value("kind", "")},
                          {"provider", e.value("provider", "")},
                          {"notice_s", e.value("notice_s", 0.0)},
                          {"injected_at", e.value("ts", "")},
                          {"injected_us", ts},
                          {"source", e.value("source", "")},
                          {"detection_latency_s", nullptr},
                          {"first_reader", nullptr},
                          {"ack_latency_s", nullptr},
                          {"drain_time_s", nullptr},
                          {"reads", 0},
                          {"ended", nullptr}};
      index[id] = injections.size();
      injections.push_back(std::move(r));
      last_preempt = id;
      continue;
    }
    if (id.empty() || !index.count(id)) continue;
    auto& r = injections[index[id]];
    int64_t t0 = r["injected_us"].get<int64_t>();
    if (ev == "read" && e.value("notice_visible", false)) {
      r["reads"] = r["reads"].get<int>() + 1;
      if (r["detection_latency_s"].is_null()) {
        r["detection_latency_s"] = secs_between(t0, ts);
        r["first_reader"] = {{"provider", e.value("provider", "")},
                             {"peer", e.value("peer", "")},
                             {"path", e.value("path", "")}};
      }
    } else if (ev == "ack" && r["ack_latency_s"].is_null()) {
      r["ack_latency_s"] = secs_between(t0, ts);
    } else if (ev == "workload_exit" && r["drain_time_s"].is_null()) {
      r["drain_time_s"] = secs_between(t0, ts);
    } else if ((ev == "clear" || ev == "expire" || ev == "abort" || ev == "superseded") &&
               r["ended"].is_null()) {
      r["ended"] = {{"how", ev}, {"after_s", secs_between(t0, ts)}};
    }
  }
  std::vector<double> det, ack, drain;
  for (auto& r : injections) {
    r.erase("injected_us");
    if (r["detection_latency_s"].is_number()) det.push_back(r["detection_latency_s"]);
    if (r["ack_latency_s"].is_number()) ack.push_back(r["ack_latency_s"]);
    if (r["drain_time_s"].is_number()) drain.push_back(r["drain_time_s"]);
  }
  size_t undetected = 0;
  for (auto& r : injections)
    if (r["detection_latency_s"].is_null()) ++undetected;
  return {{"injections", injections},
          {"summary",
           {{"injections", injections.size()},
            {"undetected", undetected},
            {"detection_latency_s", stats(det)},
            {"ack_latency_s", stats(ack)},
            {"drain_time_s", stats(drain)}}}};
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
                  num(r["drain_time_s"]).c_str(), r["reads"].get<int>());
    o << line;
  }
  const auto& s = report["summary"];
  o << "injections: " << s["injections"].get<size_t>()
    << ", never detected: " << s["undetected"].get<size_t>() << "\n";
  for (const char* k : {"detection_latency_s", "ack_latency_s", "drain_time_s"}) {
    if (s[k].is_null()) continue;
    o << k << ": p50 " << num(s[k]["p50"]) << ", p90 " << num(s[k]["p90"]) << ", max "
      << num(s[k]["max"]) << "\n";
  }
  return o.str();
}

}  // namespace chaos

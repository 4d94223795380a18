// Game-day figures from audit events, per injection:
//   detection_latency_s: notice -> first client read that saw the notice
//   ack_latency_s:       notice -> first Azure StartRequests ack
//   drain_time_s:        notice -> workload exit (when a workload was watched); when the
//                        workload was already gone at the notice, no time but drain_status
//                        "process not running"
// ReportBuilder consumes events one at a time (the agent feeds it as it audits, so `status`
// needs no copy of the log); build_report() does the same for a whole log read from a file.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace agent {

class ReportBuilder {
 public:
  // Any audit event as written to the log (needs "event" and "ts_us"; "ts" for inject).
  void add(const nlohmann::json& event);
  // The same as add() of a "read" event, without building JSON (the request path).
  void add_read(int64_t ts_us, std::string_view injection, bool notice_visible, std::string_view provider,
                std::string_view peer, std::string_view path);
  // {"injections": [...], "summary": {...}}. With `run`, only the injections a game-day plan
  // made in that run (their inject event carries "run": ID).
  nlohmann::json report(std::string_view run = {}) const;

 private:
  struct Row {
    std::string injection, kind, provider, injected_at, source, run;
    std::string drain_status;  // "" | "exited" | "process not running"
    std::string ended_cause;   // expire: "ttl" | "max_duration"
    double notice_s = 0;
    int64_t injected_us = 0;
    std::optional<double> detection_latency_s, ack_latency_s, drain_time_s;
    std::string first_provider, first_peer, first_path;
    int reads = 0;
    std::optional<std::pair<std::string, double>> ended;  // how, after_s
  };
  Row* find(std::string_view id);

  std::vector<Row> rows_;
  std::unordered_map<std::string, size_t> index_;
};

nlohmann::json build_report(const std::deque<nlohmann::json>& events, std::string_view run = {});
// Human-readable rendering of a report.
std::string format_report(const nlohmann::json& report);

}  // namespace agent

// Audit log: one JSON object per line, appended and flushed per event, so a crash or kill -9
// loses nothing already written. Every event has "ts" (ISO 8601 UTC, microseconds), "ts_us"
// (microseconds since the epoch) and "event": inject, read, ack, clear, expire, deadline,
// action, workload_exit, abort, serve_start, serve_stop, intercept, cleanup, plan.
#pragma once

#include <cstdio>
#include <deque>
#include <map>
#include <vector>
#include <string>

#include <nlohmann/json.hpp>

#include "chaos-agent/core/clock.h"
#include "chaos-agent/core/result.h"

namespace chaos {

class AuditLog {
 public:
  explicit AuditLog(const Clock& clock, size_t keep_in_memory = 100000);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends to `path` (created 0640 if missing). Without open(), events are kept in memory only.
  Status open(const std::string& path);
  // Adds ts/ts_us, writes one line, keeps a copy in memory for status and reports.
  void write(nlohmann::json event);
  const std::deque<nlohmann::json>& recent() const { return recent_; }
  const std::string& path() const { return path_; }

 private:
  const Clock& clock_;
  size_t keep_;
  std::FILE* file_ = nullptr;
  std::string path_;
  std::deque<nlohmann::json> recent_;
};

// Reads an audit log file (skipping blank lines). Errors name the file and line.
Result<std::vector<nlohmann::json>> read_audit_file(const std::string& path);

// Per-injection figures computed from audit events:
//   detection_latency_s: notice -> first client read that saw the notice
//   ack_latency_s:       notice -> first Azure StartRequests ack
//   drain_time_s:        notice -> workload exit (when a workload was watched)
// Returns {"injections": [...], "summary": {...}}.
nlohmann::json build_report(const std::deque<nlohmann::json>& events);
// Human-readable rendering of build_report's output.
std::string format_report(const nlohmann::json& report);

}  // namespace chaos

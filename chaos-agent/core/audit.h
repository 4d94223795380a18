// Audit log: one JSON object per line. Every event has "ts" (ISO 8601 UTC, microseconds),
// "ts_us" (microseconds since the epoch) and "event": inject, read, ack, clear, expire,
// deadline, action, workload_exit, abort, superseded, serve_start, serve_stop, intercept,
// cleanup, plan. On disk the keys are ts, ts_us, event, then the others in alphabetical order.
//
// Lines go to the file through an AuditWriter (background thread, bounded queue, see
// audit_writer.h). write() — injections, clears, aborts, acks, actions, start/stop: every event
// except client reads — returns only once its line is written, so it is on disk before the
// control API answers. write_read() — the request path — only queues its line: it reaches the
// file within the writer's flush interval, and close() (clean exit, SIGTERM) writes every queued
// line. The figures for `status` and `report` are kept incrementally (ReportBuilder), not as a
// copy of the log. Not thread-safe: used from the agent's event loop (or a test).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chaos-agent/core/audit_report.h"
#include "chaos-agent/core/audit_writer.h"
#include "chaos-agent/core/clock.h"
#include "common/status.h"

namespace agent {

// One client read of a chaos path; all views only need to live during write_read().
struct ReadRecord {
  std::string_view provider;  // aws | azure | gcp
  std::string_view method;
  std::string_view path;  // the request target as received
  std::string_view peer;  // "ip:port"
  unsigned status = 0;
  bool notice_visible = false;
  std::string_view injection;  // written only when notice_visible
};

class AuditLog {
 public:
  explicit AuditLog(const Clock& clock);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends to `path` (created 0640 if missing). Without open(), events feed the report only.
  spotsim::Status open(const std::string& path, AuditWriterOptions options = {});
  // Adds ts/ts_us, writes one line and waits until it is written. A failed write is reported
  // by error() (and once on stderr); the agent keeps running.
  void write(nlohmann::json event);
  // Adds ts/ts_us and queues the line of a "read" event; no JSON objects are built.
  void write_read(const ReadRecord& r);
  // Waits until every queued line is written.
  spotsim::Status flush();
  // Writes everything queued and closes the file (also done by the destructor).
  void close();

  // The figures so far; with `run`, only that game-day run's injections.
  nlohmann::json report(std::string_view run = {}) const { return report_.report(run); }
  const std::string& path() const { return path_; }
  // "" or the last write error ("audit log 'PATH': write failed: REASON").
  std::string error() const { return writer_ ? writer_->error() : std::string(); }
  uint64_t lines_lost() const { return writer_ ? writer_->lines_lost() : 0; }

 private:
  void append_timestamp(std::string& out, WallTime now);

  const Clock& clock_;
  std::unique_ptr<AuditWriter> writer_;
  std::string path_;
  ReportBuilder report_;
  std::string line_;            // reused for every read line
  int64_t cached_second_ = -1;  // the "YYYY-MM-DDTHH:MM:SS" prefix of that second
  std::string cached_prefix_;
};

// Reads an audit log file (skipping blank lines). Errors name the file and line.
spotsim::Result<std::vector<nlohmann::json>> read_audit_file(const std::string& path);

// Appends `s` to `out` as a JSON string, exactly as nlohmann::json::dump() writes it (invalid
// UTF-8 replaced by U+FFFD).
void append_json_string(std::string& out, std::string_view s);

}  // namespace agent

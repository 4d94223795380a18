#pragma once
// Reads chaos-agent audit logs (JSON lines, docs/chaos-agent.md#audit-log-and-metrics) for the
// game-day loop: one record per preemption notice with what the agent measured about it.
//
// Every line must be a JSON object with a string "event" and an integer "ts_us"; the events the
// loop uses are checked for their fields (inject: injection, kind, notice_s; read: notice_visible,
// and injection when it is true; ack, workload_exit, workload_not_running, deadline, clear,
// expire, abort, superseded: injection). Other events are skipped (the agent may add kinds).
// Errors: "FILE:LINE: error: FIELD: what was expected" (Status kInvalidInput).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "sim/gameday/metrics.h"

namespace spotsim::gameday {

struct ObservedNotice {
  std::string injection;  // the agent's id
  std::string file;       // audit file and line of its inject event
  int line = 0;
  std::string provider;
  std::string run;                    // game-day run id ("" for a manual injection)
  double notice_s = 0;                // notice length
  std::optional<double> detection_s;  // notice → first client read that saw it
  std::optional<double> ack_s;        // notice → Azure ack
  std::optional<double> drain_s;      // notice → watched workload exit, while the notice stood
                                      // (an exit after its clear/expire/abort is no drain)
  bool watched = false;               // the agent watched a workload for this notice
  bool not_running = false;           // the watched workload was gone at the notice (not timed)
};

struct AuditData {
  std::vector<std::string> files;
  std::vector<ObservedNotice> notices;  // preempt injections, in file order (files in the given order)
};

// Reads one or more audit files (a game day's agents each write their own). With `run`, keeps only
// the notices that game-day run made. A notice counts as watched when its agent's serve_start says
// so (`workload` other than "none"), or, for logs without that key, when the file has any
// workload_exit or workload_not_running event.
Result<AuditData> read_audits(const std::vector<std::string>& paths, const std::string& run = "");
// The same from text (for tests); `file` names it in messages.
Status parse_audit(const std::string& text, const std::string& file, const std::string& run, AuditData& out);

// What the drill showed, per metric of kGamedayMetrics (nullopt: not observable, or no sample —
// e.g. no workload was watched, so nothing says whether notices drained).
using Observed = std::array<std::optional<double>, kGamedayMetricCount>;
Observed observe(const AuditData& audit);

}  // namespace spotsim::gameday

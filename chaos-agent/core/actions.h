// What happens when a notice's deadline arrives (the moment the cloud would evict), and which
// workload's exit is timed for the drain-time figure. Opt-in: the default does nothing.
//
//   --at-deadline none                 (default) serve the notice only
//   --at-deadline sigterm:PID          kill(PID, SIGTERM)
//   --at-deadline sigterm:pidfile:PATH kill the pid read from PATH at that moment
//   --at-deadline systemctl-stop:UNIT  systemctl stop --no-block UNIT
//   --at-deadline exec:COMMAND         /bin/sh -c COMMAND (env CHAOS_AGENT_INJECTION, ...)
//   --at-deadline shutdown             shutdown -h now; refused without --allow-shutdown
//
//   --workload pid:PID | pidfile:PATH | unit:UNIT   time its exit (drain time)
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "chaos-agent/core/chaos_state.h"
#include "common/status.h"

namespace agent {

struct EvictionAction {
  enum class Type { kNone, kSigterm, kSigtermPidfile, kSystemdStop, kCommand, kShutdown };
  Type type = Type::kNone;
  pid_t pid = 0;
  std::string arg;  // pidfile, unit or command
  std::string describe() const;
};
spotsim::Result<EvictionAction> parse_action(const std::string& spec, bool allow_shutdown);

struct Workload {
  enum class Type { kNone, kPid, kPidfile, kUnit };
  Type type = Type::kNone;
  pid_t pid = 0;
  std::string arg;
  std::string describe() const;
};
spotsim::Result<Workload> parse_workload(const std::string& spec);
// The workload an action implies (sigterm:PID watches PID) when none was given.
Workload implied_workload(const EvictionAction& a);
// The workload whose exit is timed as the drain: `workload` when given, else the one `a` implies.
Workload watched_workload(const Workload& workload, const EvictionAction& a);

// Runs the action for `inj`. Returns a one-line description of what was done.
spotsim::Result<std::string> run_action(const EvictionAction& a, const Injection& inj);

// Polled by the agent: has the workload exited? (Units are polled with systemctl is-active.)
class WorkloadWatch {
 public:
  // Starts watching for the injection (replacing any previous watch). Returns "" when watching
  // (or when there is nothing to watch); else why the workload is not running now ("process
  // 1234 is not running", "unit my.service is not active", "pidfile '/run/x.pid': ..."), and
  // nothing is watched: its drain cannot be timed.
  std::string start(const Workload& w, const std::string& injection_id);
  // Returns the injection id once when the workload is seen gone.
  std::optional<std::string> poll();
  bool active() const { return watching_; }

 private:
  Workload w_;
  std::string injection_;
  pid_t pid_ = 0;
  bool watching_ = false;
};

}  // namespace agent

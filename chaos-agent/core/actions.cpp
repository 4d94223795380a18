#include "chaos-agent/core/actions.h"

#include <signal.h>

#include <cerrno>
#include <cstring>

#include "chaos-agent/core/process.h"
#include "chaos-agent/core/time_format.h"

namespace agent {

using spotsim::Result;
using spotsim::Status;
namespace {
std::optional<pid_t> parse_pid(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  long v = std::stol(s);
  if (v <= 1) return std::nullopt;
  return static_cast<pid_t>(v);
}
}  // namespace

std::string EvictionAction::describe() const {
  switch (type) {
    case Type::kNone: return "none";
    case Type::kSigterm: return "sigterm:" + std::to_string(pid);
    case Type::kSigtermPidfile: return "sigterm:pidfile:" + arg;
    case Type::kSystemdStop: return "systemctl-stop:" + arg;
    case Type::kCommand: return "exec:" + arg;
    case Type::kShutdown: return "shutdown";
  }
  return "?";
}

Result<EvictionAction> parse_action(const std::string& spec, bool allow_shutdown) {
  EvictionAction a;
  const std::string usage =
      " (expected none, sigterm:PID, sigterm:pidfile:PATH, systemctl-stop:UNIT, exec:COMMAND or shutdown)";
  if (spec.empty() || spec == "none") return a;
  if (spec == "shutdown") {
    if (!allow_shutdown)
      return Status::invalid("--at-deadline shutdown: refusing to power off this machine without --allow-shutdown");
    a.type = EvictionAction::Type::kShutdown;
    return a;
  }
  if (spec.rfind("sigterm:pidfile:", 0) == 0) {
    a.type = EvictionAction::Type::kSigtermPidfile;
    a.arg = spec.substr(16);
    if (a.arg.empty() || a.arg[0] != '/')
      return Status::invalid("--at-deadline: pidfile must be an absolute path" + usage);
    return a;
  }
  if (spec.rfind("sigterm:", 0) == 0) {
    auto pid = parse_pid(spec.substr(8));
    if (!pid) return Status::invalid("--at-deadline: '" + spec.substr(8) + "' is not a process id (> 1)" + usage);
    a.type = EvictionAction::Type::kSigterm;
    a.pid = *pid;
    return a;
  }
  if (spec.rfind("systemctl-stop:", 0) == 0) {
    a.type = EvictionAction::Type::kSystemdStop;
    a.arg = spec.substr(15);
    if (a.arg.empty() || a.arg.find_first_of(" \t/") != std::string::npos || a.arg[0] == '-')
      return Status::invalid("--at-deadline: '" + a.arg + "' is not a systemd unit name" + usage);
    return a;
  }
  if (spec.rfind("exec:", 0) == 0) {
    a.type = EvictionAction::Type::kCommand;
    a.arg = spec.substr(5);
    if (a.arg.empty()) return Status::invalid("--at-deadline: exec: needs a command" + usage);
    return a;
  }
  return Status::invalid("--at-deadline: unknown action '" + spec + "'" + usage);
}

std::string Workload::describe() const {
  switch (type) {
    case Type::kNone: return "none";
    case Type::kPid: return "pid:" + std::to_string(pid);
    case Type::kPidfile: return "pidfile:" + arg;
    case Type::kUnit: return "unit:" + arg;
  }
  return "?";
}

Result<Workload> parse_workload(const std::string& spec) {
  Workload w;
  const std::string usage = " (expected pid:PID, pidfile:PATH or unit:UNIT)";
  if (spec.empty() || spec == "none") return w;
  if (spec.rfind("pid:", 0) == 0) {
    auto pid = parse_pid(spec.substr(4));
    if (!pid) return Status::invalid("--workload: '" + spec.substr(4) + "' is not a process id" + usage);
    w.type = Workload::Type::kPid;
    w.pid = *pid;
    return w;
  }
  if (spec.rfind("pidfile:", 0) == 0) {
    w.type = Workload::Type::kPidfile;
    w.arg = spec.substr(8);
    if (w.arg.empty() || w.arg[0] != '/')
      return Status::invalid("--workload: pidfile must be an absolute path" + usage);
    return w;
  }
  if (spec.rfind("unit:", 0) == 0) {
    w.type = Workload::Type::kUnit;
    w.arg = spec.substr(5);
    if (w.arg.empty() || w.arg[0] == '-')
      return Status::invalid("--workload: '" + w.arg + "' is not a unit name" + usage);
    return w;
  }
  return Status::invalid("--workload: unknown workload '" + spec + "'" + usage);
}

Workload watched_workload(const Workload& workload, const EvictionAction& a) {
  return workload.type != Workload::Type::kNone ? workload : implied_workload(a);
}

Workload implied_workload(const EvictionAction& a) {
  Workload w;
  if (a.type == EvictionAction::Type::kSigterm) {
    w.type = Workload::Type::kPid;
    w.pid = a.pid;
  } else if (a.type == EvictionAction::Type::kSigtermPidfile) {
    w.type = Workload::Type::kPidfile;
    w.arg = a.arg;
  } else if (a.type == EvictionAction::Type::kSystemdStop) {
    w.type = Workload::Type::kUnit;
    w.arg = a.arg;
  }
  return w;
}

Result<std::string> run_action(const EvictionAction& a, const Injection& inj) {
  switch (a.type) {
    case EvictionAction::Type::kNone: return std::string("none");
    case EvictionAction::Type::kSigterm:
    case EvictionAction::Type::kSigtermPidfile: {
      pid_t pid = a.pid;
      if (a.type == EvictionAction::Type::kSigtermPidfile) {
        auto p = read_pidfile(a.arg);
        if (!p) return p.status();
        pid = p.value();
      }
      if (::kill(pid, SIGTERM) != 0)
        return Status::io("kill(" + std::to_string(pid) + ", SIGTERM): " + std::strerror(errno));
      return "sent SIGTERM to pid " + std::to_string(pid);
    }
    case EvictionAction::Type::kSystemdStop: {
      auto r = run_sync({"systemctl", "stop", "--no-block", a.arg});
      if (!r) return r.status();
      if (r->exit_code != 0) return Status::io("systemctl stop " + a.arg + " failed: " + r->output);
      return "systemctl stop --no-block " + a.arg;
    }
    case EvictionAction::Type::kCommand: {
      auto pid = spawn({"/bin/sh", "-c", a.arg},
                       {"CHAOS_AGENT_INJECTION=" + inj.id, std::string("CHAOS_AGENT_KIND=") + kind_name(inj.req.kind),
                        "CHAOS_AGENT_PROVIDER=" + providers_to_string(inj.req.providers),
                        "CHAOS_AGENT_DEADLINE=" + format_iso8601(inj.deadline)});
      if (!pid) return pid.status();
      return "started '" + a.arg + "' as pid " + std::to_string(pid.value());
    }
    case EvictionAction::Type::kShutdown: {
      auto pid = spawn({"shutdown", "-h", "now", "chaos-agent game day: simulated eviction " + inj.id});
      if (!pid) return pid.status();
      return std::string("shutdown -h now");
    }
  }
  return Status::internal("unknown action");
}

std::string WorkloadWatch::start(const Workload& w, const std::string& injection_id) {
  w_ = w;
  injection_ = injection_id;
  pid_ = 0;
  watching_ = false;
  switch (w.type) {
    case Workload::Type::kNone: return "";
    case Workload::Type::kUnit: {
      auto r = run_sync({"systemctl", "is-active", "--quiet", w.arg});
      if (!r || r->exit_code != 0) return "unit " + w.arg + " is not active";
      break;
    }
    case Workload::Type::kPidfile: {
      auto p = read_pidfile(w.arg);
      if (!p) return p.status().message();
      pid_ = p.value();
      break;
    }
    case Workload::Type::kPid: pid_ = w.pid; break;
  }
  if (w.type != Workload::Type::kUnit && !process_alive(pid_))
    return "process " + std::to_string(pid_) + " is not running";
  watching_ = true;
  return "";
}

std::optional<std::string> WorkloadWatch::poll() {
  if (!watching_) return std::nullopt;
  bool alive = true;
  if (w_.type == Workload::Type::kUnit) {
    auto r = run_sync({"systemctl", "is-active", "--quiet", w_.arg});
    alive = r && r->exit_code == 0;
  } else {
    alive = process_alive(pid_);
  }
  if (alive) return std::nullopt;
  watching_ = false;
  return injection_;
}

}  // namespace agent

// cleanup: removes the interception rule a crashed or killed agent left behind (the systemd
// unit's ExecStopPost).
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "chaos-agent/cli/commands.h"
#include "chaos-agent/core/audit.h"
#include "chaos-agent/core/paths.h"
#include "chaos-agent/intercept/iptables.h"

namespace agent::cli {

using spotsim::Result;
using spotsim::Status;
namespace {

struct CleanupArgs {
  std::string state_file = kDefaultStateFile;
  std::string iptables = "iptables";
  bool force = false;
  std::string audit;
};

// Appends one "cleanup" event with the outcome to the agent's audit log.
Status audit_cleanup(const CleanupArgs& a, const Result<intercept::CleanupReport>& r) {
  SystemClock clock;
  AuditLog log(clock);
  if (auto s = log.open(a.audit); !s) return s;
  nlohmann::json e = {{"event", "cleanup"}, {"state_file", a.state_file}, {"pid", ::getpid()}};
  if (r) {
    e["rules_removed"] = r->rules_removed;
    e["state_file_found"] = r->state_file_found;
    e["notes"] = r->notes;
  } else {
    e["error"] = r.status().message();
  }
  log.write(std::move(e));
  log.close();
  if (!log.error().empty()) return Status::io(log.error());
  return Status::ok();
}

int run_cleanup(const CleanupArgs& a) {
  auto r = intercept::cleanup(a.state_file, a.iptables, a.force);
  if (!a.audit.empty())
    if (auto s = audit_cleanup(a, r); !s) return fail(kIo, s.message());
  if (!r) return fail(kIo, r.status().message());
  for (const auto& n : r->notes) std::fprintf(stderr, "chaos-agent: cleanup: %s\n", n.c_str());
  std::printf("cleanup: removed %d rule(s)%s\n", r->rules_removed,
              r->state_file_found ? ", state file removed" : ", no state file");
  return 0;
}

}  // namespace

Command add_cleanup(CLI::App& app) {
  auto a = std::make_shared<CleanupArgs>();
  auto* c = app.add_subcommand("cleanup", "Remove interception rules left by a crashed or killed agent");
  c->add_option("--state-file", a->state_file, "State file written by serve --intercept")->capture_default_str();
  c->add_option("--iptables", a->iptables, "iptables binary")->capture_default_str();
  c->add_flag("--force", a->force, "Even if the recorded agent pid is still running");
  c->add_option("--audit", a->audit, "Append a cleanup event to this audit log (the agent's --audit FILE)");
  return {c, [a] { return run_cleanup(*a); }};
}

}  // namespace agent::cli

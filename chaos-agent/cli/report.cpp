// report: detection, ack and drain times from an audit log file (no agent needed).
#include <cstdio>
#include <deque>
#include <memory>

#include "chaos-agent/cli/commands.h"
#include "chaos-agent/core/audit.h"

namespace agent::cli {
namespace {

struct ReportArgs {
  std::string audit;
  bool as_json = false;
  std::string run;
};

int run_report(const ReportArgs& a) {
  auto events = read_audit_file(a.audit);
  if (!events) return fail(events.status());
  std::deque<nlohmann::json> dq(events->begin(), events->end());
  auto rep = build_report(dq, a.run);
  if (a.as_json) std::printf("%s\n", rep.dump(2).c_str());
  else std::printf("%s", format_report(rep).c_str());
  return 0;
}

}  // namespace

Command add_report(CLI::App& app) {
  auto a = std::make_shared<ReportArgs>();
  auto* c = app.add_subcommand("report", "Detection latency, ack and drain times from an audit log file");
  c->add_option("audit", a->audit, "Audit log (JSON lines) written by serve --audit")->required();
  c->add_flag("--json", a->as_json, "Print JSON");
  c->add_option("--run", a->run, "Only the injections of this game-day run id (the plan report's \"run\")");
  return {c, [a] { return run_report(*a); }};
}

}  // namespace agent::cli

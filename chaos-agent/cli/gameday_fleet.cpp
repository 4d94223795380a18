#include "chaos-agent/cli/gameday_fleet.h"

#include "chaos-agent/cli/commands.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "chaos-agent/fleet/coordinator.h"

namespace agent::cli {
using namespace agent::fleet;

bool is_fleet_gameday(const FleetGamedayArgs& args) {
  if (!args.inventory.empty()) return true;
  std::ifstream in(args.plan_file);
  std::stringstream ss;
  ss << in.rdbuf();
  return in && looks_like_fleet_plan(ss.str());
}

int gameday_fleet(const FleetGamedayArgs& args) {
  auto plan = load_fleet_plan(args.plan_file, args.inventory);
  if (!plan) {
    std::fprintf(stderr, "%s\n", plan.error().c_str());
    return kUsage;
  }
  if (!args.tls.ca.empty()) plan->tls.ca = args.tls.ca;
  if (!args.tls.cert.empty()) plan->tls.cert = args.tls.cert;
  if (!args.tls.key.empty()) plan->tls.key = args.tls.key;
  if (!args.report.empty()) plan->report_path = args.report;
  if (!args.junit.empty()) plan->junit_path = args.junit;
  if (args.dry_run) {
    std::printf("dry run: nothing is contacted\n%s", describe(plan.value()).c_str());
    return 0;
  }
  CoordinatorOptions o;
  o.interrupted = args.interrupted;
  o.audit_path = args.audit;
  auto out = run_fleet_plan(plan.value(), o);
  if (out.report.is_null()) return out.exit_code;
  const auto& f = out.report["fleet"];
  std::printf("fleet: %zu target(s), %zu not ok, %zu injection(s), %zu detected, %zu never detected\n",
              f.value("targets", size_t{0}), f.value("not_ok", size_t{0}), f.value("injections", size_t{0}),
              f.value("detected", size_t{0}), f.value("never_detected", size_t{0}));
  for (const char* k : {"step_to_visible_s", "detection_latency_s", "ack_latency_s", "drain_time_s"})
    if (f[k].is_object())
      std::printf("%s: p50 %.3fs, p99 %.3fs, max %.3fs (n %zu)\n", k, f[k]["p50"].get<double>(),
                  f[k]["p99"].get<double>(), f[k]["max"].get<double>(), f[k]["n"].get<size_t>());
  for (const auto& [g, s] : out.report["groups"].items())
    std::printf("  %s: %zu target(s), %zu injection(s), %zu never detected\n", g.c_str(),
                s.value("targets", size_t{0}), s.value("injections", size_t{0}), s.value("never_detected", size_t{0}));
  int rc = out.exit_code;
  if (!plan->report_path.empty()) {
    if (!write_file_atomically(plan->report_path, out.report.dump(2) + "\n")) {
      rc = fail(kIo, "cannot write report '" + plan->report_path + "'");
    } else {
      std::printf("report written to %s\n", plan->report_path.c_str());
    }
  }
  if (!plan->junit_path.empty()) {
    if (!write_file_atomically(plan->junit_path, fleet_junit(out.report))) {
      rc = fail(kIo, "cannot write JUnit '" + plan->junit_path + "'");
    }
  }
  return rc;
}

}  // namespace agent::cli

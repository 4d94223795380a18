// gameday: runs a game-day plan (YAML) against one or more agents, prints it (--dry-run), or writes
// it as a cloud's own drill (--export). Fleet plans (--inventory, chaos-agent/fleet/) belong to
// this same subcommand: their options go in add_gameday and their dispatch in run_gameday.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "chaos-agent/cli/commands.h"
#include "chaos-agent/core/audit.h"
#include "chaos-agent/cli/gameday_fleet.h"
#include "chaos-agent/export/export.h"
#include "chaos-agent/plan/plan.h"
#include "chaos-agent/plan/runner.h"

namespace agent::cli {

using spotsim::Result;
namespace {

std::atomic<bool> g_interrupted{false};
void on_signal(int) { g_interrupted = true; }

struct GamedayArgs {
  std::string plan_file;
  bool dry_run = false;
  std::string report;
  FleetGamedayArgs fleet;  // --inventory and the other fleet options
  // --export: the clouds' own drills (chaos-agent/export/).
  std::string cloud;
  std::string output;
  std::vector<std::string> tags;
  exports::Options export_options;
};

// --export CLOUD: writes the plan as that cloud's drill to --output (or stdout); contacts nothing.
// `produce` exports the plan (one of named targets, or a fleet plan) for the cloud.
using Exporter = std::function<Result<exports::Output>(exports::Cloud, const exports::Options&)>;
int run_export(const GamedayArgs& a, const Exporter& produce) {
  auto cloud = exports::parse_cloud(a.cloud);
  if (!cloud) return fail(kUsage, "--export: expected fis, azure or gcp, got '" + a.cloud + "'");
  exports::Options o = a.export_options;
  for (const auto& t : a.tags) {
    const size_t eq = t.find('=');
    if (eq == 0 || eq == std::string::npos) return fail(kUsage, "--tag: expected KEY=VALUE, got '" + t + "'");
    o.tags[t.substr(0, eq)] = t.substr(eq + 1);
  }
  auto out = produce(*cloud, o);
  if (!out) {
    const bool positioned = out.status().message().rfind("--", 0) != 0;
    if (positioned) std::fprintf(stderr, "%s\n", out.status().message().c_str());
    return positioned ? kUsage : fail(kUsage, out.status().message());
  }
  for (const auto& w : out->warnings) std::fprintf(stderr, "%s\n", w.c_str());
  if (a.output.empty() || a.output == "-") {
    std::fputs(out->text.c_str(), stdout);
    return 0;
  }
  if (!write_file_atomically(a.output, out->text)) return fail(kIo, "--output: cannot write '" + a.output + "'");
  return 0;
}

// SIGINT and SIGTERM end the drill cleanly: the runner clears every target and reports.
void catch_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void print_target_reports(const nlohmann::json& report) {
  for (const auto& [name, rep] : report["targets"].items()) {
    std::printf("== %s ==\n", name.c_str());
    if (rep.contains("injections")) std::printf("%s", format_report(rep).c_str());
    else std::printf("%s\n", rep.dump().c_str());
  }
}

int run_gameday(GamedayArgs& a) {
  a.fleet.plan_file = a.plan_file;
  a.fleet.report = a.report;
  a.fleet.dry_run = a.dry_run;
  a.fleet.interrupted = &g_interrupted;
  if (is_fleet_gameday(a.fleet)) {
    if (!a.cloud.empty()) {
      if (!a.fleet.kubernetes.selector.empty())
        return fail(kUsage,
                    "--export: --kubernetes lists the targets only when the drill runs; export the fleet "
                    "plan with --inventory (or its own targets:) instead");
      auto fp = fleet::load_fleet_plan(a.plan_file, a.fleet.inventory);
      if (!fp) {
        std::fprintf(stderr, "%s\n", fp.status().message().c_str());
        return kUsage;
      }
      return run_export(a, [&fp](exports::Cloud c, const exports::Options& o) {
        return exports::export_fleet_plan(fp.value(), c, o);
      });
    }
    if (!a.dry_run) catch_stop_signals();
    return gameday_fleet(a.fleet);
  }
  auto plan = plan::load_plan(a.plan_file);
  if (!plan) {
    std::fprintf(stderr, "%s\n", plan.status().message().c_str());
    return kUsage;
  }
  if (!a.cloud.empty())
    return run_export(
        a, [&plan](exports::Cloud c, const exports::Options& o) { return exports::export_plan(plan.value(), c, o); });
  if (!a.report.empty()) plan->report_path = a.report;
  if (a.dry_run) {
    std::printf("dry run: nothing is contacted\n%s", plan::describe(plan.value()).c_str());
    return 0;
  }
  catch_stop_signals();
  plan::RunnerOptions ro;
  ro.interrupted = &g_interrupted;
  auto out = plan::run_plan(plan.value(), ro);
  print_target_reports(out.report);
  if (!plan->report_path.empty()) {
    if (!write_file_atomically(plan->report_path, out.report.dump(2) + "\n"))
      return fail(kIo, "cannot write report '" + plan->report_path + "'");
    std::printf("report written to %s\n", plan->report_path.c_str());
  }
  return out.exit_code;
}

}  // namespace

Command add_gameday(CLI::App& app) {
  auto a = std::make_shared<GamedayArgs>();
  auto* c = app.add_subcommand("gameday", "Run a game-day plan (YAML) against one or more agents");
  c->add_option("plan", a->plan_file, "Plan file")->required();
  c->add_flag("--dry-run", a->dry_run, "Print what would happen; contact nothing");
  c->add_option("--report", a->report, "Write the JSON report here (overrides the plan's report:)");
  FleetGamedayArgs& f = a->fleet;
  c->add_option("--inventory", f.inventory,
                "Fleet inventory (remote agents with labels): run as the fleet coordinator");
  c->add_option("--junit", f.junit, "Fleet plans: write a JUnit XML report here");
  c->add_option("--audit", f.audit, "Fleet plans: append the coordinator's audit (JSON lines) here");
  c->add_option("--resolve-timeout", f.resolve_timeout,
                "Fleet plans: wait at most this long for all the inventory's host-name lookups; a name without "
                "an answer by then is an unreachable target")
      ->capture_default_str();
  c->add_option("--tls-ca", f.tls.ca, "Fleet plans: CA certificate (PEM) the agents' certificates chain to");
  c->add_option("--tls-cert", f.tls.cert, "Fleet plans: the coordinator's certificate chain (PEM)");
  c->add_option("--tls-key", f.tls.key, "Fleet plans: the coordinator's private key (PEM)");
  add_kubernetes_options(c, f);
  c->add_option("--export", a->cloud,
                "Write the plan as a cloud's own drill instead of running it (real evictions; contacts nothing): "
                "fis (AWS FIS experiment template JSON), azure (az vm simulate-eviction script), gcp (gcloud "
                "compute instances simulate-maintenance-event script)");
  c->add_option("--output", a->output, "--export: write here (temp file + rename) instead of stdout");
  c->add_option("--role-arn", a->export_options.role_arn, "--export fis: the IAM role FIS assumes (required)");
  c->add_option("--tag", a->tags,
                "--export fis: KEY=VALUE resource tag of the fleet's instances (required, repeatable)");
  c->add_option(
      "--stop-alarm", a->export_options.stop_alarms,
      "--export fis: CloudWatch alarm ARN that stops the experiment (repeatable; default: no stop condition)");
  c->add_option("--resource-group", a->export_options.resource_group,
                "--export azure: the VMs' resource group (required)");
  c->add_option("--zone", a->export_options.zone, "--export gcp: the VMs' zone (required)");
  return {c, [a] { return run_gameday(*a); }};
}

}  // namespace agent::cli

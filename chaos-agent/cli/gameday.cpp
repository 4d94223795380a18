// gameday: runs a game-day plan (YAML) against one or more agents, or prints it (--dry-run).
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>

#include "chaos-agent/cli/commands.h"
#include "chaos-agent/core/audit.h"
#include "chaos-agent/plan/plan.h"
#include "chaos-agent/plan/runner.h"

namespace agent::cli {
namespace {

std::atomic<bool> g_interrupted{false};
void on_signal(int) { g_interrupted = true; }

struct GamedayArgs {
  std::string plan_file;
  bool dry_run = false;
  std::string report;
};

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

int run_gameday(const GamedayArgs& a) {
  auto plan = plan::load_plan(a.plan_file);
  if (!plan) {
    std::fprintf(stderr, "%s\n", plan.error().c_str());
    return kUsage;
  }
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
  return {c, [a] { return run_gameday(*a); }};
}

}  // namespace agent::cli

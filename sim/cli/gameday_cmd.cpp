#include "sim/cli/gameday_cmd.h"

#include <charconv>
#include <iostream>

#include "sim/gameday/audit.h"
#include "sim/gameday/calibration.h"
#include "sim/gameday/compare.h"
#include "sim/gameday/plan.h"
#include "sim/gameday/predict.h"
#include "sim/record/atomic_file.h"
#include "sim/record/junit.h"
#include "sim/scenario/scenario.h"

namespace spotsim::cli {
namespace {

constexpr int kExitOk = 0, kExitExceeded = 1, kExitInvalid = 2, kExitIo = 3;

int report(const Status& st) {
  std::cerr << st.message() << "\n";
  return st.code() == StatusCode::kInvalidInput ? kExitInvalid : kExitIo;
}

int write_out(const std::string& path, const std::string& content) {
  Status st = write_file_atomic(path, content);
  if (!st.is_ok()) {
    std::cerr << "spotsim: error: " << st.message() << "\n";
    return kExitIo;
  }
  return kExitOk;
}

int cmd_predict(const GamedayArgs& a) {
  gameday::PredictOptions opt;
  for (const auto& s : a.sets) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "spotsim: error: --set " << s << ": expected PATH=VALUE, e.g. --set fleets.web.boot_time=2m\n";
      return kExitInvalid;
    }
    opt.overrides.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  opt.fleet = a.fleet;
  opt.replications = a.replications;
  opt.threads = a.threads;
  if (a.seed) {
    uint64_t v = 0;
    const auto [ptr, ec] = std::from_chars(a.seed->data(), a.seed->data() + a.seed->size(), v);
    if (a.seed->empty() || ec != std::errc() || ptr != a.seed->data() + a.seed->size() ||
        v > static_cast<uint64_t>(kMaxSeed)) {
      std::cerr << "spotsim: error: --seed: expected a whole number from 0 to " << kMaxSeed << ", found \"" << *a.seed
                << "\"\n";
      return kExitInvalid;
    }
    opt.seed = v;
  }
  auto plan = gameday::load_gameday_plan(a.plan);
  if (!plan) return report(plan.status());
  std::optional<gameday::Calibration> cal;
  if (!a.calibration.empty()) {
    auto c = gameday::load_calibration(a.calibration);
    if (!c) return report(c.status());
    cal = std::move(c).value();
  }
  auto p = gameday::predict(a.scenario, *plan, cal, a.calibration, opt);
  if (!p) return report(p.status());
  return write_out(a.out, gameday::prediction_json(*p));
}

int cmd_compare(const GamedayArgs& a) {
  if ((a.json == "-") + (a.junit == "-") > 1) {
    std::cerr << "spotsim: error: --json - and --junit - cannot both write to stdout\n";
    return kExitInvalid;
  }
  auto p = gameday::load_prediction(a.prediction);
  if (!p) return report(p.status());
  auto audit = gameday::read_audits(a.audits, a.run);
  if (!audit) return report(audit.status());
  const gameday::Comparison c = gameday::compare(*p, *audit);
  // Every output is built first, then written (each temp + rename).
  if (!a.junit.empty()) {
    if (int rc = write_out(a.junit, junit_xml({gameday::comparison_junit(*p, c)})); rc) return rc;
  }
  if (!a.json.empty()) {
    if (int rc = write_out(a.json, gameday::comparison_json(*p, c)); rc) return rc;
  }
  if (!a.quiet && a.json != "-" && a.junit != "-") std::cout << gameday::comparison_text(*p, c);
  return c.exceeded > 0 ? kExitExceeded : kExitOk;
}

}  // namespace

void add_gameday_commands(CLI::App& app, GamedayArgs& a) {
  a.predict_cmd = app.add_subcommand(
      "predict", "predict what a chaos-agent game-day plan will show, as JSON (docs/gameday-loop.md)");
  auto* p = a.predict_cmd;
  p->add_option("scenario", a.scenario, "scenario file (YAML) modelling the fleet the plan drills")->required();
  p->add_option("--plan", a.plan, "chaos-agent game-day plan (YAML, docs/gameday.md)")->required();
  p->add_option("--calibration", a.calibration, "notice handling from `spotsim calibrate --gameday` (YAML)");
  p->add_option("--fleet", a.fleet, "the fleet the plan's targets belong to (default: the only fleet)");
  p->add_option("--replications", a.replications, "replications (default 200)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  p->add_option("--seed", a.seed, "override the scenario's seed (0 to 2^63-1)");
  p->add_option("--threads", a.threads, "worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  p->add_option("--set", a.sets, "override a scalar of the scenario: PATH=VALUE (repeatable)");
  p->add_option("--out", a.out, "write the prediction to FILE (default: stdout)");

  a.compare_cmd = app.add_subcommand(
      "compare",
      "predicted vs observed: a prediction against a game day's audit logs (exit 1 if a plan tolerance is exceeded)");
  auto* c = a.compare_cmd;
  c->add_option("prediction", a.prediction, "prediction JSON from spotsim predict")->required();
  c->add_option("audit", a.audits, "chaos-agent audit logs (JSON lines), one per agent")->required();
  c->add_option("--run", a.run, "only the notices of this game-day run (the plan report's run id)");
  c->add_option("--junit", a.junit, "write the tolerances as JUnit XML to FILE (- for stdout)");
  c->add_option("--json", a.json, "write the comparison as JSON to FILE (- for stdout)");
  c->add_flag("--quiet,-q", a.quiet, "no table on the terminal");
}

std::optional<int> run_gameday_command(const GamedayArgs& a) {
  if (a.predict_cmd && *a.predict_cmd) return cmd_predict(a);
  if (a.compare_cmd && *a.compare_cmd) return cmd_compare(a);
  return std::nullopt;
}

void add_gameday_calibrate_options(CLI::App& cal, GamedayCalibrateArgs& a) {
  cal.add_option("--gameday", a.audits,
                 "chaos-agent audit log(s) of a game day (JSON lines; repeatable, one per agent)");
  cal.add_option("--run", a.run, "with --gameday: only the notices of this game-day run");
  cal.add_option("--fit", a.fit, "with --gameday: lognormal (default) or empirical")
      ->check(CLI::IsMember({"lognormal", "empirical"}));
}

int cmd_calibrate_gameday(const GamedayCalibrateArgs& a) {
  auto audit = gameday::read_audits(a.audits, a.run);
  if (!audit) return report(audit.status());
  auto cal =
      gameday::calibrate_gameday(*audit, a.fit == "empirical" ? gameday::Fit::kEmpirical : gameday::Fit::kLognormal);
  if (!cal) return report(cal.status());
  return write_out(a.out, gameday::calibration_yaml(*cal));
}

}  // namespace spotsim::cli

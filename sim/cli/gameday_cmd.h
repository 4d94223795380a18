#pragma once
// The game-day loop's commands (docs/gameday-loop.md): `spotsim predict`,
// `spotsim compare`, and the `--gameday` form of `spotsim calibrate`. Argument parsing and exit
// codes only; the work is in sim/gameday.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace spotsim::cli {

struct GamedayCalibrateArgs {
  std::vector<std::string> audits;  // --gameday AUDIT (repeatable: one per agent)
  std::string run;                  // --run ID
  std::string fit = "lognormal";    // --fit lognormal|empirical
  std::string out = "-";            // --out FILE
};

struct GamedayArgs {
  // predict
  std::string scenario, plan, calibration, fleet, out = "-";
  std::optional<std::string> seed;
  int64_t replications = 200;
  int threads = 0;
  std::vector<std::string> sets;
  // compare
  std::string prediction;
  std::vector<std::string> audits;
  std::string run, junit, json;
  bool quiet = false;
  CLI::App* predict_cmd = nullptr;
  CLI::App* compare_cmd = nullptr;
};

// Adds `predict` and `compare` to the app.
void add_gameday_commands(CLI::App& app, GamedayArgs& args);
// Runs the parsed command; nullopt when neither was given.
std::optional<int> run_gameday_command(const GamedayArgs& args);
// Adds the options of `calibrate --gameday` to the calibrate subcommand.
void add_gameday_calibrate_options(CLI::App& calibrate, GamedayCalibrateArgs& args);
// `spotsim calibrate --gameday AUDIT...`: writes the calibration YAML (temp + rename).
int cmd_calibrate_gameday(const GamedayCalibrateArgs& args);

}  // namespace spotsim::cli

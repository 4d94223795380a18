// spotsim command line: argument parsing and exit codes only; the work is in sim/run.
//
// Exit codes: 0 ok, 1 an expectation failed, 2 invalid input or usage, 3 internal or I/O error.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>

#include "bench/core/core_bench.h"
#include "sim/record/atomic_file.h"
#include "sim/record/report.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"

namespace {

using namespace spotsim;

constexpr int kExitOk = 0, kExitExpectFailed = 1, kExitInvalid = 2, kExitIo = 3;

std::atomic<bool> g_cancel{false};
extern "C" void on_sigint(int) { g_cancel.store(true); }

int exit_code_for(const Status& st) {
  return st.code() == StatusCode::kInvalidInput ? kExitInvalid : kExitIo;
}

int report_error(const Status& st) {
  std::cerr << st.message() << "\n";
  return exit_code_for(st);
}

// Parses repeated --set PATH=VALUE into pairs; reports malformed ones.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_sets(const std::vector<std::string>& sets) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : sets) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "spotsim: error: --set " << s << ": expected PATH=VALUE, e.g. --set fleets.web.target=60\n";
      return std::nullopt;
    }
    out.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  return out;
}

// A progress line on a terminal, for runs longer than a second.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)), t0_(Clock::now()) {}
  void update(int64_t done, int64_t total) {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mu_);
    const double el = std::chrono::duration<double>(Clock::now() - t0_).count();
    if (el < 1.0 && done < total) return;
    if (done < total && el - last_ < 0.1) return;
    last_ = el;
    const int width = 30;
    const int fill = static_cast<int>(width * done / std::max<int64_t>(total, 1));
    const double eta = done > 0 ? el / static_cast<double>(done) * static_cast<double>(total - done) : 0;
    std::fprintf(stderr, "\r[%.*s%*s] %lld/%lld replications  %.1fs elapsed  ETA %.1fs ", fill,
                 "==============================", width - fill, "", static_cast<long long>(done),
                 static_cast<long long>(total), el, eta);
    shown_ = true;
  }
  void finish() {
    if (shown_) std::fprintf(stderr, "\r%*s\r", 90, "");
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  Clock::time_point t0_;
  std::mutex mu_;
  double last_ = -1;
  bool shown_ = false;
};

struct RunArgs {
  std::string scenario;
  std::optional<uint64_t> seed;
  std::optional<int64_t> replications;
  int threads = 0;
  std::vector<std::string> sets;
  std::string json;
  bool quiet = false;
};

int cmd_run(const RunArgs& a) {
  auto sets = parse_sets(a.sets);
  if (!sets) return kExitInvalid;
  auto sc = load_scenario(a.scenario, LoadOptions{*sets});
  if (!sc) return report_error(sc.status());

  Progress progress(!a.quiet);
  RunOptions opt;
  opt.threads = a.threads;
  opt.seed = a.seed;
  opt.replications = a.replications;
  opt.progress = [&](int64_t d, int64_t t) { progress.update(d, t); };
  opt.cancel = &g_cancel;
  std::signal(SIGINT, on_sigint);
  auto result = run_scenario(*sc, opt);
  progress.finish();
  std::signal(SIGINT, SIG_DFL);
  if (!result) return report_error(result.status());

  if (!a.json.empty()) {
    const std::string text = run_to_json(*sc, *result).dump(2) + "\n";
    if (Status st = write_file_atomic(a.json, text); !st) return report_error(st);
  }
  if (!a.quiet && a.json != "-") std::cout << run_to_text(*sc, *result);
  if (result->cancelled) {
    std::cerr << "spotsim: interrupted: " << result->completed << " of " << result->replications
              << " replications finished; the outputs hold those only\n";
    return 130;
  }
  for (const auto& e : result->expectations) {
    if (!e.passed) return kExitExpectFailed;
  }
  return kExitOk;
}

int cmd_validate(const std::string& path, const std::vector<std::string>& set_args) {
  auto sets = parse_sets(set_args);
  if (!sets) return kExitInvalid;
  auto sc = load_scenario(path, LoadOptions{*sets});
  if (!sc) return report_error(sc.status());
  std::cout << path << ": ok (" << sc->pools.size() << " pools, " << sc->fleets.size() << " fleets, "
            << sc->expect.size() << " expectations)\n";
  return kExitOk;
}

int cmd_bench(bool json, bool quick) {
  bench::BenchOptions opt;
  opt.quick = quick;
  std::ostringstream sink;
  std::ostream& log = json ? static_cast<std::ostream&>(sink) : std::cout;
  nlohmann::json out;
  out["spotsim"] = kSpotsimVersion;
  out["hold_model"] = bench::hold_model(opt, log);
  log << "\n";
  out["churn"] = bench::churn(opt, log);
  if (json) std::cout << out.dump(2) << "\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"spotsim: what happens to your fleet when spot VMs are taken away.\n"
               "Docs: docs/scenario-reference.md, docs/cli.md"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("spotsim ") + kSpotsimVersion);

  RunArgs ra;
  auto* run = app.add_subcommand("run", "run a scenario and report (exit 1 if an expect: fails)");
  run->add_option("scenario", ra.scenario, "scenario file (YAML)")->required();
  run->add_option("--seed", ra.seed, "override the scenario's seed");
  run->add_option("--replications", ra.replications, "override the number of replications")->check(CLI::Range(1, 10000000));
  run->add_option("--threads", ra.threads, "worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  run->add_option("--set", ra.sets, "override a scalar: PATH=VALUE (repeatable), e.g. fleets.web.target=60");
  run->add_option("--json", ra.json, "write results as JSON to FILE (- for stdout)");
  run->add_flag("--quiet,-q", ra.quiet, "no report or progress on the terminal");

  std::string vpath;
  std::vector<std::string> vsets;
  auto* validate = app.add_subcommand("validate", "check a scenario file without running it");
  validate->add_option("scenario", vpath, "scenario file (YAML)")->required();
  validate->add_option("--set", vsets, "override a scalar: PATH=VALUE (repeatable)");

  bool bjson = false, bquick = false;
  auto* bench = app.add_subcommand("bench", "engine and model benchmarks, side by side with std::priority_queue");
  bench->add_flag("--json", bjson, "print results as JSON");
  bench->add_flag("--quick", bquick, "smaller sizes (seconds, for smoke tests)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitInvalid;
  }
  try {
    if (*run) return cmd_run(ra);
    if (*validate) return cmd_validate(vpath, vsets);
    if (*bench) return cmd_bench(bjson, bquick);
  } catch (const std::exception& e) {
    std::cerr << "spotsim: internal error: " << e.what() << "\n";
    return kExitIo;
  }
  return kExitInvalid;
}

// spotsim command line: argument parsing and exit codes only; the work is in sim/run.
//
// Exit codes: 0 ok, 1 an expectation failed, 2 invalid input or usage, 3 internal or I/O error.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>

#include <CLI/CLI.hpp>

#include "sim/calibrate/calibrate.h"
#include "sim/cli/gameday_cmd.h"
#include "sim/policy/lua_policy.h"
#include "sim/record/atomic_file.h"
#include "sim/record/hdf5_recorder.h"
#include "sim/record/hdf5_writer.h"
#include "sim/record/junit.h"
#include "sim/record/sweep_report.h"
#include "sim/record/report.h"
#include "sim/run/expect.h"
#include "sim/run/mpi_sweep.h"
#include "sim/run/sweep.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"
#include "common/yaml_reader.h"

namespace {

using namespace spotsim;

constexpr int kExitOk = 0, kExitExpectFailed = 1, kExitInvalid = 2, kExitIo = 3;

std::atomic<bool> g_cancel{false};
std::string g_command_line;  // for /meta/command_line in HDF5 outputs
extern "C" void on_sigint(int) { g_cancel.store(true); }

int exit_code_for(const Status& st) { return st.code() == StatusCode::kInvalidInput ? kExitInvalid : kExitIo; }

int report_error(const Status& st) {
  std::cerr << st.message() << "\n";
  return exit_code_for(st);
}

// --seed: a whole number 0..kMaxSeed (the range a scenario file's `seed:` takes). CLI11's own
// conversion to uint64 wraps "-1" and saturates 2^64, silently running another seed.
std::string check_seed(const std::string& text) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v > static_cast<uint64_t>(kMaxSeed)) {
    return "expected a whole number from 0 to " + std::to_string(kMaxSeed) + ", found \"" + text + "\"";
  }
  return "";
}

// `spotsim WORD` where WORD is no command: name it and list the commands (CLI11 alone says "A
// subcommand is required", which hides the typo).
bool unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return false;
  const std::string word = argv[1];
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  if (std::find(names.begin(), names.end(), word) != names.end()) return false;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  std::cerr << "spotsim: error: unknown command \"" << word << "\"" << did_you_mean(word, names)
            << "; the commands are " << list << " (spotsim --help)\n";
  return true;
}

// What a run keeps in memory: every replication's metrics, and with --out its time series.
double run_memory_bytes(const CompiledScenario& sc, int64_t replications, size_t metrics, size_t series) {
  const double samples =
      series == 0
          ? 0.0
          : static_cast<double>(sc.duration.us) / static_cast<double>(std::max<int64_t>(1, sc.sample_interval.us)) + 1;
  return static_cast<double>(replications) *
         (static_cast<double>(metrics) * 8.0 + static_cast<double>(series) * samples * 8.0);
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
  std::vector<std::string> scenarios;
  std::optional<std::string> seed;
  std::optional<int64_t> replications;
  std::optional<int64_t> replication;
  int threads = 0;
  std::vector<std::string> sets;
  std::string json;
  std::string junit;
  std::string out;     // --out FILE.h5
  std::string record;  // --record LEVEL (default: schema::kDefaultRecordLevel)
  bool quiet = false;
  bool check = false;  // --check: the laws of docs/metrics.md after every replication
};

// Loads a scenario through the front door (sim/run/runner.h): compiled, expect: and policies checked.
Result<CompiledScenario> load_and_check(const std::string& path, const LoadOptions& opt) {
  return load_checked_scenario(path, opt);
}

// Worst exit code wins: I/O (3) > invalid (2) > expectation failed (1) > ok (0).
int worse(int a, int b) {
  auto rank = [](int c) { return c == kExitIo ? 3 : c == kExitInvalid ? 2 : c == kExitExpectFailed ? 1 : 0; };
  return rank(b) > rank(a) ? b : a;
}

// `spotsim run A.yaml [B.yaml ...]`: every file is loaded and checked first; invalid files are
// reported (stderr, and as <error> testcases in --junit) and the valid ones still run, one after
// the other. Exit code: the worst over all files.
int cmd_run(const RunArgs& a) {
  auto sets = parse_sets(a.sets);
  if (!sets) return kExitInvalid;
  if (a.json == "-" && a.junit == "-") {
    std::cerr << "spotsim: error: --json - and --junit - cannot both write to stdout\n";
    return kExitInvalid;
  }
  if (!a.out.empty() && a.scenarios.size() > 1) {
    std::cerr << "spotsim: error: --out records one scenario; run the files one at a time to record each\n";
    return kExitInvalid;
  }
  schema::RecordLevel level = schema::kDefaultRecordLevel;
  if (!a.record.empty()) parse_record_level(a.record, &level);  // validated by CLI11
  int rc = kExitOk;
  std::vector<JunitSuite> suites;
  nlohmann::json runs = nlohmann::json::array();
  std::vector<std::optional<CompiledScenario>> loaded;
  for (const auto& path : a.scenarios) {
    auto sc = load_and_check(path, LoadOptions{*sets});
    if (!sc) {
      std::cerr << sc.status().message() << "\n";
      rc = worse(rc, exit_code_for(sc.status()));
      suites.push_back(junit_error_suite(path, sc.status().message()));
      loaded.emplace_back();
      continue;
    }
    loaded.emplace_back(std::move(sc).value());
    suites.emplace_back();  // filled after the run
  }
  bool cancelled = false;
  const bool text_out = !a.quiet && a.json != "-" && a.junit != "-";
  for (size_t i = 0; i < loaded.size() && !cancelled; ++i) {
    if (!loaded[i]) continue;
    const CompiledScenario& sc = *loaded[i];
    Progress progress(!a.quiet);
    RunOptions opt;
    opt.threads = a.threads;
    opt.check_laws = opt.check_laws || a.check;
    if (a.seed) opt.seed = std::stoull(*a.seed);  // checked by check_seed
    opt.replications = a.replications;
    if (a.replication) {
      opt.first_replication = *a.replication;
      if (!a.replications) opt.replications = 1;
    }
    opt.progress = [&](int64_t d, int64_t t) { progress.update(d, t); };
    opt.cancel = &g_cancel;
    std::vector<SeriesDef> series;
    if (!a.out.empty()) series = timeseries_defs(sc, replication_metric_defs(sc));
    Recorders<Hdf5Recorder> recorders(a.out.empty() ? Recorders<Hdf5Recorder>::Make{} : hdf5_recorders(series, level));
    opt.observers = recorders.factory();
    {
      const int64_t reps = opt.replications ? *opt.replications : sc.replications;
      const double bytes = run_memory_bytes(sc, reps, replication_metric_defs(sc).size(), series.size());
      if (bytes > 1e9) {
        std::fprintf(stderr,
                     "spotsim: warning: %s: this run keeps about %.1f GB in memory (%lld replications%s); "
                     "use fewer --replications%s if that is more than this machine has\n",
                     sc.file.c_str(), bytes / 1e9, static_cast<long long>(reps),
                     series.empty() ? "" : " with time series for --out", series.empty() ? "" : " or --record summary");
      }
    }
    std::signal(SIGINT, on_sigint);
    auto result = run_scenario(sc, opt);
    progress.finish();
    std::signal(SIGINT, SIG_DFL);
    if (!result) {
      std::cerr << result.status().message() << "\n";
      rc = worse(rc, exit_code_for(result.status()));
      suites[i] = junit_error_suite(sc.file, result.status().message());
      continue;
    }
    if (!a.out.empty()) {
      if (Status st =
              write_run_file(a.out, sc, *result, RunFileInfo{g_command_line, level}, recorders.completed(*result));
          !st) {
        rc = worse(rc, report_error(st));
      } else if (text_out) {
        std::cout << "recorded (" << record_level_name(level) << ") to " << a.out << "\n";
      }
    }
    suites[i] = junit_suite(sc, *result);
    runs.push_back(run_to_json(sc, *result));
    if (text_out) {
      if (loaded.size() > 1) std::cout << "== " << sc.file << "\n";
      std::cout << run_to_text(sc, *result);
      if (loaded.size() > 1) std::cout << "\n";
    }
    if (result->cancelled) {
      std::cerr << "spotsim: interrupted: " << result->completed << " of " << result->replications
                << " replications finished; the outputs hold those only\n";
      cancelled = true;
    }
    for (const auto& e : result->expectations) {
      if (!e.passed) rc = worse(rc, kExitExpectFailed);
    }
  }
  if (!a.json.empty() && !runs.empty()) {
    // One scenario: the run object. Several: {"spotsim": VERSION, "runs": [run, ...]}.
    nlohmann::json doc = runs.size() == 1 && a.scenarios.size() == 1
                             ? runs[0]
                             : nlohmann::json{{"spotsim", kSpotsimVersion}, {"runs", runs}};
    if (Status st = write_file_atomic(a.json, doc.dump(2) + "\n"); !st) rc = worse(rc, report_error(st));
  }
  if (!a.junit.empty()) {
    if (Status st = write_file_atomic(a.junit, junit_xml(suites)); !st) rc = worse(rc, report_error(st));
  }
  if (cancelled) return 130;
  return rc;
}

struct SweepArgs {
  std::string scenario;
  std::vector<std::string> grid;
  std::vector<std::string> sets;
  std::optional<std::string> seed;
  std::optional<int64_t> replications;
  int threads = 0;
  std::string out;
  std::string json;
  std::string pareto;
  bool quiet = false;
};

// spotsim sweep: the plan is compiled on every MPI rank (each checks the same files), the work is
// spread by sim/run/mpi_sweep, and rank 0 alone reports and writes.
int cmd_sweep(const SweepArgs& a) {
  MpiSession mpi;
  const bool root = mpi.is_root();
  std::signal(SIGINT, on_sigint);  // from the start: Ctrl-C while planning stops before any run
  auto fail = [&](const Status& st) {
    if (root) std::cerr << st.message() << "\n";
    return exit_code_for(st);
  };
  auto sets = parse_sets(a.sets);
  if (!mpi.all_ok(sets.has_value())) return kExitInvalid;
  std::vector<GridAxis> axes;
  Status bad;
  for (const auto& g : a.grid) {
    auto axis = parse_grid_arg(g);
    if (!axis) {
      bad = axis.status();
      break;
    }
    axes.push_back(*axis);
  }
  if (!mpi.all_ok(bad.is_ok())) return bad.is_ok() ? kExitInvalid : fail(bad);
  SweepOptions opt;
  opt.threads = a.threads;
  if (a.seed) opt.seed = std::stoull(*a.seed);  // checked by check_seed
  opt.replications = a.replications;
  auto plan = plan_sweep(a.scenario, *sets, axes, opt);
  if (!mpi.all_ok(plan.is_ok())) {
    if (!plan) return fail(plan.status());
    if (root)
      std::cerr << "spotsim: error: another MPI rank could not load " << a.scenario
                << "; every rank must see the same files (a shared directory)\n";
    return kExitInvalid;
  }
  std::optional<ParetoSpec> pareto;
  if (!a.pareto.empty()) {
    auto p = parse_pareto(a.pareto, plan->metrics);
    if (!p) return fail(p.status());
    pareto = *p;
  }

  Progress progress(!a.quiet && root);
  opt.progress = [&](int64_t d, int64_t t) { progress.update(d, t); };
  opt.cancel = &g_cancel;
  SweepResult result = run_sweep_distributed(*plan, opt, mpi);
  progress.finish();
  std::signal(SIGINT, SIG_DFL);
  if (!root) return kExitOk;

  std::vector<ParetoPoint> front;
  if (pareto) front = pareto_front(result, *pareto);
  const ParetoSpec* ps = pareto ? &*pareto : nullptr;
  const std::vector<ParetoPoint>* fp = pareto ? &front : nullptr;
  if (!a.json.empty()) {
    const std::string text = sweep_to_json(*plan, result, ps, fp).dump(2) + "\n";
    if (Status st = write_file_atomic(a.json, text); !st) return report_error(st);
  }
  if (!a.out.empty()) {
    if (Status st = write_sweep_file(a.out, *plan, result, ps, fp, g_command_line); !st) return report_error(st);
  }
  if (!a.quiet && a.json != "-") {
    std::cout << sweep_to_text(*plan, result, ps, fp);
    if (!a.out.empty()) std::cout << "results: " << a.out << "\n";
  }
  if (result.cancelled) {
    std::cerr << "spotsim: interrupted: " << result.points_completed << " of " << plan->points.size()
              << " grid points complete (" << result.items_completed << " of " << result.items
              << " runs); the outputs hold the complete points only\n";
    return 130;
  }
  return kExitOk;
}

int cmd_validate(const std::vector<std::string>& paths, const std::vector<std::string>& set_args) {
  auto sets = parse_sets(set_args);
  if (!sets) return kExitInvalid;
  int rc = kExitOk;
  for (const auto& path : paths) {
    auto sc = load_and_check(path, LoadOptions{*sets});
    if (!sc) {
      rc = worse(rc, report_error(sc.status()));
      continue;
    }
    std::cout << path << ": ok (" << sc->pools.size() << " pools, " << sc->fleets.size() << " fleets, "
              << sc->expect.size() << " expectations)\n";
  }
  return rc;
}

// `spotsim calibrate`: provider data and your own events in, pool blocks (or a scenario) out
// (docs/calibration.md). The work is sim/calibrate; here: arguments, progress, the output file.
struct CalibrateArgs {
  calibrate::Options opt;
  std::string from, to;  // timestamps
  std::string band_edge = "mid";
  std::string out = "-";  // FILE or - (stdout)
  bool quiet = false;
};

int cmd_calibrate(CalibrateArgs& a) {
  for (const auto& [text, dst] : {std::pair{&a.from, &a.opt.from_us}, std::pair{&a.to, &a.opt.to_us}}) {
    if (text->empty()) continue;
    auto t = calibrate::parse_timestamp_us(*text);
    if (!t) {
      std::cerr << "spotsim: error: " << (dst == &a.opt.from_us ? "--from" : "--to") << " " << *text
                << ": expected a timestamp like 2026-01-05T00:00:00Z\n";
      return kExitInvalid;
    }
    *dst = *t;
  }
  a.opt.band_edge = parse_band_edge(a.band_edge).value_or(BandEdge::kMid);  // validated by CLI11
  // Progress on a terminal for inputs that take more than a second.
  const bool tty = !a.quiet && ::isatty(STDERR_FILENO);
  const auto t0 = std::chrono::steady_clock::now();
  bool shown = false;
  double last = -1;
  if (tty) {
    a.opt.progress = [&](const std::string& stage, int64_t done, int64_t total) {
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (el < 1.0 || el - last < 0.1) return;
      last = el;
      const double pct = total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0;
      std::fprintf(stderr, "\r%-60.60s %5.1f%%  %.1fs ", stage.c_str(), pct, el);
      shown = true;
    };
  }
  auto cal = calibrate::run_calibration(a.opt);
  if (shown) std::fprintf(stderr, "\r%*s\r", 80, "");
  if (!cal) return report_error(cal.status());
  if (Status st = write_file_atomic(a.out, calibrate::to_yaml(*cal, a.opt)); !st) return report_error(st);
  if (!a.quiet && a.out != "-") {
    std::cerr << "wrote " << cal->pools.size() << " pools (" << cal->events_used << " interruptions used) to " << a.out
              << "\n";
  }
  return kExitOk;
}

// `spotsim bench` was a command until issue 17; the benchmarks are a program of their own now so
// that the shipped spotsim does not link them. The old command says where they went.
bool moved_bench(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != "bench") return false;
  std::cerr << "spotsim: error: the benchmarks moved to their own program: spotsim-bench [--quick] [--json], "
               "built next to spotsim (build/release/spotsim-bench) and not installed; see docs/performance.md\n";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "spotsim: what happens to your fleet when spot VMs are taken away.\n"
      "Docs: docs/scenario-reference.md, docs/cli.md"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("spotsim ") + kSpotsimVersion);

  RunArgs ra;
  auto* run = app.add_subcommand("run", "run a scenario and report (exit 1 if an expect: fails)");
  run->add_option("scenario", ra.scenarios, "scenario files (YAML); several run one after the other")->required();
  const CLI::Validator seed_check(check_seed, "SEED", "seed");
  run->add_option("--seed", ra.seed, "override the scenario's seed (0 to 2^63-1)")->check(seed_check);
  run->add_option("--replications", ra.replications, "override the number of replications")
      ->check(CLI::Range(int64_t{1}, kMaxReplications));
  run->add_option(
         "--replication", ra.replication,
         "run only replication K (numbered from 0; with --replications N: K..K+N-1), to reproduce a failure alone")
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  run->add_option("--threads", ra.threads, "worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  run->add_option("--set", ra.sets, "override a scalar: PATH=VALUE (repeatable), e.g. fleets.web.target=60");
  run->add_option("--json", ra.json, "write results as JSON to FILE (- for stdout)");
  run->add_option("--junit", ra.junit, "write expect: results as JUnit XML to FILE (- for stdout), for CI");
  run->add_flag("--quiet,-q", ra.quiet, "no report or progress on the terminal");
  run->add_flag("--check", ra.check,
                "check the laws of docs/metrics.md after every replication (always on in Debug builds); "
                "a broken law stops the run (exit 3)");
  auto* run_out = run->add_option("--out", ra.out, "write results to an HDF5 file (layout: docs/hdf5-schema.md)");
  run->add_option("--record", ra.record, "what --out records: summary|timeseries|events|full (default timeseries)")
      ->check(CLI::IsMember({"summary", "timeseries", "events", "full"}))
      ->needs(run_out);

  SweepArgs sa;
  auto* sweep = app.add_subcommand("sweep", "run a scenario over a grid of overrides, on all cores (and MPI ranks)");
  sweep->add_option("scenario", sa.scenario, "scenario file (YAML)")->required();
  sweep->add_option("--grid", sa.grid, "PATH=V1,V2,... (repeatable): the cartesian product is swept")->required();
  sweep->add_option("--set", sa.sets, "override a scalar at every point: PATH=VALUE (repeatable)");
  sweep->add_option("--seed", sa.seed, "override the scenario's seed (0 to 2^63-1)")->check(seed_check);
  sweep->add_option("--replications", sa.replications, "replications per point")
      ->check(CLI::Range(int64_t{1}, kMaxReplications));
  sweep->add_option("--threads", sa.threads, "worker threads per process (default: all cores)")
      ->check(CLI::Range(1, 4096));
  sweep->add_option("--out", sa.out, "write the sweep to an HDF5 file (docs/hdf5-schema.md)");
  sweep->add_option("--json", sa.json, "write the sweep as JSON to FILE (- for stdout)");
  sweep->add_option("--pareto", sa.pareto,
                    "METRIC_A,METRIC_B, each [max:]METRIC[.STAT]: print and store the Pareto front of the two "
                    "statistics (STAT: mean (default), p50, p95, p99, min, max, stddev; minimise, max: to maximise)");
  sweep->add_flag("--quiet,-q", sa.quiet, "no report or progress on the terminal");

  std::vector<std::string> vpaths;
  std::vector<std::string> vsets;
  auto* validate =
      app.add_subcommand("validate", "check scenario files (and their expect: blocks) without running them");
  validate->add_option("scenario", vpaths, "scenario files (YAML)")->required();
  validate->add_option("--set", vsets, "override a scalar: PATH=VALUE (repeatable)");

  CalibrateArgs ca;
  auto* cal = app.add_subcommand(
      "calibrate", "estimate pool hazards and prices from real data; write scenario YAML (docs/calibration.md)");
  cal->add_option(
      "--events", ca.opt.event_files,
      "interruption events (repeatable): EventBridge JSON Lines, GCP audit log export, Azure Activity Log or "
      "Scheduled Events records");
  cal->add_option("--inventory", ca.opt.inventory_file,
                  "CSV of running VMs: instance_id,instance_type,zone,start,end (the exposure)");
  cal->add_option("--advisor", ca.opt.advisor_file,
                  "AWS Spot Instance Advisor spot-advisor-data.json: interruption bands");
  cal->add_option("--azure-eviction", ca.opt.azure_eviction_file, "Azure Resource Graph eviction-rate rows (JSON)");
  cal->add_option("--aws-prices", ca.opt.aws_price_files,
                  "aws ec2 describe-spot-price-history --output json (repeatable)");
  cal->add_option("--azure-prices", ca.opt.azure_price_files,
                  "Azure Resource Graph spot price history rows (JSON, repeatable)");
  cal->add_option("--region", ca.opt.region,
                  "for band and price sources: the region (AWS) or location (Azure) to take");
  cal->add_option("--instance-type", ca.opt.instance_types,
                  "for band and price sources: an instance type / VM size to take (repeatable)");
  cal->add_option("--os", ca.opt.os, "advisor OS: Linux (default) or Windows");
  cal->add_option("--product", ca.opt.product,
                  "price series product: AWS ProductDescription or Azure osType (default: Linux)");
  cal->add_option("--from", ca.from,
                  "start of the period (default: the inventory's first start), e.g. 2026-01-01T00:00:00Z");
  cal->add_option("--to", ca.to, "end of the period (default: the inventory's last end)");
  cal->add_option("--band-edge", ca.band_edge,
                  "where in a published band the hazard is taken: lower|mid|upper (default mid)")
      ->check(CLI::IsMember({"lower", "mid", "upper"}));
  cal->add_option("--provider", ca.opt.provider,
                  "provider of inventory pools no event names (default: from the zone's form)")
      ->check(CLI::IsMember({"aws", "azure", "gcp"}));
  cal->add_flag("--scenario", ca.opt.scenario,
                "write a whole runnable scenario (pools and one fleet), not only pools:");
  cal->add_option("--out,-o", ca.out, "write the YAML to FILE (default - : stdout); written whole or not at all");
  cal->add_flag("--quiet,-q", ca.quiet, "no progress or summary on stderr");
  // --gameday: the game-day loop's calibration (docs/gameday-loop.md), from chaos-agent audits.
  cli::GamedayCalibrateArgs gca;
  cli::add_gameday_calibrate_options(*cal, gca);
  cli::GamedayArgs ga;
  cli::add_gameday_commands(app, ga);

  if (moved_bench(argc, argv)) return kExitInvalid;
  if (unknown_command(app, argc, argv)) return kExitInvalid;
  try {
    app.parse(argc, argv);
    g_command_line = shell_quote_command_line(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitInvalid;
  }
  try {
    if (*run) return cmd_run(ra);
    if (*sweep) return cmd_sweep(sa);
    if (*validate) return cmd_validate(vpaths, vsets);
    if (*cal && !gca.audits.empty()) {
      if (!ca.opt.event_files.empty() || !ca.opt.inventory_file.empty() || !ca.opt.advisor_file.empty() ||
          !ca.opt.azure_eviction_file.empty() || !ca.opt.aws_price_files.empty() || !ca.opt.azure_price_files.empty()) {
        std::cerr << "spotsim: error: calibrate: --gameday reads game-day audits alone; run the other sources "
                     "in a calibrate of their own\n";
        return kExitInvalid;
      }
      gca.out = ca.out;
      return cli::cmd_calibrate_gameday(gca);
    }
    if (*cal) return cmd_calibrate(ca);
    if (auto rc = cli::run_gameday_command(ga)) return *rc;
  } catch (const std::exception& e) {
    std::cerr << "spotsim: internal error: " << e.what() << "\n";
    return kExitIo;
  }
  return kExitInvalid;
}

// spotsim-bench: the engine and model benchmarks, each side by side with its baseline in the same
// process. A program of its own so that the shipped `spotsim` does not carry the benchmark
// libraries (issue 17). Benchmarks print numbers and ratios; they never fail on time.
//
// Exit codes: 0 ok, 2 invalid usage, 3 internal error.
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "bench/core/autoscale_bench.h"
#include "bench/core/core_bench.h"
#include "bench/policy/policy_bench.h"
#include "sim/record/report.h"

int main(int argc, char** argv) {
  using namespace spotsim;
  CLI::App app{
      "spotsim-bench: spotsim's engine and model benchmarks, each beside its baseline in the same run.\n"
      "Docs: docs/performance.md"};
  app.set_version_flag("--version", std::string("spotsim-bench ") + kSpotsimVersion);
  bool json = false;
  bench::BenchOptions opt;
  app.add_flag("--json", json, "print results as JSON on stdout (the tables are not printed)");
  app.add_flag("--quick", opt.quick, "small sizes (seconds, for smoke tests)");
  app.add_flag("--skip-million", opt.skip_million, "churn: leave out the 10^6-VM size (about a minute)");
  std::string only;
  app.add_option("--only", only, "run one benchmark: hold, churn, lua or autoscale (e.g. under callgrind)")
      ->check(CLI::IsMember({"hold", "churn", "lua", "autoscale"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    std::ostringstream sink;
    std::ostream& log = json ? static_cast<std::ostream&>(sink) : std::cout;
    nlohmann::json out;
    out["spotsim"] = kSpotsimVersion;
    auto want = [&](const char* name) { return only.empty() || only == name; };
    if (want("hold")) out["hold_model"] = bench::hold_model(opt, log), log << "\n";
    if (want("churn")) out["churn"] = bench::churn(opt, log), log << "\n";
    if (want("lua")) out["lua_churn"] = bench::lua_churn(opt, log), log << "\n";
    if (want("autoscale")) out["autoscale_churn"] = bench::autoscale_churn(opt, log), log << "\n";
    log << "Wall-clock ratios swing by up to 2x on a shared machine; to compare two versions of a hot path,\n"
           "count instructions instead (same total on every run): docs/performance.md, \"Instruction counts\".\n";
    if (json) std::cout << out.dump(2) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "spotsim-bench: internal error: " << e.what() << "\n";
    return 3;
  }
  return 0;
}

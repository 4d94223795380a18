#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/model/world.h"
#include "sim/record/report.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"
#include "tests/common/compile.h"
#include "tests/common/run.h"

using namespace spotsim;

namespace {

using test::compile;

std::string fleet_scenario(int target, const std::string& rate, const std::string& notice, const std::string& boot,
                           const std::string& duration, int reps, const std::string& provider = "aws") {
  std::ostringstream s;
  s << "spotsim: 1\nname: t\nseed: 5\nreplications: " << reps << "\nduration: " << duration << "\n"
    << "pools:\n  p: {provider: " << provider << ", region: r, instance_type: m5.xlarge, spot_price: 0.05, "
    << "on_demand_price: 0.2, capacity: 1000, interruption: {rate: " << rate << "}, notice: " << notice << "}\n"
    << "fleets:\n  f: {pools: [p], target: " << target << ", boot_time: " << boot << "}\n";
  return s.str();
}

struct LogObserver : RunObserver {
  explicit LogObserver(const CompiledScenario& scenario) : sc(scenario) {}
  const CompiledScenario& sc;
  std::ostringstream out;
  bool wants_events() const override { return true; }
  void on_event(const ModelEvent& e) override {
    out << format_time(e.time) << " " << model_event_kind_name(e.kind);
    if (e.vm != UINT32_MAX) out << " vm=" << e.vm;
    out << " pool=" << sc.pools[e.pool].name << " fleet=" << sc.fleets[e.fleet].name;
    if (e.kind == ModelEventKind::kNotice) out << " notice=" << e.detail << "s";
    out << "\n";
  }
};

}  // namespace

TEST_CASE("without notice or boot time interruptions are Poisson with mean and variance N·λ·T", "[world][theory]") {
  // 10 VMs × 0.1/h × 100 h ⇒ λT = 100 per replication.
  const auto sc = compile(fleet_scenario(10, "0.1/h", "0s", "0s", "100h", 400));
  RunOptions opt;
  auto r = run_scenario(sc, opt);
  REQUIRE(r.is_ok());
  const int m = r->metric_index("fleet.f.interruptions");
  REQUIRE(m >= 0);
  const MetricStats& s = r->stats[static_cast<size_t>(m)];
  // Standard error of the mean: sqrt(100/400) = 0.5 ⇒ ±4 SE.
  CHECK(s.mean == Approx(100).margin(2.0));
  // Sample variance of 400 Poisson(100) draws: SE ≈ 100·sqrt(2/399) ≈ 7 ⇒ ±4 SE.
  CHECK(s.stddev * s.stddev == Approx(100).margin(28));
}

TEST_CASE("with notice and boot time interruptions follow the renewal rate N·T/(1/λ + notice + boot)",
          "[world][theory]") {
  const auto sc = compile(fleet_scenario(20, "0.5/h", "120s", "90s", "200h", 50));
  auto r = run_scenario(sc, RunOptions{});
  REQUIRE(r.is_ok());
  const double cycle_h = 1.0 / 0.5 + 210.0 / 3600.0;
  const double expected = 20 * 200 / cycle_h;
  const MetricStats& s = r->stats[static_cast<size_t>(r->metric_index("fleet.f.interruptions"))];
  CHECK(s.mean == Approx(expected).epsilon(0.02));
  // Each replacement is back after exactly the boot time.
  const MetricStats& ttr = r->stats[static_cast<size_t>(r->metric_index("fleet.f.time_to_reschedule"))];
  CHECK(ttr.mean == Approx(90).margin(1));
}

TEST_CASE("results are identical whatever the thread count", "[world][determinism]") {
  const auto sc = compile(fleet_scenario(30, "0.2/h", "120s", "90s", "3d", 8));
  RunOptions one;
  one.threads = 1;
  RunOptions two;
  two.threads = 2;
  auto a = run_scenario(sc, one);
  auto b = run_scenario(sc, two);
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  CHECK(a->per_replication == b->per_replication);
  CHECK(a->events == b->events);
  auto ja = run_to_json(sc, *a);
  auto jb = run_to_json(sc, *b);
  ja.erase("wall_seconds");
  jb.erase("wall_seconds");
  ja.erase("threads");
  jb.erase("threads");
  CHECK(ja.dump() == jb.dump());
}

TEST_CASE("cost accounting without interruptions is VM-hours × spot price and savings are vs all on-demand",
          "[world]") {
  const auto sc = compile(fleet_scenario(4, "0/h", "120s", "90s", "10h", 1));
  auto r = run_scenario(sc, RunOptions{});
  REQUIRE(r.is_ok());
  auto mean = [&](const char* n) { return test::stats_of(*r, n).mean; };
  CHECK(mean("fleet.f.vm_hours_spot") == Approx(40));
  CHECK(mean("cost.total") == Approx(40 * 0.05));
  CHECK(mean("cost.all_on_demand") == Approx(40 * 0.2));
  CHECK(mean("cost.savings_pct") == Approx(75));
  CHECK(mean("fleet.f.availability_pct") == Approx(100));
  CHECK(mean("fleet.f.lost_vm_hours") == Approx(0).margin(1e-9));
}

TEST_CASE("each provider gives its notice length", "[world][provider]") {
  for (auto [provider, notice] : {std::pair{"aws", 120.0}, {"azure", 30.0}, {"gcp", 30.0}}) {
    std::string text = fleet_scenario(2, "1/h", "0s", "60s", "10h", 1, provider);
    text.replace(text.find(", notice: 0s"), 12, "");
    const auto sc = compile(text);
    LogObserver log(sc);
    run_replication(sc, sc.seed, 0, &log);
    const std::string s = log.out.str();
    INFO(provider);
    CHECK(s.find("notice=" + std::to_string(static_cast<int>(notice)) + "s") != std::string::npos);
  }
}

TEST_CASE("launches beyond pool capacity fail and retry", "[world]") {
  std::string text = fleet_scenario(5, "0/h", "120s", "90s", "1h", 1);
  text.replace(text.find("capacity: 1000"), 14, "capacity: 3");
  const auto sc = compile(text);
  auto r = run_scenario(sc, RunOptions{});
  REQUIRE(r.is_ok());
  auto mean = [&](const char* n) { return test::stats_of(*r, n).mean; };
  CHECK(mean("fleet.f.vm_hours_spot") == Approx(3));
  CHECK(mean("fleet.f.availability_pct") == Approx(60));
  CHECK(mean("fleet.f.capacity_errors") == Approx(2 + 2 * 120));  // two initial + retries every 30 s
}

TEST_CASE("golden event log of a 3-VM scenario", "[world][golden]") {
  const auto sc = compile(fleet_scenario(3, "0.5/h", "120s", "90s", "6h", 1));
  LogObserver log(sc);
  run_replication(sc, sc.seed, 0, &log);
  const std::string path = std::string(SPOTSIM_SOURCE_DIR) + "/tests/golden/three_vm.log";
  if (std::getenv("SPOTSIM_UPDATE_GOLDEN")) {
    std::ofstream(path) << log.out.str();
  }
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(log.out.str() == expected.str());
}

TEST_CASE("log histogram quantiles are within about one percent", "[metrics]") {
  LogHistogram h;
  for (int i = 1; i <= 10000; ++i) h.add(static_cast<double>(i));
  CHECK(h.count() == 10000);
  CHECK(h.mean() == Approx(5000.5));
  CHECK(h.quantile(0.5) == Approx(5000).epsilon(0.012));
  CHECK(h.quantile(0.95) == Approx(9500).epsilon(0.012));
  CHECK(h.quantile(1.0) == Approx(10000).epsilon(0.012));
  CHECK(h.max() == 10000);
  LogHistogram z;
  z.add(0.0);
  CHECK(z.quantile(0.95) == 0.0);
}

namespace {
// Listens to nothing: its presence alone makes the world deliver notices as events of their own.
struct SilentListener : WorldObserver {
  void on_model_event(const World&, const ModelEvent&) override {}
};

// Runs each replication folded and, with a silent listener, unfolded: the same metrics and event
// count, fewer engine events when folded. Returns the folded worlds' metrics.
std::vector<std::vector<double>> check_fold_changes_nothing(const CompiledScenario& sc) {
  std::vector<std::vector<double>> out;
  for (uint64_t rep = 0; rep < 3; ++rep) {
    World folded(sc, rep);
    folded.run();
    World plain(sc, rep);
    SilentListener silent;
    plain.signals().add_listener(&silent);  // an observer sees notices: no folding (and no fast path)
    plain.run();
    CHECK(folded.metrics().values() == plain.metrics().values());
    CHECK(folded.events_processed() == plain.events_processed());
    CHECK(folded.engine().events_processed() < plain.engine().events_processed());  // it did fold
    out.push_back(folded.metrics().values());
  }
  return out;
}
}  // namespace

TEST_CASE("a notice nobody observes is folded into its eviction with every number and the event count unchanged",
          "[world][fold]") {
  // Two pools with the same notice length, fleets replacing at eviction, capacity errors and
  // retries, a boot failure probability, a drawn boot time, and a deallocate action with
  // restarts and disks on one pool: what the fold allows.
  const std::string yaml = R"(spotsim: 1
name: fold
seed: 11
duration: 20d
pools:
  a: {provider: azure, region: eastus, instance_type: Standard_D4s_v3, spot_price: 0.038, on_demand_price: 0.192,
      capacity: 40, interruption: {rate: 0.2/h}}
  b: {provider: azure, region: eastus, instance_type: Standard_D4s_v3, spot_price: 0.038, on_demand_price: 0.192,
      capacity: 30, interruption: {rate: 0.3/h}, eviction_action: deallocate, disk_cost: $0.027/h, restart: true,
      restart_after: 10m}
fleets:
  f: {pools: [a, b], target: 50, boot_time: 90s, boot_failure: 0.05}
  g: {pools: [b], target: 10, boot_time: {lognormal: {median: 2m, p95: 4m}}}
)";
  check_fold_changes_nothing(compile(yaml));
}

TEST_CASE("the folded eviction and relaunch of a single-pool fleet changes no number and no event count",
          "[world][fold]") {
  // Fleets on one spot pool each, replacing at eviction: World::evict_and_relaunch takes their
  // evictions in one pass (with a boot failure probability, a drawn boot time, disks, a max
  // price); a two-pool fleet beside them takes the general path.
  const std::string yaml = R"(spotsim: 1
name: fold-relaunch
seed: 5
duration: 15d
pools:
  a: {provider: aws, region: us-east-1, instance_type: m5.xlarge, spot_price: 0.058, on_demand_price: 0.192,
      capacity: 30, interruption: {rate: 0.2/h}, disk_cost: $0.01/h}
  b: {provider: aws, region: us-east-1, instance_type: m5.xlarge, spot_price: 0.058, on_demand_price: 0.192,
      capacity: 25, interruption: {rate: 0.3/h}}
fleets:
  one: {pools: [a], target: 20, boot_time: {lognormal: {median: 2m, p95: 4m}}, boot_failure: 0.05}
  two: {pools: [b], target: 12, boot_time: 90s, max_price: 0.1}
  both: {pools: [a, b], target: 15, boot_time: 90s}
)";
  const auto sc = compile(yaml);
  MetricSet names;
  World::declare_metrics(sc, names);
  const int interruptions = names.find("fleet.one.interruptions");
  REQUIRE(interruptions >= 0);
  for (const std::vector<double>& values : check_fold_changes_nothing(sc)) {
    CHECK(values[static_cast<size_t>(interruptions)] > 50);  // the fast path had work
  }
}

// Sweeps: grid parsing, the cartesian product, thread-count independence, agreement with single
// runs, the Pareto front and the sweep HDF5 file.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "sim/record/hdf5_reader.h"
#include "sim/record/hdf5_writer.h"
#include "sim/run/runner.h"
#include "sim/run/sweep.h"

using namespace spotsim;

namespace {

const char* kScenario = R"(spotsim: 1
name: sweep-test
seed: 5
replications: 3
duration: 1d
pools:
  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.06, on_demand_price: 0.192, capacity: 40, interruption: {rate: 0.2/h}}
  b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: m5.xlarge, spot_price: 0.07, on_demand_price: 0.192, capacity: 40, interruption: {rate: 0.05/h}}
fleets:
  web: {pools: [a, b], target: 10, boot_time: 90s}
)";

std::string scenario_file() {
  const std::string path = std::string(SPOTSIM_BINARY_DIR) + "/sweep-test.yaml";
  std::ofstream(path) << kScenario;
  return path;
}

std::vector<GridAxis> axes() {
  return {*parse_grid_arg("fleets.web.target=5,10"), *parse_grid_arg("pools.a.interruption.rate=0.1/h,0.3/h,0.6/h")};
}

SweepPlan plan(const SweepOptions& opt = {}) {
  auto p = plan_sweep(scenario_file(), {}, axes(), opt);
  REQUIRE(p);
  return std::move(*p);
}

}  // namespace

TEST_CASE("grid arguments PATH=V1,V2 parse, and malformed grids are refused with an example", "[sweep]") {
  auto g = parse_grid_arg("workloads.etl.checkpoint.every=10m,20m,40m");
  REQUIRE(g);
  CHECK(g->path == "workloads.etl.checkpoint.every");
  CHECK(g->values == std::vector<std::string>{"10m", "20m", "40m"});
  CHECK(parse_grid_arg("x=1")->values.size() == 1);
  CHECK(parse_grid_arg("fleets.web.target").status().message() ==
        "--grid fleets.web.target: expected PATH=V1,V2,..., e.g. --grid fleets.web.target=20,40,60");
  CHECK(parse_grid_arg("=1,2").status().code() == StatusCode::kInvalidInput);
  CHECK(parse_grid_arg("a.b=1,,2").status().message() ==
        "--grid a.b=1,,2: empty value; separate values with single commas, e.g. a.b=1,2,3");
}

TEST_CASE("grid points are the cartesian product with the last --grid varying fastest", "[sweep]") {
  const auto pts = grid_points(axes());
  REQUIRE(pts.size() == 6);
  CHECK(pts[0] == Overrides{{"fleets.web.target", "5"}, {"pools.a.interruption.rate", "0.1/h"}});
  CHECK(pts[1] == Overrides{{"fleets.web.target", "5"}, {"pools.a.interruption.rate", "0.3/h"}});
  CHECK(pts[3] == Overrides{{"fleets.web.target", "10"}, {"pools.a.interruption.rate", "0.1/h"}});
  const SweepPlan p = plan();
  CHECK(p.items == 18);
  CHECK(p.item(0) == std::make_pair<int64_t, int64_t>(0, 0));
  CHECK(p.item(4) == std::make_pair<int64_t, int64_t>(1, 1));
  CHECK(p.item(17) == std::make_pair<int64_t, int64_t>(5, 2));
  CHECK(p.scenarios[4].fleets[0].target == 10);
}

TEST_CASE("a bad grid value is reported with its point before anything runs", "[sweep]") {
  const std::string file = scenario_file();
  auto p = plan_sweep(file, {}, {*parse_grid_arg("fleets.web.target=5,many")}, {});
  REQUIRE_FALSE(p);
  CHECK(p.status().code() == StatusCode::kInvalidInput);
  CHECK(p.status().message().rfind("grid point 1 (fleets.web.target=many): ", 0) == 0);
  CHECK(p.status().message().find("fleets.web.target: expected a whole number, found \"many\"") != std::string::npos);
  auto dup = plan_sweep(file, {}, {*parse_grid_arg("seed=1,2"), *parse_grid_arg("seed=3")}, {});
  CHECK(dup.status().message() == "--grid seed: given twice; list every value in one --grid");
  CHECK(plan_sweep(file, {}, {}, {}).status().message() ==
        "spotsim sweep: error: give at least one --grid PATH=V1,V2,...");
}

TEST_CASE("sweep results do not depend on the thread count", "[sweep]") {
  SweepOptions one, three;
  one.threads = 1;
  three.threads = 3;
  const SweepPlan p = plan();
  const SweepResult a = run_sweep(p, one), b = run_sweep(p, three);
  REQUIRE(a.points_completed == 6);
  REQUIRE(b.points_completed == 6);
  CHECK(a.events == b.events);
  for (size_t i = 0; i < 6; ++i) {
    CHECK(a.points[i].per_replication == b.points[i].per_replication);
    for (size_t m = 0; m < p.metrics.size(); ++m) CHECK(a.points[i].stats[m].mean == b.points[i].stats[m].mean);
  }
}

TEST_CASE("each sweep point equals a single run with the same --set overrides", "[sweep]") {
  const SweepPlan p = plan();
  const SweepResult r = run_sweep(p, {});
  for (size_t i : {size_t{0}, size_t{5}}) {
    auto sc = load_scenario(scenario_file(), LoadOptions{p.points[i]});
    REQUIRE(sc);
    RunOptions opt;
    auto single = run_scenario(*sc, opt);
    REQUIRE(single);
    CHECK(single->per_replication == r.points[i].per_replication);
    CHECK(single->events == r.points[i].events);
  }
}

TEST_CASE("the Pareto front keeps the non-dominated points, minimising unless max: is given", "[sweep]") {
  std::vector<MetricDef> defs{{{}, "cost", MetricUnit::kDollars, ""}, {{}, "avail", MetricUnit::kPercent, ""}};
  SweepResult r;
  const double pts[][2] = {{10, 90}, {12, 99}, {11, 95}, {13, 98}, {10, 91}, {20, 99}};
  for (const auto& pt : pts) {
    SweepPointResult pr;
    pr.replications = pr.completed = 1;
    pr.stats.resize(2);
    pr.stats[0].mean = pt[0];
    pr.stats[1].mean = pt[1];
    r.points.push_back(pr);
  }
  SweepPointResult incomplete;
  incomplete.replications = 2;
  incomplete.completed = 1;
  r.points.push_back(incomplete);

  auto spec = parse_pareto("cost,max:avail", defs);
  REQUIRE(spec);
  CHECK(spec->maximize_b);
  CHECK_FALSE(spec->maximize_a);
  auto front = pareto_front(r, *spec);
  REQUIRE(front.size() == 3);  // (10,91) (11,95) (12,99); (10,90) is dominated by (10,91)
  CHECK(front[0].point == 4);
  CHECK(front[1].point == 2);
  CHECK(front[2].point == 1);

  auto both_min = pareto_front(r, *parse_pareto("cost,avail", defs));
  REQUIRE(both_min.size() == 1);
  CHECK(both_min[0].point == 0);

  CHECK(parse_pareto("cost", defs).status().message() ==
        "--pareto cost: expected two metrics METRIC_A,METRIC_B (prefix max: to maximise one), e.g. --pareto "
        "cost.total,fleet.web.time_to_reschedule_p95");
  CHECK(parse_pareto("cost,avial", defs).status().message() ==
        "--pareto: unknown metric \"avial\"; did you mean \"avail\"? (metric names: docs/metrics.md, or the keys of "
        "--json)");
}

TEST_CASE("a Pareto metric may name a statistic (METRIC.STAT, as in expect:) and that statistic is compared",
          "[sweep]") {
  std::vector<MetricDef> defs{{{}, "cost", MetricUnit::kDollars, ""},
                              {{}, "avail", MetricUnit::kPercent, ""},
                              {{}, "odd.max", MetricUnit::kCount, ""}};
  SweepResult r;
  // By mean point 0 dominates point 1; by p95 of cost point 1 is cheaper, so both are on the front.
  const double pts[][3] = {{10, 20, 99}, {11, 12, 99}};
  for (const auto& pt : pts) {
    SweepPointResult pr;
    pr.replications = pr.completed = 1;
    pr.stats.resize(3);
    pr.stats[0].mean = pt[0];
    pr.stats[0].p95 = pt[1];
    pr.stats[1].mean = pr.stats[1].min = pt[2];
    r.points.push_back(pr);
  }
  auto mean = parse_pareto("cost.mean,max:avail", defs);
  REQUIRE(mean);
  CHECK(mean->metric_a == "cost");
  CHECK(mean->stat_a == ExpectStat::kMean);
  CHECK(pareto_front(r, *mean).size() == 1);
  auto p95 = parse_pareto("min:cost.p95,max:avail.min", defs);
  REQUIRE(p95);
  CHECK(p95->metric_a == "cost");
  CHECK(p95->stat_a == ExpectStat::kP95);
  CHECK(p95->metric_b == "avail");
  CHECK(p95->stat_b == ExpectStat::kMin);
  CHECK(p95->maximize_b);
  const auto front = pareto_front(r, *p95);
  REQUIRE(front.size() == 1);
  CHECK(front[0].point == 1);
  CHECK(front[0].a == 12);
  // A metric whose own name ends in a statistic's name is that metric, not its max.
  auto own = parse_pareto("odd.max,cost", defs);
  REQUIRE(own);
  CHECK(own->metric_a == "odd.max");
  CHECK(own->stat_a == ExpectStat::kMean);
  CHECK(parse_pareto("cost.p90,avail", defs).status().message() ==
        "--pareto: unknown metric \"cost.p90\"; did you mean \"cost\"? (metric names: docs/metrics.md, or the keys of "
        "--json)");
}

TEST_CASE("a sweep file holds the grid, the points × metrics table, per-point summaries and the front", "[sweep]") {
  const SweepPlan p = plan();
  const SweepResult r = run_sweep(p, {});
  auto spec = parse_pareto("cost.total,max:fleet.web.availability_pct", p.metrics);
  REQUIRE(spec);
  const auto front = pareto_front(r, *spec);
  const std::string path = std::string(SPOTSIM_BINARY_DIR) + "/sweep_test.h5";
  REQUIRE(write_sweep_file(path, p, r, &*spec, &front, "spotsim sweep ...").is_ok());
  auto f = open_run_file(path);
  REQUIRE(f);
  CHECK(f->kind == "sweep");
  CHECK(*read_string_table(*f, "/sweep/parameters") ==
        std::vector<std::string>{"fleets.web.target", "pools.a.interruption.rate"});
  const auto points = *read_string_table(*f, "/sweep/points");
  REQUIRE(points.size() == 12);
  CHECK(points[2 * 4] == "10");
  CHECK(points[2 * 4 + 1] == "0.3/h");
  auto table = read_doubles(*f, "/sweep/table");
  REQUIRE(table);
  REQUIRE(table->dims == std::vector<uint64_t>{6, p.metrics.size(), 8});
  for (size_t i = 0; i < 6; ++i) {
    for (size_t m = 0; m < p.metrics.size(); ++m) {
      const size_t base = (i * p.metrics.size() + m) * 8;
      CHECK(table->values[base + 0] == r.points[i].stats[m].mean);
      CHECK(table->values[base + 4] == r.points[i].stats[m].p95);
      CHECK(table->values[base + 7] == 3.0);
    }
  }
  CHECK(*read_ints(*f, "/sweep/completed") == std::vector<int64_t>(6, 3));
  CHECK(*read_int_attribute(*f, "/meta", "grid_points") == 6);
  auto per = read_doubles(*f, "/runs/4/summary/per_replication");
  REQUIRE(per);
  CHECK(per->dims == std::vector<uint64_t>{3, p.metrics.size()});
  CHECK(per->at(2, 0) == r.points[4].per_replication[2][0]);
  CHECK(*read_string_table(*f, "/runs/4/overrides") ==
        std::vector<std::string>{"fleets.web.target=10", "pools.a.interruption.rate=0.3/h"});
  auto pareto = read_pareto(*f);
  REQUIRE(pareto);
  REQUIRE(pareto->size() == front.size());
  CHECK((*pareto)[0].point == front[0].point);
  CHECK(*read_string_attribute(*f, "/sweep/pareto", "goal_b") == "max");
  std::remove(path.c_str());
}

TEST_CASE("an interrupted sweep keeps only complete points and marks the rest", "[sweep]") {
  const SweepPlan p = plan();
  std::atomic<bool> cancel{true};
  SweepOptions opt;
  opt.cancel = &cancel;
  const SweepResult r = run_sweep(p, opt);
  CHECK(r.cancelled);
  CHECK(r.points_completed == 0);
  const std::string path = std::string(SPOTSIM_BINARY_DIR) + "/sweep_cancel.h5";
  REQUIRE(write_sweep_file(path, p, r, nullptr, nullptr, "").is_ok());
  auto f = open_run_file(path);
  REQUIRE(f);
  CHECK(*read_int_attribute(*f, "/meta", "cancelled") == 1);
  CHECK(std::isnan(read_doubles(*f, "/sweep/table")->values[0]));
  CHECK(read_pareto(*f)->empty());
  std::remove(path.c_str());
}

// viz/data and viz/plot/ticks: view models built without a window.
#include <catch2/catch.hpp>

#include <algorithm>

#include <cmath>
#include <string>

#include "sim/model/fleet_types.h"
#include "sim/model/world.h"
#include "sim/scenario/chaos_spec.h"
#include "sim/scenario/scenario.h"
#include "viz/data/compare_view.h"
#include "viz/data/cost_view.h"
#include "viz/data/events_view.h"
#include "viz/data/fleet_view.h"
#include "viz/data/gantt_view.h"
#include "viz/data/memory_recorder.h"
#include "viz/data/open_input.h"
#include "viz/data/sweep_view.h"
#include "viz/data/topology_view.h"
#include "viz/plot/colors.h"
#include "viz/plot/label_layout.h"
#include "viz/plot/ticks.h"

using namespace spotsim;
using namespace spotsim::viz;

namespace {

const std::string kSmall = std::string(SPOTSIM_SOURCE_DIR) + "/tests/viz/data/viz-small.yaml";

// Two pools, one fleet; VM lifetimes written by hand.
RunModel hand_model() {
  RunModel m;
  m.duration_s = 100;
  m.pools = {PoolInfo{"a", "aws", "r1", "z1", "t", 1.0, 4.0}, PoolInfo{"b", "aws", "r1", "z2", "t", 2.0, 4.0}};
  m.fleets = {FleetInfo{"web", 3, {0, 1}}};
  auto vm = [](uint32_t s, uint16_t pool, viz::Purchase pu, double run, double end, bool evicted) {
    VmLifetime v;
    v.serial = s;
    v.pool = pool;
    v.fleet = 0;
    v.purchase = pu;
    v.launch = run;
    v.running = run;
    v.end = end;
    v.evicted = evicted;
    return v;
  };
  m.vms = {vm(0, 0, viz::Purchase::kSpot, 0, 50, true), vm(1, 0, viz::Purchase::kSpot, 0, 100, false),
           vm(2, 1, viz::Purchase::kSpot, 0, 100, false), vm(3, 1, viz::Purchase::kOnDemand, 50, 100, false)};
  m.events.push(50, kEvNotice, 0, 0, 0, 120);
  m.events.push(50, kEvEviction, 0, 0, 0, 0);
  m.events.push(60, kEvCapacityError, kNoIndex32, 1, 0, 0);
  m.events.push(70, kEvEviction, 2, 1, 0, 0);
  return m;
}

}  // namespace

TEST_CASE("nice ticks are multiples of 1, 2 or 5 covering the range", "[viz][ticks]") {
  const Ticks t = nice_ticks(0, 10, 5);
  REQUIRE(t.step == 2);
  REQUIRE(t.values == std::vector<double>{0, 2, 4, 6, 8, 10});
  REQUIRE(nice_ticks(0.13, 0.58, 4).step == Approx(0.1));
  REQUIRE(nice_ticks(5, 5, 4).values.empty());
  REQUIRE(nice_ticks(0, NAN, 4).values.empty());
}

TEST_CASE("time ticks use clock steps and readable labels", "[viz][ticks]") {
  const Ticks t = time_ticks(0, 7 * 86400, 7);
  REQUIRE(t.step == 86400);
  REQUIRE(format_tick(2 * 86400, t.step, AxisFormat::kTime) == "2d");
  const Ticks h = time_ticks(0, 2 * 86400, 4);
  REQUIRE(h.step == 43200);
  REQUIRE(format_tick(86400 + 43200, h.step, AxisFormat::kTime) == "1d 12:00");
  REQUIRE(format_tick(3600, 900, AxisFormat::kTime) == "01:00");
  REQUIRE(format_value(2 * 86400 + 3 * 3600 + 15 * 60 + 7, AxisFormat::kTime) == "2d+03:15:07");
  REQUIRE(format_tick(1200, 200, AxisFormat::kDollars) == "$1200");
  REQUIRE(format_value(12.5, AxisFormat::kPercent) == "12.50%");
  REQUIRE(format_tick(25000, 5000, AxisFormat::kNumber) == "25.0k");
}

TEST_CASE("fleet stack from VM lifetimes", "[viz][data]") {
  const RunModel m = hand_model();
  const FleetStack st = build_fleet_stack(m);
  REQUIRE_FALSE(st.from_series);
  REQUIRE(st.layers.size() == 3);  // a spot, b spot, b on-demand (a on-demand is empty)
  REQUIRE(st.layers[0].label == "a spot");
  REQUIRE(st.layers[2].label == "b on-demand");
  REQUIRE(st.t == std::vector<double>{0, 50, 100});
  REQUIRE(st.value[0] == std::vector<double>{2, 1, 0});
  REQUIRE(st.top.back()[0] == 3);
  REQUIRE(st.top.back()[1] == 3);
  REQUIRE(st.max_total == 3);
  REQUIRE(st.target_total == 3);
  // VM 3 is on-demand by design (its launch was not a fallback): no fallback band.
  REQUIRE(st.fallback_intervals.empty());
  REQUIRE(st.index_at(49.9) == 0);
  REQUIRE(st.index_at(50) == 1);
}

TEST_CASE("fleet stack prefers recorded series, resampled on one time axis", "[viz][data]") {
  RunModel m = hand_model();
  m.series.push_back(Series{"pool/a", "running_spot", {0, 10, 20}, {5, 6, 7}});
  m.series.push_back(Series{"pool/b", "running_spot", {0, 15}, {1, 2}});
  const FleetStack st = build_fleet_stack(m);
  REQUIRE(st.from_series);
  REQUIRE(st.t == std::vector<double>{0, 10, 15, 20});
  REQUIRE(st.value[0] == std::vector<double>{5, 6, 6, 7});
  REQUIRE(st.value[1] == std::vector<double>{1, 1, 2, 2});
  REQUIRE(st.top[1] == std::vector<double>{6, 7, 8, 9});
}

TEST_CASE("cost curves integrate prices and the all-on-demand counterfactual", "[viz][data]") {
  const RunModel m = hand_model();
  const FleetStack st = build_fleet_stack(m);
  const CostCurves c = build_cost_curves(m, st);
  // 0–50 s: 2 a-spot ($1/h) + 1 b-spot ($2/h) = $4/h; 50–100 s: 1 a + 1 b + 1 b on-demand ($4/h) = $7/h.
  REQUIRE(c.final_actual == Approx((4.0 * 50 + 7.0 * 50) / 3600));
  // Counterfactual: 3 VMs × $4/h × 100 s.
  REQUIRE(c.final_all_on_demand == Approx(3 * 4.0 * 100 / 3600));
  REQUIRE(c.savings_pct == Approx(100 * (1 - 550.0 / 1200.0)));
  REQUIRE_FALSE(c.has_summary);
}

TEST_CASE("event filters by kind, pool, fleet and time", "[viz][data]") {
  const RunModel m = hand_model();
  std::vector<uint32_t> rows;
  filter_events(m.events, EventFilter{}, rows);
  REQUIRE(rows.size() == 4);
  EventFilter f;
  f.kind_mask = 1u << kEvEviction;
  filter_events(m.events, f, rows);
  REQUIRE(rows == std::vector<uint32_t>{1, 3});
  f.pool = 1;
  filter_events(m.events, f, rows);
  REQUIRE(rows == std::vector<uint32_t>{3});
  EventFilter t;
  t.t0 = 55;
  t.t1 = 65;
  filter_events(m.events, t, rows);
  REQUIRE(rows == std::vector<uint32_t>{2});
  REQUIRE(first_event_at_or_after(m.events, 50) == 0);
  REQUIRE(first_event_at_or_after(m.events, 61) == 3);
  REQUIRE(count_by_kind(m.events)[kEvEviction] == 2);
  REQUIRE(event_kind_name(kEvCapacityError) == "capacity_error");
  REQUIRE(event_kind_name(17) == "kind 17");
}

TEST_CASE("topology groups pools by region and zone with eviction heat", "[viz][data]") {
  const RunModel m = hand_model();
  const viz::Topology t = build_topology(m);  // (spotsim::Topology is the capacity graph)
  REQUIRE(t.from_events);
  REQUIRE(t.regions.size() == 1);
  REQUIRE(t.regions[0].zones.size() == 2);
  REQUIRE(t.regions[0].evictions == 2);
  REQUIRE(t.regions[0].zones[0].pools[0].heat == 1.0);
  REQUIRE(t.regions[0].zones[0].pools[0].notices == 1);
  REQUIRE(t.max_pool_evictions == 1);
}

TEST_CASE("compare lists every metric of both runs with deltas", "[viz][data]") {
  RunModel a, b;
  a.metrics = {MetricSummary{"cost.total", "$", 100}, MetricSummary{"only.a", "count", 1}};
  b.metrics = {MetricSummary{"cost.total", "$", 80}, MetricSummary{"only.b", "count", 2}};
  const auto d = compare_metrics(a, b);
  REQUIRE(d.size() == 3);
  REQUIRE(d[0].name == "cost.total");
  REQUIRE(d[0].delta == -20);
  REQUIRE(d[0].pct == Approx(-20));
  REQUIRE((d[1].in_a && !d[1].in_b));
  REQUIRE((d[2].name == "only.b" && !d[2].in_a && d[2].in_b));
}

TEST_CASE("sweep heatmap orders numeric grid values and averages shared cells", "[viz][data]") {
  SweepTable sw;
  sw.params = {"fleets.web.target", "pools.a.interruption.rate"};
  sw.metrics = {"cost.total"};
  sw.values = {{"40", "0.1/h"}, {"20", "0.1/h"}, {"40", "0.02/h"}, {"20", "0.02/h"}, {"20", "0.02/h"}};
  sw.means = {{4}, {2}, {3}, {1}, {2}};
  const Heatmap h = build_heatmap(sw, 0, 1, 0);
  REQUIRE(h.x_labels == std::vector<std::string>{"20", "40"});
  REQUIRE(h.y_labels == std::vector<std::string>{"0.02/h", "0.1/h"});
  REQUIRE(h.values[0] == 1.5);  // (20, 0.02/h): mean of 1 and 2
  REQUIRE(h.values[1] == 3);
  REQUIRE(h.values[2] == 2);
  REQUIRE(h.values[3] == 4);
  REQUIRE(h.vmin == 1.5);
  REQUIRE(h.vmax == 4);
}

TEST_CASE("Pareto front keeps non-dominated points when minimising both", "[viz][data]") {
  const std::vector<double> cost = {5, 3, 4, 1, 2, NAN};
  const std::vector<double> wait = {1, 4, 2, 9, 3, 0};
  REQUIRE(pareto_front(cost, wait) == std::vector<size_t>{3, 4, 2, 0});
}

TEST_CASE("Gantt packs VMs into lanes and LOD merges sub-pixel bars", "[viz][data]") {
  const RunModel m = hand_model();
  const Gantt g = build_gantt(m);
  REQUIRE(g.lanes() == 3);  // VM 3 reuses VM 0's lane after its eviction at 50 s
  std::vector<GanttBar> bars;
  for (int i = 0; i < 100000; ++i) bars.push_back({i * 1.0, i + 0.5, BarKind::kJob, false, static_cast<uint32_t>(i)});
  size_t visited = 0;
  visit_lod(bars, 0, 100000, 100.0, [&](const GanttBar&) { ++visited; });
  REQUIRE(visited <= 1001);  // ~one per 100 units, whatever the bar count
  visited = 0;
  visit_lod(bars, 10, 20, 0.1, [&](const GanttBar& b) {
    REQUIRE(b.end - b.start == 0.5);  // wide enough: drawn exactly
    ++visited;
  });
  REQUIRE(visited == 11);
  // A long bar after short ones keeps its identity.
  std::vector<GanttBar> mixed = {
      {0, 1, BarKind::kNoticed, true, 0}, {1, 2, BarKind::kBooting, false, 1}, {2, 1000, BarKind::kRunning, false, 1}};
  std::vector<GanttBar> out;
  visit_lod(mixed, 0, 1000, 10, [&](const GanttBar& b) { out.push_back(b); });
  REQUIRE(out.size() == 2);
  REQUIRE(out[0].end == 2);
  REQUIRE(out[1].kind == BarKind::kRunning);
}

TEST_CASE("a scenario runs into a model with events, lifetimes and metrics", "[viz][data]") {
  Result<CompiledScenario> sc = load_scenario(kSmall);
  REQUIRE(sc.is_ok());
  ModelRunOptions o;
  o.threads = 2;
  Result<RunModel> r = run_to_model(*sc, o);
  REQUIRE(r.is_ok());
  const RunModel& m = *r;
  REQUIRE(m.scenario_name == "viz-small");
  REQUIRE(m.pools.size() == 3);
  REQUIRE(m.pools[2].provider == "gcp");
  REQUIRE(m.replications == 2);
  REQUIRE(m.events.size() > 100);
  REQUIRE(m.find_metric_named("cost.savings_pct") != nullptr);
  // Evictions recorded for replication 0 match the pools' series and lifetimes.
  uint64_t evictions = 0;
  for (uint8_t k : m.events.kind) evictions += k == kEvEviction;
  uint64_t evicted_vms = 0;
  for (const VmLifetime& v : m.vms) evicted_vms += v.evicted;
  REQUIRE(evictions == evicted_vms);
  const FleetStack st = build_fleet_stack(m);
  REQUIRE(st.from_series);
  REQUIRE(st.layers.size() == 3);
  REQUIRE(st.max_total <= 40);
  REQUIRE(st.top.back().front() == 40);  // warm start: the whole target runs at t = 0
  // The same scenario run again gives the same events (determinism through sim/run).
  Result<RunModel> again = run_to_model(*sc, ModelRunOptions{});
  REQUIRE(again.is_ok());
  REQUIRE(again->events.t == m.events.t);
  REQUIRE(again->events.kind == m.events.kind);
}

TEST_CASE("a replication beyond the scenario's count is refused", "[viz][data]") {
  Result<CompiledScenario> sc = load_scenario(kSmall);
  REQUIRE(sc.is_ok());
  ModelRunOptions o;
  o.shown_replication = 5;
  Result<RunModel> r = run_to_model(*sc, o);
  REQUIRE_FALSE(r.is_ok());
  REQUIRE(r.status().message() == "replication 5 does not exist (the scenario has 2)");
}

TEST_CASE("open_input names the file and what is wrong", "[viz][data]") {
  Result<RunModel> missing = open_input("/nonexistent/run.h5");
  REQUIRE_FALSE(missing.is_ok());
  REQUIRE(missing.status().code() == StatusCode::kIo);
  REQUIRE(missing.status().message() == "/nonexistent/run.h5: cannot open: No such file or directory");
  const std::string txt = std::string(SPOTSIM_SOURCE_DIR) + "/tests/viz/data/not-a-run.txt";
  Result<RunModel> unknown = open_input(txt);
  REQUIRE(unknown.status().code() == StatusCode::kInvalidInput);
  REQUIRE(unknown.status().message() ==
          txt +
              ": not a spotsim run file or scenario (expected an HDF5 file written by `spotsim run --out "
              "FILE.h5`, or a scenario .yaml)");
  REQUIRE(classify_input("x.H5") == InputKind::kRunFile);
  REQUIRE(classify_input("x.yml") == InputKind::kScenario);
}

TEST_CASE("chaos intervals of a scenario run shade the timeline", "[viz][data]") {
  LoadOptions lo;
  lo.overrides = {{"replications", "1"}};
  Result<CompiledScenario> sc = load_scenario(std::string(SPOTSIM_SOURCE_DIR) + "/scenarios/checkpoint-lag.yaml", lo);
  REQUIRE(sc.is_ok());
  Result<RunModel> r = run_to_model(*sc, ModelRunOptions{});
  REQUIRE(r.is_ok());
  REQUIRE(r->intervals.size() == 2);
  bool storm = false;
  for (const Interval& i : r->intervals) {
    if (i.label == "storm") {
      storm = true;
      REQUIRE(i.kind == "storm");
      REQUIRE(i.start == 86400.0);  // at: 1d
      REQUIRE(i.end > i.start);
    }
  }
  REQUIRE(storm);
  REQUIRE(r->find_metric_named("workload.jobs.checkpoint_misses") != nullptr);
}

TEST_CASE("jobs with a recorded VM are drawn on that VM's lane from their last start", "[viz][data]") {
  RunModel m = hand_model();
  REQUIRE(m.vms.size() >= 2);
  const Gantt base = build_gantt(m);
  JobRecord done;  // restarted after an eviction, finished on VM 1
  done.id = 1;
  done.vm = m.vms[1].serial;
  done.submit = 0;
  done.start = 0;
  done.last_start = m.vms[1].running;
  done.finish = m.vms[1].running + 5;
  done.evictions = 1;
  JobRecord cut;  // evicted with VM 0 and never finished: the bar stops at the VM's end
  cut.id = 2;
  cut.evictions = 1;
  cut.vm = m.vms[0].serial;
  cut.submit = 0;
  cut.start = m.vms[0].running;
  cut.last_start = m.vms[0].running;
  m.jobs = {done, cut};
  const Gantt g = build_gantt(m);
  REQUIRE(g.lanes() == base.lanes());  // no job lanes of their own
  size_t found = 0;
  for (size_t lane = 0; lane < g.lanes(); ++lane) {
    for (const GanttBar& b : g.job_bars[lane]) {
      const VmLifetime& v = m.vms[b.ref == 1 ? 1 : 0];
      // The job bar lies on the lane holding its VM's bars, inside the VM's lifetime.
      bool vm_here = false;
      for (const GanttBar& vb : g.vm_bars[lane]) vm_here = vm_here || vb.ref == v.serial;
      CHECK(vm_here);
      CHECK(b.start == v.running);
      CHECK(b.end == (b.ref == 1 ? v.running + 5 : v.end));
      CHECK(b.evicted);
      ++found;
    }
  }
  CHECK(found == 2);
}

TEST_CASE("job runs put a cut-short run and each gang VM on their own lanes", "[viz][data]") {
  RunModel m = hand_model();  // VM 0 runs 0..50 and is evicted; VM 1 runs 0..100
  JobRecord job;              // lost its first run with VM 0, then finished on VM 1 (gang of 1)
  job.id = 4;
  job.workload = 0;
  job.vm = m.vms[1].serial;
  job.start = 10;
  job.last_start = 60;
  job.finish = 90;
  job.evictions = 1;
  m.jobs = {job};
  JobRun cut{4, 0, m.vms[0].serial, 10, 50, true};
  JobRun done{4, 0, m.vms[1].serial, 60, 90, false};
  JobRun gang{4, 0, m.vms[0].serial, 20, 70, false};  // clipped to VM 0's end (50)
  m.job_runs = {cut, done};
  const Gantt g = build_gantt(m);
  std::vector<GanttBar> all;
  for (size_t lane = 0; lane < g.lanes(); ++lane) {
    for (const GanttBar& b : g.job_bars[lane]) {
      bool on_its_vm = false;  // on the lane holding the run's VM
      for (const GanttBar& vb : g.vm_bars[lane]) on_its_vm = on_its_vm || vb.ref == (b.start == 10 ? 0u : 1u);
      CHECK(on_its_vm);
      all.push_back(b);
    }
  }
  REQUIRE(all.size() == 2);  // the job record itself is not drawn again
  std::sort(all.begin(), all.end(), [](const GanttBar& a, const GanttBar& b) { return a.start < b.start; });
  CHECK(all[0].kind == BarKind::kLostWork);
  CHECK(all[0].end == 50);
  CHECK(all[1].kind == BarKind::kJob);
  CHECK(all[1].start == 60);
  CHECK(all[1].end == 90);
  m.job_runs = {gang};
  const Gantt clipped = build_gantt(m);
  size_t n = 0;
  for (const auto& lane : clipped.job_bars) {
    for (const GanttBar& b : lane) {
      CHECK(b.end == 50);
      ++n;
    }
  }
  CHECK(n == 1);
}

TEST_CASE("jobs without a recorded VM get lanes of their own", "[viz][data]") {
  RunModel m = hand_model();
  auto job = [](uint32_t id, double start, double finish, uint32_t ev) {
    JobRecord j;
    j.id = id;
    j.submit = start;
    j.start = start;
    j.finish = finish;
    j.evictions = ev;
    return j;
  };
  m.jobs = {job(0, 0, 40, 0), job(1, 10, 30, 1), job(2, 45, 90, 0)};
  const Gantt g = build_gantt(m);
  REQUIRE(g.first_job_lane == 3);
  REQUIRE(g.lanes() == 5);  // job 2 reuses the lane that frees first (job 1's, at 30 s)
  REQUIRE(g.job_bars[3].size() == 1);
  REQUIRE(g.job_bars[4].size() == 2);
  REQUIRE(g.job_bars[4][0].evicted);
  REQUIRE(g.vm_bars[4].empty());
}

// ---- issue 16: what spotviz shows is what happened ---------------------------------------------

namespace {

const std::string kK8s = std::string(SPOTSIM_SOURCE_DIR) + "/tests/viz/data/viz-k8s.yaml";

RunModel k8s_model() {
  Result<CompiledScenario> sc = load_scenario(kK8s);
  REQUIRE(sc.is_ok());
  Result<RunModel> r = run_to_model(*sc, ModelRunOptions{});
  REQUIRE(r.is_ok());
  return std::move(*r);
}

}  // namespace

TEST_CASE("the target line is the target the fleets had at each moment, from the recorded series", "[viz][data]") {
  RunModel m = hand_model();  // fleet web, scenario target 3
  m.series.push_back(Series{"pool/a", "running_spot", {0, 10, 20, 30}, {3, 3, 2, 0}});
  // An autoscaler took the target from 3 to 2, then scaled to zero.
  m.series.push_back(Series{"fleet/web", "target", {0, 10, 20, 30}, {3, 3, 2, 0}});
  const FleetStack st = build_fleet_stack(m);
  REQUIRE(st.target == std::vector<double>{3, 3, 2, 0});
  CHECK(st.target_at(25) == 2);
  CHECK(st.target_at(35) == 0);
  CHECK(st.target_max == 3);
  // Cost: the all-on-demand counterfactual integrates that target (cheapest on-demand $4/h).
  const CostCurves c = build_cost_curves(m, st);
  CHECK(c.final_all_on_demand == Approx((3 * 20 + 2 * 10) * 4.0 / 3600.0));
  // A file without target series: the scenario's target, flat, and said so.
  RunModel old = hand_model();
  const FleetStack so = build_fleet_stack(old);
  CHECK(so.target.empty());
  CHECK(so.target_at(70) == 3);
}

TEST_CASE("a scenario run records each fleet's target over time: the k8s autoscaler's scale-down shows",
          "[viz][data]") {
  const RunModel m = k8s_model();
  const Series* nodes = m.find_series("fleet/nodes", "target");
  REQUIRE(nodes != nullptr);
  // The spot node pool starts at 10 and the cluster autoscaler removes empty nodes down to min 6.
  CHECK(nodes->v.front() == 10);
  CHECK(*std::min_element(nodes->v.begin(), nodes->v.end()) == 6);
  const FleetStack st = build_fleet_stack(m);
  REQUIRE(st.target.size() == st.t.size());
  CHECK(st.target.front() == 16);  // system 2 + nodes 10 + batch 4
  CHECK(st.target.back() < 16);    // the line follows the autoscaler, not the scenario's 16
  size_t below = 0;
  for (double v : st.target) below += v < st.target_total;
  CHECK(below > st.target.size() / 2);
}

TEST_CASE("the fallback band covers fallback VMs only, not an on-demand base", "[viz][data]") {
  RunModel m = hand_model();                               // VM 3: on-demand in pool b from 50 to 100
  CHECK(build_fleet_stack(m).fallback_intervals.empty());  // on-demand by design
  m.vms[3].fallback = true;                                // ... launched because spot could not be had
  const FleetStack st = build_fleet_stack(m);
  REQUIRE(st.fallback_intervals.size() == 1);
  CHECK(st.fallback_intervals[0] == std::make_pair(50.0, 100.0));
  // From recorded series (every pool's running_fallback): only where it is positive.
  RunModel s = hand_model();
  s.series.push_back(Series{"pool/a", "running_on_demand", {0, 10, 20}, {2, 3, 2}});
  s.series.push_back(Series{"pool/a", "running_fallback", {0, 10, 20}, {0, 1, 0}});
  s.series.push_back(Series{"pool/b", "running_fallback", {0, 10, 20}, {0, 0, 0}});
  const FleetStack ss = build_fleet_stack(s);
  REQUIRE(ss.fallback_intervals.size() == 1);
  CHECK(ss.fallback_intervals[0] == std::make_pair(10.0, 20.0));

  // The scenario: 2 on-demand system nodes all day (base), batch falls back during the 10:00 cliff.
  const RunModel k = k8s_model();
  const FleetStack kt = build_fleet_stack(k);
  REQUIRE_FALSE(kt.fallback_intervals.empty());
  for (const auto& [a, b] : kt.fallback_intervals) {
    CHECK(a >= 10 * 3600.0);
    CHECK(b <= 16 * 3600.0);  // the cliff ends at 13:00; fallback VMs return to spot after 15 min
  }
  bool base = false, fallback = false;
  for (const VmLifetime& v : k.vms) {
    if (v.purchase != viz::Purchase::kOnDemand) continue;
    (v.fallback ? fallback : base) = true;
    if (v.fallback) CHECK(k.pools[v.pool].name == "batch-c");
    if (!v.fallback) CHECK(k.pools[v.pool].name == "od-a");
  }
  CHECK(base);
  CHECK(fallback);
}

TEST_CASE("chaos kinds have their own names and colours; labels never overlap", "[viz][data]") {
  for (int k = 0; k < kChaosKindCount; ++k) {
    const std::string name = chaos_kind_name(static_cast<ChaosKind>(k));
    CHECK(chaos_kind_label(name) != "chaos");
    for (int j = 0; j < k; ++j) CHECK(chaos_color(name) != chaos_color(chaos_kind_name(static_cast<ChaosKind>(j))));
    CHECK(chaos_color(name) != chaos_color("something new"));
  }
  CHECK(chaos_kind_label("cliff") == "capacity cliff");
  CHECK(chaos_kind_label("") == "chaos");
  // Two labels at the same x go on two lines; one that fits after another shares its line; a label
  // with no free line among max_rows is elided (-1).
  CHECK(stack_labels({10, 10}, {80, 60}, 3) == std::vector<int>{0, 1});
  CHECK(stack_labels({10, 200}, {80, 60}, 3) == std::vector<int>{0, 0});
  CHECK(stack_labels({10, 12, 14}, {80, 80, 80}, 2) == std::vector<int>{0, 1, -1});
  CHECK(stack_labels({95, 10}, {50, 80}, 3) == std::vector<int>{1, 0});  // placed in order of x
  // A scenario run names each interval by the kind the scenario gave it (a cliff without
  // "cliff" in its name is a cliff).
  const RunModel m = k8s_model();
  REQUIRE(m.intervals.size() == 3);
  for (const Interval& i : m.intervals) CHECK(i.kind == (i.label == "c-dry" ? "cliff" : "storm"));
}

TEST_CASE("every event kind and detail is shown by its name", "[viz][data]") {
  for (int k = 0; k < kMaxEventKinds; ++k) {
    const std::string sim = model_event_kind_name(static_cast<ModelEventKind>(k));
    if (sim == "?") {
      CHECK(event_kind_name(static_cast<uint8_t>(k)) == "kind " + std::to_string(k));
      continue;
    }
    CHECK(event_kind_name(static_cast<uint8_t>(k)) == sim);
  }
  CHECK(event_kind_name(kEvTerminate) == "terminate");
  for (int c = 0; c < kRejectCauseCount; ++c) {
    CHECK(reject_cause_label(c) == reject_cause_name(static_cast<RejectCause>(c)));
  }
  CHECK(event_detail_text(kEvLaunch, 0) == "spot");
  CHECK(event_detail_text(kEvLaunch, 1) == "on-demand");
  CHECK(event_detail_text(kEvLaunch, 2) == "on-demand fallback");
  CHECK(event_detail_text(kEvLaunch, 3) == "restart of a stopped VM");
  CHECK(event_detail_text(kEvCapacityError, 2) == "quota");
  CHECK(event_detail_text(kEvNotice, 120) == "notice 120 s");
  CHECK(event_detail_text(kEvEviction, 1) == "VM kept (stopped)");
  CHECK(event_detail_text(kEvEviction, 0).empty());
  CHECK(event_detail_text(kEvTerminate, 0).empty());
  // A kind newer than this build: the file's name for it.
  RunModel m;
  m.event_kinds = {"launch", "running",   "notice",      "eviction",  "capacity_error",
                   "end",    "terminate", "boot_failed", "rebalance", "hibernate"};
  CHECK(m.event_kind_label(9) == "hibernate");
  CHECK(m.event_kind_label(6) == "terminate");
  CHECK(m.event_kind_label(12) == "kind 12");
  // A scenario run has the names too.
  const RunModel k = k8s_model();
  CHECK(k.event_kind_label(kEvTerminate) == "terminate");
}

TEST_CASE("the sweeps panel starts on the stored --pareto pair, else on metrics that vary", "[viz][data]") {
  SweepTable sw;
  sw.params = {"p"};
  sw.metrics = {"fleet.web.capacity_errors", "cost.total", "fleet.web.availability_pct", "fleet.web.lost_vm_hours"};
  sw.values = {{"1"}, {"2"}, {"3"}};
  sw.means = {{0, 10, 99.0, 5}, {0, 20, 99.5, 3}, {0, 30, 99.9, 1}};
  SweepDefaults d = default_sweep_metrics(sw);  // no --pareto: skip the all-zero metric 0
  CHECK_FALSE(d.from_pareto);
  CHECK(d.heat_metric == 1);
  CHECK(d.metric_a == 1);
  CHECK(d.metric_b == 2);
  CHECK_FALSE(metric_varies(sw, 0));
  sw.pareto_a = "fleet.web.availability_pct";
  sw.maximize_a = true;
  sw.pareto_b = "cost.total";
  d = default_sweep_metrics(sw);
  CHECK(d.from_pareto);
  CHECK(d.heat_metric == 2);
  CHECK(d.metric_a == 2);
  CHECK(d.metric_b == 1);
  CHECK(d.maximize_a);
  // Maximising availability and minimising cost: every point is a trade-off here.
  CHECK(pareto_front({99.0, 99.5, 99.9}, {10, 20, 30}, true, false).size() == 3);
  CHECK(pareto_front({99.0, 99.5, 99.9}, {10, 20, 30}, false, false) == std::vector<size_t>{0});
  // A pair the table does not have: the fallback.
  sw.pareto_b = "no.such.metric";
  CHECK_FALSE(default_sweep_metrics(sw).from_pareto);
}

TEST_CASE("Kubernetes pods are runs on their node's lane, evicted and killed ones cut short", "[viz][data]") {
  const RunModel m = k8s_model();
  REQUIRE(m.workloads.size() == 2);
  CHECK(m.workloads[0].name == "web");
  CHECK(m.workloads[0].kind == "deployment");
  CHECK(m.is_deployment(0));
  size_t evicted = 0, killed = 0, unfinished = 0;
  for (const JobRun& r : m.job_runs) {
    CHECK(m.is_deployment(r.workload));
    CHECK(r.vm != kNoIndex32);
    evicted += r.outcome == RunOutcome::kEvicted;
    killed += r.outcome == RunOutcome::kKilled;
    unfinished += r.outcome == RunOutcome::kUnfinished;
    CHECK(r.lost == (r.outcome == RunOutcome::kEvicted || r.outcome == RunOutcome::kKilled));
  }
  // As the deployment's metrics count them.
  CHECK(evicted == static_cast<size_t>(m.find_metric_named("workload.web.evictions")->mean));
  CHECK(killed == static_cast<size_t>(m.find_metric_named("k8s.pods_hard_killed")->mean));
  CHECK(unfinished == 15);  // every pod of both deployments is somewhere when the run ends
  const Gantt g = build_gantt(m);
  CHECK(g.pod_runs == m.job_runs.size());
  CHECK(g.job_runs == 0);
  uint16_t most = 0;
  for (size_t lane = 0; lane < g.lanes(); ++lane) {
    most = std::max(most, g.job_slots[lane]);
    for (uint16_t s = 0; s < g.job_slots[lane]; ++s) {
      const auto [b, e] = slot_bars(g, lane, s);
      for (const GanttBar* x = b; x != e; ++x) {
        CHECK(x->slot == s);
        if (x + 1 != e) CHECK(x->end <= (x + 1)->start);  // a slot's runs do not overlap
      }
    }
  }
  CHECK(most >= 2);  // pods share nodes: concurrent runs get slots of their own
  // Each pod run lies on the lane of a VM (its node) and within that VM's lifetime.
  size_t on_its_node = 0;
  for (size_t lane = 0; lane < g.lanes(); ++lane) {
    for (const GanttBar& b : g.job_bars[lane]) {
      for (const GanttBar& vb : g.vm_bars[lane]) {
        const VmLifetime& v = m.vms[vb.ref];
        if (v.launch <= b.start && b.end <= v.end) {
          ++on_its_node;
          break;
        }
      }
    }
  }
  CHECK(on_its_node == g.pod_runs);
}

TEST_CASE("Gantt VM bars carry their pool (zone) and purchase type", "[viz][data]") {
  const RunModel m = k8s_model();
  const Gantt g = build_gantt(m);
  bool spot = false, base = false, fallback = false;
  for (const auto& lane : g.vm_bars) {
    for (const GanttBar& b : lane) {
      REQUIRE(b.ref < m.vms.size());
      const VmLifetime& v = m.vms[b.ref];
      CHECK(b.pool == v.pool);
      CHECK(b.purchase == v.purchase);
      CHECK(b.fallback == v.fallback);
      spot = spot || b.purchase == viz::Purchase::kSpot;
      base = base || (b.purchase == viz::Purchase::kOnDemand && !b.fallback);
      fallback = fallback || b.fallback;
    }
  }
  CHECK(spot);
  CHECK(base);
  CHECK(fallback);
}

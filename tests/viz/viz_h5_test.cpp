// viz/data/h5_loader: files written by the real `spotsim run --out` / `spotsim sweep --out` read
// back into the same view model an in-memory run gives.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "sim/scenario/scenario.h"
#include "viz/data/fleet_view.h"
#include "viz/data/gantt_view.h"
#include "viz/data/h5_loader.h"
#include "viz/data/memory_recorder.h"
#include "viz/data/open_input.h"
#include "viz/data/sweep_view.h"

using namespace spotsim;
using namespace spotsim::viz;

namespace {

const std::string kSmall = std::string(SPOTSIM_SOURCE_DIR) + "/tests/viz/data/viz-small.yaml";
// SPOTSIM_BIN overrides the simulator binary (e.g. to read files of another build).
const std::string kSpotsim =
    std::getenv("SPOTSIM_BIN") ? std::getenv("SPOTSIM_BIN") : std::string(SPOTSIM_BINARY_DIR) + "/spotsim";

std::string out_file(const std::string& name) { return std::string(SPOTSIM_BINARY_DIR) + "/viz_h5_" + name; }

void run(const std::string& cmd) {
  INFO(cmd);
  REQUIRE(std::system((cmd + " >/dev/null 2>&1").c_str()) == 0);
}

}  // namespace

TEST_CASE("a run file reads back like the in-memory run of the same scenario", "[viz][h5]") {
  const std::string path = out_file("full.h5");
  run(kSpotsim + " run " + kSmall + " --out " + path + " --record full -q --threads 2");
  Result<RunModel> f = load_run_file(path);
  REQUIRE(f.is_ok());
  Result<CompiledScenario> sc = load_scenario(kSmall);
  REQUIRE(sc.is_ok());
  Result<RunModel> m = run_to_model(*sc, ModelRunOptions{});
  REQUIRE(m.is_ok());
  CHECK(f->scenario_name == "viz-small");
  CHECK(f->seed == 7);
  CHECK(f->replications == 2);
  CHECK(f->duration_s == 2 * 86400.0);
  // Pool details come from the recorded scenario text.
  REQUIRE(f->pools.size() == 3);
  CHECK(f->pools[2].provider == "gcp");
  CHECK(f->pools[2].zone == "us-central1-a");
  CHECK(f->pools[0].spot_price == 0.030);
  CHECK(f->fleets[0].target == 40);
  // Replication 0's events are the same events.
  REQUIRE(f->events.size() == m->events.size());
  CHECK(f->events.t == m->events.t);
  CHECK(f->events.kind == m->events.kind);
  CHECK(f->events.vm == m->events.vm);
  CHECK(f->vms.size() == m->vms.size());
  // Same statistics.
  REQUIRE(f->metrics.size() == m->metrics.size());
  for (size_t i = 0; i < f->metrics.size(); ++i) {
    CHECK(f->metrics[i].name == m->metrics[i].name);
    CHECK(f->metrics[i].mean == Approx(m->metrics[i].mean));
  }
  // The fleet timeline from the file: spot layers from the pools' series.
  const FleetStack st = build_fleet_stack(*f);
  CHECK(st.from_series);
  CHECK(st.layers.size() == 3);
  CHECK(st.max_total <= 44);
  // Another replication, and one that is not there.
  Result<RunModel> r1 = load_run_file(path, 1);
  REQUIRE(r1.is_ok());
  CHECK(r1->events.size() > 0);
  CHECK(r1->events.t != f->events.t);
  Result<RunModel> r9 = load_run_file(path, 9);
  REQUIRE_FALSE(r9.is_ok());
  CHECK(r9.status().message() == path + ": error: replication 9 is not in the file (it has 2)");
}

TEST_CASE("the default recording gives the fleet timeline per pool and purchase type without events", "[viz][h5]") {
  const std::string path = out_file("timeseries.h5");
  run(kSpotsim + " run " + kSmall + " --out " + path + " -q --threads 2");  // default: --record timeseries
  Result<RunModel> f = load_run_file(path);
  REQUIRE(f.is_ok());
  CHECK(f->record_level == "timeseries");
  CHECK_FALSE(f->has_events());
  CHECK(f->events.size() == 0);
  CHECK(f->vms.empty());
  // The stack comes from the recorded running_spot / running_on_demand series of every pool.
  const FleetStack st = build_fleet_stack(*f);
  REQUIRE(st.from_series);
  REQUIRE(st.layers.size() == 3);
  CHECK(st.layers[0].label == "small-a spot");
  CHECK(st.layers[2].label == "small-c spot");
  // Its total is the fleet's running VMs at every sample.
  const Series* running = f->find_series("fleet/web", "running");
  REQUIRE(running != nullptr);
  REQUIRE(st.t == running->t);
  for (size_t i = 0; i < st.t.size(); ++i) CHECK(st.top.back()[i] == running->v[i]);
  CHECK(st.max_total <= 44);
  CHECK(st.max_total >= 30);
  // The in-memory run of the same scenario (which has events) stacks to the same totals.
  Result<CompiledScenario> sc = load_scenario(kSmall);
  REQUIRE(sc.is_ok());
  Result<RunModel> m = run_to_model(*sc, ModelRunOptions{});
  REQUIRE(m.is_ok());
  CHECK(m->has_events());
  const FleetStack mst = build_fleet_stack(*m);
  REQUIRE(mst.t == st.t);
  CHECK(mst.top.back() == st.top.back());
}

TEST_CASE("jobs read back from a file carry the VM of their last run and every run is on its VM lane", "[viz][h5]") {
  const std::string jobs = std::string(SPOTSIM_SOURCE_DIR) + "/tests/viz/data/viz-jobs.yaml";
  const std::string path = out_file("jobs.h5");
  run(kSpotsim + " run " + jobs + " --out " + path + " --record full -q --threads 2");
  Result<RunModel> f = load_run_file(path);
  REQUIRE(f.is_ok());
  REQUIRE(f->jobs.size() > 50);
  size_t on_vm = 0, restarted = 0;
  for (const JobRecord& j : f->jobs) {
    if (j.start < 0) continue;
    REQUIRE(j.vm < f->vms.size());
    const VmLifetime& v = f->vms[j.vm];
    CHECK(v.serial == j.vm);
    CHECK(j.last_start >= v.running);
    CHECK(j.last_start <= v.end);
    ++on_vm;
    restarted += j.last_start > j.start;
  }
  CHECK(on_vm > 50);
  CHECK(restarted > 0);
  // So the Gantt puts every started job on a VM lane: no job lanes of their own.
  const Gantt g = build_gantt(*f);
  CHECK(g.first_job_lane == g.lanes());
  size_t job_bars = 0;
  for (const auto& lane : g.job_bars) job_bars += lane.size();
  // Every run is a bar on its VM's lane, the ones evictions cut short too (/job_runs).
  size_t lost = 0, evictions = 0;
  for (const JobRun& r : f->job_runs) lost += r.lost;
  for (const JobRecord& j : f->jobs) evictions += j.evictions;
  CHECK(lost > 0);
  CHECK(lost == evictions);  // gangs of one VM
  CHECK(job_bars == f->job_runs.size());
  // Runs that did not end in a loss: one per job that finished or was still running at the end
  // (a job whose last run was lost and that waits in the queue at the end has none).
  CHECK(job_bars - lost <= on_vm);
}

TEST_CASE("a sweep file gives the sweep table", "[viz][h5]") {
  const std::string path = out_file("sweep.h5");
  run(kSpotsim + " sweep " + kSmall +
      " --grid fleets.web.target=20,30 --grid pools.small-a.interruption.rate=0.02/h,0.1/h,0.2/h"
      " --replications 1 --threads 2 --out " +
      path);
  Result<RunModel> f = open_input(path);
  REQUIRE(f.is_ok());
  const SweepTable& sw = f->sweep;
  REQUIRE(sw.params == std::vector<std::string>{"fleets.web.target", "pools.small-a.interruption.rate"});
  REQUIRE(sw.values.size() == 6);
  CHECK(sw.values[0] == std::vector<std::string>{"20", "0.02/h"});
  CHECK(sw.values[5] == std::vector<std::string>{"30", "0.2/h"});
  REQUIRE(sw.means.size() == 6);
  REQUIRE(sw.means[0].size() == sw.metrics.size());
  CHECK(f->find_metric_named("cost.total") != nullptr);
}

TEST_CASE("a sweep file run with --pareto gives the pair and its goals", "[viz][h5]") {
  const std::string path = out_file("sweep_pareto.h5");
  run(kSpotsim + " sweep " + kSmall +
      " --grid fleets.web.target=20,30 --replications 1 --threads 2"
      " --pareto max:fleet.web.availability_pct,cost.total --out " +
      path);
  Result<RunModel> f = open_input(path);
  REQUIRE(f.is_ok());
  const SweepTable& sw = f->sweep;
  CHECK(sw.pareto_a == "fleet.web.availability_pct");
  CHECK(sw.pareto_b == "cost.total");
  CHECK(sw.maximize_a);
  CHECK_FALSE(sw.maximize_b);
  const SweepDefaults d = default_sweep_metrics(sw);
  REQUIRE(d.from_pareto);
  CHECK(sw.metrics[static_cast<size_t>(d.metric_a)] == "fleet.web.availability_pct");
  CHECK(sw.metrics[static_cast<size_t>(d.heat_metric)] == "fleet.web.availability_pct");
  CHECK(sw.metrics[static_cast<size_t>(d.metric_b)] == "cost.total");
}

TEST_CASE("a Kubernetes run file reads back what happened: targets, fallback, chaos kinds, names, pods", "[viz][h5]") {
  const std::string k8s = std::string(SPOTSIM_SOURCE_DIR) + "/tests/viz/data/viz-k8s.yaml";
  const std::string path = out_file("k8s.h5");
  run(kSpotsim + " run " + k8s + " --out " + path + " --record full -q --threads 2");
  Result<RunModel> f = load_run_file(path);
  REQUIRE(f.is_ok());
  Result<CompiledScenario> sc = load_scenario(k8s);
  REQUIRE(sc.is_ok());
  Result<RunModel> m = run_to_model(*sc, ModelRunOptions{});
  REQUIRE(m.is_ok());
  // 1. The target over time (recorded by spotsim as fleet/<name>/target) is what the file and
  //    the in-memory run both draw.
  const FleetStack st = build_fleet_stack(*f), mst = build_fleet_stack(*m);
  REQUIRE_FALSE(st.target.empty());
  CHECK(st.target == mst.target);
  CHECK(*std::min_element(st.target.begin(), st.target.end()) < st.target_total);
  // 2. Fallback: the pools' running_fallback series (new) and the launch events agree; the
  //    on-demand base (pool od-a) is never fallback.
  CHECK(st.fallback_intervals == mst.fallback_intervals);
  const Series* base = f->find_series("pool/od-a", "running_fallback");
  REQUIRE(base != nullptr);
  CHECK(*std::max_element(base->v.begin(), base->v.end()) == 0);
  const Series* fb = f->find_series("pool/batch-c", "running_fallback");
  REQUIRE(fb != nullptr);
  CHECK(*std::max_element(fb->v.begin(), fb->v.end()) > 0);
  size_t fallback_vms = 0;
  for (const VmLifetime& v : f->vms) fallback_vms += v.fallback;
  CHECK(fallback_vms == static_cast<size_t>(f->find_metric_named("fleet.batch.fallback_launches")->mean));
  // 3. Chaos kinds as the file records them (/chaos/kinds), not guessed from the names.
  REQUIRE(f->intervals.size() == 3);
  for (const Interval& i : f->intervals) CHECK(i.kind == (i.label == "c-dry" ? "cliff" : "storm"));
  // 4. Event kinds by the file's names.
  CHECK(f->event_kind_label(6) == "terminate");
  CHECK(f->event_kinds == m->event_kinds);
  // 6. Pods: workloads named by the file, kinds by the scenario; runs with their outcomes.
  REQUIRE(f->workloads.size() == 2);
  CHECK(f->workloads[0].name == "web");
  CHECK(f->is_deployment(0));
  REQUIRE(f->job_runs.size() == m->job_runs.size());
  for (size_t i = 0; i < f->job_runs.size(); ++i) {
    CHECK(f->job_runs[i].outcome == m->job_runs[i].outcome);
    CHECK(f->job_runs[i].vm == m->job_runs[i].vm);
  }
  const Gantt g = build_gantt(*f);
  CHECK(g.pod_runs == f->job_runs.size());
}

TEST_CASE("a file that only looks like a run file is refused with the reader's message", "[viz][h5]") {
  const std::string fake = std::string(SPOTSIM_SOURCE_DIR) + "/tests/viz/data/garbage.h5";
  Result<RunModel> f = open_input(fake);
  REQUIRE_FALSE(f.is_ok());
  CHECK(f.status().code() == StatusCode::kInvalidInput);
  CHECK(f.status().message() == fake + ": error: cannot open: not an HDF5 file or unreadable");
}

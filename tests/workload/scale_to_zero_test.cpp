// Scale to zero (issue 15, item 5): a fleet that only runs one batch or pipeline workload follows
// what its jobs need, down to zero VMs when no job is left, and back up (booting) when jobs come;
// `placement: same_zone` keeps a gang's VMs in one zone. Laws: the fleet runs no more VM-hours than
// its jobs used plus the idle time boots and the scale-down delay allow; availability and
// lost_vm_hours are measured against the target the fleet actually had.
#include "tests/common/run.h"
#include "tests/workload/workload_helpers.h"

#include <algorithm>
#include <map>
#include <set>

#include "sim/run/replication_models.h"
#include "sim/model/world.h"
#include "tests/common/world_metric.h"

using namespace spotsim;
using namespace spotsim::test;

namespace {

// The 8-GPU gang of issue 15: one 52 h training job at time 0 in a 7-day run.
std::string gpu_gang(const std::string& fleet_extra, const std::string& job_extra = "",
                     const std::string& pool_extra = "") {
  return R"(spotsim: 1
name: gpu-gang
seed: 5
replications: 1
duration: 7d
pools:
  g5-1a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: g5.12xlarge, spot_price: 0.786,
          on_demand_price: 5.67, capacity: 100)" +
         pool_extra + R"(}
fleets:
  gpus: {pools: [g5-1a], target: 8, boot_time: 4m)" +
         fleet_extra + R"(}
workloads:
  train: {type: batch, fleet: gpus, job: {work: 52h, parallelism: 8)" +
         job_extra + R"(}}
)";
}

// Records, per VM serial, its pool and how long jobs ran on it; counts idle periods' starts.
class Ledger : public WorldObserver {
 public:
  void on_model_event(const World&, const ModelEvent& e) override {
    if (e.kind == ModelEventKind::kRunning) {
      pool_of[e.vm] = e.pool;
      ++running_events;
    }
  }
  void on_job_run(const World&, const JobRunSignal& r) override {
    job_vm_hours += (r.end - r.start) / 3600.0;
    ++runs;
    run_zones[{r.job, r.start}].insert(pool_of.count(r.vm) ? pool_of.at(r.vm) : 0xFFFF);
  }
  std::map<uint32_t, uint16_t> pool_of;
  std::map<std::pair<uint32_t, double>, std::set<uint16_t>> run_zones;  // (job, start) → pools of its gang
  double job_vm_hours = 0;
  int running_events = 0;
  int runs = 0;
};

}  // namespace

TEST_CASE("scale to zero: a gang whose 52 h job ends stops paying (issue 15 regression)") {
  // Before: the fleet kept its 8 VMs for the whole week: 1344 VM-hours, $1056.38.
  const auto sc = compile_here(gpu_gang(""));
  REQUIRE(sc.fleets[0].scale_to_zero);  // the default for a fleet that only runs batch jobs
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  CHECK(metric(w, "workload.train.jobs_completed") == 1);
  CHECK(metric(w, "fleet.gpus.vm_hours_spot") == Approx(8 * 52.0).epsilon(1e-12));  // warm start: no boot
  CHECK(metric(w, "fleet.gpus.cost") == Approx(8 * 52.0 * 0.786).epsilon(1e-9));
  CHECK(w.fleets()[0].target == 0);
  CHECK(w.fleets()[0].running == 0);
  CHECK(metric(w, "fleet.gpus.availability_pct") == Approx(100.0));
  CHECK(metric(w, "fleet.gpus.lost_vm_hours") == Approx(0.0).margin(1e-9));
  // The counterfactual follows the target too: 416 VM-hours on on-demand.
  CHECK(metric(w, "fleet.gpus.cost_all_on_demand") == Approx(8 * 52.0 * 5.67).epsilon(1e-9));

  const auto fixed = compile_here(gpu_gang(", scale_to_zero: false"));
  ReplicationModels f_models(fixed, 0, kWithoutPoliciesOrChaos);
  World& f = f_models.world();
  f.run();
  CHECK(metric(f, "fleet.gpus.vm_hours_spot") == Approx(8 * 168.0).epsilon(1e-12));
  CHECK(metric(f, "fleet.gpus.cost") == Approx(1056.384).epsilon(1e-9));
}

TEST_CASE("scale to zero: an idle fleet scales to zero at once and boots when a job arrives") {
  // The job arrives at 1d: the warm VMs go at time 0 (a VM that lived 0 s is not billed), and the
  // gang boots for 4 minutes when the job comes.
  const auto sc = compile_here(gpu_gang("", "}, arrivals: {at: [1d]"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  Ledger l;
  w.signals().add_listener(&l);
  w.run();
  CHECK(metric(w, "workload.train.jobs_completed") == 1);
  CHECK(metric(w, "workload.train.queue_wait") == Approx(240.0));  // the boot
  CHECK(metric(w, "fleet.gpus.vm_hours_spot") == Approx(8 * 52.0).epsilon(1e-9));
  CHECK(l.job_vm_hours == Approx(8 * 52.0).epsilon(1e-9));
  const double billed_h = 8 * (52.0 + 4.0 / 60);  // job + boot
  CHECK(metric(w, "fleet.gpus.cost") == Approx(billed_h * 0.786).epsilon(1e-9));
  // Measured against the target it had: 8 VMs from 1d on, none running for the 4-minute boot.
  const double target_h = 8 * (52.0 + 4.0 / 60);
  CHECK(metric(w, "fleet.gpus.lost_vm_hours") == Approx(8 * 4.0 / 60).epsilon(1e-9));
  CHECK(metric(w, "fleet.gpus.availability_pct") == Approx(100.0 * 8 * 52.0 / target_h).epsilon(1e-9));
  CHECK(metric(w, "fleet.gpus.cost_all_on_demand") == Approx(target_h * 5.67).epsilon(1e-9));
}

TEST_CASE("scale to zero: a checkpoint-interval sweep no longer gives one flat cost") {
  // Spot interruptions at 0.01/h per VM (a gang of 8 is killed every 12.5 h on average): the
  // interval decides how long the job runs, so what it costs.
  std::vector<double> costs;
  for (const char* interval : {"30m", "2h", "4h", "8h"}) {
    const auto sc = compile_here(
        gpu_gang("", std::string(", checkpoint: {interval: ") + interval + ", write_time: 5m, restore_time: 5m}",
                 ", interruption: {rate: 0.01/h}"));
    double cost = 0;
    for (uint64_t rep = 0; rep < 4; ++rep) {
      ReplicationModels w_models(sc, rep, kWithoutPoliciesOrChaos);
      World& w = w_models.world();
      w.run();
      cost += metric(w, "fleet.gpus.cost") / 4;
      INFO("interval " << interval << " replication " << rep);
      CHECK(metric(w, "fleet.gpus.cost") < 8 * 168.0 * 0.786 - 1);  // never the whole week
    }
    costs.push_back(cost);
  }
  INFO("mean cost at intervals 30m, 2h, 4h, 8h: " << costs[0] << ", " << costs[1] << ", " << costs[2] << ", "
                                                  << costs[3]);
  CHECK(std::set<double>(costs.begin(), costs.end()).size() == costs.size());
  CHECK(*std::max_element(costs.begin(), costs.end()) - *std::min_element(costs.begin(), costs.end()) > 10.0);
}

TEST_CASE("scale to zero after a storm: losses the fleet no longer needs are not unrecovered, laws hold") {
  // A capacity cliff (level 0 for a day) evicts the whole gang at 10h and no replacement can
  // launch; with retries: 0 the killed job fails for good, its need falls to 0 and
  // the fleet scales to zero. The 8 evicted VMs never came back, but the fleet no longer needed
  // them: unrecovered 0 (finalize_unrecovered caps by target − running). Run through
  // run_scenario with the laws of docs/metrics.md checked after every replication.
  const std::string text = gpu_gang("", ", retries: 0") + R"(chaos:
  - {kind: cliff, name: cliff, at: 10h, duration: 1d, scope: {zone: us-east-1a}, level: 0}
)";
  const auto sc = compile_here(text);
  REQUIRE(sc.fleets[0].scale_to_zero);
  RunOptions o;
  o.threads = 1;
  o.replications = 2;
  o.check_laws = true;
  auto r = run_scenario(sc, o);
  REQUIRE(r.is_ok());
  auto mean = [&](const std::string& name) { return stats_of(*r, name).mean; };
  CHECK(mean("fleet.gpus.interruptions") == 8);
  CHECK(mean("workload.train.jobs_completed") == 0);
  CHECK(mean("fleet.gpus.unrecovered") == 0);
  CHECK(mean("fleet.gpus.unrecovered_open") == 0);
  CHECK(mean("pool.g5-1a.unrecovered") == 0);
  // It paid the 10 h before the storm (and the notice), nothing after.
  CHECK(mean("fleet.gpus.vm_hours_spot") == Approx(8 * (10.0 + 2.0 / 60)).epsilon(0.01));
}

TEST_CASE("scale to zero: a VM booting for a job that arrived at the end does not make an old loss unrecovered") {
  // Jobs every 20 minutes on a fleet with interruptions (examples/policies/checkpoint-on-notice.yaml):
  // the job arriving at the end of the run boots a VM (a scale-out, not a replacement), and older
  // losses stay open in the ledger because the runner drained their replacements when the need
  // fell. The booting VM fills the shortfall at the end: no VM is reported as never back.
  const auto sc = compile_here(R"(spotsim: 1
name: arrivals-at-the-end
seed: 3
replications: 4
duration: 2d
pools:
  p: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.058,
      on_demand_price: 0.192, capacity: 200, interruption: {rate: 0.1/h}}
fleets:
  f: {pools: [p], target: 16, boot_time: 90s}
workloads:
  j: {type: batch, fleet: f, arrivals: {every: 20m}, job: {work: 4h, checkpoint: {interval: 2h, write_time: 2m}}}
)");
  REQUIRE(sc.fleets[0].scale_to_zero);
  RunOptions o;
  o.threads = 1;
  o.check_laws = true;
  auto r = run_scenario(sc, o);
  REQUIRE(r.is_ok());
  auto mean = [&](const std::string& name) { return stats_of(*r, name).mean; };
  CHECK(mean("fleet.f.interruptions") > 10);
  CHECK(mean("fleet.f.unrecovered") == 0);  // a count ≥ 0: a mean of 0 is 0 in every replication
  CHECK(mean("fleet.f.unrecovered_open") == 0);
}

TEST_CASE("scale to zero: a pipeline's stages boot what they need, the critical path grows by the boots") {
  // 10 VMs at most. Run 1 (warm): extract's 4 jobs start at once; clean and features need 5, one
  // more VM boots (90 s), which a clean job takes (features were submitted first), so the critical
  // path keeps 6 h. Runs 2 and 3 start from zero VMs: extract waits one boot: 6 h + 90 s.
  const auto sc = compile_here(base(10, "", "2d", 1) + kEtlPipeline);
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  Ledger l;
  w.signals().add_listener(&l);
  w.run();
  CHECK(metric(w, "workload.etl.pipelines_completed") == 3);
  CHECK(metric(w, "workload.etl.interruptions") == 0);  // scale-in drains no VM that holds a job
  CHECK(metric(w, "workload.etl.makespan") == Approx(6.0 * 3600.0 + 60.0));
  CHECK(metric(w, "workload.etl.makespan_max") == Approx(6.0 * 3600.0 + 90.0));
  // Idle running time is only boots of peers: here none waits (every stage's VMs start together).
  CHECK(metric(w, "fleet.f.vm_hours_spot") == Approx(l.job_vm_hours).epsilon(1e-9));
  CHECK(w.fleets()[0].target == 0);
}

TEST_CASE("scale to zero: scale_down_delay keeps idle VMs for the next job") {
  // The second job comes 30 minutes after the first ended: with a 1 h delay it finds the first's
  // VMs; without, it waits a boot.
  const std::string jobs = "}, arrivals: {at: [0, 52h30m]";
  auto run = [&](const std::string& fleet_extra) {
    const auto sc = compile_here(gpu_gang(fleet_extra, jobs));
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    w.run();
    CHECK(metric(w, "workload.train.jobs_completed") == 2);
    return std::make_pair(metric(w, "workload.train.queue_wait"), metric(w, "fleet.gpus.vm_hours_spot"));
  };
  const auto [wait0, hours0] = run("");
  const auto [wait1, hours1] = run(", scale_down_delay: 1h");
  CHECK(wait0 == Approx(240.0 / 2));  // the second job waited a boot
  CHECK(wait1 == Approx(0.0));
  CHECK(hours0 == Approx(8 * 104.0).epsilon(1e-9));
  CHECK(hours1 == Approx(8 * (104.0 + 0.5 + 1.0)).epsilon(1e-9));  // idle 52h→52h30m, then 1 h after the last
}

TEST_CASE("scale to zero: with an on-demand base World's scale-in keeps the base and kills no job") {
  // The runner leaves the choice of VMs to World when the purchase mix matters (on_demand_base).
  const auto sc = compile_here(R"(spotsim: 1
name: base
seed: 4
duration: 2d
pools:
  p: {provider: aws, region: r, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.2, capacity: 1000}
fleets:
  f: {pools: [p], target: 6, boot_time: 2m, on_demand_base: 2}
workloads:
  j: {type: batch, fleet: f, arrivals: {every: 3h, count: 8}, job: {work: 2h, parallelism: 3}}
)");
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  Ledger l;
  w.signals().add_listener(&l);
  w.run();
  CHECK(metric(w, "workload.j.jobs_completed") == 8);
  CHECK(metric(w, "workload.j.interruptions") == 0);
  CHECK(w.fleets()[0].target == 0);
  // Jobs ran 8 × 2 h × 3 VMs; the fleet ran no more than that plus a boot's wait per VM launched.
  const double vm_h = metric(w, "fleet.f.vm_hours_spot") + metric(w, "fleet.f.vm_hours_on_demand");
  CHECK(l.job_vm_hours == Approx(48.0).epsilon(1e-9));
  CHECK(vm_h <= 48.0 + l.running_events * 2.0 / 60 + 1e-9);
  CHECK(metric(w, "fleet.f.vm_hours_on_demand") > 0);  // the base came first
}

TEST_CASE("scale to zero laws: VM-hours ≤ job VM-hours + idle allowance, availability against the target it had") {
  // Poisson gangs with spot interruptions, with and without a scale-down delay; no capacity limit
  // and a fixed boot, so every idle stretch of a VM ends within boot + delay (+ the 2-minute notice
  // of an idle VM that is interrupted: it runs, jobless, until its eviction).
  for (const char* delay : {"0s", "20m"}) {
    const auto sc = compile_here(R"(spotsim: 1
name: laws
seed: 9
replications: 1
duration: 4d
pools:
  p: {provider: aws, region: r, zone: r-a, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.2,
      capacity: 100000, interruption: {rate: 0.05/h}}
fleets:
  f: {pools: [p], target: 1000, boot_time: 3m, scale_down_delay: )" +
                                 std::string(delay) + R"(}
workloads:
  j:
    type: batch
    fleet: f
    arrivals: {rate: 2/h}
    job: {work: {dist: exponential, mean: 3h}, parallelism: 4, checkpoint: {interval: 30m, write_time: 1m}}
)");
    const double allowance_h = (3.0 + 2.0 + (std::string(delay) == "20m" ? 20.0 : 0.0)) / 60;
    for (uint64_t rep = 0; rep < 3; ++rep) {
      ReplicationModels w_models(sc, rep, kWithoutPoliciesOrChaos);
      World& w = w_models.world();
      Ledger l;
      w.signals().add_listener(&l);
      w.run();
      INFO("scale_down_delay " << delay << ", replication " << rep);
      const double vm_h = metric(w, "fleet.f.vm_hours_spot") + metric(w, "fleet.f.vm_hours_on_demand");
      CHECK(metric(w, "fleet.f.interruptions") > 0);
      // Scale-in never kills a job: every kill is an eviction of a gang VM.
      CHECK(metric(w, "workload.j.interruptions") <= metric(w, "fleet.f.interruptions"));
      CHECK(l.job_vm_hours <= vm_h + 1e-9);
      // Each idle stretch starts when a VM comes up or a run of a job ends on it.
      CHECK(vm_h - l.job_vm_hours <= (l.running_events + l.runs) * allowance_h + 1e-9);
      // The target the fleet had, from the counterfactual (on-demand price × ∫ target dt).
      const double target_h = metric(w, "fleet.f.cost_all_on_demand") / 0.2;
      const double avail = metric(w, "fleet.f.availability_pct");
      CHECK(avail >= 0.0);
      CHECK(avail <= 100.0);
      CHECK(metric(w, "fleet.f.lost_vm_hours") == Approx(target_h * (1 - avail / 100)).margin(1e-6));
      CHECK(target_h * avail / 100 <= vm_h + 1e-6);  // served ≤ what ran
      CHECK(l.job_vm_hours <= target_h + 1e-6);      // the target always covers the running gangs
      CHECK(target_h < 1000 * 96.0 / 10);            // it followed the jobs, not the 1000-VM maximum
    }
  }
}

TEST_CASE("placement: same_zone puts every gang in one zone, a gang that fits no zone waits") {
  // Zone a is cheaper but holds 5 VMs: the warm fleet of 8 is 5 in a, 3 in b.
  auto scenario = [](int cap_b, const std::string& placement, int parallelism) {
    return R"(spotsim: 1
name: zones
seed: 3
duration: 2d
pools:
  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.2, capacity: 5}
  b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: m5.xlarge, spot_price: 0.06, on_demand_price: 0.2, capacity: )" +
           std::to_string(cap_b) + R"(}
fleets:
  f: {pools: [a, b], target: 8, boot_time: 2m}
workloads:
  j: {type: batch, fleet: f, placement: )" +
           placement + R"(, arrivals: {at: [0, 0, 1h, 2h]},
      job: {work: 3h, parallelism: )" +
           std::to_string(parallelism) + R"(}}
)";
  };
  SECTION("gangs of 4 fit a zone: every run's VMs share one") {
    const auto sc = compile_here(scenario(100, "same_zone", 4));
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    Ledger l;
    w.signals().add_listener(&l);
    w.run();
    CHECK(metric(w, "workload.j.jobs_completed") == 4);
    REQUIRE(!l.run_zones.empty());
    for (const auto& [run, pools] : l.run_zones) {
      INFO("job " << run.first << " started at " << run.second << " s");
      CHECK(pools.size() == 1);
    }
  }
  SECTION("without same_zone a gang spans zones") {
    const auto sc = compile_here(scenario(100, "any", 8));
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    Ledger l;
    w.signals().add_listener(&l);
    w.run();
    CHECK(metric(w, "workload.j.jobs_completed") == 4);
    bool spans = false;
    for (const auto& [run, pools] : l.run_zones) spans |= pools.size() > 1;
    CHECK(spans);
  }
  SECTION("a gang of 8 split 5 + 3 moves into the zone with room: 5 VMs drained in a, 5 launched in b") {
    const auto sc = compile_here(scenario(100, "same_zone", 8));
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    Ledger l;
    w.signals().add_listener(&l);
    w.run();
    CHECK(metric(w, "workload.j.jobs_completed") == 4);
    // The first gang waits one boot (2 min) for the moved VMs; the others wait for the one before.
    const double start = 120.0, run = 3 * 3600.0;
    CHECK(metric(w, "workload.j.queue_wait") ==
          Approx((start + (start + run) + (start + 2 * run - 3600) + (start + 3 * run - 7200)) / 4));
    REQUIRE(l.run_zones.size() == 4);
    for (const auto& [job_start, pools] : l.run_zones) {
      INFO("job " << job_start.first << " started at " << job_start.second << " s");
      CHECK(pools == std::set<uint16_t>{1});  // every run in zone b
    }
    CHECK(metric(w, "workload.j.interruptions") == 0);  // the move drains idle VMs only
  }
  SECTION("a gang of 8 with same_zone fits no zone (5 + 3, no room): it waits, and nothing overtakes it") {
    const auto sc = compile_here(scenario(3, "same_zone", 8));
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    w.run();
    CHECK(metric(w, "workload.j.jobs_completed") == 0);
    CHECK(metric(w, "workload.j.queue_depth") == 4);
    CHECK(metric(w, "workload.j.running_jobs") == 0);
  }
}

TEST_CASE("scale to zero: defaults and errors") {
  const std::string head = R"(spotsim: 1
name: t
duration: 1d
pools:
  p: {provider: aws, region: r, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.2, capacity: 100}
)";
  SECTION("on for a batch-only fleet, off for a service fleet, a fleet with scaling, a fleet without jobs") {
    const auto sc = compile_here(head + R"(fleets:
  jobs: {pools: [p], target: 4}
  web: {pools: [p], target: 4}
  sched: {pools: [p], scaling: {schedule: [{at: 0s, target: 2}]}}
  idle: {pools: [p], target: 1}
  kept: {pools: [p], target: 4, scale_to_zero: false}
workloads:
  j: {type: batch, fleet: jobs, job: {work: 1h}}
  api: {type: service, fleet: web, rate: 10/s, capacity: 5/s, slo: {latency: 1s, target: 99%}}
  s: {type: batch, fleet: sched, job: {work: 1h}}
  k: {type: pipeline, fleet: kept, stages: {a: {job: {work: 1h}}}}
)");
    CHECK(sc.fleets[0].scale_to_zero);
    CHECK_FALSE(sc.fleets[1].scale_to_zero);
    CHECK_FALSE(sc.fleets[2].scale_to_zero);
    CHECK_FALSE(sc.fleets[3].scale_to_zero);
    CHECK_FALSE(sc.fleets[4].scale_to_zero);
  }
  SECTION("off for a Kubernetes node pool and for a fleet two workloads share") {
    const auto sc = compile_here(head + R"(fleets:
  nodes: {pools: [p], target: 4}
  shared: {pools: [p], target: 4}
workloads:
  j: {type: batch, fleet: nodes, job: {work: 1h}}
  a: {type: batch, fleet: shared, job: {work: 1h}}
  b: {type: pipeline, fleet: shared, stages: {x: {job: {work: 1h}}}}
kubernetes:
  node_pools:
    spot: {fleet: nodes, cpu: 4, memory: 16Gi}
  deployments:
    web: {replicas: 2, cpu: 1, memory: 1Gi}
)");
    CHECK_FALSE(sc.fleets[0].scale_to_zero);
    CHECK_FALSE(sc.fleets[1].scale_to_zero);
    CHECK(compile_error(head + R"(fleets:
  shared: {pools: [p], target: 4, scale_to_zero: true}
workloads:
  a: {type: batch, fleet: shared, job: {work: 1h}}
  b: {type: batch, fleet: shared, job: {work: 1h}}
)") == "test.yaml:7:50: error: fleets.shared.scale_to_zero: cannot scale to zero: workloads \"a\" and \"b\" both run "
       "on "
       "this fleet (one fleet carries one workload)");
  }
  SECTION("scale_to_zero: true where it cannot apply, scale_down_delay without it, a bad placement") {
    CHECK(compile_error(head + R"(fleets:
  web: {pools: [p], target: 4, scale_to_zero: true}
workloads:
  api: {type: service, fleet: web, rate: 10/s, capacity: 5/s, slo: {latency: 1s, target: 99%}}
)") == "test.yaml:7:47: error: fleets.web.scale_to_zero: cannot scale to zero: the service workload \"api\" runs on "
       "this fleet (a service needs its VMs between requests)");
    CHECK(compile_error(head + R"(fleets:
  s: {pools: [p], scaling: {schedule: [{at: 0s, target: 2}]}, scale_to_zero: true}
workloads:
  j: {type: batch, fleet: s, job: {work: 1h}}
)") == "test.yaml:7:78: error: fleets.s.scale_to_zero: cannot scale to zero: it has scaling: (which sets the target; "
       "use one or the other)");
    CHECK(compile_error(head + R"(fleets:
  idle: {pools: [p], target: 1, scale_to_zero: true}
)") == "test.yaml:7:48: error: fleets.idle.scale_to_zero: cannot scale to zero: no batch or pipeline workload runs on "
       "this fleet");
    CHECK(compile_error(head + R"(fleets:
  f: {pools: [p], target: 2, scale_to_zero: false, scale_down_delay: 20m}
workloads:
  j: {type: batch, fleet: f, job: {work: 1h}}
)") == "test.yaml:7:70: error: fleets.f.scale_down_delay: only applies to a fleet that scales to zero; this one does "
       "not: scale_to_zero: false");
    CHECK(compile_error(head + R"(fleets:
  f: {pools: [p], target: 2}
workloads:
  j: {type: batch, fleet: f, placement: same_rack, job: {work: 1h}}
)")
              .find("workloads.j.placement") != std::string::npos);
  }
}

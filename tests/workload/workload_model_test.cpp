// Mechanics of the workload models: processor-sharing checkpoint store, notice storms that miss
// the notice window, gang scheduling, priority queues, pipelines, services and SLOs.
#include "tests/workload/workload_helpers.h"

#include <algorithm>
#include <map>
#include <memory>

#include "sim/run/replication_models.h"
#include "sim/model/checkpoint_store.h"
#include "sim/model/workload/job_runner.h"
#include "sim/model/workload/service_workload.h"
#include "sim/model/workload/workloads.h"
#include "sim/model/world.h"
#include "tests/common/world_metric.h"

using namespace spotsim;
using namespace spotsim::test;

namespace {

struct Recorder : CheckpointStore::Client {
  Engine* engine = nullptr;
  std::vector<std::pair<uint64_t, double>> done;
  void on_checkpoint_written(uint64_t token) override { done.emplace_back(token, engine->now().to_seconds()); }
};

// A component that, at `at`, gives every running VM of fleet 0 a notice of `notice`.
class Storm : public WorldComponent, public EventHandler {
 public:
  Storm(World& w, Duration at, Duration notice) : w_(w), at_(at), notice_(notice) {
    self_ = w.engine().add_handler(this);
  }
  void start(World& w) override { w.engine().schedule_at(SimTime{} + at_, self_, 0, 0, 0, Priority::kChaos); }
  void handle(Engine&, const Event&) override {
    for (uint32_t s = 0; s < w_.vms().size(); ++s) {
      if (w_.vms()[s].state == VmState::kRunning) w_.give_notice(s, notice_);
    }
  }

 private:
  World& w_;
  Duration at_, notice_;
  uint16_t self_;
};

}  // namespace

TEST_CASE("checkpoint store: writers share the throughput equally") {
  Engine e;
  CheckpointStore store(e, 100.0);  // 100 B/s
  Recorder rec;
  rec.engine = &e;
  store.start_write(100, &rec, 1);  // alone it would take 1 s
  store.start_write(300, &rec, 2);
  e.run_until(SimTime{100'000'000});
  REQUIRE(rec.done.size() == 2);
  // Both at 50 B/s: the first finishes at 2 s; the second has 200 B left at full speed: 4 s.
  CHECK(rec.done[0].first == 1);
  CHECK(rec.done[0].second == Approx(2.0).margin(1e-5));
  CHECK(rec.done[1].first == 2);
  CHECK(rec.done[1].second == Approx(4.0).margin(1e-5));
  // Degrading the store (the chaos verb) slows writes in flight.
  Recorder rec2;
  rec2.engine = &e;
  store.start_write(100, &rec2, 3);  // at t=100 s
  store.set_throughput_factor(0.5);
  e.run_until(SimTime{200'000'000});
  REQUIRE(rec2.done.size() == 1);
  CHECK(rec2.done[0].second == Approx(102.0).margin(1e-5));
  const uint64_t id = store.start_write(100, &rec2, 4);
  store.abort_write(id);
  e.run_until(SimTime{300'000'000});
  CHECK(rec2.done.size() == 1);
}

TEST_CASE("batch: a storm of checkpoint-on-notice writes overruns a slow store and misses the window") {
  auto run = [](const std::string& throughput) {
    const auto sc =
        compile_here(base(50, "", "6h", 1, ", notice: 2m") + "checkpoint_store: {throughput: " + throughput +
                     "}\nworkloads:\n  j:\n    type: batch\n    fleet: f\n    arrivals: {count: 50}\n"
                     "    job: {work: 4h, checkpoint: {size: 10GB, on_notice: true}}\n");
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    w.add_component(std::make_unique<Storm>(w, Duration::hours(1), Duration::minutes(2)));
    w.run();
    return std::make_pair(metric(w, "workload.j.checkpoint_misses"), metric(w, "workload.j.lost_work_vm_hours"));
  };
  // 50 writers × 10 GB in 120 s needs > 4.2 GB/s. At 10 GB/s every write lands (50 s); at 1 GB/s
  // every writer gets 20 MB/s and none finishes (500 s > 120 s): all of the first hour is lost.
  // (The jobs keep computing during the notice; those two minutes are lost either way.)
  const auto fast = run("10GB/s");
  CHECK(fast.first == 0);
  CHECK(fast.second == Approx(50.0 * 2.0 / 60.0).epsilon(1e-6));  // only the notice window itself
  const auto slow = run("1GB/s");
  CHECK(slow.first == 50);
  CHECK(slow.second == Approx(50.0 * (1.0 + 2.0 / 60.0)).epsilon(1e-6));
}

TEST_CASE("batch: a gang waits for all its VMs, priority jobs go first") {
  const auto sc = compile_here(base(3, "", "1d", 1) + R"(workloads:
  big:
    type: batch
    fleet: f
    arrivals: {count: 1}
    job: {work: 1h, parallelism: 4}
)");
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  CHECK(metric(w, "workload.big.jobs_completed") == 0);
  CHECK(metric(w, "workload.big.queue_depth_max") == 1);

  const auto sc2 = compile_here(base(1, "", "1d", 1) + R"(workloads:
  q:
    type: batch
    fleet: f
    queue: priority
    arrivals: {trace: prio_jobs.csv}
)");
  ReplicationModels w2_models(sc2, 0, kWithoutPoliciesOrChaos);
  World& w2 = w2_models.world();
  w2.run();
  // Trace: a 1 h job at 0 (starts at once), then at 60 s three jobs with priorities 0, 9, 5.
  // Waits: 0, then priority 9 runs at 1 h, 5 at 2 h, 0 at 3 h.
  CHECK(metric(w2, "workload.q.jobs_completed") == 4);
  CHECK(metric(w2, "workload.q.queue_wait") == Approx((0.0 + (3600 - 60) + (7200 - 60) + (10800 - 60)) / 4.0));
}

TEST_CASE("batch: kills beyond the retries fail the job, non-idempotent commits killed are correctness failures") {
  const auto sc = compile_here(base(20, "2/h", "2d", 1, ", notice: 0", "1m") + R"(workloads:
  j:
    type: batch
    fleet: f
    arrivals: {every: 1h}
    job: {work: 30m, retries: 0, idempotent: false, commit_time: 20m, deadline: 3h}
)");
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  const double failed = metric(w, "workload.j.jobs_failed");
  CHECK(failed > 0);
  CHECK(metric(w, "workload.j.jobs_completed") > 0);
  CHECK(metric(w, "workload.j.correctness_failures") > 0);
  CHECK(metric(w, "workload.j.correctness_failures") <= failed);
  CHECK(metric(w, "workload.j.deadline_misses") >= failed);
  CHECK(metric(w, "workload.j.job_success_rate") < 100.0);
}

TEST_CASE("pipeline: downstream stages wait for upstream, makespan is the critical path") {
  // A fixed fleet of 10: no stage waits for a boot (with scale to zero: scale_to_zero_test.cpp).
  const auto sc = compile_here(fixed_fleet(base(10, "", "2d", 1)) + kEtlPipeline);
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  CHECK(metric(w, "workload.etl.pipelines_started") == 3);
  CHECK(metric(w, "workload.etl.pipelines_completed") == 3);
  CHECK(metric(w, "workload.etl.makespan") == Approx(6.0 * 3600.0));
  CHECK(metric(w, "workload.etl.jobs_completed") == 30);
}

TEST_CASE("service: enough servers meet the SLO, too few breach it, draining matters on notice") {
  auto run = [](int target, const std::string& extra) {
    const auto sc = compile_here(base(target, "", "1d", 1) + R"(workloads:
  api:
    type: service
    fleet: f
    rate: 900/s
    capacity: 100/s
    slo: {latency: 50ms, target: 99%, window: 1d}
)" + extra);
    ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    w.run();
    return std::vector<double>{metric(w, "workload.api.slo_attainment"), metric(w, "workload.api.slo_breach_minutes"),
                               metric(w, "workload.api.error_budget_burn_rate"), metric(w, "workload.api.servers_mean"),
                               metric(w, "workload.api.requests")};
  };
  const auto ok = run(14, "");
  CHECK(ok[0] > 99.0);
  CHECK(ok[1] == 0);
  CHECK(ok[2] < 1.0);
  CHECK(ok[3] == Approx(14));
  CHECK(ok[4] == Approx(900.0 * 86400.0));
  // 10 servers at ρ = 0.9: P(T ≤ 50 ms) per Erlang C is far below 99 %: every minute breaches.
  const auto tight = run(10, "");
  CHECK(tight[0] < 99.0);
  CHECK(tight[1] == Approx(24 * 60));
  CHECK(tight[2] > 1.0);
  // Overloaded (λ > cμ): nothing is good.
  CHECK(run(8, "")[0] == 0.0);
}

TEST_CASE("workloads: read-only views and the checkpoint_store_degraded verb are reachable from the world") {
  const auto sc = compile_here(base(4, "", "1h", 1) + R"(workloads:
  j: {type: batch, fleet: f, arrivals: {count: 6}, job: {work: 2h}}
  api: {type: service, fleet: f, rate: 10/s, capacity: 100/s, slo: {latency: 1s, target: 99%}}
)");
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  WorkloadSet* ws = workload_set(w);
  REQUIRE(ws != nullptr);
  ws->checkpoint_store().set_throughput_factor(0.25);
  CHECK(ws->checkpoint_store().throughput_factor() == 0.25);
  w.run();
  REQUIRE(ws->job_runner("j") != nullptr);
  CHECK(ws->job_runner("j")->queue_depth() == 2);
  CHECK(ws->job_runner("j")->utilization() == 1.0);
  REQUIRE(ws->service("api") != nullptr);
  CHECK(ws->service("api")->serving() == 4);
  CHECK(ws->job_runner("api") == nullptr);
}

TEST_CASE("workloads: results are identical for any thread count") {
  const auto sc = compile_here(base(30, "0.2/h", "2d", 6, "", "2m") + R"(checkpoint_store: {throughput: 2GB/s}
workloads:
  j:
    type: batch
    fleet: f
    arrivals: {rate: 20/h}
    job: {work: {dist: lognormal, median: 1h, sigma: 0.5}, parallelism: 2,
          checkpoint: {interval: 15m, write_time: 20s, size: 5GB, on_notice: true}, backoff: 1m}
)");
  RunOptions a, b;
  a.threads = 1;
  b.threads = 3;
  auto ra = run_scenario(sc, a);
  auto rb = run_scenario(sc, b);
  REQUIRE(ra.is_ok());
  REQUIRE(rb.is_ok());
  CHECK(ra->per_replication == rb->per_replication);
}

TEST_CASE("batch: every job is reported once to WorldObserver::on_job") {
  struct Jobs : RunObserver {
    int total = 0, finished = 0, evictions = 0, restarted = 0, bad_vm = 0;
    std::map<uint32_t, std::pair<double, double>> vm_up;  // serial → (running, end)
    bool wants_events() const override { return true; }
    void on_event(const ModelEvent& e) override {
      if (e.kind == ModelEventKind::kRunning) vm_up[e.vm] = {e.time.to_seconds(), 1e18};
      if (e.kind == ModelEventKind::kEviction || e.kind == ModelEventKind::kEnd)
        vm_up[e.vm].second = e.time.to_seconds();
    }
    void on_job(const JobSignal& j) override {
      ++total;
      finished += !std::isnan(j.finish);
      evictions += static_cast<int>(j.evictions);
      if (std::isnan(j.start)) {
        bad_vm += j.vm != UINT32_MAX || !std::isnan(j.last_start);
        return;
      }
      // The last run started on a VM of the fleet that was up then, at or after the first start.
      auto it = vm_up.find(j.vm);
      bad_vm += it == vm_up.end() || j.last_start < j.start || j.last_start < it->second.first ||
                j.last_start > it->second.second || (!std::isnan(j.finish) && j.finish > it->second.second);
      restarted += j.last_start > j.start;
    }
  };
  const auto sc = compile_here(base(10, "0.3/h", "1d", 1, "", "2m") + R"(workloads:
  j: {type: batch, fleet: f, arrivals: {every: 10m}, job: {work: 1h, checkpoint: {interval: 15m, write_time: 10s}}}
)");
  Jobs rec;
  const auto v = run_replication(sc, sc.seed, 0, &rec);
  const auto defs = replication_metric_defs(sc);
  auto m = [&](const char* n) { return v[static_cast<size_t>(find_metric(defs, n))]; };
  CHECK(rec.total == static_cast<int>(m("workload.j.jobs_submitted")));
  CHECK(rec.finished == static_cast<int>(m("workload.j.jobs_completed")));
  CHECK(rec.evictions == static_cast<int>(m("workload.j.interruptions")));
  CHECK(rec.bad_vm == 0);
  CHECK(rec.restarted > 0);  // evictions restarted some jobs on another VM
}

TEST_CASE("batch: every run of a job on each VM of its gang is reported to on_job_run") {
  struct Runs : RunObserver {
    int finished = 0, lost = 0, unfinished = 0, bad = 0;
    std::map<uint32_t, std::pair<double, double>> vm_up;  // serial → (running, end)
    std::map<uint32_t, std::vector<std::pair<double, double>>> by_job;
    bool wants_events() const override { return true; }
    void on_event(const ModelEvent& e) override {
      if (e.kind == ModelEventKind::kRunning) vm_up[e.vm] = {e.time.to_seconds(), 1e18};
      if (e.kind == ModelEventKind::kEviction || e.kind == ModelEventKind::kEnd)
        vm_up[e.vm].second = e.time.to_seconds();
    }
    void on_job_run(const JobRunSignal& r) override {
      finished += r.outcome == JobRunOutcome::kFinished;
      lost += r.outcome == JobRunOutcome::kLost;
      unfinished += r.outcome == JobRunOutcome::kUnfinished;
      // On a VM that was up for the whole run (a lost run ends at or before its VM's eviction).
      auto it = vm_up.find(r.vm);
      bad += it == vm_up.end() || r.start < it->second.first || r.end > it->second.second || r.end < r.start;
      by_job[r.job].push_back({r.start, r.end});
    }
  };
  const auto sc = compile_here(base(10, "0.3/h", "1d", 1, "", "2m") + R"(workloads:
  j: {type: batch, fleet: f, arrivals: {every: 20m}, job: {work: 1h, parallelism: 2, checkpoint: {interval: 15m, write_time: 10s}}}
)");
  Runs rec;
  const auto v = run_replication(sc, sc.seed, 0, &rec);
  const auto defs = replication_metric_defs(sc);
  auto m = [&](const char* n) { return v[static_cast<size_t>(find_metric(defs, n))]; };
  // One row per VM of the gang (2) for each completed job and each interruption.
  CHECK(rec.finished == 2 * static_cast<int>(m("workload.j.jobs_completed")));
  CHECK(rec.lost == 2 * static_cast<int>(m("workload.j.interruptions")));
  CHECK(rec.lost > 0);
  CHECK(rec.unfinished % 2 == 0);
  CHECK(rec.bad == 0);
  // A job's runs follow one another: the gang's two rows share start and end, and the next run
  // starts after the previous one ended.
  int overlaps = 0;
  for (auto& [job, runs] : rec.by_job) {
    std::sort(runs.begin(), runs.end());
    for (size_t i = 1; i < runs.size(); ++i) {
      if (i % 2 == 1) overlaps += runs[i] != runs[i - 1];
      else overlaps += runs[i].first < runs[i - 1].second;
    }
  }
  CHECK(overlaps == 0);
}

TEST_CASE("batch: counters and the queue_depth gauge are live for samplers (queue depth over time)") {
  struct Samples : RunObserver {
    int depth_at = -1, completed_at = -1;  // metric indices
    std::vector<double> depth, completed;
    bool wants_frames() const override { return true; }
    void on_frame(const Frame& f) override {
      depth.push_back(f.metrics[static_cast<size_t>(depth_at)]);
      completed.push_back(f.metrics[static_cast<size_t>(completed_at)]);
    }
  };
  const auto sc = compile_here(base(2, "", "7h", 1) + "sample_interval: 1h\n" + R"(workloads:
  j: {type: batch, fleet: f, arrivals: {count: 6}, job: {work: 2h}}
)");
  Samples rec;
  const auto defs = replication_metric_defs(sc);
  rec.depth_at = find_metric(defs, "workload.j.queue_depth");
  rec.completed_at = find_metric(defs, "workload.j.jobs_completed");
  REQUIRE(rec.depth_at >= 0);
  REQUIRE(rec.completed_at >= 0);
  run_replication(sc, sc.seed, 0, &rec);
  // Samples at 0..7 h run after the jobs at the same instant (observer priority).
  CHECK(rec.depth == std::vector<double>{4, 4, 2, 2, 0, 0, 0, 0});
  CHECK(rec.completed == std::vector<double>{0, 0, 2, 2, 4, 4, 6, 6});
}

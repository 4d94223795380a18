// Workloads ↔ fleet policy: per-job events and load reports reach FleetPolicy::on_job_event in a
// real run, checkpoint{} commands become checkpoint writes in the batch model, VMs holding a job
// are protected from scale-in, and an all-on-demand batch fleet loses nothing.
#include "tests/workload/workload_helpers.h"

#include <map>
#include <memory>

#include "sim/run/replication_models.h"
#include "sim/model/workload/job_runner.h"
#include "sim/model/workload/workloads.h"
#include "sim/model/world.h"
#include "tests/common/world_metric.h"

using namespace spotsim;
using namespace spotsim::test;

namespace {

// Counts job events; optionally checkpoints the job of a VM that gets a notice.
class JobEventPolicy : public FleetPolicy {
 public:
  explicit JobEventPolicy(bool checkpoint_on_notice) : ckpt_(checkpoint_on_notice) {}
  std::string name() const override { return "job-events"; }
  uint32_t hooks() const override { return kHookOnJobEvent | (ckpt_ ? kHookOnNotice : 0u); }
  void on_job_event(const JobEvent& e, const PolicyContext& ctx, Commands& out) override {
    ++count[e.kind];
    if (e.kind == JobEventKind::kLoad) {
      ++metrics[e.metric];
      CHECK(e.workload == 0);
      return;
    }
    CHECK(job_id_workload(e.job) == 0);
    if (e.kind == JobEventKind::kStarted) {
      REQUIRE(e.vm.valid());
      CHECK(ctx.vm_alive(e.vm));
      CHECK(ctx.vm(e.vm).state == VmState::kRunning);
      CHECK(ctx.vm(e.vm).fleet == ctx.fleet_index());
      job_on_vm[e.vm.serial] = e.job;
    }
    if (e.kind == JobEventKind::kLost) {
      REQUIRE(e.vm.valid());
      CHECK(ctx.vm_alive(e.vm));  // reported while it is being evicted
      job_on_vm.erase(e.vm.serial);
    }
    if (e.kind == JobEventKind::kFinished) {
      REQUIRE(e.vm.valid());
      job_on_vm.erase(e.vm.serial);
    }
  }
  void on_notice(VmId vm, SimTime, const PolicyContext& ctx, Commands& out) override {
    auto it = job_on_vm.find(vm.serial);
    if (it != job_on_vm.end()) out.push_back(Command::checkpoint(ctx.fleet_index(), it->second));
    // The built-in replacement on eviction still runs (on_eviction is not declared).
  }
  std::map<JobEventKind, int> count;
  std::map<LoadMetric, int> metrics;
  std::map<uint32_t, uint64_t> job_on_vm;

 private:
  bool ckpt_;
};

std::string batch_scenario(const std::string& job_extra) {
  return base(8, "0.2/h", "1d", 1, ", notice: 2m") + R"(workloads:
  j:
    type: batch
    fleet: f
    arrivals: {every: 20m}
    job: {work: 3h)" +
         job_extra + R"(}
)";
}

}  // namespace

TEST_CASE("job events: on_job_event fires in a real batch run with every kind of event") {
  const auto sc = compile_here(batch_scenario(", checkpoint: {interval: 30m, write_time: 1m}"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  auto p = std::make_unique<JobEventPolicy>(false);
  JobEventPolicy* pp = p.get();
  w.set_policy(0, std::move(p));
  REQUIRE(w.wants_job_events(0));
  w.run();
  const double submitted = metric(w, "workload.j.jobs_submitted");
  const double kills = metric(w, "workload.j.interruptions");
  REQUIRE(kills > 0);
  CHECK(pp->count[JobEventKind::kQueued] == static_cast<int>(submitted + kills));  // arrival + each re-queue
  CHECK(pp->count[JobEventKind::kFinished] == static_cast<int>(metric(w, "workload.j.jobs_completed")));
  CHECK(pp->count[JobEventKind::kLost] == static_cast<int>(kills));
  CHECK(pp->count[JobEventKind::kCheckpointed] == static_cast<int>(metric(w, "workload.j.checkpoints")));
  CHECK(pp->count[JobEventKind::kStarted] >= pp->count[JobEventKind::kFinished]);
  // kLoad every minute: utilization and queue depth (1 day = 1440 minutes).
  CHECK(pp->metrics[LoadMetric::kUtilization] == 1440);
  CHECK(pp->metrics[LoadMetric::kQueueDepth] == 1440);
  CHECK(std::isfinite(w.workload_load(0, LoadMetric::kQueueDepth)));
  CHECK(std::isnan(w.workload_load(0, LoadMetric::kNone)));
}

TEST_CASE("job events: the built-in policy gets no per-job events (only load)") {
  const auto sc = compile_here(batch_scenario(""));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  CHECK_FALSE(w.wants_job_events(0));
  w.run();
  CHECK(w.fleets()[0].load == w.workload_load(0, LoadMetric::kQueueDepth));
}

TEST_CASE("job events: a checkpoint command on notice becomes a checkpoint write and saves work") {
  // No periodic checkpoints: without the policy every kill loses all progress.
  const std::string job = ", checkpoint: {size: 1GB}";
  const auto sc = compile_here(batch_scenario(job) + "checkpoint_store: {throughput: 1GB/s}\n");
  ReplicationModels plain_models(sc, 0, kWithoutPoliciesOrChaos);
  World& plain = plain_models.world();
  plain.set_policy(0, std::make_unique<JobEventPolicy>(false));
  plain.run();
  ReplicationModels with_models(sc, 0, kWithoutPoliciesOrChaos);
  World& with = with_models.world();
  with.set_policy(0, std::make_unique<JobEventPolicy>(true));
  with.run();
  CHECK(metric(plain, "workload.j.commanded_checkpoints") == 0);
  CHECK(metric(plain, "workload.j.checkpoints") == 0);
  const double commanded = metric(with, "workload.j.commanded_checkpoints");
  CHECK(commanded > 0);
  CHECK(with.commands_applied(CommandKind::kCheckpoint) >= static_cast<uint64_t>(commanded));
  // A 1 GB write at 1 GB/s finishes well inside the 2-minute notice.
  CHECK(metric(with, "workload.j.checkpoints") == commanded);
  CHECK(metric(with, "workload.j.checkpoint_misses") == 0);
  CHECK(metric(with, "workload.j.lost_work_vm_hours") < 0.2 * metric(plain, "workload.j.lost_work_vm_hours"));
}

TEST_CASE("job events: checkpoint commands from a notice storm share the store and miss the window") {
  // 8 jobs noticed at once, 60 GB each through 1 GB/s: 480 s for all, more than the 120 s notice.
  const auto sc = compile_here(base(8, "", "6h", 1, ", notice: 2m") + R"(checkpoint_store: {throughput: 1GB/s}
workloads:
  j: {type: batch, fleet: f, arrivals: {count: 8}, job: {work: 5h, checkpoint: {size: 60GB}}}
)");
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.set_policy(0, std::make_unique<JobEventPolicy>(true));
  struct Storm : WorldComponent, EventHandler {
    World& w;
    uint16_t self;
    explicit Storm(World& world) : w(world) { self = w.engine().add_handler(this); }
    void start(World&) override {
      w.engine().schedule_at(SimTime{} + Duration::hours(1), self, 0, 0, 0, Priority::kChaos);
    }
    void handle(Engine&, const Event&) override {
      for (uint32_t s = 0; s < w.vms().size(); ++s) {
        if (w.vms()[s].state == VmState::kRunning) w.give_notice(s, Duration::minutes(2));
      }
    }
  };
  w.add_component(std::make_unique<Storm>(w));
  w.run();
  CHECK(metric(w, "workload.j.commanded_checkpoints") == 8);
  CHECK(metric(w, "workload.j.checkpoint_misses") == 8);
  CHECK(metric(w, "workload.j.interruptions") == 8);
}

TEST_CASE(
    "job events: a batch workload on an all-on-demand fleet loses no work and costs the on-demand price times hours") {
  // The pool has a high spot hazard, but on_demand_base = target puts every VM on on-demand.
  const auto sc = compile_here(R"(spotsim: 1
name: t
seed: 11
replications: 2
duration: 2d
pools:
  p: {provider: aws, region: r, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.2, capacity: 100000, interruption: {rate: 0.5/h}}
fleets:
  f: {pools: [p], target: 6, boot_time: 90s, on_demand_base: 6, scale_to_zero: false}
workloads:
  j: {type: batch, fleet: f, arrivals: {every: 30m}, job: {work: 2h, checkpoint: {interval: 30m, write_time: 1m}}}
)");
  RunOptions o;
  o.threads = 1;
  auto r = run_scenario(sc, o);
  REQUIRE(r.is_ok());
  for (const auto& rep : r->per_replication) {
    auto v = [&](const char* n) { return rep[static_cast<size_t>(r->metric_index(n))]; };
    CHECK(v("fleet.f.interruptions") == 0.0);
    CHECK(v("workload.j.lost_work_vm_hours") == 0.0);
    CHECK(v("workload.j.interruptions") == 0.0);
    CHECK(v("workload.j.jobs_completed") > 80);
    CHECK(v("fleet.f.vm_hours_spot") == 0.0);
    CHECK(v("fleet.f.vm_hours_on_demand") == Approx(6 * 48.0).epsilon(1e-12));
    CHECK(v("fleet.f.cost") == Approx(6 * 48.0 * 0.2).epsilon(1e-12));
    CHECK(v("cost.total") == Approx(v("cost.all_on_demand")).epsilon(1e-12));
  }
}

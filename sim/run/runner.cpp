#include "sim/run/runner.h"

#include <chrono>
#include <optional>
#include <mutex>
#include <thread>

#include "sim/chaos/runtime.h"
#include "sim/policy/lua_policy.h"
#include "sim/policy/policy_error.h"
#include "sim/run/expect.h"
#include "sim/run/replication_models.h"

namespace spotsim {

int default_thread_count() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

Result<CompiledScenario> load_checked_scenario(const std::string& path, const LoadOptions& options) {
  ASSIGN_OR_RETURN(CompiledScenario sc, load_scenario(path, options));
  RETURN_IF_ERROR(compile_expectations(sc, replication_metric_defs(sc)).status());
  RETURN_IF_ERROR(check_policies(sc));
  return sc;
}

std::vector<MetricDef> replication_metric_defs(const CompiledScenario& scenario) {
  return declare_replication_metrics(scenario);
}

namespace {

// Shows one replication's World to a RunObserver as events and frames.
class ObserverBridge : public WorldObserver, public WorldSampler {
 public:
  ObserverBridge(RunObserver& o, const World& world)
      : o_(o), fleets_(world.fleets().size()), pools_(world.pools().size()) {}

  void on_model_event(const World&, const ModelEvent& e) override { o_.on_event(e); }
  void on_job(const World&, const JobSignal& job) override { o_.on_job(job); }
  void on_job_run(const World&, const JobRunSignal& run) override { o_.on_job_run(run); }

  void on_sample(const World& world, SimTime t) override {
    const auto& fleets = world.fleets();
    const auto& pools = world.pools();
    for (size_t f = 0; f < fleets_.size(); ++f) {
      fleets_[f] = FleetFrame{fleets[f].target, fleets[f].running, fleets[f].booting, fleets[f].waiting, 0};
    }
    for (size_t p = 0; p < pools_.size(); ++p) {
      pools_[p] = PoolFrame{pools[p].spot_in_use, pools[p].capacity, 0, 0, 0, pools[p].on_demand_available};
    }
    for (const VmSlot& vm : world.vms()) {
      // As the fleets' `running`: booted and not gone (a VM noticed while booting is not running).
      const bool up = (vm.state == VmState::kRunning || vm.state == VmState::kNoticed) && vm.running_us >= 0;
      if (!up) continue;
      if (vm.pool < pools_.size()) {
        PoolFrame& p = pools_[vm.pool];
        if (vm.purchase == Purchase::kOnDemand) {
          ++p.running_on_demand;
          if (vm.flags & kVmFallback) ++p.running_fallback;
        } else {
          ++p.running_spot;
        }
      }
      if (vm.fleet < fleets_.size()) ++fleets_[vm.fleet].vms_up;
    }
    o_.on_frame(Frame{t, fleets_, pools_, world.metrics().values()});
  }

 private:
  RunObserver& o_;
  std::vector<FleetFrame> fleets_;
  std::vector<PoolFrame> pools_;
};

}  // namespace

std::vector<double> run_replication(const CompiledScenario& scenario, uint64_t seed, int64_t replication,
                                    RunObserver* recorder, uint64_t* events, const LawChecker* laws) {
  CompiledScenario const* sc = &scenario;
  CompiledScenario copy;
  if (seed != scenario.seed) {
    copy = scenario;
    copy.seed = seed;
    sc = &copy;
  }
  ReplicationModels models(*sc, static_cast<uint64_t>(replication));
  World& world = models.world();
  ChaosRuntime& chaos = *models.chaos();
  std::optional<ObserverBridge> bridge;
  if (recorder) {
    recorder->on_start(replication);
    bridge.emplace(*recorder, world);
    if (recorder->wants_events()) world.signals().set_observer(&*bridge);
    if (recorder->wants_frames()) world.signals().set_sampler(&*bridge);
  }
  world.run();
  if (recorder && !chaos.intervals().empty()) recorder->on_chaos(chaos.intervals());
  if (recorder) recorder->on_finish(world.metrics().values());
  if (events) *events = world.events_processed();
  if (laws) {
    const std::vector<std::string> broken = laws->check(world, chaos, world.metrics().values());
    if (!broken.empty()) {
      std::string msg = "spotsim: internal error: a law of docs/metrics.md is broken in replication " +
                        std::to_string(replication) + " (seed " + std::to_string(seed) +
                        "), checked at the end of the run (" + format_duration(sc->duration) + "):";
      for (const std::string& b : broken) msg += "\n  " + b;
      msg +=
          "\nThis is a bug in spotsim: please report it with the scenario and this command's --seed and --replication.";
      throw LawViolation(msg);
    }
  }
  return world.metrics().values();
}

Result<RunResult> run_scenario(const CompiledScenario& scenario, const RunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  RunResult r;
  r.scenario = scenario.name;
  r.seed = options.seed.value_or(scenario.seed);
  r.replications = options.replications.value_or(scenario.replications);
  if (r.replications < 1) return Status::invalid("--replications must be at least 1");
  if (options.first_replication < 0) return Status::invalid("--replication must be at least 0");
  r.first_replication = options.first_replication;
  r.metrics = replication_metric_defs(scenario);
  std::optional<LawChecker> laws;
  if (options.check_laws) laws.emplace(scenario, r.metrics);
  std::vector<Expectation> expectations;
  if (options.check_expectations) {
    ASSIGN_OR_RETURN(expectations, compile_expectations(scenario, r.metrics));
  }
  r.per_replication.assign(static_cast<size_t>(r.replications), {});
  std::vector<uint64_t> events(static_cast<size_t>(r.replications), 0);
  std::vector<char> done(static_cast<size_t>(r.replications), 0);

  int threads = options.threads > 0 ? options.threads : default_thread_count();
  threads = static_cast<int>(std::min<int64_t>(threads, r.replications));
  r.threads = threads;

  std::atomic<int64_t> next{0};
  std::atomic<int64_t> finished{0};
  // A failing policy (PolicyFailure) stops the run; the lowest failing replication is reported,
  // which does not depend on the thread count (replications are handed out in order).
  std::mutex failure_mu;
  int64_t failed_rep = -1;
  Status failure;
  std::atomic<bool> failed{false};
  auto worker = [&]() {
    for (;;) {
      if (options.cancel && options.cancel->load()) return;
      if (failed.load()) return;
      const int64_t rep = next.fetch_add(1);
      if (rep >= r.replications) return;
      RunObserver* rec = options.observers ? options.observers(rep) : nullptr;
      try {
        r.per_replication[static_cast<size_t>(rep)] =
            run_replication(scenario, r.seed, r.first_replication + rep, rec, &events[static_cast<size_t>(rep)],
                            laws ? &*laws : nullptr);
      } catch (const PolicyFailure& e) {
        std::lock_guard<std::mutex> lock(failure_mu);
        if (failed_rep < 0 || rep < failed_rep) {
          failed_rep = rep;
          failure = e.status();
        }
        failed.store(true);
        return;
      } catch (const LawViolation& e) {
        std::lock_guard<std::mutex> lock(failure_mu);
        if (failed_rep < 0 || rep < failed_rep) {
          failed_rep = rep;
          failure = Status::internal(e.what());
        }
        failed.store(true);
        return;
      }
      done[static_cast<size_t>(rep)] = 1;
      const int64_t f = finished.fetch_add(1) + 1;
      if (options.progress) options.progress(f, r.replications);
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (failed_rep >= 0) return failure;

  // Keep completed replications only, in index order (a cancelled run keeps a prefix-free set).
  std::vector<std::vector<double>> kept;
  for (size_t i = 0; i < done.size(); ++i) {
    if (!done[i]) continue;
    kept.push_back(std::move(r.per_replication[i]));
    r.replication_ids.push_back(r.first_replication + static_cast<int64_t>(i));
    r.events += events[i];
  }
  r.completed = static_cast<int64_t>(kept.size());
  r.cancelled = r.completed < r.replications;
  r.per_replication = std::move(kept);
  r.stats.resize(r.metrics.size());
  std::vector<double> column(r.per_replication.size());
  for (size_t m = 0; m < r.metrics.size(); ++m) {
    for (size_t i = 0; i < r.per_replication.size(); ++i) column[i] = r.per_replication[i][m];
    r.stats[m] = compute_stats(column);
  }
  if (options.check_expectations) r.expectations = evaluate_expectations(expectations, scenario, r);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace spotsim

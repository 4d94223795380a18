// Workloads validated against closed forms: Erlang C queue wait, the Young/Daly checkpoint
// interval, lost work per eviction, the all-on-demand cost, greedy vs uniform progress.
#include "tests/workload/workload_helpers.h"

#include "sim/model/workload/deadline_job.h"
#include "sim/model/workload/erlang.h"

using namespace spotsim;
using namespace spotsim::test;

TEST_CASE("erlang: Erlang C matches known values") {
  CHECK(erlang_c(1, 0.5) == Approx(0.5));        // M/M/1: P(wait) = ρ
  CHECK(erlang_c(2, 1.0) == Approx(1.0 / 3.0));  // a=1, c=2: 1/3
  CHECK(erlang_c(5, 4.0) == Approx(0.5541).epsilon(1e-3));
  CHECK(erlang_c(3, 3.5) == 1.0);                    // unstable
  CHECK(mmc_mean_wait(1, 0.5, 1.0) == Approx(1.0));  // ρ/(μ−λ) = 0.5/0.5
  // Response-time CDF: M/M/1 response is exponential(μ − λ).
  CHECK(mmc_response_cdf(1, 0.5, 1.0, 2.0) == Approx(1.0 - std::exp(-1.0)));
  CHECK(erlang_c(10000, 9000.0) < 1e-6);  // stable recursion for a large fleet
}

TEST_CASE("batch: Poisson arrivals to c fixed VMs wait as Erlang C predicts (within 3%)") {
  // M/M/5 with ρ = 0.75: λ = 3.75/h, exponential work with mean 1 h, 5 VMs never interrupted.
  const auto sc = compile_here(fixed_fleet(base(5, "", "400d", 8)) + R"(workloads:
  q:
    type: batch
    fleet: f
    arrivals: {rate: 3.75/h}
    job: {work: {dist: exponential, mean: 1h}}
)");
  const double theory_s = mmc_mean_wait(5, 3.75, 1.0) * 3600.0;
  const double measured = mean_metric(sc, "workload.q.queue_wait");
  INFO("Erlang C W_q = " << theory_s << " s, simulated " << measured << " s");
  CHECK(std::fabs(measured / theory_s - 1.0) < 0.03);
  // Little's law on the queue: L_q = λ W_q.
  const double lq = mean_metric(sc, "workload.q.queue_depth_mean");
  CHECK(lq == Approx(3.75 * theory_s / 3600.0).epsilon(0.03));
}

namespace {

// 100 single-VM jobs of 20 h on a fleet whose VMs fail exponentially (MTBF 10 h, no notice),
// checkpointing every `interval` with a 5-minute write.
std::string daly_scenario(double interval_min, double write_min) {
  std::ostringstream s;
  s << base(100, "0.1/h", "3d", 6, ", notice: 0", "1m") << "workloads:\n  j:\n    type: batch\n    fleet: f\n"
    << "    arrivals: {count: 100}\n    job:\n      work: 20h\n"
    << "      checkpoint: {interval: " << interval_min << "m, write_time: " << write_min << "m}\n";
  return s.str();
}

}  // namespace

TEST_CASE("batch: the interval minimizing completion time matches Young/Daly sqrt(2 delta MTBF) within 10%") {
  const double delta_h = 5.0 / 60.0, mtbf_h = 10.0;
  const double young_min = std::sqrt(2.0 * delta_h * mtbf_h) * 60.0;  // 77.5 min
  // Sweep, then fit T(τ) = a/τ + bτ + c (the first-order expansion of Daly's expected completion
  // time) by least squares: the curve is flat near its minimum, so the fitted minimizer √(a/b) is
  // a far steadier estimate than the noisy argmin of the raw sweep.
  // Seven points around the optimum: a wide sweep biases the first-order fit low (the true curve
  // is asymmetric), which the analytic comparison below shows.
  std::vector<double> taus = {30, 45, 60, 80, 100, 130, 170};
  std::vector<double> times, theory;
  double best_tau = 0, best_t = 1e300;
  for (double tau : taus) {
    const double t = mean_metric(compile_here(daly_scenario(tau, 5)), "workload.j.run_time") / 3600.0;
    times.push_back(t);
    // Daly's expected completion time up to a constant factor: (e^{(τ+δ)/M} − 1) / τ.
    theory.push_back((std::exp((tau / 60.0 + delta_h) / mtbf_h) - 1.0) / tau);
    if (t < best_t) {
      best_t = t;
      best_tau = tau;
    }
  }
  // Least squares for y ≈ a/τ + bτ + c; returns √(a/b).
  auto fit_min = [&](const std::vector<double>& y) {
    double m[3][4] = {};
    for (size_t i = 0; i < taus.size(); ++i) {
      const double x[3] = {1.0 / taus[i], taus[i], 1.0};
      for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) m[r][c] += x[r] * x[c];
        m[r][3] += x[r] * y[i];
      }
    }
    for (int p = 0; p < 3; ++p) {
      for (int r = 0; r < 3; ++r) {
        if (r == p) continue;
        const double f = m[r][p] / m[p][p];
        for (int c = 0; c < 4; ++c) m[r][c] -= f * m[p][c];
      }
    }
    const double a = m[0][3] / m[0][0], b = m[1][3] / m[1][1];
    REQUIRE(a > 0);
    REQUIRE(b > 0);
    return std::sqrt(a / b);
  };
  const double fitted = fit_min(times);
  const double fitted_theory = fit_min(theory);
  INFO("Young " << young_min << " min, fitted minimizer " << fitted << " min (same fit on Daly's exact curve: "
                << fitted_theory << " min), raw sweep argmin " << best_tau << " min");
  CHECK(std::fabs(fitted / young_min - 1.0) < 0.10);
  CHECK(std::fabs(fitted / fitted_theory - 1.0) < 0.03);
  CHECK(best_tau >= 60);
  CHECK(best_tau <= 110);
}

TEST_CASE("batch: lost work per eviction is about half a checkpoint interval") {
  const double lost = mean_metric(compile_here(daly_scenario(60, 1)), "workload.j.lost_work_per_interruption");
  INFO("lost per interruption " << lost << " s; half the interval is 1800 s");
  CHECK(std::fabs(lost / 1800.0 - 1.0) < 0.10);
}

TEST_CASE("batch: without interruptions nothing is lost and cost is VM-hours times the price exactly") {
  // A fixed fleet: with scale to zero the billed boot time of each scale-out comes on top (tested
  // in scale_to_zero_test.cpp).
  const auto sc = compile_here(fixed_fleet(base(10, "", "2d", 2)) + R"(workloads:
  j:
    type: batch
    fleet: f
    arrivals: {every: 30m}
    job: {work: 2h, checkpoint: {interval: 30m, write_time: 1m}}
)");
  RunOptions o;
  o.threads = 1;
  auto r = run_scenario(sc, o);
  REQUIRE(r.is_ok());
  for (const auto& rep : r->per_replication) {
    auto v = [&](const char* n) { return rep[static_cast<size_t>(r->metric_index(n))]; };
    CHECK(v("workload.j.lost_work_vm_hours") == 0.0);
    CHECK(v("workload.j.interruptions") == 0.0);
    CHECK(v("workload.j.jobs_completed") > 80);
    CHECK(v("fleet.f.cost") == Approx(v("fleet.f.vm_hours_spot") * 0.05).epsilon(1e-12));
    CHECK(v("workload.j.cost_per_job") * v("workload.j.jobs_completed") == Approx(v("fleet.f.cost")).epsilon(1e-12));
  }
}

namespace {

DeadlineJobSpec deadline_spec(DeadlinePolicy p, double work_h, double deadline_h, double d_h) {
  DeadlineJobSpec s;
  s.trace_step = Duration::minutes(10);
  // A deterministic two-state availability trace: runs of spot and no-spot with lengths from a
  // fixed stream (mean 4 h available, 2 h unavailable), three weeks long.
  Rng rng(2024);
  bool up = true;
  while (s.available.size() < 3 * 7 * 24 * 6) {
    const double mean_steps = up ? 24.0 : 12.0;
    const size_t len = 1 + static_cast<size_t>(rng.exponential(1.0 / mean_steps));
    for (size_t k = 0; k < len; ++k) s.available.push_back(up ? 1 : 0);
    up = !up;
  }
  return with_job(std::move(s), p, work_h, deadline_h, d_h);
}

}  // namespace

TEST_CASE("deadline_job: all on-demand costs exactly its hours times the on-demand price") {
  const auto s = deadline_spec(DeadlinePolicy::kOnDemand, 48, 70, 0.2);
  for (size_t off : {0u, 137u, 2000u}) {
    const auto r = simulate_deadline_job(s, off);
    CHECK(r.spot_hours == 0.0);
    CHECK(r.on_demand_hours == Approx(48.2).epsilon(1e-12));
    CHECK(r.cost == r.on_demand_hours * 3.0);
    CHECK(!r.missed);
    CHECK(r.switches == 1);
  }
}

TEST_CASE("deadline_job: uniform progress uses fewer on-demand hours than greedy, and neither misses") {
  double greedy_od = 0, up_od = 0, lit_od = 0, greedy_cost = 0, up_cost = 0, lit_cost = 0;
  int misses = 0, up_fewer = 0, n = 0;
  for (double deadline : {52.0, 60.0, 70.0}) {
    for (double d : {0.05, 0.2}) {
      const auto g = deadline_spec(DeadlinePolicy::kGreedy, 48, deadline, d);
      const auto u = deadline_spec(DeadlinePolicy::kUniformProgress, 48, deadline, d);
      const auto l = deadline_spec(DeadlinePolicy::kUniformProgressLiteral, 48, deadline, d);
      for (size_t off = 0; off < g.available.size(); off += 97) {
        const auto rg = simulate_deadline_job(g, off);
        const auto ru = simulate_deadline_job(u, off);
        const auto rl = simulate_deadline_job(l, off);
        greedy_od += rg.on_demand_hours;
        up_od += ru.on_demand_hours;
        lit_od += rl.on_demand_hours;
        greedy_cost += rg.cost;
        up_cost += ru.cost;
        lit_cost += rl.cost;
        misses += rg.missed + ru.missed + rl.missed;
        up_fewer += ru.on_demand_hours <= rg.on_demand_hours + 1e-9;
        ++n;
      }
    }
  }
  INFO("on-demand hours: greedy " << greedy_od / n << ", uniform progress " << up_od / n << ", literal " << lit_od / n
                                  << "; cost: greedy " << greedy_cost / n << ", UP " << up_cost / n << ", literal "
                                  << lit_cost / n << "; UP no worse in " << up_fewer << "/" << n);
  CHECK(misses == 0);
  CHECK(up_od < greedy_od);
  CHECK(up_cost < greedy_cost);
  // Keeping on-demand instead of idling pays fewer restarts: cheaper than the literal reading.
  CHECK(up_od < lit_od);
  CHECK(up_cost < lit_cost);
}

TEST_CASE("deadline_job: a deadline that allows exactly one switch is met by both policies") {
  for (auto p : {DeadlinePolicy::kGreedy, DeadlinePolicy::kUniformProgress}) {
    const auto s = deadline_spec(p, 48, 48.2, 0.2);
    for (size_t off = 0; off < s.available.size(); off += 131) {
      const auto r = simulate_deadline_job(s, off);
      CHECK(!r.missed);
      CHECK(r.finish_hours <= 48.2 + 1e-9);
    }
  }
}

TEST_CASE("deadline_job: laws - work hours sum to the work, paid hours cover work plus overhead on each kind") {
  // Every policy, every 37th start of the three-week trace, three deadlines, three restart overheads.
  int finished = 0, checked = 0;
  for (auto p : {DeadlinePolicy::kGreedy, DeadlinePolicy::kUniformProgress, DeadlinePolicy::kUniformProgressLiteral,
                 DeadlinePolicy::kOnDemand, DeadlinePolicy::kSpotOnly}) {
    for (double deadline : {48.2, 52.0, 70.0}) {
      for (double d : {0.0, 0.05, 0.2}) {
        const auto s = deadline_spec(p, 48, deadline, d);
        for (size_t off = 0; off < s.available.size(); off += 37) {
          const auto r = simulate_deadline_job(s, off);
          INFO(deadline_policy_name(p) << " deadline " << deadline << " d " << d << " offset " << off);
          ++checked;
          // Paid time is work plus restart overhead, never less than the work, on each kind.
          CHECK(r.on_demand_hours >= r.work_hours_on_demand);
          CHECK(r.spot_hours >= r.work_hours_spot);
          CHECK(r.work_hours_on_demand >= 0.0);
          CHECK(r.work_hours_spot >= 0.0);
          // On-demand is never preempted, so each on-demand start pays its whole overhead d; a
          // spot start pays at most d (a preemption can cut the overhead short).
          CHECK(std::fabs(r.on_demand_hours - r.work_hours_on_demand - r.on_demand_starts * d) < 1e-9);
          CHECK(r.spot_hours - r.work_hours_spot <= (r.switches - r.on_demand_starts) * d + 1e-9);
          CHECK(std::fabs(r.cost - (r.spot_hours * 1.0 + r.on_demand_hours * 3.0)) < 1e-9);
          if (r.finished) {
            ++finished;
            CHECK(std::fabs(r.work_hours_on_demand + r.work_hours_spot - 48.0) < 1e-9);
            // Completion = paid time + idle time (one VM at a time).
            CHECK(std::fabs(r.finish_hours - (r.on_demand_hours + r.spot_hours + r.idle_hours)) < 1e-9);
          }
          if (p != DeadlinePolicy::kSpotOnly) CHECK(!r.missed);
        }
      }
    }
  }
  CHECK(finished > checked * 9 / 10);
}

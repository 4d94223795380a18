#include "bench/core/autoscale_bench.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace spotsim::bench {
namespace {

PoolSpec pool(const std::string& zone, double spot_price, int64_t capacity) {
  PoolSpec p;
  p.name = "m5-" + zone;
  p.region = "us-east-1";
  p.zone = "us-east-1" + zone;
  p.instance_type = "m5.xlarge";
  p.spot_price = spot_price;
  p.on_demand_price = 0.192;
  p.capacity = capacity;
  p.interruption_rate = 0.05;
  p.notice = Duration::seconds(120);
  return p;
}

// Peak `vms`; a daily schedule of 24 hourly targets between 60% and 100% of it (a cosine, peak
// at 14:00); three pools with 30% of the peak each (90% in all), price-capacity-optimized;
// fallback to on-demand after 2 min of refusals, back to spot after 15 min of availability.
CompiledScenario autoscale_scenario(int64_t vms, double days) {
  CompiledScenario sc = churn_scenario(vms, days);
  sc.name = "autoscale-bench";
  sc.pools.clear();
  sc.pools.push_back(pool("a", 0.058, vms * 3 / 10));
  sc.pools.push_back(pool("b", 0.061, vms * 3 / 10));
  sc.pools.push_back(pool("c", 0.064, vms * 3 / 10));
  FleetSpec f = sc.fleets[0];
  f.name = "auto";
  f.pools = {0, 1, 2};
  f.instances = {FleetPoolEntry{0, 1, 0}, FleetPoolEntry{1, 1, 1}, FleetPoolEntry{2, 1, 2}};
  f.allocation = AllocationStrategy::kPriceCapacityOptimized;
  f.fallback.enabled = true;
  f.fallback.after = Duration::minutes(2);
  f.fallback.return_after = Duration::minutes(15);
  f.scaling.kind = ScalingKind::kSchedule;
  for (int h = 0; h < 24; ++h) {
    const double x = 0.8 + 0.2 * std::cos(6.283185307179586 * (h - 14) / 24.0);
    f.scaling.schedule.push_back(
        ScheduledTarget{Duration::hours(h).us, true, static_cast<int64_t>(std::llround(x * static_cast<double>(vms)))});
  }
  f.target = schedule_target_at_start(f.scaling.schedule, f.target);
  sc.fleets[0] = f;
  return sc;
}

struct Timed {
  double seconds = 1e300;
  uint64_t events = 0;
  double interruptions = 0, fallback_hours = 0, fallbacks = 0;
};

Timed run_once(const CompiledScenario& sc) {
  const FrontDoorRun run = run_front_door(sc);
  Timed t;
  t.seconds = run.seconds;
  t.events = run.events;
  const MetricOwner f{MetricGroup::kFleet, sc.fleets[0].name};
  t.interruptions = run.value(f + "interruptions");
  t.fallback_hours = run.value(f + "vm_hours_on_demand");
  t.fallbacks = run.value(f + "fallback_launches");
  return t;
}

}  // namespace

nlohmann::json autoscale_churn(const BenchOptions& opt, std::ostream& log) {
  const int64_t vms = opt.quick ? 2000 : 100000;
  const double days = opt.quick ? 5 : 30;
  const CompiledScenario plain = churn_scenario(vms, days);
  const CompiledScenario autos = autoscale_scenario(vms, days);
  Timed p, a;
  for (int rep = 0; rep < (opt.quick ? 1 : 3); ++rep) {  // alternate, keep the best of each
    const Timed tp = run_once(plain);
    if (tp.seconds < p.seconds) p = tp;
    const Timed ta = run_once(autos);
    if (ta.seconds < a.seconds) a = ta;
  }
  char line[256];
  log << "autoscaling churn: " << vms << " VMs peak x " << days
      << " days, daily schedule 60%..100% of peak, 3 pools with 90% of the peak in spot, price-capacity-optimized,"
         " fallback to on-demand (thread CPU time, best of "
      << (opt.quick ? 1 : 3) << ")\n";
  std::snprintf(line, sizeof line, "  plain churn (fixed, 1 pool):   %.3f s  %llu events  (%.0f interruptions)\n",
                p.seconds, static_cast<unsigned long long>(p.events), p.interruptions);
  log << line;
  std::snprintf(line, sizeof line,
                "  autoscaling + fallback:        %.3f s  %llu events  (%.0f interruptions, "
                "%.0f fallback launches, %.0f on-demand VM-hours)\n",
                a.seconds, static_cast<unsigned long long>(a.events), a.interruptions, a.fallbacks, a.fallback_hours);
  log << line;
  std::snprintf(line, sizeof line, "  time ratio (autoscaling / plain): %.2fx (issue 4: within 3x)\n",
                a.seconds / p.seconds);
  log << line;
  return nlohmann::json{{"vms", vms},
                        {"days", days},
                        {"plain_seconds", p.seconds},
                        {"plain_events", p.events},
                        {"autoscale_seconds", a.seconds},
                        {"autoscale_events", a.events},
                        {"autoscale_interruptions", a.interruptions},
                        {"fallback_launches", a.fallbacks},
                        {"on_demand_vm_hours", a.fallback_hours},
                        {"ratio", a.seconds / p.seconds}};
}

}  // namespace spotsim::bench

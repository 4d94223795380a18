#include "sim/model/workload/deadline_job.h"

#include <algorithm>
#include <cmath>

namespace spotsim {

namespace {
enum class Vm { kNone, kSpot, kOnDemand };
}

DeadlineJobResult simulate_deadline_job(const DeadlineJobSpec& s, size_t offset) {
  DeadlineJobResult r;
  const size_t n = s.available.size();
  const double step = s.trace_step.to_seconds();
  const double total = s.work.to_seconds();
  const double deadline = s.deadline.to_seconds();
  const double d = s.switch_delay.to_seconds();
  const double eps = 1e-9;
  double t = 0, progress = 0, overhead_left = 0;
  Vm vm = Vm::kNone;
  bool od_for_good = false;
  // Give up well after the deadline (spot_only on a trace with no spot never finishes).
  const size_t max_steps = static_cast<size_t>(std::ceil((deadline + total) / step)) * 4 + n + 16;
  double spot_s = 0, od_s = 0, idle_s = 0, spot_work_s = 0, od_work_s = 0;
  for (size_t k = 0; k < max_steps && progress < total - eps; ++k) {
    const bool avail = n > 0 && s.available[(offset + k) % n] != 0;
    if (vm == Vm::kSpot && !avail) {
      vm = Vm::kNone;  // preempted: progress so far is kept, the restart overhead is not
      overhead_left = 0;
      r.preemptions++;
    }
    const double remaining = total - progress;
    const double slack = (deadline - t) - remaining;
    // Idling (or starting spot) now must leave room to still switch to on-demand later.
    const bool must = slack - step < 2 * d - eps;
    const double rate = total / deadline;  // the uniform-progress line
    Vm want = Vm::kNone;
    switch (s.policy) {
      case DeadlinePolicy::kOnDemand: want = Vm::kOnDemand; break;
      case DeadlinePolicy::kSpotOnly: want = avail ? Vm::kSpot : Vm::kNone; break;
      case DeadlinePolicy::kGreedy:
        if (od_for_good) want = Vm::kOnDemand;
        else if (vm == Vm::kSpot) want = Vm::kSpot;  // keep spot until preempted
        else if (must) {
          od_for_good = true;
          want = Vm::kOnDemand;
        } else want = avail ? Vm::kSpot : Vm::kNone;
        break;
      case DeadlinePolicy::kUniformProgress:
        // The authors' simulator (docs/workloads.md): their safety net is re-evaluated every step;
        // with d > 0 it holds for good once it fires (on on-demand the slack no longer shrinks),
        // with d = 0 a switch costs nothing and it takes spot whenever spot is available.
        if (vm == Vm::kSpot && !od_for_good) {
          want = Vm::kSpot;  // exploitation: stay on spot until preempted
        } else if (od_for_good || must) {
          od_for_good = true;  // safety net
          want = (d <= 0 && avail) ? Vm::kSpot : Vm::kOnDemand;
        } else if (vm == Vm::kOnDemand && (!avail || progress <= rate * (t + 2 * d) + eps)) {
          want = Vm::kOnDemand;  // keep on-demand: leave it only for spot, once above the line at t + 2d
        } else if (avail) {
          want = Vm::kSpot;  // taking risks: spot whenever available
        } else if (progress < rate * t - eps) {
          want = Vm::kOnDemand;  // behind the line: catch up on on-demand
        } else {
          want = Vm::kNone;
        }
        break;
      case DeadlinePolicy::kUniformProgressLiteral:
        if (od_for_good) {
          want = Vm::kOnDemand;
        } else if (vm == Vm::kSpot) {
          want = Vm::kSpot;  // exploitation: stay on spot until preempted
        } else if (must) {
          od_for_good = true;  // safety net
          want = Vm::kOnDemand;
        } else if (vm == Vm::kOnDemand && progress < rate * (t + 2 * d) - eps) {
          want = Vm::kOnDemand;  // hysteresis: stay until ahead of the line at t + 2d
        } else if (avail) {
          want = Vm::kSpot;  // taking risks: spot whenever available
        } else if (progress < rate * t - eps) {
          want = Vm::kOnDemand;  // behind the line: catch up on on-demand
        } else {
          want = Vm::kNone;  // ahead of the line and no spot: wait (even if that leaves on-demand)
        }
        break;
    }
    if (want != vm && want != Vm::kNone) {
      overhead_left = d;
      r.switches++;
      if (want == Vm::kOnDemand) r.on_demand_starts++;
    }
    vm = want;
    if (vm == Vm::kNone) {
      t += step;
      idle_s += step;
      continue;
    }
    const double o = std::min(overhead_left, step);
    overhead_left -= o;
    const double w = std::min(step - o, remaining);
    progress += w;
    const double used = (progress >= total - eps) ? o + w : step;
    (vm == Vm::kSpot ? spot_s : od_s) += used;
    (vm == Vm::kSpot ? spot_work_s : od_work_s) += w;
    t += used;
  }
  r.spot_hours = spot_s / 3600.0;
  r.on_demand_hours = od_s / 3600.0;
  r.work_hours_spot = spot_work_s / 3600.0;
  r.work_hours_on_demand = od_work_s / 3600.0;
  r.idle_hours = idle_s / 3600.0;
  r.cost = r.spot_hours * s.spot_price + r.on_demand_hours * s.on_demand_price;
  r.finish_hours = t / 3600.0;
  r.finished = progress >= total - eps;
  r.missed = !r.finished || t > deadline + 1e-6;
  return r;
}

DeadlineJobWorkload::Metrics DeadlineJobWorkload::declare(MetricSet& ms, const WorkloadSpec& spec) {
  Metrics m{};
  const MetricOwner p{MetricGroup::kWorkload, spec.name};
  m.od = ms.add(p + "on_demand_hours", MetricUnit::kHours, "paid on-demand time, restart overhead included");
  m.spot = ms.add(p + "spot_hours", MetricUnit::kHours, "paid spot time, restart overhead included");
  m.work_od = ms.add(p + "work_hours_on_demand", MetricUnit::kHours,
                     "compute progress made on on-demand (paid time less restart overhead)");
  m.work_spot = ms.add(p + "work_hours_spot", MetricUnit::kHours,
                       "compute progress made on spot (paid time less restart overhead); kept across preemptions");
  m.idle = ms.add(p + "idle_hours", MetricUnit::kHours, "time waiting with no VM");
  m.miss = ms.add(p + "deadline_misses", MetricUnit::kCount, "1 if the job finished after its deadline (or never)");
  m.cost = ms.add(p + "cost", MetricUnit::kDollars, "spot_hours × spot price + on_demand_hours × on-demand price");
  m.finish = ms.add(p + "completion_hours", MetricUnit::kHours, "time from start to completion");
  m.switches = ms.add(p + "switches", MetricUnit::kCount, "VM (re)starts, each charged switch_delay");
  m.preempt = ms.add(p + "preemptions", MetricUnit::kCount, "spot VMs lost because the trace ran out of spot");
  m.offset = ms.add(p + "trace_offset_hours", MetricUnit::kHours, "where in the trace this replication started");
  return m;
}

DeadlineJobWorkload::DeadlineJobWorkload(World& world, const WorkloadSpec& spec) : spec_(spec) {
  m_ = declare(world.mutable_metrics(), spec);
}

void DeadlineJobWorkload::start(World& world) {
  const DeadlineJobSpec& s = spec_.deadline;
  size_t offset = 0;
  const size_t n = s.available.size();
  if (s.random_start != TraceStart::kOff && n > 0) {
    // One stream for every deadline job: policies in one scenario see the same trace window
    // (under `fit`, jobs with the same deadline and trace do).
    Rng rng = Rng::stream(world.scenario().seed, world.replication(), "workload.deadline_job.start");
    // kFit: only starts whose deadline window lies inside the trace (compile time checked the
    // trace is long enough); kWrap: any step, the window wraps around the end.
    const size_t window = deadline_window_steps(s);
    const size_t starts = s.random_start == TraceStart::kFit && window <= n ? n - window + 1 : n;
    offset = static_cast<size_t>(rng.below(starts));
  }
  offset_hours_ = static_cast<double>(offset) * s.trace_step.to_hours();
  result_ = simulate_deadline_job(s, offset);
}

void DeadlineJobWorkload::finish(World& world) {
  MetricSet& ms = world.mutable_metrics();
  ms[m_.od] = result_.on_demand_hours;
  ms[m_.spot] = result_.spot_hours;
  ms[m_.work_od] = result_.work_hours_on_demand;
  ms[m_.work_spot] = result_.work_hours_spot;
  ms[m_.idle] = result_.idle_hours;
  ms[m_.miss] = result_.missed ? 1.0 : 0.0;
  ms[m_.cost] = result_.cost;
  ms[m_.finish] = result_.finish_hours;
  ms[m_.switches] = result_.switches;
  ms[m_.preempt] = result_.preemptions;
  ms[m_.offset] = offset_hours_;
}

}  // namespace spotsim

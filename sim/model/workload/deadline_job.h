#pragma once
// `type: deadline_job`: one long job that must finish `work` of compute before `deadline`,
// choosing spot or on-demand at every step of a spot-availability trace — the setting of
// Wu et al., "Can't Be Late: Optimizing Spot Instance Savings under Deadlines" (NSDI 2024).
//
// Model (as in the paper): time advances in trace steps Δ; spot is available for a whole step
// or not; progress is checkpointed for free but every (re)start of a VM — spot or on-demand —
// costs `switch_delay` d of paid time without progress; a spot VM is preempted when the trace
// says spot is unavailable. Policies (docs/workloads.md):
//  - greedy: spot whenever available; idle otherwise; once idling one more step would leave
//    less than 2d of slack (remaining time − remaining work), switch to on-demand for good.
//  - uniform_progress (default): the rule of the authors' published simulator — on spot while
//    it lasts (exploitation); when idle and behind the line work·t/deadline, on-demand; once on
//    on-demand, leave only for spot, when spot is available and progress is above the line at
//    t + 2d (never for idle); the same 2d safety net as greedy (with d = 0: spot when available).
//  - uniform_progress_literal: the paper's hysteresis rule read literally — on on-demand, stay
//    until progress reaches the line at t + 2d, then spot if available, else idle (if not behind).
//  - on_demand (all on-demand) and spot_only (never on-demand) as references.
// The deadline-aware policies meet every deadline with deadline ≥ work + d.
#include <cstddef>

#include "sim/model/world.h"
#include "sim/scenario/workload_spec.h"

namespace spotsim {

struct DeadlineJobResult {
  // Paid time (what is billed) and work (compute progress made) on each kind. Paid = work + the
  // `switch_delay` of each (re)start on that kind (on spot, cut short if a preemption comes first).
  // Work on spot is kept when spot is preempted (free checkpoints), so for a finished job
  // work_hours_spot + work_hours_on_demand = work (docs/metrics.md#workload-metrics).
  double spot_hours = 0;            // paid spot time (restart overhead included)
  double on_demand_hours = 0;       // paid on-demand time (restart overhead included)
  double work_hours_spot = 0;       // compute progress made on spot (the paper's Table 3 hours)
  double work_hours_on_demand = 0;  // compute progress made on on-demand
  double idle_hours = 0;            // waiting with no VM
  double cost = 0;                  // spot_hours × spot price + on_demand_hours × on-demand price
  double finish_hours = 0;          // completion time (or when the simulation gave up)
  bool finished = false;            // all the work was done (possibly after the deadline)
  bool missed = false;              // finished after the deadline (or never)
  int switches = 0;                 // (re)starts, each charged d
  int on_demand_starts = 0;         // the (re)starts that were on on-demand
  int preemptions = 0;
};

// Runs the job against the trace starting at trace step `offset` (the trace wraps around).
// REQUIRES: spec.trace_step > 0.
DeadlineJobResult simulate_deadline_job(const DeadlineJobSpec& spec, size_t offset);

class DeadlineJobWorkload : public WorldComponent {
 public:
  DeadlineJobWorkload(World& world, const WorkloadSpec& spec);
  // Registers exactly the metrics the workload registers (its constructor does it through this).
  static void declare_metrics(MetricSet& ms, const WorkloadSpec& spec) { (void)declare(ms, spec); }
  void start(World& world) override;
  void finish(World& world) override;
  const DeadlineJobResult& result() const { return result_; }

 private:
  const WorkloadSpec& spec_;
  DeadlineJobResult result_;
  struct Metrics {
    uint32_t od, spot, work_od, work_spot, idle, miss, cost, finish, switches, preempt, offset;
  };
  static Metrics declare(MetricSet& ms, const WorkloadSpec& spec);
  Metrics m_{};
  double offset_hours_ = 0;
};

}  // namespace spotsim

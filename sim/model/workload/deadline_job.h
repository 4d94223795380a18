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
//  - uniform_progress: the paper's rules — on spot while it lasts (exploitation); when idle and
//    behind the line work·t/deadline, on-demand; on on-demand stay until ahead of the line at
//    t + 2d (hysteresis); the same 2d safety net as greedy.
//  - on_demand (all on-demand) and spot_only (never on-demand) as references.
// Both deadline-aware policies meet every deadline with deadline ≥ work + d.
#include <cstddef>

#include "sim/model/world.h"
#include "sim/scenario/workload_spec.h"

namespace spotsim {

struct DeadlineJobResult {
  double spot_hours = 0;       // paid spot time (including restart overhead)
  double on_demand_hours = 0;  // paid on-demand time (including restart overhead)
  double idle_hours = 0;       // waiting with no VM
  double cost = 0;             // spot_hours × spot price + on_demand_hours × on-demand price
  double finish_hours = 0;     // completion time (or when the simulation gave up)
  bool missed = false;         // finished after the deadline (or never)
  int switches = 0;            // (re)starts, each charged d
  int preemptions = 0;
};

// Runs the job against the trace starting at trace step `offset` (the trace wraps around).
DeadlineJobResult simulate_deadline_job(const DeadlineJobSpec& spec, size_t offset);

class DeadlineJobWorkload : public WorldComponent {
 public:
  DeadlineJobWorkload(World& world, const WorkloadSpec& spec);
  void start(World& world) override;
  void finish(World& world) override;
  const DeadlineJobResult& result() const { return result_; }

 private:
  const WorkloadSpec& spec_;
  DeadlineJobResult result_;
  uint32_t m_od_, m_spot_, m_idle_, m_miss_, m_cost_, m_finish_, m_switches_, m_preempt_, m_offset_;
  double offset_hours_ = 0;
};

}  // namespace spotsim

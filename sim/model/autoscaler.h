#pragma once
// The built-in scaling of a fleet (`scaling:`, docs/fleets.md "Scaling"), run from the built-in
// policy's on_tick and acting only through scale{} commands — so a Lua policy that defines
// on_tick replaces it.
//
//  - schedule: each tick returns scale{} commands for the schedule entries that fall before the
//    next tick, delayed to their exact time (`at:` once; `daily:` every simulated day, the run
//    starting at 00:00).
//  - target tracking (AWS target tracking / Kubernetes HPA): every `interval`, from the tracked
//    workload's last reported metric (PolicyContext::workload_load):
//      utilization: desired = ceil(running VMs × utilization / target_value)
//      queue_depth: desired = ceil(jobs waiting / target_value)   (AWS "backlog per instance")
//    No change while the metric is within `tolerance` of the target. Scale-in uses the highest
//    recommendation of the last `stabilization_window` (HPA's scale-down stabilization); a
//    scale-out waits `scale_out_cooldown` after the previous scale-out, a scale-in waits
//    `scale_in_cooldown` after the previous scale-in (a scale-out is never held back by a
//    scale-in cooldown, as in AWS). Recommendations are clamped to [min, max]. Nothing happens
//    before the workload reported its first value.
#include <cstdint>
#include <deque>
#include <utility>

#include "sim/model/fleet_policy.h"

namespace spotsim {

class Autoscaler {
 public:
  // REQUIRES: fleet outlives the autoscaler.
  Autoscaler(const FleetSpec& fleet, uint32_t fleet_index);

  // Whether the fleet scales at all (a `scaling:` key).
  bool active() const { return spec_.kind != ScalingKind::kFixed; }
  // How often on_tick should run: target tracking's interval; 1 h for a schedule (its commands
  // are delayed to the exact times).
  Duration tick_interval() const;
  // `every`: the period the policy's ticks actually run at (<= tick_interval()).
  void on_tick(const PolicyContext& ctx, Duration every, Commands& out);

  // The target tracking recommendation for `value` with `running` VMs, before stabilization,
  // cooldowns and min/max (exposed for tests). Returns `current_target` inside the tolerance.
  int64_t recommend(double value, int64_t running, int64_t current_target) const;

 private:
  void schedule_tick(const PolicyContext& ctx, Duration every, Commands& out);
  void tracking_tick(const PolicyContext& ctx, Commands& out);

  const ScalingSpec& spec_;
  uint32_t fleet_;
  int64_t last_scale_out_us_ = INT64_MIN / 2;
  int64_t last_scale_in_us_ = INT64_MIN / 2;
  std::deque<std::pair<int64_t, int64_t>> recent_;  // (time, recommendation) in the window
};

}  // namespace spotsim

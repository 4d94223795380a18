#pragma once
// A fleet's `scaling:` and `warm_pool:` keys, compiled into plain data (docs/fleets.md,
// "Scaling"; reference: docs/scenario-reference.md). The model that acts on them is
// sim/model/autoscaler.h (through the fleet's built-in policy) and sim/model/warm_pool.h.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/time.h"

namespace YAML {
class Node;
}

namespace spotsim {

class MapReader;
class ParseContext;
struct CompiledScenario;
struct FleetSpec;

enum class ScalingKind : uint8_t {
  kFixed = 0,           // `target` VMs for the whole run (no `scaling:` key)
  kSchedule = 1,        // scaling: {schedule: [...]}
  kTargetTracking = 2,  // scaling: {target_tracking: {...}}
};

// One entry of a scaling schedule: from `at` on (or every day at `daily`), the target is `target`.
struct ScheduledTarget {
  int64_t at_us = 0;  // time since the start (at:), or time of day in [0, 24h) (daily:)
  bool daily = false;
  int64_t target = 0;
};

// Which workload metric target tracking follows (numbering as LoadMetric in fleet_policy.h).
enum class TrackedMetric : uint8_t { kUtilization = 1, kQueueDepth = 2 };

struct TargetTrackingSpec {
  TrackedMetric metric = TrackedMetric::kUtilization;
  std::string workload;         // the workload's name
  uint32_t workload_index = 0;  // index into CompiledScenario::workloads
  double target_value = 0;      // utilization: a fraction (0.6); queue_depth: jobs per VM
  int64_t min = 0;
  int64_t max = 0;
  Duration scale_out_cooldown = Duration::seconds(60);
  Duration scale_in_cooldown = Duration::minutes(5);
  Duration stabilization_window = Duration::minutes(5);  // scale-in: highest recommendation in it
  Duration interval = Duration::seconds(60);             // evaluation period
  double tolerance = 0.1;                                // no change while |metric / target − 1| <= tolerance
};

struct ScalingSpec {
  ScalingKind kind = ScalingKind::kFixed;
  std::vector<ScheduledTarget> schedule;  // kSchedule, in the order written
  TargetTrackingSpec tracking;            // kTargetTracking
};

// Pre-initialized instances kept beside the fleet (AWS Auto Scaling warm pools).
struct WarmPoolSpec {
  int64_t size = 0;               // 0 = no warm pool
  bool running = false;           // state: running (billed as a running VM) or stopped (disk only)
  Duration resume_time;           // a launch served from the pool is running after this long
  double disk_cost_per_hour = 0;  // $/h per stopped instance (its volumes)
};

// The target in force at time 0 under `schedule` (the last entry at 0s or daily at 00:00), or
// `fallback` if none.
int64_t schedule_target_at_start(const std::vector<ScheduledTarget>& schedule, int64_t fallback);

// Reads a fleet's `scaling:` and `warm_pool:` keys (the workload of target tracking is resolved
// later, by resolve_scaling, once workloads are compiled). `target_given`: whether the fleet has
// a `target:` key (it is optional with `scaling:`).
void compile_scaling(MapReader& fleet, ScalingSpec& scaling, WarmPoolSpec& warm, int64_t& target, bool target_given);
// Resolves target-tracking workload names and checks the metric fits the workload's type.
// `nodes` holds, per fleet, the `scaling` node (for error positions; undefined if none).
void resolve_scaling(ParseContext& ctx, const YAML::Node& fleets, CompiledScenario& sc);

// Reads a fleet's `scale_to_zero:` and `scale_down_delay:` keys (docs/fleets.md, "Scale to zero").
void compile_scale_to_zero(MapReader& fleet, FleetSpec& f);
// Decides scale_to_zero for every fleet once workloads and Kubernetes are compiled: the default is
// on for a fleet whose only user is one batch or pipeline workload (no service workload, no
// Kubernetes node pool, no `scaling:`); an explicit `scale_to_zero: true` on any other fleet is an
// error saying why, and so is `scale_down_delay:` on a fleet that does not scale to zero.
void resolve_scale_to_zero(ParseContext& ctx, const YAML::Node& fleets, CompiledScenario& sc);

}  // namespace spotsim

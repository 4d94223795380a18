#pragma once
// The figures a game day is compared on: one table, used by predict (what the simulator says the
// drill will show), by the audit reader (what the drill showed) and by compare. Each name is a key
// of a plan's `expect:` block. Definitions: docs/gameday-loop.md.
#include <array>
#include <string_view>

namespace spotsim::gameday {

enum class GamedayMetric {
  kNotices,               // preemption notices delivered
  kDetected,              // of those, read by a client before the notice ended
  kDrainedInTime,         // of those, whose watched workload exited within the notice
  kNotDrained,            // notices whose work is lost at the eviction: notices − drained_in_time
  kDetectionLatencyMean,  // mean notice → first client read that saw it, over detected notices
  kDrainTimeMean,         // mean notice → workload exit, over notices whose workload exited
  kTimeToReplacement,     // simulator only: mean eviction → replacement running
  kLostVmHours,           // simulator only: capacity the fleet wanted and did not have
};
constexpr size_t kGamedayMetricCount = 8;

struct GamedayMetricInfo {
  GamedayMetric metric;
  std::string_view name;
  std::string_view unit;
  bool observable;  // a drill's audit shows it (the simulator-only ones are predicted, never compared)
};

inline constexpr std::array<GamedayMetricInfo, kGamedayMetricCount> kGamedayMetrics{{
    {GamedayMetric::kNotices, "notices", "count", true},
    {GamedayMetric::kDetected, "detected", "count", true},
    {GamedayMetric::kDrainedInTime, "drained_in_time", "count", true},
    {GamedayMetric::kNotDrained, "not_drained", "count", true},
    {GamedayMetric::kDetectionLatencyMean, "detection_latency_mean_s", "s", true},
    {GamedayMetric::kDrainTimeMean, "drain_time_mean_s", "s", true},
    {GamedayMetric::kTimeToReplacement, "time_to_replacement_s", "s", false},
    {GamedayMetric::kLostVmHours, "lost_vm_hours", "h", false},
}};

inline const GamedayMetricInfo* find_gameday_metric(std::string_view name) {
  for (const auto& m : kGamedayMetrics)
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace spotsim::gameday

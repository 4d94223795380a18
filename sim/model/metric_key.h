#pragma once
// Typed metric keys. A metric is (group, owner, name): fleet "web" "interruptions" is
// "fleet.web.interruptions", the run-wide cost "total" is "cost.total". Models register keys,
// reports, recorders, `expect:` and spotviz read the fields; MetricKey::to_string and
// MetricKey::parse are the only places a key becomes text or text a key (JSON, HDF5 and the
// scenario's `expect:` lines use the text form, docs/metrics.md lists it).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spotsim {

enum class MetricGroup : uint8_t {
  kFleet,     // fleet.<fleet>.<name>
  kPool,      // pool.<pool>.<name>
  kWorkload,  // workload.<workload or Kubernetes deployment>.<name>
  kRegion,    // region.<region>.<name> (shared regional limits)
  kChaos,     // chaos.<chaos item>.<name>
  kCost,      // cost.<name>: the whole run's bill
  kK8s,       // k8s.<name>: the whole Kubernetes cluster
};
inline constexpr int kMetricGroupCount = 7;

// "fleet", "pool", ... (the first part of a key's text and the HDF5 /timeseries group).
const char* metric_group_name(MetricGroup group);
// Whether keys of the group belong to a named owner (a fleet, a pool, ...); cost.* and k8s.* are
// the whole run's and have none.
bool metric_group_has_owner(MetricGroup group);

struct MetricKey {
  MetricGroup group = MetricGroup::kCost;
  std::string owner;  // the fleet, pool, workload, region or chaos item; empty for cost.* and k8s.*
  std::string name;   // "interruptions", "time_to_reschedule_p95" (never contains a '.')

  // "fleet.web.interruptions", "cost.total".
  std::string to_string() const;
  // The inverse of to_string; nullopt when `text` is not a key's text. An owner may contain dots
  // (names in scenarios are free text): the group is the text before the first dot and the name
  // the text after the last.
  static std::optional<MetricKey> parse(std::string_view text);

  friend bool operator==(const MetricKey&, const MetricKey&) = default;
};

// The keys of one owner: MetricOwner{MetricGroup::kFleet, "web"} + "interruptions".
struct MetricOwner {
  MetricGroup group;
  std::string owner;
  MetricKey operator+(std::string_view name) const { return MetricKey{group, owner, std::string(name)}; }
  bool owns(const MetricKey& key) const { return key.group == group && key.owner == owner; }
  // "fleet.web": the text its keys start with.
  std::string to_string() const;
};

// A run-wide key: run_metric(MetricGroup::kCost, "total") is "cost.total".
inline MetricKey run_metric(MetricGroup group, std::string_view name) {
  return MetricKey{group, {}, std::string(name)};
}

// Suffixes of a metric's name for its statistics within one replication: "time_to_reschedule" is
// the mean, "time_to_reschedule" + kP95 and + kMax its 95th percentile and largest value.
namespace metric_suffix {
inline constexpr std::string_view kMean = "_mean";
inline constexpr std::string_view kP95 = "_p95";
inline constexpr std::string_view kMax = "_max";
}  // namespace metric_suffix

// "<name><suffix>" for one of metric_suffix's constants.
inline std::string suffixed(std::string_view name, std::string_view suffix) {
  return std::string(name) + std::string(suffix);
}

// Whether `name` is `base` or one of its statistics within a replication (`base` + kMean, kP95 or
// kMax): "time_to_reschedule_p95" is of "time_to_reschedule".
inline bool is_statistic_of(std::string_view name, std::string_view base) {
  if (name == base) return true;
  if (name.size() <= base.size() || name.substr(0, base.size()) != base) return false;
  const std::string_view rest = name.substr(base.size());
  return rest == metric_suffix::kMean || rest == metric_suffix::kP95 || rest == metric_suffix::kMax;
}

// A reference to a statistic over replications, as `expect:` and `--pareto` write it:
// "<metric key text>.<statistic>" ("fleet.web.availability_pct.p95").
struct MetricStatText {
  std::string_view metric;     // the key's text ("fleet.web.availability_pct"); all of it if no dot
  std::string_view statistic;  // "p95"; empty if there is no dot
  bool has_statistic = false;  // whether there was a dot
};
MetricStatText split_metric_statistic(std::string_view text);

}  // namespace spotsim

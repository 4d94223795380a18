#include "viz/data/run_model.h"

#include <optional>

#include "sim/scenario/chaos_spec.h"

namespace spotsim::viz {

std::string event_kind_name(uint8_t kind) {
  switch (kind) {
    case kEvLaunch: return "launch";
    case kEvRunning: return "running";
    case kEvNotice: return "notice";
    case kEvEviction: return "eviction";
    case kEvCapacityError: return "capacity_error";
    case kEvEnd: return "end";
    case kEvTerminate: return "terminate";
    case kEvBootFailed: return "boot_failed";
    case kEvRebalance: return "rebalance";
    default: return "kind " + std::to_string(kind);
  }
}

std::string chaos_kind_label(const std::string& kind) {
  const std::optional<ChaosKind> k = kChaosKinds.find(kind);  // sim/scenario/chaos_spec.h: the kinds' names
  if (!k) return "chaos";
  switch (*k) {
    case ChaosKind::kStorm: return "storm";
    case ChaosKind::kCliff: return "capacity cliff";
    case ChaosKind::kPriceSpike: return "price spike";
    case ChaosKind::kOnDemandExhaustion: return "on-demand exhaustion";
    case ChaosKind::kApiThrottle: return "API throttle";
    case ChaosKind::kCheckpointStoreDegraded: return "checkpoint store degraded";
    case ChaosKind::kBootFailure: return "boot failure";
    case ChaosKind::kNoticeLoss: return "notice loss";
  }
  return "chaos";
}

std::string RunModel::event_kind_label(uint8_t k) const {
  if (k < event_kinds.size() && !event_kinds[k].empty()) return event_kinds[k];
  return event_kind_name(k);
}

void EventTable::reserve(size_t n) {
  t.reserve(n);
  kind.reserve(n);
  vm.reserve(n);
  pool.reserve(n);
  fleet.reserve(n);
  detail.reserve(n);
}

void EventTable::push(double time, uint8_t k, uint32_t v, uint16_t p, uint16_t f, double d) {
  t.push_back(time);
  kind.push_back(k);
  vm.push_back(v);
  pool.push_back(p);
  fleet.push_back(f);
  detail.push_back(d);
}

const Series* RunModel::find_series(const std::string& group, const std::string& metric) const {
  for (const auto& s : series) {
    if (s.group == group && s.metric == metric) return &s;
  }
  return nullptr;
}

const MetricSummary* RunModel::find_metric(const MetricKey& key) const {
  for (const auto& m : metrics) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

const MetricSummary* RunModel::find_metric_named(const std::string& name) const {
  for (const auto& m : metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

int RunModel::pool_index(const std::string& name) const {
  for (size_t i = 0; i < pools.size(); ++i) {
    if (pools[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int RunModel::fleet_index(const std::string& name) const {
  for (size_t i = 0; i < fleets.size(); ++i) {
    if (fleets[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace spotsim::viz

namespace spotsim::viz {

int RunModel::workload_index(const std::string& name) const {
  for (size_t i = 0; i < workloads.size(); ++i) {
    if (workloads[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace spotsim::viz

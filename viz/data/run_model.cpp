#include "viz/data/run_model.h"

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

const char* const kChaosKinds[8] = {"storm",      "cliff",         "price_spike",  "on_demand_exhaustion",
                                    "api_throttle", "checkpoint_store_degraded", "boot_failure", "notice_loss"};

std::string chaos_kind_label(const std::string& kind) {
  static const char* const kLabels[8] = {"storm",        "capacity cliff",            "price spike",  "on-demand exhaustion",
                                         "API throttle", "checkpoint store degraded", "boot failure", "notice loss"};
  for (int i = 0; i < 8; ++i) {
    if (kind == kChaosKinds[i]) return kLabels[i];
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

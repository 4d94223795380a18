#include "sim/model/metric_key.h"

namespace spotsim {

namespace {
constexpr const char* kGroupNames[kMetricGroupCount] = {"fleet", "pool", "workload", "region", "chaos", "cost", "k8s"};
}  // namespace

const char* metric_group_name(MetricGroup group) { return kGroupNames[static_cast<int>(group)]; }

bool metric_group_has_owner(MetricGroup group) { return group != MetricGroup::kCost && group != MetricGroup::kK8s; }

std::string MetricKey::to_string() const {
  std::string out = metric_group_name(group);
  out += '.';
  if (metric_group_has_owner(group)) {
    out += owner;
    out += '.';
  }
  out += name;
  return out;
}

std::string MetricOwner::to_string() const { return std::string(metric_group_name(group)) + "." + owner; }

std::optional<MetricKey> MetricKey::parse(std::string_view text) {
  const size_t first = text.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const std::string_view group_text = text.substr(0, first);
  for (int g = 0; g < kMetricGroupCount; ++g) {
    if (group_text != kGroupNames[g]) continue;
    MetricKey key;
    key.group = static_cast<MetricGroup>(g);
    const size_t last = text.rfind('.');
    if (metric_group_has_owner(key.group)) {
      if (last == first) return std::nullopt;
      key.owner = std::string(text.substr(first + 1, last - first - 1));
      if (key.owner.empty()) return std::nullopt;
    } else if (last != first) {
      return std::nullopt;
    }
    key.name = std::string(text.substr(last + 1));
    if (key.name.empty()) return std::nullopt;
    return key;
  }
  return std::nullopt;
}

MetricStatText split_metric_statistic(std::string_view text) {
  const size_t dot = text.rfind('.');
  if (dot == std::string_view::npos) return MetricStatText{text, {}, false};
  return MetricStatText{text.substr(0, dot), text.substr(dot + 1), true};
}

}  // namespace spotsim

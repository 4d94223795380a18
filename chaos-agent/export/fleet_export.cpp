// --export of a fleet plan (chaos-agent/fleet/fleet_plan.h): the same drill, with the targets
// chosen by label instead of by name.
//   fis    the plan's and each item's select: labels become the FIS target's resourceTags (a
//          label key is the EC2 tag key of the same name), next to --tag; a storm's fraction
//          becomes PERCENT(n) of the instances with those tags (or COUNT(n) with
//          blast_radius.max_targets); an item on its whole selection ALL. What tags cannot say
//          is refused with the item's position: a label with several values, selection by
//          name, an item's targets: subset, and window: (FIS starts an action's interruptions
//          together).
//   azure, gcp  one command per VM the drill picks (the same seeded pick, the target's name is
//          the VM's name), at its own time: a window's notices are grouped by the whole second
//          of their time, as the script can wait.
#include <algorithm>
#include <map>
#include <set>

#include "chaos-agent/core/time_format.h"
#include "chaos-agent/export/export.h"

namespace agent::exports {

using spotsim::Result;
namespace {

using fleet::FleetItem;
using fleet::FleetPlan;

plan::Item base_item(const FleetPlan& fp, const FleetItem& f) {
  plan::Item it;
  it.type = f.type;
  it.at = f.at;
  it.inject = f.inject;
  it.fraction = f.fraction;
  it.where = f.where;
  it.position = f.position;
  it.notice_given = f.notice_given;
  for (size_t idx : f.picked) it.selected.push_back(fp.targets[idx].name);
  return it;
}

plan::Plan base_plan(const FleetPlan& fp) {
  plan::Plan p;
  p.file = fp.file;
  p.name = fp.name;
  p.provider = fp.provider;
  p.max_duration = fp.max_duration;
  p.duration = fp.duration;
  p.seed = fp.seed;
  p.max_fraction = fp.max_fraction;
  p.max_targets = fp.max_targets;
  p.targets.clear();
  for (size_t idx : fp.selection) p.targets.push_back(plan::Target{fp.targets[idx].name, "", ""});
  return p;
}

// The label selection of an item (the plan's narrowed by the item's): key -> accepted values.
fleet::Selector effective_selector(const FleetPlan& fp, const FleetItem& f) {
  fleet::Selector s = fp.select;
  for (const auto& [k, vals] : f.select) {
    auto it = s.find(k);
    if (it == s.end()) {
      s[k] = vals;
      continue;
    }
    std::vector<std::string> both;
    for (const auto& v : vals)
      if (std::find(it->second.begin(), it->second.end(), v) != it->second.end()) both.push_back(v);
    it->second = both;
  }
  return s;
}

// Scripts: a windowed item becomes one step per whole second in which notices fall.
std::vector<plan::Item> script_items(const FleetPlan& fp, const FleetItem& f) {
  if (f.window.count() == 0 || f.type == plan::Item::Type::kClear) return {base_item(fp, f)};
  std::map<long long, plan::Item> by_second;
  for (size_t k = 0; k < f.picked.size(); ++k) {
    const long long s = (f.at + f.offsets[k]).count() / 1000;
    auto [it, fresh] = by_second.try_emplace(s, base_item(fp, f));
    if (fresh) {
      it->second.at = Millis(s * 1000);
      it->second.selected.clear();
    }
    it->second.selected.push_back(fp.targets[f.picked[k]].name);
  }
  std::vector<plan::Item> out;
  for (auto& [s, it] : by_second) {
    std::sort(it.selected.begin(), it.selected.end());
    out.push_back(std::move(it));
  }
  return out;
}

}  // namespace

Result<Output> export_fleet_plan(const FleetPlan& fp, Cloud cloud, const Options& options) {
  plan::Plan p = base_plan(fp);
  Options o = options;
  if (cloud != Cloud::kFis) {
    for (const FleetItem& f : fp.items)
      for (auto& it : script_items(fp, f)) p.items.push_back(std::move(it));
    std::stable_sort(p.items.begin(), p.items.end(),
                     [](const plan::Item& a, const plan::Item& b) { return a.at < b.at; });
    return export_plan(p, cloud, o);
  }
  // FIS: per item, the tags its selection maps to and how many targets it holds.
  std::map<std::string, ItemScope> scopes;  // by item path
  for (const FleetItem& f : fp.items) {
    p.items.push_back(base_item(fp, f));
    ItemScope& scope = scopes[f.where];
    scope.tags = options.tags;
    for (size_t idx : fp.selection)
      if (fleet::matches(fp.targets[idx], f.select)) ++scope.population;
    if (f.window.count() > 0)
      scope.refusals.push_back("FIS starts an action's interruptions together; window: " + format_duration(f.window) +
                               " cannot be expressed (write one item per time, or leave window: out)");
    for (const auto& [key, values] : effective_selector(fp, f)) {
      if (key == "name") {
        scope.refusals.push_back("FIS picks instances by tag, not by name: select: name cannot be exported");
      } else if (values.size() != 1) {
        scope.refusals.push_back("FIS resourceTags take one value per tag; select: " + key + " has " +
                                 std::to_string(values.size()) + " (write one item per value)");
      } else if (auto t = scope.tags.find(key); t != scope.tags.end() && t->second != values[0]) {
        scope.refusals.push_back("select: " + key + ": " + values[0] + " contradicts --tag " + key + "=" + t->second);
      } else {
        scope.tags[key] = values[0];
      }
    }
  }
  o.item_scope = [scopes](const plan::Item& item) {
    auto it = scopes.find(item.where);
    return it == scopes.end() ? ItemScope{} : it->second;
  };
  auto out = export_plan(p, cloud, o);
  if (out && (!fp.health.url.empty() || fp.prometheus) && options.stop_alarms.empty())
    out->warnings.push_back(fp.file +
                            ": warning: abort: FIS cannot run this health check or Prometheus query; the "
                            "template has no stop condition (give --stop-alarm ARN of a CloudWatch alarm watching the "
                            "same thing)");
  return out;
}

}  // namespace agent::exports

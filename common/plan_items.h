#pragma once
// A game-day plan item's body: which keys each action takes (docs/gameday.md). One table for the
// two readers of a plan, chaos-agent's (which runs the drill) and `spotsim predict --plan` (which
// models it), so that a key one of them accepts is never silently ignored by the other, and a
// misspelt key is an error in both.
#include <string>
#include <string_view>
#include <vector>

namespace spotsim {

// Whether an item of `action` (preempt, storm, rebalance, maintenance, clear) takes `key`.
inline bool plan_action_takes(std::string_view action, std::string_view key) {
  const bool preempt = action == "preempt", storm = action == "storm", maint = action == "maintenance";
  const bool rebalance = action == "rebalance";
  if (key == "notice" || key == "azure_event_type") return preempt || storm || maint;
  if (key == "action" || key == "allow_unrealistic") return preempt || storm;
  if (key == "provider") return preempt || storm || maint || rebalance;
  if (key == "targets") return preempt || maint || rebalance;
  if (key == "gcp_event") return maint;
  if (key == "fraction") return storm;
  return false;
}

// The keys an item of `action` takes, in the table's order.
inline std::vector<std::string> plan_action_keys(std::string_view action) {
  std::vector<std::string> keys;
  for (const char* k :
       {"notice", "azure_event_type", "action", "allow_unrealistic", "provider", "targets", "gcp_event", "fraction"}) {
    if (plan_action_takes(action, k)) keys.emplace_back(k);
  }
  return keys;
}

}  // namespace spotsim

// What the two game-day plan readers share (plan/plan.cpp for a plan on this machine,
// fleet/fleet_plan.cpp for a fleet plan): common's MapReader, so a plan with several mistakes
// reports every one of them (one line each, FILE:LINE:COL: error: PATH: message), common's
// duration grammar (the simulator's: "90s", "15m", "2h30m"; a bare number other than 0 is an
// error that says to add a unit), and the chaos vocabulary (preempt, storm, rebalance,
// maintenance, clear).
#pragma once

#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "chaos-agent/core/chaos_state.h"
#include "chaos-agent/plan/plan.h"
#include "common/enum_table.h"
#include "common/yaml_reader.h"

namespace agent::plan {

using spotsim::MapReader;
using spotsim::ParseContext;

// The actions of a chaos item, by name (the one place they are spelled).
inline constexpr auto kItemTypes = spotsim::enum_table<Item::Type>({{"preempt", Item::Type::kPreempt},
                                                                    {"storm", Item::Type::kStorm},
                                                                    {"rebalance", Item::Type::kRebalance},
                                                                    {"maintenance", Item::Type::kMaintenance},
                                                                    {"clear", Item::Type::kClear}});

// yaml-cpp marks are 0-based, -1 when unknown.
Position position_of(const YAML::Mark& m);

// A duration in common's grammar, stored as Millis. Returns true iff a valid value was stored.
bool read_millis(MapReader& r, const std::string& key, Millis& out, bool required = false);
// A share of the targets, greater than 0 and at most 1: 0.3 or 30%.
bool read_share(MapReader& r, const std::string& key, double& out);
// aws, azure, gcp, all or a comma list of them.
bool read_providers(MapReader& r, const std::string& key, ProviderSet& out);
// An http URL on this machine (health checks, Prometheus), reported at `n` when it is not.
bool check_loopback_url(ParseContext& ctx, const YAML::Node& n, const std::string& path, const std::string& url);
// The plan's name: its `name:`, else the file's base name.
std::string plan_name(MapReader& top, const std::string& file);
// max_duration: required (the dead-man limit) and greater than 0.
bool read_max_duration(MapReader& top, Millis& out);
// `duration:` (at most max_duration when that is known), else `derived` capped at max_duration.
void read_plan_duration(MapReader& top, Millis derived, Millis max_duration, bool max_known, Millis& out);

// The action an item names: {kind: storm, ...} (the simulator's flat form) or {storm: {...}}.
// Reports what is wrong (a kind with `kind_hint` appended, an unknown key, no action, two) and
// returns nullopt then.
std::optional<Item::Type> item_action(ParseContext& ctx, const YAML::Node& item, const std::string& path,
                                      const std::string& kind_hint = "");

// The keys of an item's body that an action takes (besides kind, at, name in the flat form).
bool takes(Item::Type type, const std::string& key);

// The injection an item asks for: defaults from the plan's provider, then notice, action,
// provider, azure_event_type, gcp_event, allow_unrealistic as far as the action takes them.
// `item` is where errors about an absent notice point. notice_given: a notice was written.
void read_inject_fields(MapReader& body, Item::Type type, ProviderSet plan_provider, const YAML::Node& item,
                        InjectRequest& req, bool& notice_given);

// A health check: a URL alone, or {url, interval, timeout, failures} (the URL on this machine).
void read_health_check(MapReader& abort, HealthCheck& out);

// What every chaos item has: its action, `at` (required; before max_duration when that is
// known) and its body, the item itself in the simulator's flat form ({kind: storm, at: 1m,
// fraction: 30%}) or the action's map ({at: 1m, storm: {fraction: 30%}}; `{}` or nothing reads
// as an empty map). nullopt, reported, when the item cannot be read at all.
struct ItemHead {
  Item::Type type = Item::Type::kPreempt;
  std::string where;  // "chaos[2].storm" (nested) or "chaos[2]" (flat)
  Millis at{0};
  bool flat = false;
  YAML::Node node, body;
  bool body_written = false;  // the body is a map in the file (not an empty one made for `{}`)
  // Where to point at about the body as a whole: the body, or the item when it has none.
  const YAML::Node& anchor() const { return body_written ? body : node; }
};
std::optional<ItemHead> read_item_head(ParseContext& ctx, const YAML::Node& node, size_t index, Millis max_duration,
                                       bool max_known, const std::string& kind_hint = "");
// A reader of the item's body (kind, at and name already known in the flat form); call finish().
MapReader body_reader(ParseContext& ctx, const ItemHead& head);

}  // namespace agent::plan

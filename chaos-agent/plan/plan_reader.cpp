#include "chaos-agent/plan/plan_reader.h"

#include <vector>

#include "chaos-agent/core/time_format.h"
#include "chaos-agent/http/client.h"
#include "common/plan_items.h"
#include "common/text.h"
#include "common/units.h"

namespace agent::plan {
using spotsim::Status;

Position position_of(const YAML::Mark& m) {
  return Position{m.line >= 0 ? m.line + 1 : 1, m.column >= 0 ? m.column + 1 : 1};
}

bool read_millis(MapReader& r, const std::string& key, Millis& out, bool required) {
  spotsim::Duration d;
  if (!r.duration(key, d, required)) return false;
  out = to_millis(d);
  return true;
}

bool read_share(MapReader& r, const std::string& key, double& out) {
  double v = 0;
  if (!r.fraction(key, v)) return false;
  if (v <= 0) {
    r.ctx().error(r.get(key), r.child_path(key),
                  "must be greater than 0 and at most 1 (100%), found '" + r.get(key).Scalar() + "'");
    return false;
  }
  out = v;
  return true;
}

bool read_providers(MapReader& r, const std::string& key, ProviderSet& out) {
  std::string s;
  if (!r.str(key, s)) return false;
  auto ps = parse_providers(s);
  if (!ps) {
    r.ctx().error(r.get(key), r.child_path(key), "expected aws, azure, gcp or all, found '" + s + "'");
    return false;
  }
  out = *ps;
  return true;
}

bool check_loopback_url(ParseContext& ctx, const YAML::Node& n, const std::string& path, const std::string& url) {
  auto u = http::parse_loopback_url(url, "url");
  if (u) return true;
  ctx.error(n, path, u.status().message().substr(u.status().message().find(": ") + 2));
  return false;
}

std::string plan_name(MapReader& top, const std::string& file) {
  std::string name;
  if (top.str("name", name)) return name;
  const size_t slash = file.rfind('/');
  return file.substr(slash == std::string::npos ? 0 : slash + 1);
}

bool read_max_duration(MapReader& top, Millis& out) {
  if (!top.has("max_duration")) {
    top.get("max_duration");
    top.ctx().error(
        top.node(), "max_duration",
        "required: every plan needs a dead-man limit after which all injections expire, e.g. max_duration: 30m");
    return false;
  }
  Millis d{0};
  if (!read_millis(top, "max_duration", d)) return false;
  if (d.count() <= 0) {
    top.ctx().error(top.get("max_duration"), "max_duration", "must be greater than 0");
    return false;
  }
  out = d;
  return true;
}

void read_plan_duration(MapReader& top, Millis derived, Millis max_duration, bool max_known, Millis& out) {
  out = std::min(derived, max_duration);
  Millis d{0};
  if (!read_millis(top, "duration", d)) return;
  if (max_known && d > max_duration) {
    top.ctx().error(top.get("duration"), "duration",
                    format_duration(d) + " is longer than max_duration " + format_duration(max_duration));
    return;
  }
  out = d;
}

std::optional<Item::Type> item_action(ParseContext& ctx, const YAML::Node& item, const std::string& path,
                                      const std::string& kind_hint) {
  const std::string actions = spotsim::join_names(kItemTypes.names());
  if (item["kind"].IsDefined()) {
    const YAML::Node kind = item["kind"];
    const std::string name = kind.IsScalar() ? kind.Scalar() : "";
    auto type = kItemTypes.find(name);
    if (!type) ctx.error(kind, path + ".kind", "expected one of: " + actions + ", found '" + name + "'" + kind_hint);
    return type;
  }
  std::optional<Item::Type> type;
  std::string first;
  bool ok = true;
  for (const auto& kv : item) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (key == "at") continue;
    auto t = kItemTypes.find(key);
    if (!t) {
      std::vector<std::string> keys = kItemTypes.names();
      keys.push_back("at");
      ctx.error_at(kv.first.Mark(), path + "." + key,
                   "unknown key" + spotsim::did_you_mean(key, keys) + "; valid keys here: at and one of: " + actions);
      ok = false;
    } else if (type) {
      ctx.error(item, path, "one action per item, found " + first + " and " + key);
      ok = false;
    } else {
      type = t;
      first = key;
    }
  }
  if (!type && ok) ctx.error(item, path, "expected one of: " + actions);
  return ok ? type : std::nullopt;
}

// common/plan_items.h: the one table of which keys each action takes (spotsim predict reads it too).
bool takes(Item::Type type, const std::string& key) { return spotsim::plan_action_takes(kItemTypes.name(type), key); }

void read_inject_fields(MapReader& body, Item::Type type, ProviderSet plan_provider, const YAML::Node& item,
                        InjectRequest& req, bool& notice_given) {
  req.kind = type == Item::Type::kRebalance     ? Kind::kRebalance
             : type == Item::Type::kMaintenance ? Kind::kMaintenance
                                                : Kind::kPreempt;
  req.providers = plan_provider;
  req.notice = req.kind == Kind::kMaintenance ? Millis(15 * 60 * 1000) : Millis(120000);
  if (req.kind == Kind::kRebalance && plan_provider == kAllProviders)
    req.providers = static_cast<unsigned>(Provider::kAws);
  if (takes(type, "notice")) notice_given = read_millis(body, "notice", req.notice);
  if (takes(type, "action")) body.choice("action", req.aws_action, {"terminate", "stop", "hibernate"});
  if (takes(type, "provider")) read_providers(body, "provider", req.providers);
  if (takes(type, "azure_event_type"))
    body.choice("azure_event_type", req.azure_event_type, {"Preempt", "Reboot", "Redeploy", "Freeze", "Terminate"});
  if (takes(type, "gcp_event"))
    body.choice("gcp_event", req.gcp_maintenance, {"TERMINATE_ON_HOST_MAINTENANCE", "MIGRATE_ON_HOST_MAINTENANCE"});
  if (takes(type, "allow_unrealistic")) body.boolean("allow_unrealistic", req.allow_unrealistic);
  if (type == Item::Type::kClear) return;
  if (req.kind == Kind::kRebalance && !has(req.providers, Provider::kAws))
    body.ctx().error(item, body.child_path("provider"), "rebalance recommendations exist only on aws");
  if (auto why = unrealistic_notice(req); why && !req.allow_unrealistic) {
    const YAML::Node n = body.value("notice");
    body.ctx().error(n ? n : item, body.child_path("notice"),
                     *why + " (add allow_unrealistic: true to drill a shorter one anyway)");
  }
}

void read_health_check(MapReader& abort, HealthCheck& out) {
  const YAML::Node h = abort.value("health_check");
  if (!h) return;
  ParseContext& ctx = abort.ctx();
  const std::string path = abort.child_path("health_check");
  if (h.IsScalar()) {
    if (check_loopback_url(ctx, h, path + ".url", h.Scalar())) out.url = h.Scalar();
    return;
  }
  MapReader hr(ctx, h, path);
  std::string url;
  if (hr.str("url", url, true) && check_loopback_url(ctx, hr.get("url"), path + ".url", url)) out.url = url;
  read_millis(hr, "interval", out.interval);
  read_millis(hr, "timeout", out.timeout);
  int64_t failures = 0;
  if (hr.integer("failures", failures, false, 1, 1'000'000)) out.failures = static_cast<int>(failures);
  hr.finish();
}

std::optional<ItemHead> read_item_head(ParseContext& ctx, const YAML::Node& node, size_t index, Millis max_duration,
                                       bool max_known, const std::string& kind_hint) {
  const std::string path = "chaos[" + std::to_string(index) + "]";
  if (!node.IsMap()) {
    ctx.error(node, path, "expected a mapping like {at: 1m, preempt: {notice: 120s}}");
    return std::nullopt;
  }
  auto type = item_action(ctx, node, path, kind_hint);
  if (!type) return std::nullopt;
  ItemHead head;
  head.type = *type;
  head.flat = node["kind"].IsDefined();
  head.where = head.flat ? path : path + "." + kItemTypes.name(*type);
  head.node = node;
  MapReader item(ctx, node, path);  // for `at` only: the keys were checked by item_action or are the body's
  if (!item.has("at")) {
    ctx.error(node, path + ".at", "required: when this happens, e.g. at: 5m");
  } else if (read_millis(item, "at", head.at) && max_known && head.at >= max_duration) {
    ctx.error(node["at"], path + ".at",
              format_duration(head.at) + " is not before max_duration " + format_duration(max_duration));
  }
  const YAML::Node body = head.flat ? node : node[kItemTypes.name(*type)];
  if (!body.IsNull() && !body.IsMap()) {
    ctx.error(body, head.where, "expected a mapping (or {})");
    return std::nullopt;
  }
  head.body_written = body.IsMap();
  head.body = head.body_written ? body : YAML::Node(YAML::NodeType::Map);
  return head;
}

MapReader body_reader(ParseContext& ctx, const ItemHead& head) {
  MapReader b(ctx, head.body, head.where);
  if (head.flat)
    for (const char* k : {"kind", "at", "name"}) b.get(k);
  return b;
}

}  // namespace agent::plan

#include "chaos-agent/fleet/fleet_plan.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "chaos-agent/control/control_api.h"
#include "chaos-agent/core/time_format.h"
#include "chaos-agent/http/client.h"

namespace agent::fleet {
namespace {

using Type = plan::Item::Type;

// A parse error on its way to the top of parse_fleet_plan (the one place that catches it).
struct Fail {
  Error error;
};

class Yaml {
 public:
  explicit Yaml(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  [[noreturn]] void fail(const YAML::Node& n, const std::string& path, const std::string& msg) const {
    fail_at(n.IsDefined() ? n.Mark() : YAML::Mark::null_mark(), path, msg);
  }
  [[noreturn]] void fail_at(const YAML::Mark& m, const std::string& path, const std::string& msg) const {
    throw Fail{Error{file_ + ":" + std::to_string(m.line >= 0 ? m.line + 1 : 1) + ":" +
                     std::to_string(m.column >= 0 ? m.column + 1 : 1) + ": error: " +
                     (path.empty() ? "" : path + ": ") + msg}};
  }
  void keys(const YAML::Node& map, const std::string& path, std::initializer_list<const char*> allowed) const {
    if (!map.IsMap()) fail(map, path, "expected a mapping");
    for (const auto& kv : map) {
      std::string key = kv.first.Scalar();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail_at(kv.first.Mark(), sub(path, key), "unknown key (expected one of: " + list + ")");
      }
    }
  }
  static std::string sub(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
  std::string str(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) fail(n, path, "expected a string");
    return n.Scalar();
  }
  Millis duration(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) fail(n, path, "expected a duration like 120s, 5m, 2h");
    auto d = parse_duration(n.Scalar());
    if (!d) fail(n, path, bad_duration_message(n.Scalar()));
    return *d;
  }
  double fraction(const YAML::Node& n, const std::string& path) const {
    std::string s = n.IsScalar() ? n.Scalar() : "";
    bool pct = !s.empty() && s.back() == '%';
    std::string num = pct ? s.substr(0, s.size() - 1) : s;
    char* end = nullptr;
    double v = num.empty() ? -1 : std::strtod(num.c_str(), &end);
    if (num.empty() || end != num.c_str() + num.size() || !std::isfinite(v))
      fail(n, path, "expected a fraction like 0.5 or 50%, found '" + s + "'");
    if (pct) v /= 100.0;
    if (v <= 0 || v > 1) fail(n, path, "must be greater than 0 and at most 1 (100%), found '" + s + "'");
    return v;
  }
  long whole(const YAML::Node& n, const std::string& path, long min) const {
    std::string s = n.IsScalar() ? n.Scalar() : "";
    if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos)
      fail(n, path, "expected a whole number, found '" + s + "'");
    long v = std::stol(s);
    if (v < min) fail(n, path, "must be at least " + std::to_string(min));
    return v;
  }
  double number(const YAML::Node& n, const std::string& path) const {
    std::string s = n.IsScalar() ? n.Scalar() : "";
    char* end = nullptr;
    double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) fail(n, path, "expected a number, found '" + s + "'");
    return v;
  }
  std::string loopback_url(const YAML::Node& n, const std::string& path) const {
    std::string url = str(n, path);
    auto u = http::parse_loopback_url(url, "url");
    if (!u) fail(n, path, u.error().substr(u.error().find(": ") + 2));
    return url;
  }

 private:
  std::string file_;
};


const char* type_name(Type t) {
  switch (t) {
    case Type::kPreempt: return "preempt";
    case Type::kRebalance: return "rebalance";
    case Type::kMaintenance: return "maintenance";
    case Type::kStorm: return "storm";
    case Type::kClear: return "clear";
  }
  return "?";
}

Selector parse_selector(const Yaml& y, const YAML::Node& n, const std::string& path) {
  if (!n.IsMap()) y.fail(n, path, "expected a mapping of labels, e.g. {zone: us-east-1a, pool: gpu}");
  Selector s;
  for (const auto& kv : n) {
    std::string key = kv.first.Scalar();
    auto& vals = s[key];
    if (kv.second.IsSequence()) {
      if (kv.second.size() == 0) y.fail(kv.second, Yaml::sub(path, key), "expected a label value or a non-empty list");
      for (const auto& v : kv.second) vals.push_back(y.str(v, Yaml::sub(path, key)));
    } else {
      vals.push_back(y.str(kv.second, Yaml::sub(path, key)));
    }
  }
  return s;
}

constexpr const char* kLabelShorthands[] = {"zone", "pool", "instance_type", "role", "provider"};

std::vector<FleetTarget> parse_targets(const Yaml& y, const YAML::Node& ts, const std::string& path) {
  if (!ts.IsSequence() || ts.size() == 0)
    y.fail(ts, path, "expected a non-empty list of {name, address: \"HOST:PORT\", labels: {...}}");
  std::vector<FleetTarget> out;
  std::set<std::string> names, addresses;
  for (size_t i = 0; i < ts.size(); ++i) {
    std::string p = path + "[" + std::to_string(i) + "]";
    const auto& t = ts[i];
    y.keys(t, p, {"name", "address", "labels", "zone", "pool", "instance_type", "role", "provider"});
    FleetTarget tg;
    if (!t["address"]) y.fail(t, p + ".address", "required: the agent's remote control HOST:PORT (serve --remote-control)");
    std::string addr = y.str(t["address"], p + ".address");
    size_t colon = addr.rfind(':');
    bool bracket = !addr.empty() && addr[0] == '[';
    std::string host = colon == std::string::npos ? "" : addr.substr(bracket ? 1 : 0, colon - (bracket ? 2 : 0));
    std::string port = colon == std::string::npos ? "" : addr.substr(colon + 1);
    if (host.empty() || port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stol(port) == 0 || std::stol(port) > 65535)
      y.fail(t["address"], p + ".address", "expected HOST:PORT (e.g. 10.0.1.11:8443), found '" + addr + "'");
    tg.host = host;
    tg.port = static_cast<uint16_t>(std::stol(port));
    tg.name = t["name"] ? y.str(t["name"], p + ".name") : addr;
    if (!names.insert(tg.name).second) y.fail(t["name"] ? t["name"] : t, p + ".name", "duplicate target name '" + tg.name + "'");
    if (!addresses.insert(tg.address()).second)
      y.fail(t["address"], p + ".address", "duplicate address '" + tg.address() + "' (one agent, one entry)");
    if (t["labels"]) {
      const auto& l = t["labels"];
      if (!l.IsMap()) y.fail(l, p + ".labels", "expected a mapping such as {zone: us-east-1a, pool: gpu}");
      for (const auto& kv : l) tg.labels[kv.first.Scalar()] = y.str(kv.second, p + ".labels." + kv.first.Scalar());
    }
    for (const char* k : kLabelShorthands)
      if (t[k]) tg.labels[k] = y.str(t[k], p + "." + k);
    out.push_back(std::move(tg));
  }
  return out;
}

void copy_scalars(const YAML::Node& body, nlohmann::json& j, std::initializer_list<const char*> fields) {
  for (const char* f : fields)
    if (body.IsMap() && body[f] && body[f].IsScalar()) j[f] = body[f].Scalar();
}

FleetItem parse_item(const Yaml& y, const YAML::Node& node, size_t i, const FleetPlan& p) {
  std::string path = "chaos[" + std::to_string(i) + "]";
  if (!node.IsMap()) y.fail(node, path, "expected a mapping like {at: 1m, storm: {fraction: 30%}}");
  auto is_action = [](const std::string& k) {
    return k == "preempt" || k == "storm" || k == "rebalance" || k == "maintenance" || k == "clear";
  };
  const bool flat = node["kind"].IsDefined();
  std::string action;
  if (flat) {
    action = node["kind"].IsScalar() ? node["kind"].Scalar() : "";
    if (!is_action(action))
      y.fail(node["kind"], path + ".kind",
             "expected one of: preempt, storm, rebalance, maintenance, clear, found '" + action +
                 "' (a fleet drill acts on real VMs; cliffs and price spikes exist only in the simulator)");
  } else {
    for (const auto& kv : node) {
      std::string key = kv.first.Scalar();
      if (key == "at") continue;
      if (!is_action(key))
        y.fail_at(kv.first.Mark(), path + "." + key, "unknown key (expected at and one of: preempt, storm, rebalance, maintenance, clear)");
      if (!action.empty()) y.fail(node, path, "one action per item, found " + action + " and " + key);
      action = key;
    }
    if (action.empty()) y.fail(node, path, "expected one of: preempt, storm, rebalance, maintenance, clear");
  }
  FleetItem it;
  it.where = flat ? path : path + "." + action;
  if (!node["at"]) y.fail(node, path + ".at", "required: when this happens, e.g. at: 5m");
  it.at = y.duration(node["at"], path + ".at");
  if (it.at >= p.max_duration)
    y.fail(node["at"], path + ".at", format_duration(it.at) + " is not before max_duration " + format_duration(p.max_duration));
  const YAML::Node body = flat ? node : node[action];
  if (!body.IsNull() && !body.IsMap()) y.fail(body, it.where, "expected a mapping (or {})");
  if (body.IsMap()) {
    if (flat && body["waves"])
      y.fail(body["waves"], it.where + ".waves", "not supported in a fleet plan: write each wave as its own storm item");
    if (action == "preempt")
      y.keys(body, it.where, {"kind", "at", "name", "notice", "action", "provider", "targets", "select", "scope", "window", "azure_event_type", "allow_unrealistic"});
    else if (action == "storm")
      y.keys(body, it.where, {"kind", "at", "name", "fraction", "notice", "action", "provider", "select", "scope", "window", "azure_event_type", "allow_unrealistic"});
    else if (action == "rebalance")
      y.keys(body, it.where, {"kind", "at", "name", "provider", "targets", "select", "scope", "window"});
    else if (action == "maintenance")
      y.keys(body, it.where, {"kind", "at", "name", "notice", "provider", "targets", "select", "scope", "window", "azure_event_type", "gcp_event"});
    else
      y.keys(body, it.where, {"kind", "at", "name"});
    if (!flat) {
      // The nested form has no kind/at/name inside the action.
      for (const char* k : {"kind", "at", "name"})
        if (body[k]) y.fail(body[k], it.where + "." + k, "belongs next to the action, not inside it");
    }
  }
  auto field = [&](const char* k) { return body.IsMap() ? body[k] : YAML::Node(); };
  it.type = action == "preempt" ? Type::kPreempt : action == "storm" ? Type::kStorm
          : action == "rebalance" ? Type::kRebalance : action == "maintenance" ? Type::kMaintenance : Type::kClear;
  if (it.type == Type::kClear) return it;

  // The injection's fields are the control API's (one validation for plans, CLI and coordinator).
  nlohmann::json j = {{"kind", it.type == Type::kStorm ? "preempt" : action},
                      {"provider", providers_to_string(p.provider)}};
  if (it.type == Type::kRebalance && p.provider == kAllProviders) j["provider"] = "aws";
  copy_scalars(body, j, {"notice", "action", "provider", "azure_event_type", "gcp_event"});
  if (auto n = field("allow_unrealistic")) {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) y.fail(n, it.where + ".allow_unrealistic", "expected true or false");
    j["allow_unrealistic"] = v;
  }
  for (const char* k : {"notice", "action", "provider", "azure_event_type", "gcp_event"})
    if (auto n = field(k); n && !n.IsScalar()) y.fail(n, it.where + "." + k, "expected a single value");
  auto req = control::inject_request_from_json(j);
  if (!req) {
    std::string key = req.error().substr(0, req.error().find(':'));
    YAML::Node n = field(key.c_str());
    y.fail(n ? n : node, it.where + "." + key, req.error().substr(req.error().find(": ") + 2));
  }
  it.inject = req.value();
  if (auto n = field("action")) {
    const std::string& a = it.inject.aws_action;
    if (a != "terminate" && a != "stop" && a != "hibernate")
      y.fail(n, it.where + ".action", "expected terminate, stop or hibernate, found '" + a + "'");
  }
  if (auto n = field("azure_event_type")) {
    const std::string& t = it.inject.azure_event_type;
    if (t != "Preempt" && t != "Reboot" && t != "Redeploy" && t != "Freeze" && t != "Terminate")
      y.fail(n, it.where + ".azure_event_type", "expected Preempt, Reboot, Redeploy, Freeze or Terminate, found '" + t + "'");
  }
  if (it.inject.kind == Kind::kRebalance && !has(it.inject.providers, Provider::kAws))
    y.fail(node, it.where + ".provider", "rebalance recommendations exist only on aws");
  if (auto why = unrealistic_notice(it.inject); why && !it.inject.allow_unrealistic) {
    YAML::Node n = field("notice");
    y.fail(n ? n : node, it.where + ".notice", *why + " (add allow_unrealistic: true to drill a shorter one anyway)");
  }
  it.inject.source = "gameday:" + p.name;
  if (auto n = field("window")) it.window = y.duration(n, it.where + ".window");
  if (it.at + it.window > p.max_duration)
    y.fail(field("window"), it.where + ".window", "the window ends after max_duration " + format_duration(p.max_duration));
  if (field("select") && field("scope")) y.fail(field("scope"), it.where + ".scope", "select and scope are the same key; write one");
  if (auto n = field("select")) it.select = parse_selector(y, n, it.where + ".select");
  if (auto n = field("scope")) it.select = parse_selector(y, n, it.where + ".scope");

  // Candidates: the plan's selection narrowed by the item's.
  std::vector<size_t> cand;
  for (size_t k : p.selection)
    if (matches(p.targets[k], it.select)) cand.push_back(k);
  if (auto n = field("targets")) {
    if (!n.IsSequence() || n.size() == 0) y.fail(n, it.where + ".targets", "expected a non-empty list of target names");
    std::vector<size_t> named;
    for (size_t k = 0; k < n.size(); ++k) {
      std::string name = y.str(n[k], it.where + ".targets[" + std::to_string(k) + "]");
      auto f = std::find_if(cand.begin(), cand.end(), [&](size_t c) { return p.targets[c].name == name; });
      if (f == cand.end())
        y.fail(n[k], it.where + ".targets[" + std::to_string(k) + "]", "no target named '" + name + "' in the selection");
      named.push_back(*f);
    }
    cand = named;
  }
  if (cand.empty())
    y.fail(field("select") ? field("select") : node, it.where,
           "selects no target (plan select " + describe_selector(p.select) + ", item select " +
               describe_selector(it.select) + ")");
  if (it.type == Type::kStorm) {
    if (!field("fraction")) y.fail(body.IsMap() ? body : node, it.where + ".fraction", "required: the fraction of the selection hit, e.g. fraction: 30%");
    it.fraction = y.fraction(field("fraction"), it.where + ".fraction");
    // Seeded order of the candidates, first ceil(fraction * n) (as plan::storm_selection).
    std::vector<std::pair<uint64_t, size_t>> order;
    for (size_t c : cand) order.emplace_back(plan::seeded_hash(p.seed + i, p.targets[c].name), c);
    std::sort(order.begin(), order.end());
    size_t n = static_cast<size_t>(std::ceil(it.fraction * static_cast<double>(cand.size()) - 1e-9));
    for (size_t k = 0; k < std::min(n, order.size()); ++k) it.picked.push_back(order[k].second);
    std::sort(it.picked.begin(), it.picked.end());
  } else {
    it.picked = cand;
    std::sort(it.picked.begin(), it.picked.end());
  }
  // Window: each target's notice at a seeded uniform offset in [0, window), like the simulator.
  for (size_t k : it.picked) {
    uint64_t h = plan::seeded_hash(plan::seeded_hash(p.seed, "window") + i, p.targets[k].name);
    double u = static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
    it.offsets.push_back(Millis(static_cast<long long>(u * static_cast<double>(it.window.count()))));
  }
  return it;
}

TlsFiles parse_tls(const Yaml& y, const YAML::Node& n, const std::string& path, const std::string& base_dir) {
  y.keys(n, path, {"ca", "cert", "key"});
  TlsFiles t;
  auto rel = [&](const std::string& f) { return f.empty() || f[0] == '/' || base_dir.empty() ? f : base_dir + "/" + f; };
  if (n["ca"]) t.ca = rel(y.str(n["ca"], path + ".ca"));
  if (n["cert"]) t.cert = rel(y.str(n["cert"], path + ".cert"));
  if (n["key"]) t.key = rel(y.str(n["key"], path + ".key"));
  return t;
}

std::string dir_of(const std::string& file) {
  size_t s = file.rfind('/');
  return s == std::string::npos ? "" : file.substr(0, s);
}

YAML::Node load_yaml(const Yaml& y, const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    y.fail_at(e.mark, "", e.msg);
  }
}

FleetPlan parse_or_throw(const std::string& text, const std::string& file, const std::string& inv_text,
                         const std::string& inv_file, const DiscoveredTargets* discovered) {
  Yaml y(file);
  YAML::Node root = load_yaml(y, text);
  if (!root.IsMap()) y.fail(root, "", "a fleet game-day plan is a mapping with max_duration, chaos and targets (or --inventory)");
  y.keys(root, "", {"name", "provider", "max_duration", "duration", "lease", "connect_timeout", "seed", "select", "targets",
                    "tls", "blast_radius", "abort", "chaos", "report", "junit"});
  FleetPlan p;
  p.file = file;
  p.name = root["name"] ? y.str(root["name"], "name") : file.substr(file.rfind('/') == std::string::npos ? 0 : file.rfind('/') + 1);
  if (root["provider"]) {
    auto ps = parse_providers(y.str(root["provider"], "provider"));
    if (!ps) y.fail(root["provider"], "provider", "expected aws, azure, gcp or all, found '" + root["provider"].Scalar() + "'");
    p.provider = *ps;
  }
  if (!root["max_duration"])
    y.fail(root, "max_duration", "required: every plan needs a dead-man limit after which all injections expire, e.g. max_duration: 30m");
  p.max_duration = y.duration(root["max_duration"], "max_duration");
  if (p.max_duration.count() <= 0) y.fail(root["max_duration"], "max_duration", "must be greater than 0");
  if (root["lease"]) {
    p.lease = y.duration(root["lease"], "lease");
    if (p.lease < Millis(1000)) y.fail(root["lease"], "lease", "must be at least 1s (the coordinator renews it every lease/3)");
  }
  if (root["connect_timeout"]) p.connect_timeout = y.duration(root["connect_timeout"], "connect_timeout");
  if (root["seed"]) p.seed = static_cast<uint64_t>(y.whole(root["seed"], "seed", 0));
  if (root["report"]) p.report_path = y.str(root["report"], "report");
  if (root["junit"]) p.junit_path = y.str(root["junit"], "junit");
  if (root["tls"]) p.tls = parse_tls(y, root["tls"], "tls", dir_of(file));

  // Targets: discovered, the inventory file or the plan's own list (one source of truth).
  if (discovered) {
    if (root["targets"]) y.fail(root["targets"], "targets", "given twice: here and " + discovered->source + " (keep one)");
    p.targets = discovered->targets;
  } else if (!inv_file.empty()) {
    if (root["targets"]) y.fail(root["targets"], "targets", "given twice: here and --inventory " + inv_file + " (keep one)");
    Yaml iy(inv_file);
    YAML::Node inv = load_yaml(iy, inv_text);
    if (!inv.IsMap()) iy.fail(inv, "", "an inventory is a mapping with targets: [{name, address, labels}]");
    iy.keys(inv, "", {"targets", "tls"});
    if (!inv["targets"]) iy.fail(inv, "targets", "required: the list of agents");
    p.targets = parse_targets(iy, inv["targets"], "targets");
    if (inv["tls"] && !root["tls"]) p.tls = parse_tls(iy, inv["tls"], "tls", dir_of(inv_file));
  } else {
    if (!root["targets"]) y.fail(root, "targets", "required: the agents to drill (or give --inventory FLEET.yaml)");
    p.targets = parse_targets(y, root["targets"], "targets");
  }
  if (root["select"]) p.select = parse_selector(y, root["select"], "select");
  for (size_t k = 0; k < p.targets.size(); ++k)
    if (matches(p.targets[k], p.select)) p.selection.push_back(k);
  if (p.selection.empty())
    y.fail(root["select"], "select", "selects none of the " + std::to_string(p.targets.size()) + " targets");

  if (root["blast_radius"]) {
    const auto& b = root["blast_radius"];
    y.keys(b, "blast_radius", {"max_fraction", "max_targets"});
    if (b["max_fraction"]) p.max_fraction = y.fraction(b["max_fraction"], "blast_radius.max_fraction");
    if (b["max_targets"]) p.max_targets = static_cast<int>(y.whole(b["max_targets"], "blast_radius.max_targets", 1));
  }
  p.allowed = static_cast<size_t>(std::floor(p.max_fraction * static_cast<double>(p.selection.size()) + 1e-9));
  if (p.max_targets > 0) p.allowed = std::min(p.allowed, static_cast<size_t>(p.max_targets));

  if (root["abort"]) {
    const auto& a = root["abort"];
    y.keys(a, "abort", {"health_check", "prometheus"});
    if (const auto& h = a["health_check"]) {
      if (h.IsScalar()) {
        p.health.url = y.loopback_url(h, "abort.health_check");
      } else {
        y.keys(h, "abort.health_check", {"url", "interval", "timeout", "failures"});
        if (!h["url"]) y.fail(h, "abort.health_check.url", "required");
        p.health.url = y.loopback_url(h["url"], "abort.health_check.url");
        if (h["interval"]) p.health.interval = y.duration(h["interval"], "abort.health_check.interval");
        if (h["timeout"]) p.health.timeout = y.duration(h["timeout"], "abort.health_check.timeout");
        if (h["failures"]) p.health.failures = static_cast<int>(y.whole(h["failures"], "abort.health_check.failures", 1));
      }
    }
    if (const auto& q = a["prometheus"]) {
      y.keys(q, "abort.prometheus", {"url", "query", "above", "below", "interval", "timeout", "failures"});
      PrometheusCheck pc;
      if (!q["url"]) y.fail(q, "abort.prometheus.url", "required: the Prometheus server, e.g. http://127.0.0.1:9090");
      pc.url = y.loopback_url(q["url"], "abort.prometheus.url");
      if (!q["query"]) y.fail(q, "abort.prometheus.query", "required: a PromQL query whose first sample is compared");
      pc.query = y.str(q["query"], "abort.prometheus.query");
      if (q["above"].IsDefined() == q["below"].IsDefined())
        y.fail(q, "abort.prometheus", "give exactly one of above: N (abort when the value exceeds N) or below: N");
      pc.above = q["above"].IsDefined();
      pc.threshold = y.number(pc.above ? q["above"] : q["below"], pc.above ? "abort.prometheus.above" : "abort.prometheus.below");
      if (q["interval"]) pc.interval = y.duration(q["interval"], "abort.prometheus.interval");
      if (q["timeout"]) pc.timeout = y.duration(q["timeout"], "abort.prometheus.timeout");
      if (q["failures"]) pc.failures = static_cast<int>(y.whole(q["failures"], "abort.prometheus.failures", 1));
      p.prometheus = pc;
    }
  }

  if (!root["chaos"]) y.fail(root, "chaos", "required: a list of items such as {at: 1m, storm: {fraction: 30%}}");
  const auto& chaos = root["chaos"];
  if (!chaos.IsSequence() || chaos.size() == 0) y.fail(chaos, "chaos", "expected a non-empty list of items");
  std::set<size_t> reached;
  for (size_t i = 0; i < chaos.size(); ++i) {
    FleetItem it = parse_item(y, chaos[i], i, p);
    reached.insert(it.picked.begin(), it.picked.end());
    if (reached.size() > p.allowed) {
      std::ostringstream msg;
      msg << "would reach " << reached.size() << " of the " << p.selection.size()
          << " selected targets, beyond the blast radius of " << p.allowed << " (blast_radius: max_fraction "
          << p.max_fraction;
      if (p.max_targets > 0) msg << ", max_targets " << p.max_targets;
      msg << ")";
      y.fail(chaos[i], it.where, msg.str());
    }
    p.items.push_back(std::move(it));
  }
  p.reached.assign(reached.begin(), reached.end());
  std::stable_sort(p.items.begin(), p.items.end(), [](const FleetItem& a, const FleetItem& b) { return a.at < b.at; });
  Millis derived{0};
  for (const auto& it : p.items)
    derived = std::max(derived, it.at + it.window + (it.type == Type::kClear ? Millis(0) : it.inject.notice));
  p.duration = std::min(derived + Millis(30000), p.max_duration);
  if (root["duration"]) {
    p.duration = y.duration(root["duration"], "duration");
    if (p.duration > p.max_duration)
      y.fail(root["duration"], "duration", format_duration(p.duration) + " is longer than max_duration " + format_duration(p.max_duration));
  }
  for (auto& it : p.items) it.inject.ttl = p.max_duration - it.at;  // backstop; the run refines it
  return p;
}

Result<std::string> slurp(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return Error{path + ": error: cannot read " + what + ": " + std::strerror(errno)};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string FleetTarget::address() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool matches(const FleetTarget& t, const Selector& s) {
  for (const auto& [key, values] : s) {
    auto it = t.labels.find(key);
    if (key == "name") {
      if (std::find(values.begin(), values.end(), t.name) == values.end()) return false;
      continue;
    }
    if (it == t.labels.end() || std::find(values.begin(), values.end(), it->second) == values.end()) return false;
  }
  return true;
}

std::string describe_selector(const Selector& s) {
  if (s.empty()) return "{} (all)";
  std::string o = "{";
  for (const auto& [k, vs] : s) {
    o += (o.size() > 1 ? ", " : "") + k + ": ";
    if (vs.size() == 1) {
      o += vs[0];
    } else {
      o += "[";
      for (size_t i = 0; i < vs.size(); ++i) o += (i ? ", " : "") + vs[i];
      o += "]";
    }
  }
  return o + "}";
}

bool looks_like_fleet_plan(const std::string& text) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap() || !root["targets"] || !root["targets"].IsSequence()) return false;
    for (const auto& t : root["targets"])
      if (t.IsMap() && t["address"]) return true;
  } catch (const YAML::Exception&) {
  }
  return false;
}

Result<FleetPlan> parse_fleet_plan(const std::string& text, const std::string& file, const std::string& inventory_text,
                                   const std::string& inventory_file, const DiscoveredTargets* discovered) {
  try {
    return parse_or_throw(text, file, inventory_text, inventory_file, discovered);
  } catch (const Fail& f) {
    return f.error;
  } catch (const YAML::Exception& e) {  // a conversion the checks above did not foresee
    return Error{file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": error: " + e.msg};
  }
}

Result<FleetPlan> load_fleet_plan(const std::string& path, const std::string& inventory_path,
                                  const DiscoveredTargets* discovered) {
  auto text = slurp(path, "plan");
  if (!text) return Error{text.error()};
  std::string inv;
  if (!inventory_path.empty()) {
    auto t = slurp(inventory_path, "inventory");
    if (!t) return Error{t.error()};
    inv = t.value();
  }
  return parse_fleet_plan(text.value(), path, inv, inventory_path, discovered);
}

std::string describe(const FleetPlan& p) {
  std::ostringstream o;
  o << "fleet plan " << p.name << " (" << p.file << ")\n";
  o << "  inventory: " << p.targets.size() << " targets; select " << describe_selector(p.select) << ": "
    << p.selection.size() << " selected\n";
  o << "  blast radius: " << p.allowed << " of " << p.selection.size() << " selected targets (max_fraction "
    << p.max_fraction;
  if (p.max_targets > 0) o << ", max_targets " << p.max_targets;
  o << "); this plan reaches " << p.reached.size() << "\n";
  o << "  dead-man: agents clear this run's injections when the coordinator is silent for " << format_duration(p.lease)
    << "; every injection expires by itself " << format_duration(p.max_duration) << " after the start\n";
  o << "  the drill ends after " << format_duration(p.duration) << " (clear + collect reports)\n";
  if (!p.health.url.empty())
    o << "  abort: health check " << p.health.url << " every " << format_duration(p.health.interval) << ", "
      << p.health.failures << " consecutive failure(s) clear every target\n";
  if (p.prometheus)
    o << "  abort: prometheus " << p.prometheus->url << " query `" << p.prometheus->query << "` "
      << (p.prometheus->above ? "above " : "below ") << p.prometheus->threshold << " clears every target\n";
  if (p.health.url.empty() && !p.prometheus) o << "  abort: no abort condition (Ctrl-C clears every target)\n";
  o << "timeline:\n";
  for (const auto& it : p.items) {
    o << "  T+" << format_duration(it.at) << "  " << it.where << "  " << type_name(it.type);
    if (it.type == Type::kClear) {
      o << "  all targets\n";
      continue;
    }
    o << "  provider " << providers_to_string(it.inject.providers);
    if (it.type != Type::kRebalance) o << ", notice " << format_duration(it.inject.notice);
    if (it.inject.kind == Kind::kPreempt) o << ", action " << it.inject.aws_action;
    if (it.type == Type::kStorm) o << ", fraction " << it.fraction;
    if (!it.select.empty()) o << ", select " << describe_selector(it.select);
    if (it.window.count() > 0) o << ", window " << format_duration(it.window);
    o << ": " << it.picked.size() << " target(s)\n";
    std::vector<size_t> by_time(it.picked.size());
    for (size_t k = 0; k < by_time.size(); ++k) by_time[k] = k;
    std::stable_sort(by_time.begin(), by_time.end(), [&](size_t a, size_t b) { return it.offsets[a] < it.offsets[b]; });
    for (size_t k : by_time) {
      const auto& t = p.targets[it.picked[k]];
      char when[32];
      std::snprintf(when, sizeof when, "T+%.3fs", to_seconds(it.at + it.offsets[k]));
      o << "      " << when << "  " << t.name << "  " << t.address() << "\n";
    }
  }
  o << "  T+" << format_duration(p.duration) << "  end: clear all targets, collect reports\n";
  return o.str();
}

}  // namespace agent::fleet

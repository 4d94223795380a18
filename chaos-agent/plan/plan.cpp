#include "chaos-agent/plan/plan.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/asio/ip/address.hpp>
#include <yaml-cpp/yaml.h>

#include "chaos-agent/core/time_format.h"
#include "chaos-agent/http/client.h"

namespace agent::plan {
namespace {

// yaml-cpp marks are 0-based, -1 when unknown.
Position position_of(const YAML::Mark& m) {
  return Position{m.line >= 0 ? m.line + 1 : 1, m.column >= 0 ? m.column + 1 : 1};
}

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  Error error(const YAML::Node& n, const std::string& path, const std::string& msg) const {
    YAML::Mark m = n.IsDefined() ? n.Mark() : YAML::Mark::null_mark();
    return at(m, path, msg);
  }
  Error at(const YAML::Mark& m, const std::string& path, const std::string& msg) const {
    const Position p = position_of(m);
    return Error{file_ + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": error: " +
                 (path.empty() ? "" : path + ": ") + msg};
  }

  // Map with only the given keys. Returns the first unknown key's error, if any.
  std::optional<Error> check_keys(const YAML::Node& map, const std::string& path,
                                  const std::vector<std::string>& allowed) const {
    if (!map.IsMap()) return error(map, path, "expected a mapping");
    for (const auto& kv : map) {
      std::string key = kv.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return at(kv.first.Mark(), join(path, key), "unknown key (expected one of: " + list + ")");
      }
    }
    return std::nullopt;
  }

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  Result<std::string> string(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) return error(n, path, "expected a string");
    return n.as<std::string>();
  }
  Result<Millis> duration(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) return error(n, path, "expected a duration like 120s, 5m, 2h");
    auto d = parse_duration(n.as<std::string>());
    if (!d) return error(n, path, bad_duration_message(n.as<std::string>()));
    return *d;
  }
  Result<double> fraction(const YAML::Node& n, const std::string& path) const {
    std::string s = n.IsScalar() ? n.as<std::string>() : "";
    double v = -1;
    bool pct = !s.empty() && s.back() == '%';
    try {
      size_t used = 0;
      std::string num = pct ? s.substr(0, s.size() - 1) : s;
      v = std::stod(num, &used);
      if (used != num.size()) v = -1;
    } catch (...) {
      v = -1;
    }
    if (pct && v >= 0) v /= 100.0;
    if (!n.IsScalar() || v < 0) return error(n, path, "expected a fraction like 0.5 or 50%, found '" + s + "'");
    if (v <= 0 || v > 1) return error(n, path, "must be greater than 0 and at most 1 (100%), found '" + s + "'");
    return v;
  }
  Result<long> integer(const YAML::Node& n, const std::string& path, long min) const {
    std::string s = n.IsScalar() ? n.as<std::string>() : "";
    if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos)
      return error(n, path, "expected a whole number, found '" + s + "'");
    long v = std::stol(s);
    if (v < min) return error(n, path, "must be at least " + std::to_string(min));
    return v;
  }

 private:
  std::string file_;
};

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

const char* type_name(Item::Type t) {
  switch (t) {
    case Item::Type::kPreempt: return "preempt";
    case Item::Type::kRebalance: return "rebalance";
    case Item::Type::kMaintenance: return "maintenance";
    case Item::Type::kStorm: return "storm";
    case Item::Type::kClear: return "clear";
  }
  return "?";
}

}  // namespace

uint64_t seeded_hash(uint64_t seed, const std::string& name) {
  uint64_t h = mix(seed);
  for (char c : name) h = mix(h ^ static_cast<unsigned char>(c));
  return h;
}

std::vector<std::string> storm_selection(const std::vector<Target>& targets, double fraction, uint64_t seed) {
  std::vector<std::pair<uint64_t, std::string>> order;
  for (const auto& t : targets) order.emplace_back(seeded_hash(seed, t.name), t.name);
  std::sort(order.begin(), order.end());
  size_t n = static_cast<size_t>(std::ceil(fraction * static_cast<double>(targets.size()) - 1e-9));
  n = std::min(n, order.size());
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(order[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

bool is_action(const std::string& k) {
  return k == "preempt" || k == "storm" || k == "rebalance" || k == "maintenance" || k == "clear";
}

// The keys an item's body may have, by action.
std::vector<std::string> item_keys(const std::string& action, bool flat) {
  std::vector<std::string> keys;
  if (action == "preempt") keys = {"notice", "action", "provider", "targets", "azure_event_type", "allow_unrealistic"};
  if (action == "storm") keys = {"fraction", "notice", "action", "provider", "azure_event_type", "allow_unrealistic"};
  if (action == "rebalance") keys = {"provider", "targets"};
  if (action == "maintenance") keys = {"notice", "provider", "targets", "azure_event_type", "gcp_event"};
  if (flat) keys.insert(keys.end(), {"kind", "at", "name"});
  return keys;
}

Item::Type item_type(const std::string& action) {
  return action == "preempt" ? Item::Type::kPreempt : action == "storm" ? Item::Type::kStorm
       : action == "rebalance" ? Item::Type::kRebalance : action == "maintenance" ? Item::Type::kMaintenance
       : Item::Type::kClear;
}

// Reads a plan section by section; each step stops at its first error (the plan's first error
// is reported, in document order).
class PlanParser {
 public:
  explicit PlanParser(const std::string& file) : r_(file) { p_.file = file; }

  Result<Plan> parse(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      return r_.at(e.mark, "", e.msg);
    }
    if (!root.IsMap()) return r_.error(root, "", "a game-day plan is a mapping with max_duration and chaos");
    if (auto e = r_.check_keys(root, "", {"name", "provider", "max_duration", "duration", "seed", "targets",
                                          "blast_radius", "abort", "chaos", "report", "expect"}))
      return *e;
    for (auto step : {&PlanParser::header, &PlanParser::targets, &PlanParser::blast_radius, &PlanParser::abort,
                      &PlanParser::items, &PlanParser::duration, &PlanParser::expect})
      if (auto s = (this->*step)(root); !s) return Error{s.error()};
    return std::move(p_);
  }

 private:
  // name, provider, max_duration, seed, report.
  Status header(const YAML::Node& root) {
    if (root["name"]) {
      auto s = r_.string(root["name"], "name");
      if (!s) return Error{s.error()};
      p_.name = s.value();
    } else {
      size_t slash = p_.file.rfind('/');
      p_.name = p_.file.substr(slash == std::string::npos ? 0 : slash + 1);
    }
    if (root["provider"]) {
      auto s = r_.string(root["provider"], "provider");
      if (!s) return Error{s.error()};
      auto ps = parse_providers(s.value());
      if (!ps) return r_.error(root["provider"], "provider", "expected aws, azure, gcp or all, found '" + s.value() + "'");
      p_.provider = *ps;
    }
    if (!root["max_duration"])
      return r_.error(root, "max_duration",
                      "required: every plan needs a dead-man limit after which all injections expire, e.g. max_duration: 30m");
    auto d = r_.duration(root["max_duration"], "max_duration");
    if (!d) return Error{d.error()};
    if (d.value().count() <= 0) return r_.error(root["max_duration"], "max_duration", "must be greater than 0");
    p_.max_duration = d.value();
    if (root["seed"]) {
      auto v = r_.integer(root["seed"], "seed", 0);
      if (!v) return Error{v.error()};
      p_.seed = static_cast<uint64_t>(v.value());
    }
    if (root["report"]) {
      auto s = r_.string(root["report"], "report");
      if (!s) return Error{s.error()};
      p_.report_path = s.value();
    }
    return ok_status();
  }

  Status targets(const YAML::Node& root) {
    if (!root["targets"]) {
      p_.targets.push_back(Target{"local", kDefaultControl, ""});
      return ok_status();
    }
    const auto& ts = root["targets"];
    if (!ts.IsSequence() || ts.size() == 0) return r_.error(ts, "targets", "expected a non-empty list of {name, control}");
    std::set<std::string> names;
    for (size_t i = 0; i < ts.size(); ++i) {
      auto t = target(ts[i], "targets[" + std::to_string(i) + "]", names);
      if (!t) return Error{t.error()};
      p_.targets.push_back(std::move(t.value()));
    }
    return ok_status();
  }

  // One {name, control, token_file}; `names` holds the names seen so far.
  Result<Target> target(const YAML::Node& t, const std::string& path, std::set<std::string>& names) const {
    if (auto e = r_.check_keys(t, path, {"name", "control", "token_file"})) return *e;
    Target tg;
    if (!t["name"]) return r_.error(t, path + ".name", "required");
    auto n = r_.string(t["name"], path + ".name");
    if (!n) return Error{n.error()};
    tg.name = n.value();
    if (!names.insert(tg.name).second) return r_.error(t["name"], path + ".name", "duplicate target name '" + tg.name + "'");
    if (t["control"]) {
      auto c = r_.string(t["control"], path + ".control");
      if (!c) return Error{c.error()};
      auto ep = http::parse_endpoint(c.value(), "control");
      if (!ep) return r_.error(t["control"], path + ".control", "expected unix:/PATH or 127.0.0.1:PORT, found '" + c.value() + "'");
      if (!ep->is_unix && !boost::asio::ip::make_address(ep->host).is_loopback())
        return r_.error(t["control"], path + ".control", "control endpoints are local only (unix socket or loopback)");
      tg.control = c.value();
    }
    if (t["token_file"]) {
      auto c = r_.string(t["token_file"], path + ".token_file");
      if (!c) return Error{c.error()};
      tg.token_file = c.value();
    }
    return tg;
  }

  Status blast_radius(const YAML::Node& root) {
    if (!root["blast_radius"]) return ok_status();
    const auto& b = root["blast_radius"];
    if (auto e = r_.check_keys(b, "blast_radius", {"max_fraction", "max_targets"})) return *e;
    if (b["max_fraction"]) {
      auto f = r_.fraction(b["max_fraction"], "blast_radius.max_fraction");
      if (!f) return Error{f.error()};
      p_.max_fraction = f.value();
    }
    if (b["max_targets"]) {
      auto v = r_.integer(b["max_targets"], "blast_radius.max_targets", 1);
      if (!v) return Error{v.error()};
      p_.max_targets = static_cast<int>(v.value());
    }
    return ok_status();
  }

  Status abort(const YAML::Node& root) {
    if (!root["abort"]) return ok_status();
    const auto& a = root["abort"];
    if (auto e = r_.check_keys(a, "abort", {"health_check", "command", "interval"})) return *e;
    p_.abort_position = position_of(a.Mark());
    if (a["interval"]) {
      auto d = r_.duration(a["interval"], "abort.interval");
      if (!d) return Error{d.error()};
      p_.abort_interval = d.value();
    }
    if (a["health_check"])
      if (auto s = health_check(a["health_check"]); !s) return s;
    if (a["command"]) {
      auto s = r_.string(a["command"], "abort.command");
      if (!s) return Error{s.error()};
      p_.abort_command = s.value();
    }
    return ok_status();
  }

  // A URL alone, or {url, interval, timeout, failures}.
  Status health_check(const YAML::Node& h) {
    if (h.IsScalar()) {
      p_.health.url = h.as<std::string>();
    } else {
      if (auto e = r_.check_keys(h, "abort.health_check", {"url", "interval", "timeout", "failures"})) return *e;
      if (!h["url"]) return r_.error(h, "abort.health_check.url", "required");
      p_.health.url = h["url"].as<std::string>();
      for (auto [key, out] : {std::pair{"interval", &p_.health.interval}, std::pair{"timeout", &p_.health.timeout}}) {
        if (!h[key]) continue;
        auto d = r_.duration(h[key], std::string("abort.health_check.") + key);
        if (!d) return Error{d.error()};
        *out = d.value();
      }
      if (h["failures"]) {
        auto v = r_.integer(h["failures"], "abort.health_check.failures", 1);
        if (!v) return Error{v.error()};
        p_.health.failures = static_cast<int>(v.value());
      }
    }
    const auto& url_node = h.IsScalar() ? h : h["url"];
    auto u = http::parse_loopback_url(p_.health.url, "url");
    if (!u) return r_.error(url_node, "abort.health_check.url", u.error().substr(u.error().find(": ") + 2));
    return ok_status();
  }

  // The chaos list, in document order (checking the blast radius as targets accumulate), then
  // sorted by `at`.
  Status items(const YAML::Node& root) {
    if (!root["chaos"]) return r_.error(root, "chaos", "required: a list of items such as {at: 1m, preempt: {notice: 120s}}");
    const auto& chaos = root["chaos"];
    if (!chaos.IsSequence() || chaos.size() == 0) return r_.error(chaos, "chaos", "expected a non-empty list of items");
    for (const auto& t : p_.targets) target_names_.insert(t.name);
    for (size_t i = 0; i < chaos.size(); ++i) {
      auto item = this->item(chaos[i], i);
      if (!item) return Error{item.error()};
      if (auto s = within_blast_radius(item.value(), chaos[i]); !s) return s;
      p_.items.push_back(std::move(item.value()));
    }
    std::stable_sort(p_.items.begin(), p_.items.end(), [](const Item& a, const Item& b) { return a.at < b.at; });
    return ok_status();
  }

  // Which action an item names: {kind: storm, ...} (the simulator's flat form) or {storm: {...}}.
  Result<std::string> item_action(const YAML::Node& node, const std::string& path) const {
    std::vector<std::string> actions;
    if (node["kind"].IsDefined()) {
      std::string kind = node["kind"].IsScalar() ? node["kind"].as<std::string>() : "";
      if (!is_action(kind))
        return r_.error(node["kind"], path + ".kind",
                        "expected one of: preempt, storm, rebalance, maintenance, clear, found '" + kind + "'");
      return kind;
    }
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      if (key == "at") continue;
      if (!is_action(key))
        return r_.at(kv.first.Mark(), path + "." + key,
                     "unknown key (expected at and one of: preempt, storm, rebalance, maintenance, clear)");
      actions.push_back(key);
    }
    if (actions.empty()) return r_.error(node, path, "expected one of: preempt, storm, rebalance, maintenance, clear");
    if (actions.size() > 1) return r_.error(node, path, "one action per item, found " + actions[0] + " and " + actions[1]);
    return actions[0];
  }

  Result<Item> item(const YAML::Node& node, size_t i) const {
    const std::string path = "chaos[" + std::to_string(i) + "]";
    if (!node.IsMap()) return r_.error(node, path, "expected a mapping like {at: 1m, preempt: {notice: 120s}}");
    const bool flat = node["kind"].IsDefined();
    auto action = item_action(node, path);
    if (!action) return Error{action.error()};
    if (!node["at"]) return r_.error(node, path + ".at", "required: when this happens, e.g. at: 5m");
    Item item;
    auto at = r_.duration(node["at"], path + ".at");
    if (!at) return Error{at.error()};
    item.at = at.value();
    if (item.at >= p_.max_duration)
      return r_.error(node["at"], path + ".at",
                      format_duration(item.at) + " is not before max_duration " + format_duration(p_.max_duration));
    item.where = flat ? path : path + "." + action.value();
    item.position = position_of(node.Mark());
    item.type = item_type(action.value());
    const YAML::Node body = flat ? node : node[action.value()];
    if (!body.IsNull() && !body.IsMap()) return r_.error(body, item.where, "expected a mapping (or {})");
    if (body.IsMap())
      if (auto e = r_.check_keys(body, item.where, item_keys(action.value(), flat))) return *e;
    if (auto s = inject_fields(item, body, node); !s) return Error{s.error()};
    if (auto s = selection(item, body, node, i); !s) return Error{s.error()};
    // Dead-man: each injection expires by itself when the plan's max_duration is reached.
    item.inject.ttl = p_.max_duration - item.at;
    item.inject.source = "plan:" + p_.name;
    return item;
  }

  // The InjectRequest of an item: defaults from the plan, then notice, action, provider,
  // azure_event_type, gcp_event, allow_unrealistic.
  Status inject_fields(Item& item, const YAML::Node& body, const YAML::Node& node) const {
    auto field = [&](const char* k) { return body.IsMap() ? body[k] : YAML::Node(); };
    InjectRequest& req = item.inject;
    req.kind = item.type == Item::Type::kRebalance ? Kind::kRebalance
             : item.type == Item::Type::kMaintenance ? Kind::kMaintenance : Kind::kPreempt;
    req.providers = p_.provider;
    req.notice = req.kind == Kind::kMaintenance ? Millis(15 * 60 * 1000) : Millis(120000);
    if (req.kind == Kind::kRebalance && p_.provider == kAllProviders) req.providers = static_cast<unsigned>(Provider::kAws);
    if (auto n = field("notice")) {
      auto d = r_.duration(n, item.where + ".notice");
      if (!d) return Error{d.error()};
      req.notice = d.value();
      item.notice_given = true;
    }
    if (auto n = field("action")) {
      if (auto s = one_of(n, item.where + ".action", {"terminate", "stop", "hibernate"}, req.aws_action); !s) return s;
    }
    if (auto n = field("provider")) {
      auto ps = parse_providers(n.as<std::string>());
      if (!ps) return r_.error(n, item.where + ".provider", "expected aws, azure, gcp or all, found '" + n.as<std::string>() + "'");
      req.providers = *ps;
    }
    if (auto n = field("azure_event_type")) {
      if (auto s = one_of(n, item.where + ".azure_event_type", {"Preempt", "Reboot", "Redeploy", "Freeze", "Terminate"},
                          req.azure_event_type); !s)
        return s;
    }
    if (auto n = field("gcp_event")) {
      if (auto s = one_of(n, item.where + ".gcp_event", {"TERMINATE_ON_HOST_MAINTENANCE", "MIGRATE_ON_HOST_MAINTENANCE"},
                          req.gcp_maintenance); !s)
        return s;
    }
    if (auto n = field("allow_unrealistic")) {
      bool v = false;
      if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
        return r_.error(n, item.where + ".allow_unrealistic", "expected true or false, found '" + YAML::Dump(n) + "'");
      req.allow_unrealistic = v;
    }
    if (auto why = unrealistic_notice(req); why && !req.allow_unrealistic) {
      YAML::Node n = field("notice");
      return r_.error(n ? n : node, item.where + ".notice",
                      *why + " (add allow_unrealistic: true to drill a shorter one anyway)");
    }
    return ok_status();
  }

  // `n` must be one of `allowed`: "expected a, b or c, found 'x'".
  Status one_of(const YAML::Node& n, const std::string& path, const std::vector<std::string>& allowed,
                std::string& out) const {
    std::string v = n.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) {
      out = v;
      return ok_status();
    }
    std::string list;
    for (size_t k = 0; k < allowed.size(); ++k)
      list += (k == 0 ? "" : k + 1 == allowed.size() ? " or " : ", ") + allowed[k];
    return r_.error(n, path, "expected " + list + ", found '" + v + "'");
  }

  // The targets an item acts on: a storm's seeded fraction, the listed targets, or all of them.
  Status selection(Item& item, const YAML::Node& body, const YAML::Node& node, size_t i) const {
    auto field = [&](const char* k) { return body.IsMap() ? body[k] : YAML::Node(); };
    if (item.type == Item::Type::kStorm) {
      if (!field("fraction"))
        return r_.error(body.IsMap() ? body : node, item.where + ".fraction", "required: the fraction of targets hit, e.g. fraction: 30%");
      auto f = r_.fraction(field("fraction"), item.where + ".fraction");
      if (!f) return Error{f.error()};
      item.fraction = f.value();
      item.selected = storm_selection(p_.targets, item.fraction, p_.seed + i);
    } else if (item.type != Item::Type::kClear) {
      if (auto n = field("targets")) {
        if (!n.IsSequence() || n.size() == 0) return r_.error(n, item.where + ".targets", "expected a non-empty list of target names");
        for (size_t k = 0; k < n.size(); ++k) {
          std::string name = n[k].as<std::string>();
          if (!target_names_.count(name))
            return r_.error(n[k], item.where + ".targets[" + std::to_string(k) + "]", "no target named '" + name + "' in targets");
          item.selected.push_back(name);
        }
      } else {
        for (const auto& t : p_.targets) item.selected.push_back(t.name);
      }
    }
    if (item.inject.kind == Kind::kRebalance && !has(item.inject.providers, Provider::kAws))
      return r_.error(node, item.where + ".provider", "rebalance recommendations exist only on aws");
    return ok_status();
  }

  // The targets reached by all items so far stay within blast_radius.
  Status within_blast_radius(const Item& item, const YAML::Node& node) {
    const size_t n_targets = p_.targets.size();
    size_t allowed = static_cast<size_t>(std::floor(p_.max_fraction * static_cast<double>(n_targets) + 1e-9));
    if (p_.max_targets > 0) allowed = std::min(allowed, static_cast<size_t>(p_.max_targets));
    for (const auto& name : item.selected) reached_.insert(name);
    if (reached_.size() <= allowed) return ok_status();
    std::ostringstream msg;
    msg << "would reach " << reached_.size() << " of " << n_targets << " targets, beyond the blast radius of "
        << allowed << " (blast_radius: max_fraction " << p_.max_fraction;
    if (p_.max_targets > 0) msg << ", max_targets " << p_.max_targets;
    msg << ")";
    return r_.error(node, item.where, msg.str());
  }

  // duration: given, or derived from the last notice plus 30 s; at most max_duration.
  // expect: tolerances for `spotsim compare` (docs/gameday-loop.md). The agent checks the shape
  // (metric names to scalars) and otherwise ignores it; spotsim checks the rest.
  Status expect(const YAML::Node& root) {
    const YAML::Node ex = root["expect"];
    if (!ex) return ok_status();
    if (!ex.IsMap())
      return r_.error(ex, "expect", "expected a mapping of metric: tolerance, e.g. {notices: 0, drained_in_time: interval}");
    for (const auto& kv : ex)
      if (!kv.second.IsScalar())
        return r_.error(kv.second, "expect." + kv.first.as<std::string>(),
                        "expected a tolerance: interval, a number or a percentage like 25%");
    return ok_status();
  }

  Status duration(const YAML::Node& root) {
    Millis derived{0};
    for (const auto& it : p_.items)
      derived = std::max(derived, it.at + (it.type == Item::Type::kClear ? Millis(0) : it.inject.notice));
    derived += Millis(30000);
    p_.duration = std::min(derived, p_.max_duration);
    if (!root["duration"]) return ok_status();
    auto d = r_.duration(root["duration"], "duration");
    if (!d) return Error{d.error()};
    if (d.value() > p_.max_duration)
      return r_.error(root["duration"], "duration",
                      format_duration(d.value()) + " is longer than max_duration " + format_duration(p_.max_duration));
    p_.duration = d.value();
    return ok_status();
  }

  Reader r_;
  Plan p_;
  std::set<std::string> target_names_;
  std::set<std::string> reached_;
};

}  // namespace

Result<Plan> parse_plan(const std::string& text, const std::string& file) { return PlanParser(file).parse(text); }

Result<Plan> load_plan(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{path + ": error: cannot read plan: " + std::strerror(errno)};
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_plan(ss.str(), path);
}

std::string describe(const Plan& p) {
  std::ostringstream o;
  o << "plan " << p.name << " (" << p.file << ")\n";
  o << "  targets: " << p.targets.size() << " (";
  for (size_t i = 0; i < p.targets.size(); ++i) o << (i ? ", " : "") << p.targets[i].name << " " << p.targets[i].control;
  o << ")\n";
  o << "  dead-man: every injection expires by itself " << format_duration(p.max_duration)
    << " after the start; the drill ends after " << format_duration(p.duration) << " (clear + report)\n";
  o << "  blast radius: max_fraction " << p.max_fraction;
  if (p.max_targets > 0) o << ", max_targets " << p.max_targets;
  o << "\n";
  if (!p.health.url.empty())
    o << "  abort: health check " << p.health.url << " every " << format_duration(p.health.interval) << ", "
      << p.health.failures << " consecutive failure(s) clear everything\n";
  if (!p.abort_command.empty()) o << "  abort: command `" << p.abort_command << "` failing clears everything\n";
  if (p.health.url.empty() && p.abort_command.empty()) o << "  abort: no abort condition (Ctrl-C clears everything)\n";
  o << "timeline:\n";
  for (const auto& it : p.items) {
    o << "  T+" << format_duration(it.at) << "  " << type_name(it.type);
    if (it.type == Item::Type::kClear) {
      o << "  all targets\n";
      continue;
    }
    o << "  provider " << providers_to_string(it.inject.providers);
    if (it.type != Item::Type::kRebalance) o << ", notice " << format_duration(it.inject.notice);
    if (it.inject.kind == Kind::kPreempt) o << ", action " << it.inject.aws_action;
    if (it.type == Item::Type::kStorm) o << ", fraction " << it.fraction;
    o << " -> ";
    for (size_t k = 0; k < it.selected.size(); ++k) o << (k ? ", " : "") << it.selected[k];
    o << "\n";
  }
  o << "  T+" << format_duration(p.duration) << "  end: clear all targets, collect reports\n";
  return o.str();
}

}  // namespace agent::plan

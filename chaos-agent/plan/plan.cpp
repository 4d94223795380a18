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

namespace chaos::plan {
namespace {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  Error error(const YAML::Node& n, const std::string& path, const std::string& msg) const {
    YAML::Mark m = n.IsDefined() ? n.Mark() : YAML::Mark::null_mark();
    return at(m, path, msg);
  }
  Error at(const YAML::Mark& m, const std::string& path, const std::string& msg) const {
    int line = m.line >= 0 ? m.line + 1 : 1;
    int col = m.column >= 0 ? m.column + 1 : 1;
    return Error{file_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": error: " +
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

std::vector<std::string> storm_selection(const std::vector<Target>& targets, double fraction, uint64_t seed) {
  std::vector<std::pair<uint64_t, std::string>> order;
  for (const auto& t : targets) {
    uint64_t h = mix(seed);
    for (char c : t.name) h = mix(h ^ static_cast<unsigned char>(c));
    order.emplace_back(h, t.name);
  }
  std::sort(order.begin(), order.end());
  size_t n = static_cast<size_t>(std::ceil(fraction * static_cast<double>(targets.size()) - 1e-9));
  n = std::min(n, order.size());
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(order[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

Result<Plan> parse_plan(const std::string& text, const std::string& file) {
  Reader r(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return r.at(e.mark, "", e.msg);
  }
  if (!root.IsMap()) return r.error(root, "", "a game-day plan is a mapping with max_duration and chaos");
  if (auto e = r.check_keys(root, "", {"name", "provider", "max_duration", "duration", "seed", "targets",
                                       "blast_radius", "abort", "chaos", "report"}))
    return *e;
  Plan p;
  p.file = file;
  if (root["name"]) {
    auto s = r.string(root["name"], "name");
    if (!s) return Error{s.error()};
    p.name = s.value();
  } else {
    size_t slash = file.rfind('/');
    p.name = file.substr(slash == std::string::npos ? 0 : slash + 1);
  }
  if (root["provider"]) {
    auto s = r.string(root["provider"], "provider");
    if (!s) return Error{s.error()};
    auto ps = parse_providers(s.value());
    if (!ps) return r.error(root["provider"], "provider", "expected aws, azure, gcp or all, found '" + s.value() + "'");
    p.provider = *ps;
  }
  if (!root["max_duration"])
    return r.error(root, "max_duration",
                   "required: every plan needs a dead-man limit after which all injections expire, e.g. max_duration: 30m");
  {
    auto d = r.duration(root["max_duration"], "max_duration");
    if (!d) return Error{d.error()};
    if (d.value().count() <= 0) return r.error(root["max_duration"], "max_duration", "must be greater than 0");
    p.max_duration = d.value();
  }
  if (root["seed"]) {
    auto v = r.integer(root["seed"], "seed", 0);
    if (!v) return Error{v.error()};
    p.seed = static_cast<uint64_t>(v.value());
  }
  if (root["report"]) {
    auto s = r.string(root["report"], "report");
    if (!s) return Error{s.error()};
    p.report_path = s.value();
  }
  // targets
  if (root["targets"]) {
    const auto& ts = root["targets"];
    if (!ts.IsSequence() || ts.size() == 0) return r.error(ts, "targets", "expected a non-empty list of {name, control}");
    std::set<std::string> names;
    for (size_t i = 0; i < ts.size(); ++i) {
      std::string path = "targets[" + std::to_string(i) + "]";
      const auto& t = ts[i];
      if (auto e = r.check_keys(t, path, {"name", "control", "token_file"})) return *e;
      Target tg;
      if (!t["name"]) return r.error(t, path + ".name", "required");
      auto n = r.string(t["name"], path + ".name");
      if (!n) return Error{n.error()};
      tg.name = n.value();
      if (!names.insert(tg.name).second) return r.error(t["name"], path + ".name", "duplicate target name '" + tg.name + "'");
      if (t["control"]) {
        auto c = r.string(t["control"], path + ".control");
        if (!c) return Error{c.error()};
        auto ep = http::parse_endpoint(c.value(), "control");
        if (!ep) return r.error(t["control"], path + ".control", "expected unix:/PATH or 127.0.0.1:PORT, found '" + c.value() + "'");
        if (!ep->is_unix && !boost::asio::ip::make_address(ep->host).is_loopback())
          return r.error(t["control"], path + ".control", "control endpoints are local only (unix socket or loopback)");
        tg.control = c.value();
      }
      if (t["token_file"]) {
        auto c = r.string(t["token_file"], path + ".token_file");
        if (!c) return Error{c.error()};
        tg.token_file = c.value();
      }
      p.targets.push_back(tg);
    }
  } else {
    p.targets.push_back(Target{"local", kDefaultControl, ""});
  }
  // blast radius
  if (root["blast_radius"]) {
    const auto& b = root["blast_radius"];
    if (auto e = r.check_keys(b, "blast_radius", {"max_fraction", "max_targets"})) return *e;
    if (b["max_fraction"]) {
      auto f = r.fraction(b["max_fraction"], "blast_radius.max_fraction");
      if (!f) return Error{f.error()};
      p.max_fraction = f.value();
    }
    if (b["max_targets"]) {
      auto v = r.integer(b["max_targets"], "blast_radius.max_targets", 1);
      if (!v) return Error{v.error()};
      p.max_targets = static_cast<int>(v.value());
    }
  }
  // abort
  if (root["abort"]) {
    const auto& a = root["abort"];
    if (auto e = r.check_keys(a, "abort", {"health_check", "command", "interval"})) return *e;
    if (a["interval"]) {
      auto d = r.duration(a["interval"], "abort.interval");
      if (!d) return Error{d.error()};
      p.abort_interval = d.value();
    }
    if (a["health_check"]) {
      const auto& h = a["health_check"];
      if (h.IsScalar()) {
        p.health.url = h.as<std::string>();
      } else {
        if (auto e = r.check_keys(h, "abort.health_check", {"url", "interval", "timeout", "failures"})) return *e;
        if (!h["url"]) return r.error(h, "abort.health_check.url", "required");
        p.health.url = h["url"].as<std::string>();
        if (h["interval"]) {
          auto d = r.duration(h["interval"], "abort.health_check.interval");
          if (!d) return Error{d.error()};
          p.health.interval = d.value();
        }
        if (h["timeout"]) {
          auto d = r.duration(h["timeout"], "abort.health_check.timeout");
          if (!d) return Error{d.error()};
          p.health.timeout = d.value();
        }
        if (h["failures"]) {
          auto v = r.integer(h["failures"], "abort.health_check.failures", 1);
          if (!v) return Error{v.error()};
          p.health.failures = static_cast<int>(v.value());
        }
      }
      const auto& url_node = h.IsScalar() ? h : h["url"];
      auto u = http::parse_loopback_url(p.health.url, "url");
      if (!u) {
        std::string msg = u.error().substr(u.error().find(": ") + 2);
        return r.error(url_node, "abort.health_check.url", msg);
      }
    }
    if (a["command"]) {
      auto s = r.string(a["command"], "abort.command");
      if (!s) return Error{s.error()};
      p.abort_command = s.value();
    }
  }
  // chaos items
  if (!root["chaos"]) return r.error(root, "chaos", "required: a list of items such as {at: 1m, preempt: {notice: 120s}}");
  const auto& chaos = root["chaos"];
  if (!chaos.IsSequence() || chaos.size() == 0) return r.error(chaos, "chaos", "expected a non-empty list of items");
  const size_t n_targets = p.targets.size();
  size_t allowed = static_cast<size_t>(std::floor(p.max_fraction * static_cast<double>(n_targets) + 1e-9));
  if (p.max_targets > 0) allowed = std::min(allowed, static_cast<size_t>(p.max_targets));
  std::set<std::string> reached;
  std::set<std::string> target_names;
  for (const auto& t : p.targets) target_names.insert(t.name);
  for (size_t i = 0; i < chaos.size(); ++i) {
    std::string path = "chaos[" + std::to_string(i) + "]";
    const auto& node = chaos[i];
    if (!node.IsMap()) return r.error(node, path, "expected a mapping like {at: 1m, preempt: {notice: 120s}}");
    Item item;
    std::vector<std::string> actions;
    // Two spellings: the simulator's flat form {kind: storm, at: 5m, fraction: 30%} and the
    // nested form {at: 5m, storm: {fraction: 30%}}.
    const bool flat = node["kind"].IsDefined();
    auto is_action = [](const std::string& k) {
      return k == "preempt" || k == "storm" || k == "rebalance" || k == "maintenance" || k == "clear";
    };
    if (flat) {
      std::string kind = node["kind"].IsScalar() ? node["kind"].as<std::string>() : "";
      if (!is_action(kind))
        return r.error(node["kind"], path + ".kind",
                       "expected one of: preempt, storm, rebalance, maintenance, clear, found '" + kind + "'");
      actions.push_back(kind);
    } else {
      for (const auto& kv : node) {
        std::string key = kv.first.as<std::string>();
        if (key == "at") continue;
        if (is_action(key)) {
          actions.push_back(key);
        } else {
          return r.at(kv.first.Mark(), path + "." + key,
                      "unknown key (expected at and one of: preempt, storm, rebalance, maintenance, clear)");
        }
      }
    }
    if (actions.empty()) return r.error(node, path, "expected one of: preempt, storm, rebalance, maintenance, clear");
    if (actions.size() > 1)
      return r.error(node, path, "one action per item, found " + actions[0] + " and " + actions[1]);
    if (!node["at"]) return r.error(node, path + ".at", "required: when this happens, e.g. at: 5m");
    auto at = r.duration(node["at"], path + ".at");
    if (!at) return Error{at.error()};
    item.at = at.value();
    if (item.at >= p.max_duration)
      return r.error(node["at"], path + ".at",
                     format_duration(item.at) + " is not before max_duration " + format_duration(p.max_duration));
    const std::string& action = actions[0];
    item.where = flat ? path : path + "." + action;
    const YAML::Node body = flat ? node : node[action];
    if (!body.IsNull() && !body.IsMap()) return r.error(body, item.where, "expected a mapping (or {})");
    std::vector<std::string> keys;
    if (action == "preempt") keys = {"notice", "action", "provider", "targets", "azure_event_type", "allow_unrealistic"};
    if (action == "storm") keys = {"fraction", "notice", "action", "provider", "azure_event_type", "allow_unrealistic"};
    if (action == "rebalance") keys = {"provider", "targets"};
    if (action == "maintenance") keys = {"notice", "provider", "targets", "azure_event_type", "gcp_event"};
    if (action == "clear") keys = {};
    if (flat) keys.insert(keys.end(), {"kind", "at", "name"});
    if (body.IsMap())
      if (auto e = r.check_keys(body, item.where, keys)) return *e;
    auto field = [&](const char* k) { return body.IsMap() ? body[k] : YAML::Node(); };
    item.type = action == "preempt" ? Item::Type::kPreempt : action == "storm" ? Item::Type::kStorm
              : action == "rebalance" ? Item::Type::kRebalance : action == "maintenance" ? Item::Type::kMaintenance
              : Item::Type::kClear;
    InjectRequest& req = item.inject;
    req.kind = item.type == Item::Type::kRebalance ? Kind::kRebalance
             : item.type == Item::Type::kMaintenance ? Kind::kMaintenance : Kind::kPreempt;
    req.providers = p.provider;
    req.notice = req.kind == Kind::kMaintenance ? Millis(15 * 60 * 1000) : Millis(120000);
    if (req.kind == Kind::kRebalance && p.provider == kAllProviders) req.providers = static_cast<unsigned>(Provider::kAws);
    if (auto n = field("notice")) {
      auto d = r.duration(n, item.where + ".notice");
      if (!d) return Error{d.error()};
      req.notice = d.value();
    }
    if (auto n = field("action")) {
      std::string a = n.as<std::string>();
      if (a != "terminate" && a != "stop" && a != "hibernate")
        return r.error(n, item.where + ".action", "expected terminate, stop or hibernate, found '" + a + "'");
      req.aws_action = a;
    }
    if (auto n = field("provider")) {
      auto ps = parse_providers(n.as<std::string>());
      if (!ps) return r.error(n, item.where + ".provider", "expected aws, azure, gcp or all, found '" + n.as<std::string>() + "'");
      req.providers = *ps;
    }
    if (auto n = field("azure_event_type")) {
      std::string t = n.as<std::string>();
      if (t != "Preempt" && t != "Reboot" && t != "Redeploy" && t != "Freeze" && t != "Terminate")
        return r.error(n, item.where + ".azure_event_type", "expected Preempt, Reboot, Redeploy, Freeze or Terminate, found '" + t + "'");
      req.azure_event_type = t;
    }
    if (auto n = field("gcp_event")) {
      std::string t = n.as<std::string>();
      if (t != "TERMINATE_ON_HOST_MAINTENANCE" && t != "MIGRATE_ON_HOST_MAINTENANCE")
        return r.error(n, item.where + ".gcp_event", "expected TERMINATE_ON_HOST_MAINTENANCE or MIGRATE_ON_HOST_MAINTENANCE, found '" + t + "'");
      req.gcp_maintenance = t;
    }
    if (auto n = field("allow_unrealistic")) {
      bool v = false;
      if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
        return r.error(n, item.where + ".allow_unrealistic", "expected true or false, found '" + YAML::Dump(n) + "'");
      req.allow_unrealistic = v;
    }
    if (auto why = unrealistic_notice(req); why && !req.allow_unrealistic) {
      YAML::Node n = field("notice");
      return r.error(n ? n : node, item.where + ".notice",
                     *why + " (add allow_unrealistic: true to drill a shorter one anyway)");
    }
    if (item.type == Item::Type::kStorm) {
      if (!field("fraction")) return r.error(body.IsMap() ? body : node, item.where + ".fraction", "required: the fraction of targets hit, e.g. fraction: 30%");
      auto f = r.fraction(field("fraction"), item.where + ".fraction");
      if (!f) return Error{f.error()};
      item.fraction = f.value();
      item.selected = storm_selection(p.targets, item.fraction, p.seed + i);
    } else if (item.type != Item::Type::kClear) {
      if (auto n = field("targets")) {
        if (!n.IsSequence() || n.size() == 0) return r.error(n, item.where + ".targets", "expected a non-empty list of target names");
        for (size_t k = 0; k < n.size(); ++k) {
          std::string name = n[k].as<std::string>();
          if (!target_names.count(name))
            return r.error(n[k], item.where + ".targets[" + std::to_string(k) + "]", "no target named '" + name + "' in targets");
          item.selected.push_back(name);
        }
      } else {
        for (const auto& t : p.targets) item.selected.push_back(t.name);
      }
    }
    if (req.kind == Kind::kRebalance && !has(req.providers, Provider::kAws))
      return r.error(node, item.where + ".provider", "rebalance recommendations exist only on aws");
    // Dead-man: each injection expires by itself when the plan's max_duration is reached.
    req.ttl = p.max_duration - item.at;
    req.source = "plan:" + p.name;
    for (const auto& name : item.selected) reached.insert(name);
    if (reached.size() > allowed) {
      std::ostringstream msg;
      msg << "would reach " << reached.size() << " of " << n_targets << " targets, beyond the blast radius of "
          << allowed << " (blast_radius: max_fraction " << p.max_fraction;
      if (p.max_targets > 0) msg << ", max_targets " << p.max_targets;
      msg << ")";
      return r.error(node, item.where, msg.str());
    }
    p.items.push_back(std::move(item));
  }
  std::stable_sort(p.items.begin(), p.items.end(), [](const Item& a, const Item& b) { return a.at < b.at; });
  Millis derived{0};
  for (const auto& it : p.items) derived = std::max(derived, it.at + (it.type == Item::Type::kClear ? Millis(0) : it.inject.notice));
  derived += Millis(30000);
  p.duration = std::min(derived, p.max_duration);
  if (root["duration"]) {
    auto d = r.duration(root["duration"], "duration");
    if (!d) return Error{d.error()};
    if (d.value() > p.max_duration)
      return r.error(root["duration"], "duration", format_duration(d.value()) + " is longer than max_duration " + format_duration(p.max_duration));
    p.duration = d.value();
  }
  return p;
}

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

}  // namespace chaos::plan

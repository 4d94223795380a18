#include "chaos-agent/fleet/fleet_plan.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "chaos-agent/core/time_format.h"
#include "chaos-agent/http/client.h"
#include "chaos-agent/plan/plan_reader.h"

namespace agent::fleet {

using spotsim::Result;
using spotsim::Status;
namespace {

using Type = plan::Item::Type;
using plan::MapReader;
using plan::ParseContext;

size_t errors(const ParseContext& ctx) { return ctx.diagnostics().size(); }

// label -> values; false (reported) when it does not read cleanly.
bool parse_selector(ParseContext& ctx, const YAML::Node& n, const std::string& path, Selector& out) {
  if (!n.IsMap()) {
    ctx.error(n, path, "expected a mapping of labels, e.g. {zone: us-east-1a, pool: gpu}");
    return false;
  }
  const size_t before = errors(ctx);
  Selector s;
  for (const auto& kv : n) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const std::string p = path + "." + key;
    auto& vals = s[key];
    auto add = [&](const YAML::Node& v) {
      if (v.IsScalar()) vals.push_back(v.Scalar());
      else ctx.error(v, p, "expected a string");
    };
    if (!kv.second.IsSequence()) {
      add(kv.second);
    } else if (kv.second.size() == 0) {
      ctx.error(kv.second, p, "expected a label value or a non-empty list");
    } else {
      for (const auto& v : kv.second) add(v);
    }
  }
  if (errors(ctx) != before) return false;
  out = std::move(s);
  return true;
}

constexpr const char* kLabelShorthands[] = {"zone", "pool", "instance_type", "role", "provider"};

// The inventory: targets that read cleanly (the others are reported).
std::vector<FleetTarget> parse_targets(ParseContext& ctx, const YAML::Node& ts, const std::string& path) {
  std::vector<FleetTarget> out;
  if (!ts.IsSequence() || ts.size() == 0) {
    ctx.error(ts, path, "expected a non-empty list of {name, address: \"HOST:PORT\", labels: {...}}");
    return out;
  }
  std::set<std::string> names, addresses;
  for (size_t i = 0; i < ts.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    const size_t before = errors(ctx);
    MapReader t(ctx, ts[i], p);
    FleetTarget tg;
    std::string addr;
    if (!t.has("address")) {
      t.get("address");
      if (ts[i].IsMap())
        ctx.error(ts[i], p + ".address", "required: the agent's remote control HOST:PORT (serve --remote-control)");
    } else if (t.str("address", addr)) {
      const size_t colon = addr.rfind(':');
      const bool bracket = !addr.empty() && addr[0] == '[';
      const std::string host =
          colon == std::string::npos ? "" : addr.substr(bracket ? 1 : 0, colon - (bracket ? 2 : 0));
      const std::string port = colon == std::string::npos ? "" : addr.substr(colon + 1);
      if (host.empty() || port.empty() || port.size() > 5 ||
          port.find_first_not_of("0123456789") != std::string::npos || std::stol(port) == 0 ||
          std::stol(port) > 65535) {
        ctx.error(t.get("address"), p + ".address", "expected HOST:PORT (e.g. 10.0.1.11:8443), found '" + addr + "'");
      } else {
        tg.host = host;
        tg.port = static_cast<uint16_t>(std::stol(port));
        if (!addresses.insert(tg.address()).second)
          ctx.error(t.get("address"), p + ".address",
                    "duplicate address '" + tg.address() + "' (one agent, one entry)");
      }
    }
    if (!t.str("name", tg.name)) tg.name = addr;
    if (!tg.name.empty() && !names.insert(tg.name).second)
      ctx.error(t.has("name") ? t.get("name") : ts[i], p + ".name", "duplicate target name '" + tg.name + "'");
    if (const YAML::Node l = t.value("labels")) {
      if (!l.IsMap()) {
        ctx.error(l, p + ".labels", "expected a mapping such as {zone: us-east-1a, pool: gpu}");
      } else {
        MapReader lr(ctx, l, p + ".labels");
        for (const auto& kv : l) {
          const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
          lr.str(key, tg.labels[key]);
        }
      }
    }
    for (const char* k : kLabelShorthands) {
      std::string v;
      if (t.str(k, v)) tg.labels[k] = v;
    }
    t.finish();
    if (errors(ctx) == before) out.push_back(std::move(tg));
  }
  return out;
}

// One item; nullopt (reported) when it does not read cleanly. `clean`: the plan so far read
// cleanly, so an item selecting nothing is a mistake of its own.
std::optional<FleetItem> parse_item(ParseContext& ctx, const YAML::Node& node, size_t i, const FleetPlan& p,
                                    bool max_known, bool clean) {
  const size_t before = errors(ctx);
  auto head =
      plan::read_item_head(ctx, node, i, p.max_duration, max_known,
                           " (a fleet drill acts on real VMs; cliffs and price spikes exist only in the simulator)");
  if (!head) return std::nullopt;
  FleetItem it;
  it.type = head->type;
  it.at = head->at;
  it.where = head->where;
  MapReader b = plan::body_reader(ctx, *head);
  if (head->flat && b.has("waves"))
    ctx.error(b.get("waves"), it.where + ".waves",
              "not supported in a fleet plan: write each wave as its own storm item");
  bool notice_given = false;
  plan::read_inject_fields(b, it.type, p.provider, node, it.inject, notice_given);
  it.notice_given = notice_given;
  {
    const YAML::Mark m = node.Mark();  // 0-based, -1 when unknown
    it.position = plan::Position{m.line >= 0 ? m.line + 1 : 1, m.column >= 0 ? m.column + 1 : 1};
  }
  it.inject.source = "gameday:" + p.name;
  if (it.type == Type::kClear) {
    b.finish();
    return errors(ctx) == before ? std::optional<FleetItem>(std::move(it)) : std::nullopt;
  }
  if (plan::read_millis(b, "window", it.window) && max_known && it.at + it.window > p.max_duration)
    ctx.error(b.get("window"), it.where + ".window",
              "the window ends after max_duration " + format_duration(p.max_duration));
  const YAML::Node select = b.value("select"), scope = b.value("scope");
  if (select && scope) ctx.error(scope, it.where + ".scope", "select and scope are the same key; write one");
  else if (select) parse_selector(ctx, select, it.where + ".select", it.select);
  else if (scope) parse_selector(ctx, scope, it.where + ".scope", it.select);

  // Candidates: the plan's selection narrowed by the item's.
  std::vector<size_t> cand;
  for (size_t k : p.selection)
    if (matches(p.targets[k], it.select)) cand.push_back(k);
  if (const YAML::Node n =
          plan::takes(it.type, "targets") ? b.value("targets") : YAML::Node(YAML::NodeType::Undefined)) {
    std::vector<size_t> named;
    if (!n.IsSequence() || n.size() == 0)
      ctx.error(n, it.where + ".targets", "expected a non-empty list of target names");
    for (size_t k = 0; n.IsSequence() && k < n.size(); ++k) {
      const std::string where = it.where + ".targets[" + std::to_string(k) + "]";
      auto f = std::find_if(cand.begin(), cand.end(),
                            [&](size_t c) { return n[k].IsScalar() && p.targets[c].name == n[k].Scalar(); });
      if (!n[k].IsScalar()) ctx.error(n[k], where, "expected a string");
      else if (f == cand.end()) ctx.error(n[k], where, "no target named '" + n[k].Scalar() + "' in the selection");
      else named.push_back(*f);
    }
    cand = named;
  }
  if (clean && errors(ctx) == before && cand.empty())
    ctx.error(select ? select : node, it.where,
              "selects no target (plan select " + describe_selector(p.select) + ", item select " +
                  describe_selector(it.select) + ")");
  if (it.type == Type::kStorm) {
    if (!b.has("fraction")) {
      b.get("fraction");
      ctx.error(head->anchor(), it.where + ".fraction",
                "required: the fraction of the selection hit, e.g. fraction: 30%");
    }
    plan::read_share(b, "fraction", it.fraction);
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
  b.finish();
  if (errors(ctx) != before) return std::nullopt;
  return it;
}

TlsFiles parse_tls(MapReader& t, const std::string& base_dir) {
  TlsFiles out;
  auto rel = [&](const std::string& f) {
    return f.empty() || f[0] == '/' || base_dir.empty() ? f : base_dir + "/" + f;
  };
  for (auto [key, file] : {std::pair{"ca", &out.ca}, std::pair{"cert", &out.cert}, std::pair{"key", &out.key}})
    if (t.str(key, *file)) *file = rel(*file);
  t.finish();
  return out;
}

std::string dir_of(const std::string& file) {
  size_t s = file.rfind('/');
  return s == std::string::npos ? "" : file.substr(0, s);
}

// The Prometheus abort check: {url, query, above | below, interval, timeout, failures}.
std::optional<PrometheusCheck> parse_prometheus(MapReader& q) {
  ParseContext& ctx = q.ctx();
  const size_t before = errors(ctx);
  PrometheusCheck pc;
  if (!q.has("url")) {
    q.get("url");
    ctx.error(q.node(), "abort.prometheus.url", "required: the Prometheus server, e.g. http://127.0.0.1:9090");
  } else if (q.str("url", pc.url)) {
    plan::check_loopback_url(ctx, q.get("url"), "abort.prometheus.url", pc.url);
  }
  if (!q.has("query")) {
    q.get("query");
    ctx.error(q.node(), "abort.prometheus.query", "required: a PromQL query whose first sample is compared");
  } else {
    q.str("query", pc.query);
  }
  pc.above = q.has("above");
  if (pc.above == q.has("below")) {
    q.get("above");
    q.get("below");
    ctx.error(q.node(), "abort.prometheus",
              "give exactly one of above: N (abort when the value exceeds N) or below: N");
  } else {
    q.number(pc.above ? "above" : "below", pc.threshold, true);
  }
  plan::read_millis(q, "interval", pc.interval);
  plan::read_millis(q, "timeout", pc.timeout);
  int64_t failures = 0;
  if (q.integer("failures", failures, false, 1, 1'000'000)) pc.failures = static_cast<int>(failures);
  q.finish();
  if (errors(ctx) != before) return std::nullopt;
  return pc;
}

// The inventory file's targets (and tls, used when the plan has none).
void parse_inventory(ParseContext& ictx, const std::string& text, bool plan_has_tls, FleetPlan& p) {
  const YAML::Node inv = spotsim::parse_yaml(ictx, text);
  if (!ictx.ok()) return;
  if (!inv.IsMap()) {
    ictx.error(inv, "", "an inventory is a mapping with targets: [{name, address, labels}]");
    return;
  }
  MapReader ir(ictx, inv, "");
  if (const YAML::Node ts = ir.value("targets")) p.targets = parse_targets(ictx, ts, "targets");
  else ictx.error(inv, "targets", "required: the list of agents");
  if (auto t = ir.section("tls")) {
    TlsFiles tls = parse_tls(*t, dir_of(ictx.file()));
    if (!plan_has_tls) p.tls = tls;
  }
  ir.finish();
}

// Reads a fleet plan with common's MapReader: every mistake is reported, one line each (the
// plan's, then the inventory's); a check that needs earlier values (a selection that selects
// nothing, the blast radius) is made only when those read cleanly.
Result<FleetPlan> parse(const std::string& text, const std::string& file, const std::string& inv_text,
                        const std::string& inv_file, const DiscoveredTargets* discovered) {
  ParseContext ctx(file), ictx(inv_file);
  auto failure = [&]() {
    std::string all = ctx.ok() ? "" : ctx.status().message();
    if (!ictx.ok()) all += (all.empty() ? "" : "\n") + ictx.status().message();
    return Status::invalid(all);
  };
  const YAML::Node root = spotsim::parse_yaml(ctx, text);
  if (!ctx.ok()) return failure();
  if (!root.IsMap()) {
    ctx.error(root, "", "a fleet game-day plan is a mapping with max_duration, chaos and targets (or --inventory)");
    return failure();
  }
  MapReader top(ctx, root, "");
  FleetPlan p;
  p.file = file;
  p.name = plan::plan_name(top, file);
  plan::read_providers(top, "provider", p.provider);
  const bool max_known = plan::read_max_duration(top, p.max_duration);
  Millis lease{0};
  if (plan::read_millis(top, "lease", lease)) {
    if (lease < Millis(1000))
      ctx.error(top.get("lease"), "lease", "must be at least 1s (the coordinator renews it every lease/3)");
    else p.lease = lease;
  }
  plan::read_millis(top, "connect_timeout", p.connect_timeout);
  int64_t seed = 0;
  if (top.integer("seed", seed, false, 0)) p.seed = static_cast<uint64_t>(seed);
  top.str("report", p.report_path);
  top.str("junit", p.junit_path);
  if (auto t = top.section("tls")) p.tls = parse_tls(*t, dir_of(file));

  // Targets: discovered, the inventory file or the plan's own list (one source of truth).
  if (discovered) {
    if (const YAML::Node t = top.value("targets"))
      ctx.error(t, "targets", "given twice: here and " + discovered->source + " (keep one)");
    p.targets = discovered->targets;
  } else if (!inv_file.empty()) {
    if (const YAML::Node t = top.value("targets"))
      ctx.error(t, "targets", "given twice: here and --inventory " + inv_file + " (keep one)");
    parse_inventory(ictx, inv_text, top.has("tls"), p);
  } else if (const YAML::Node ts = top.value("targets")) {
    p.targets = parse_targets(ctx, ts, "targets");
  } else {
    ctx.error(root, "targets", "required: the agents to drill (or give --inventory FLEET.yaml)");
  }
  const YAML::Node select = top.value("select");
  if (select) parse_selector(ctx, select, "select", p.select);
  bool clean = ctx.ok() && ictx.ok();
  for (size_t k = 0; k < p.targets.size(); ++k)
    if (matches(p.targets[k], p.select)) p.selection.push_back(k);
  if (clean && p.selection.empty())
    ctx.error(select, "select", "selects none of the " + std::to_string(p.targets.size()) + " targets");

  if (auto b = top.section("blast_radius")) {
    plan::read_share(*b, "max_fraction", p.max_fraction);
    int64_t v = 0;
    if (b->integer("max_targets", v, false, 1, 1'000'000)) p.max_targets = static_cast<int>(v);
    b->finish();
  }
  p.allowed = static_cast<size_t>(std::floor(p.max_fraction * static_cast<double>(p.selection.size()) + 1e-9));
  if (p.max_targets > 0) p.allowed = std::min(p.allowed, static_cast<size_t>(p.max_targets));

  if (auto a = top.section("abort")) {
    plan::read_health_check(*a, p.health);
    if (auto q = a->section("prometheus")) p.prometheus = parse_prometheus(*q);
    a->finish();
  }

  const YAML::Node chaos = top.value("chaos");
  clean = clean && ctx.ok();
  if (!chaos) {
    ctx.error(root, "chaos", "required: a list of items such as {at: 1m, storm: {fraction: 30%}}");
  } else if (!chaos.IsSequence() || chaos.size() == 0) {
    ctx.error(chaos, "chaos", "expected a non-empty list of items");
  } else {
    std::set<size_t> reached;
    bool radius_reported = false;
    for (size_t i = 0; i < chaos.size(); ++i) {
      auto it = parse_item(ctx, chaos[i], i, p, max_known, clean);
      if (!it) continue;
      reached.insert(it->picked.begin(), it->picked.end());
      if (clean && reached.size() > p.allowed && !radius_reported) {
        radius_reported = true;  // once, at the first item beyond it
        std::ostringstream msg;
        msg << "would reach " << reached.size() << " of the " << p.selection.size()
            << " selected targets, beyond the blast radius of " << p.allowed << " (blast_radius: max_fraction "
            << p.max_fraction;
        if (p.max_targets > 0) msg << ", max_targets " << p.max_targets;
        msg << ")";
        ctx.error(chaos[i], it->where, msg.str());
      }
      p.items.push_back(std::move(*it));
    }
    p.reached.assign(reached.begin(), reached.end());
  }
  std::stable_sort(p.items.begin(), p.items.end(), [](const FleetItem& a, const FleetItem& b) { return a.at < b.at; });
  Millis derived{0};
  for (const auto& it : p.items)
    derived = std::max(derived, it.at + it.window + (it.type == Type::kClear ? Millis(0) : it.inject.notice));
  plan::read_plan_duration(top, derived + Millis(30000), p.max_duration, max_known, p.duration);
  top.finish();
  if (!ctx.ok() || !ictx.ok()) return failure();
  for (auto& it : p.items) it.inject.ttl = p.max_duration - it.at;  // backstop; the run refines it
  return p;
}

Result<std::string> slurp(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return Status::io(path + ": error: cannot read " + what + ": " + std::strerror(errno));
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
  } catch (const YAML::Exception&) {}
  return false;
}

Result<FleetPlan> parse_fleet_plan(const std::string& text, const std::string& file, const std::string& inventory_text,
                                   const std::string& inventory_file, const DiscoveredTargets* discovered) {
  try {
    return parse(text, file, inventory_text, inventory_file, discovered);
  } catch (const YAML::Exception& e) {  // a conversion the checks above did not foresee
    return Status::invalid(file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                           ": error: " + e.msg);
  }
}

Result<FleetPlan> load_fleet_plan(const std::string& path, const std::string& inventory_path,
                                  const DiscoveredTargets* discovered) {
  auto text = slurp(path, "plan");
  if (!text) return text.status();
  std::string inv;
  if (!inventory_path.empty()) {
    auto t = slurp(inventory_path, "inventory");
    if (!t) return t.status();
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
    o << "  T+" << format_duration(it.at) << "  " << it.where << "  " << plan::kItemTypes.name(it.type);
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

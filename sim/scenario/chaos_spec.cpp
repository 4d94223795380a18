#include "sim/scenario/chaos_spec.h"

#include <algorithm>
#include <set>

#include <yaml-cpp/yaml.h>

#include "sim/scenario/scenario.h"
#include "sim/scenario/topology.h"
#include "common/units.h"
#include "common/text.h"
#include "common/yaml_reader.h"

namespace spotsim {

namespace {

// One term of a scope: pools on the topology graph whose `key` is one of the listed values.
void select_by(MapReader& r, const std::string& key, TopoKey topo_key, const Topology& topo,
               std::vector<TopoTerm>& terms, std::string& text) {
  if (!r.has(key)) {
    r.get(key);
    return;
  }
  TopoTerm term;
  term.key = topo_key;
  if (!r.string_list(key, term.values)) return;
  const std::vector<std::string> known = topo.values(topo_key);
  for (const auto& w : term.values) {
    if (topo.select(topo_key, w).empty()) {
      r.ctx().error(
          r.get(key), r.child_path(key),
          "no pool has " + key + " \"" + w + "\"" + did_you_mean(w, known) + " (known: " + join_names(known) + ")");
    }
  }
  text += (text.empty() ? "" : ", ") + key + "=" + join_names(term.values);
  terms.push_back(std::move(term));
}

// `scope:` (`section`: its reader, nullopt without the key: everything is in scope).
void compile_scope(std::optional<MapReader> section, const CompiledScenario& sc, ChaosScope& scope) {
  scope.pools.assign(sc.pools.size(), 1);
  scope.fleets.assign(sc.fleets.size(), 1);
  if (!section) return;
  MapReader& r = *section;
  ParseContext& ctx = r.ctx();
  const YAML::Node& node = r.node();
  const std::string& path = r.path();
  const Topology local = sc.topology ? Topology() : Topology(sc.pools);
  const Topology& topo = sc.topology ? *sc.topology : local;
  std::vector<TopoTerm> terms;
  select_by(r, "provider", TopoKey::kProvider, topo, terms, scope.text);
  select_by(r, "region", TopoKey::kRegion, topo, terms, scope.text);
  select_by(r, "zone", TopoKey::kZone, topo, terms, scope.text);
  select_by(r, "instance_family", TopoKey::kInstanceFamily, topo, terms, scope.text);
  select_by(r, "instance_type", TopoKey::kInstanceType, topo, terms, scope.text);
  select_by(r, "pools", TopoKey::kPool, topo, terms, scope.text);
  scope.pools = topo.select_mask(terms);
  std::vector<std::string> fleets;
  if (r.has("fleets") && r.string_list("fleets", fleets)) {
    std::vector<std::string> names;
    for (const auto& f : sc.fleets) names.push_back(f.name);
    std::vector<char> keep_fleet(sc.fleets.size(), 0);
    std::vector<char> fleet_pools(sc.pools.size(), 0);
    for (const auto& n : fleets) {
      const int fi = sc.fleet_index(n);
      if (fi < 0) {
        ctx.error(r.get("fleets"), r.child_path("fleets"), "no fleet named \"" + n + "\"" + did_you_mean(n, names));
        continue;
      }
      keep_fleet[static_cast<size_t>(fi)] = 1;
      for (uint32_t p : sc.fleets[static_cast<size_t>(fi)].pools) fleet_pools[p] = 1;
    }
    scope.fleets = keep_fleet;
    for (size_t p = 0; p < scope.pools.size(); ++p) scope.pools[p] = scope.pools[p] && fleet_pools[p];
    scope.text += (scope.text.empty() ? "" : ", ") + std::string("fleets=") + join_names(fleets);
  } else {
    r.get("fleets");
  }
  if (r.has("vms")) {
    double f = 1;
    if (r.fraction("vms", f)) {
      scope.vm_fraction = f;
      scope.text += (scope.text.empty() ? "" : ", ") + std::string("vms=") + r.get("vms").Scalar();
    }
  } else {
    r.get("vms");
  }
  r.finish();
  if (ctx.ok() && std::none_of(scope.pools.begin(), scope.pools.end(), [](char c) { return c != 0; })) {
    ctx.error(node, path, "this scope selects no pool (" + scope.text + "): every key must match the same pool");
  }
}

bool read_duration_key(MapReader& r, const std::string& key, Duration& out, bool required = false) {
  return r.duration(key, out, required);
}

void compile_timing(MapReader& r, const CompiledScenario& sc, ChaosTiming& t) {
  const bool has_at = r.has("at"), has_every = r.has("every"), has_random = r.has("random");
  const int n = int(has_at) + int(has_every) + int(has_random);
  ParseContext& ctx = r.ctx();
  for (const char* k : {"at", "every", "random", "start", "until", "jitter"}) r.get(k);  // all known keys
  if (n != 1) {
    ctx.error(r.node(), r.path(),
              n == 0 ? "missing when it happens: give exactly one of at: (e.g. at: 2d), every: (e.g. every: 6h) or "
                       "random: {rate: 0.1/d}"
                     : "give only one of at:, every: and random:");
    return;
  }
  t.until = sc.duration;
  if (has_at) {
    t.mode = ChaosTiming::Mode::kAt;
    read_duration_key(r, "at", t.at);
    if (t.at >= sc.duration) {
      ctx.error(r.get("at"), r.child_path("at"),
                "at " + format_duration(t.at) + " is not before the end of the run (duration " +
                    format_duration(sc.duration) + ")");
    }
    for (const char* k : {"start", "until", "jitter"}) {
      if (r.has(k)) ctx.error(r.get(k), r.child_path(k), std::string(k) + " only applies to every: or random:");
    }
    return;
  }
  r.duration("until", t.until);
  if (has_every) {
    t.mode = ChaosTiming::Mode::kEvery;
    read_duration_key(r, "every", t.every);
    if (t.every.us <= 0) ctx.error(r.get("every"), r.child_path("every"), "must be longer than 0s");
    t.start = t.every;
    r.duration("start", t.start);
    r.duration("jitter", t.jitter);
    if (t.jitter.us > 0 && t.jitter >= t.every && t.every.us > 0) {
      ctx.error(r.get("jitter"), r.child_path("jitter"),
                "must be shorter than every (" + format_duration(t.every) + ")");
    }
    return;
  }
  t.mode = ChaosTiming::Mode::kRandom;
  if (r.has("jitter")) ctx.error(r.get("jitter"), r.child_path("jitter"), "jitter only applies to every:");
  r.duration("start", t.start);
  MapReader rr(ctx, r.get("random"), r.child_path("random"));
  rr.rate("rate", t.rate_per_hour, true);
  rr.finish();
  if (rr.has("rate") && t.rate_per_hour <= 0) ctx.error(rr.get("rate"), rr.child_path("rate"), "must be above 0");
}

// `level:` of a cliff or on_demand_exhaustion: a percentage of each pool's nominal capacity or
// a whole number of VMs per pool.
void read_level(MapReader& r, ChaosSpec& c) {
  ParseContext& ctx = r.ctx();
  const YAML::Node lv = r.value("level");
  if (!lv) return;
  c.has_level = true;
  const std::string s = lv.IsScalar() ? lv.Scalar() : "";
  if (!s.empty() && s.back() == '%') {
    auto f = parse_fraction(s);
    if (!f) ctx.error(lv, r.child_path("level"), f.status().message());
    else c.level = *f;
  } else {
    auto v = parse_number(s);
    if (!v || *v < 0 || *v != static_cast<double>(static_cast<int64_t>(*v))) {
      ctx.error(lv, r.child_path("level"),
                "expected a percentage of each pool's capacity (e.g. 10%) or a whole number of VMs per pool, "
                "found \"" +
                    s + "\"");
    } else {
      c.level_is_fraction = false;
      c.level = *v;
    }
  }
}

void require_fraction(MapReader& r, const std::string& key, double& out, bool required) {
  r.fraction(key, out, required);
}

}  // namespace

void compile_chaos(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc) {
  if (!node.IsSequence()) {
    ctx.error(node, "chaos", "expected a list of chaos items, e.g. - {kind: storm, at: 2d, fraction: 50%}");
    return;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string path = "chaos[" + std::to_string(i) + "]";
    MapReader r(ctx, node[i], path);
    ChaosSpec c;
    c.line = node[i].Mark().line + 1;
    if (!r.choice("kind", c.kind, kChaosKinds, true)) {
      r.get("name");
      r.get("at");
      r.get("every");
      r.get("random");
      r.get("scope");
      continue;  // without a kind the other keys cannot be checked; finish() would mislead
    }
    c.name = std::to_string(i);
    if (r.str("name", c.name)) {
      const bool ok = !c.name.empty() && std::all_of(c.name.begin(), c.name.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
      });
      if (!ok)
        ctx.error(r.get("name"), r.child_path("name"), "use letters, digits, _ and - only (it becomes a metric name)");
    }
    if (!names.insert(c.name).second) {
      ctx.error(r.has("name") ? r.get("name") : node[i], r.child_path("name"),
                "another chaos item is already named \"" + c.name + "\"");
    }
    compile_timing(r, sc, c.timing);
    {  // a guard against typos like every: 1s over a year (each occurrence is an event)
      const ChaosTiming& t = c.timing;
      const double span_h = (std::min(t.until, sc.duration) - t.start).to_hours();
      double expected = 0;
      if (t.mode == ChaosTiming::Mode::kEvery && t.every.us > 0) expected = span_h / t.every.to_hours();
      if (t.mode == ChaosTiming::Mode::kRandom) expected = span_h * t.rate_per_hour;
      if (expected > kMaxChaosOccurrences) {
        ctx.error(node[i], path,
                  "would happen about " + std::to_string(static_cast<int64_t>(expected)) +
                      " times in this run; at most " + std::to_string(kMaxChaosOccurrences) +
                      " occurrences per item are allowed");
      }
    }
    compile_scope(r.section("scope"), sc, c.scope);
    if (c.kind != ChaosKind::kStorm) {
      Duration d;
      if (r.duration("duration", d)) {
        if (d.us <= 0) ctx.error(r.get("duration"), r.child_path("duration"), "must be longer than 0s");
        c.duration = d;
      }
    }
    switch (c.kind) {
      case ChaosKind::kStorm: {
        require_fraction(r, "fraction", c.fraction, false);
        r.duration("window", c.window);
        Duration notice;
        if (r.duration("notice", notice)) c.notice = notice;
        if (auto wr = r.section("waves")) {
          wr->integer("count", c.wave_count, true, 1, kMaxStormWaves);
          wr->duration("every", c.wave_every, true);
          if (wr->has("every") && c.wave_every.us <= 0)
            ctx.error(wr->get("every"), wr->child_path("every"), "must be longer than 0s");
          c.wave_fraction = c.fraction;  // default: the storm's own fraction
          wr->fraction("fraction", c.wave_fraction);
          wr->finish();
        }
        break;
      }
      case ChaosKind::kCliff: {
        read_level(r, c);
        r.duration("recovery", c.recovery);
        break;
      }
      case ChaosKind::kPriceSpike: {
        const YAML::Node pv = r.required("price", "e.g. price: 3x, or price: $0.30/h");
        if (!pv) break;
        const std::string s = pv.IsScalar() ? pv.Scalar() : "";
        if (!s.empty() && s.back() == 'x') {
          auto m = parse_number(s.substr(0, s.size() - 1));
          if (!m || *m <= 0)
            ctx.error(pv, r.child_path("price"), "expected a multiplier above 0 like 3x, found \"" + s + "\"");
          else c.price = *m;
        } else {
          auto m = parse_money_per_hour(s);
          if (!m)
            ctx.error(pv, r.child_path("price"),
                      "expected a multiplier like 3x or a price like $0.30/h, found \"" + s + "\"");
          else {
            c.price_is_multiplier = false;
            c.price = *m;
          }
        }
        break;
      }
      case ChaosKind::kApiThrottle:
        r.rate("rate", c.launches_per_hour, true);
        r.integer("burst", c.burst, false, 1, kMaxThrottleBurst);
        break;
      case ChaosKind::kCheckpointStoreDegraded: require_fraction(r, "throughput", c.throughput, true); break;
      case ChaosKind::kBootFailure:
      case ChaosKind::kNoticeLoss: require_fraction(r, "probability", c.probability, true); break;
      case ChaosKind::kOnDemandExhaustion:
        read_level(r, c);
        if (c.has_level && c.level_is_fraction && ctx.ok()) {
          for (uint32_t p = 0; p < sc.pools.size(); ++p) {
            if (!c.scope.pools[p] || sc.pools[p].on_demand_capacity >= 0) continue;
            ctx.error(r.get("level"), r.child_path("level"),
                      "pool " + sc.pools[p].name +
                          " has no on_demand_capacity to take a percentage of: give the "
                          "pools on_demand_capacity:, or level as a number of VMs");
            break;
          }
        }
        break;
    }
    r.finish();
    sc.chaos.push_back(std::move(c));
  }
}

}  // namespace spotsim

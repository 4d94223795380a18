#include "sim/scenario/topology_spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include <yaml-cpp/yaml.h>

#include "sim/scenario/limits.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/topology.h"
#include "sim/scenario/trace_file.h"
#include "common/units.h"
#include "common/text.h"
#include "common/yaml_reader.h"

namespace spotsim {
namespace {

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

const char* value_hint(bool money) { return money ? "a price like $0.05/h" : "a whole number of VMs (0 or more)"; }

// One value of a series: a whole number ≥ 0 (capacity) or money (price).
std::optional<double> parse_value(ParseContext& ctx, const YAML::Node& n, const std::string& path, bool money) {
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  if (money) {
    auto v = parse_money_per_hour(s);
    if (!v) {
      ctx.error(n, path, "expected " + std::string(value_hint(true)) + ", found \"" + s + "\"");
      return std::nullopt;
    }
    return *v;
  }
  auto v = parse_number(s);
  if (!v || *v < 0 || std::floor(*v) != *v || *v > 9.0e15) {
    ctx.error(n, path, "expected " + std::string(value_hint(false)) + ", found \"" + s + "\"");
    return std::nullopt;
  }
  return *v;
}

bool value_key(MapReader& r, const std::string& key, bool money, bool required, double& out) {
  const YAML::Node n = required ? r.required(key, value_hint(money)) : r.value(key);
  if (!n) return false;
  auto v = parse_value(r.ctx(), n, r.child_path(key), money);
  if (!v) return false;
  out = *v;
  return true;
}

void read_schedule(MapReader& r, bool money, SeriesSpec& out) {
  ParseContext& ctx = r.ctx();
  YAML::Node list = r.get("schedule");
  const std::string path = r.child_path("schedule");
  if (!list.IsSequence() || list.size() == 0) {
    ctx.error(list, path, "expected a list of steps like [{at: 0, value: 20}, {at: 2d, value: 5}]");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string ip = path + "[" + std::to_string(i) + "]";
    MapReader sr(ctx, list[i], ip);
    Duration at;
    double v = 0;
    const bool ok_at = sr.duration("at", at, true);
    const bool ok_v = value_key(sr, "value", money, true, v);
    sr.finish();
    if (!ok_at || !ok_v) continue;
    if (i == 0 && at.us != 0) {
      ctx.error(sr.get("at"), ip + ".at", "the first step must be at: 0 (the value at the start of the run)");
    } else if (i > 0 && !out.steps.empty() && at.us <= out.steps.back().first) {
      ctx.error(sr.get("at"), ip + ".at", "steps must be in increasing time order");
    }
    out.steps.emplace_back(at.us, v);
  }
  if (!out.steps.empty()) out.value = out.steps.front().second;
}

void read_trace(MapReader& r, const CompiledScenario& sc, bool money, SeriesSpec& out) {
  ParseContext& ctx = r.ctx();
  const std::string path = r.child_path("trace");
  r.str("trace", out.file, true);
  std::string column;
  r.str("column", column);
  const bool has_tick = r.duration("tick", out.tick);
  if (has_tick && out.tick.us <= 0) ctx.error(r.get("tick"), r.child_path("tick"), "must be longer than 0s");
  r.boolean("random_start", out.random_start);
  double available_value = -1, available = 0;
  bool counts = false;
  if (!money) {
    const bool has_av = r.has("available_value");
    r.boolean("counts", counts);
    if (has_av) {
      YAML::Node av = r.get("available_value");
      if (!av.IsScalar() || (av.Scalar() != "0" && av.Scalar() != "1")) {
        ctx.error(av, r.child_path("available_value"),
                  "expected 1 (the cell value 1 means spot is available) or 0 (0 means available)");
      } else {
        available_value = av.Scalar() == "1" ? 1 : 0;
      }
      value_key(r, "available", false, true, available);
      if (counts)
        ctx.error(r.get("counts"), r.child_path("counts"), "give either available_value (a 0/1 trace) or counts: true");
    } else {
      r.get("available");
      if (!counts) {
        ctx.error(r.node(), r.path(),
                  "say what the trace's cells mean: available_value: 1 (or 0) with available: N for a 0/1 availability "
                  "trace, or counts: true when each cell is the capacity in VMs");
      }
    }
  }
  if (out.file.empty()) return;
  TraceTable t;
  std::string err;
  if (!read_trace_table(ctx, resolve_scenario_path(sc.file, out.file), t, err)) {
    ctx.error(r.get("trace"), path, err);
    return;
  }
  int col = -1;
  if (!column.empty()) {
    col = t.column(column);
    if (col < 0) {
      ctx.error(
          r.get("column"), r.child_path("column"),
          "the trace has no column \"" + column + "\"" + did_you_mean(column, t.columns) +
              (t.columns.empty() ? " (the file has no header line)" : " (columns: " + join_names(t.columns) + ")"));
      return;
    }
  } else {
    col = t.rows.front().size() >= 2 ? 1 : 0;  // default: the second column (the first is time)
    column = col < static_cast<int>(t.columns.size()) ? t.columns[static_cast<size_t>(col)] : std::to_string(col);
  }
  if (!has_tick) {
    if (col == 0 || t.rows.size() < 2) {
      ctx.error(r.node(), r.path(),
                "give tick: (the time each row covers), e.g. tick: 5m; the trace has no time column to derive it from");
      return;
    }
    const double step = t.rows[1][0] - t.rows[0][0];
    if (step <= 0) {
      ctx.error(r.get("trace"), path, "the time column (first column, seconds) must increase; or give tick:");
      return;
    }
    for (size_t i = 0; i < t.rows.size(); ++i) {
      if (std::fabs(t.rows[i][0] - t.rows[0][0] - step * static_cast<double>(i)) > 1e-6 * std::max(1.0, step)) {
        ctx.error(
            r.get("trace"), path,
            "row " + std::to_string(i + 1) + ": the time column (seconds) must advance by a fixed step; or give tick:");
        return;
      }
    }
    out.tick = Duration::seconds(step);
  }
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const auto& row = t.rows[i];
    if (static_cast<int>(row.size()) <= col) {
      ctx.error(r.get("trace"), path, "row " + std::to_string(i + 1) + " has no column " + column);
      return;
    }
    double v = row[static_cast<size_t>(col)];
    if (!money && available_value >= 0) {
      if (v != 0 && v != 1) {
        ctx.error(r.get("trace"), path,
                  "row " + std::to_string(i + 1) + ": an availability trace holds 0 or 1, found " + format_number(v));
        return;
      }
      v = v == available_value ? available : 0;
    } else if (!money && (v < 0 || std::floor(v) != v)) {
      ctx.error(r.get("trace"), path,
                "row " + std::to_string(i + 1) + ": a capacity must be a whole number ≥ 0, found " + format_number(v));
      return;
    } else if (money && v < 0) {
      ctx.error(r.get("trace"), path,
                "row " + std::to_string(i + 1) + ": a price must be ≥ 0, found " + format_number(v));
      return;
    }
    out.trace.push_back(v);
  }
  out.stream = "trace:" + out.file + ":" + column;
  out.value = out.trace.front();
}

void read_process(MapReader& r, bool money, SeriesSpec& out) {
  ParseContext& ctx = r.ctx();
  MapReader pr(ctx, r.get("process"), r.child_path("process"));
  value_key(pr, "mean", money, true, out.mean);
  value_key(pr, "min", money, false, out.min);
  out.max = out.mean * 2;  // default: twice the mean
  value_key(pr, "max", money, false, out.max);
  pr.rate("change_rate", out.change_rate_per_hour, true);
  if (pr.has("change_rate") && out.change_rate_per_hour <= 0) {
    ctx.error(pr.get("change_rate"), pr.child_path("change_rate"), "must be above 0 (e.g. 1/h)");
  }
  pr.number("persistence", out.persistence, false, 0, 1);
  out.stddev = (out.max - out.min) / 6;
  if (pr.has("stddev")) value_key(pr, "stddev", money, false, out.stddev);
  out.value = out.mean;
  if (pr.has("initial")) value_key(pr, "initial", money, false, out.value);
  pr.finish();
  if (!(out.min <= out.mean && out.mean <= out.max)) {
    ctx.error(pr.node(), pr.path(),
              "needs min ≤ mean ≤ max, found min " + format_number(out.min) + ", mean " + format_number(out.mean) +
                  ", max " + format_number(out.max));
  }
  out.value = std::clamp(out.value, out.min, out.max);
  out.integral = !money;
}

}  // namespace

bool read_series(MapReader& r, const std::string& key, const CompiledScenario& sc, bool money, bool required,
                 SeriesSpec& out) {
  ParseContext& ctx = r.ctx();
  if (!r.has(key) || !r.get(key).IsMap()) {
    out.kind = SeriesSpec::Kind::kConstant;
    if (money) return r.money(key, out.value, required);
    int64_t v = 0;
    if (!r.integer(key, v, required, 0)) return false;
    out.value = static_cast<double>(v);
    return true;
  }
  const size_t before = ctx.diagnostics().size();
  MapReader m(ctx, r.get(key), r.child_path(key));
  const int n = int(m.has("schedule")) + int(m.has("trace")) + int(m.has("process"));
  if (n != 1) {
    ctx.error(m.node(), m.path(),
              std::string(n == 0 ? "expected" : "give only one of") +
                  " schedule: [{at: 0, value: ...}, ...], trace: FILE or process: {mean: ..., change_rate: ...}" +
                  (n == 0 ? " (or a plain " + std::string(value_hint(money)) + ")" : ""));
    for (const char* k :
         {"schedule", "trace", "process", "column", "tick", "random_start", "available_value", "available", "counts"}) {
      m.get(k);
    }
    return false;
  }
  if (m.has("schedule")) {
    out.kind = SeriesSpec::Kind::kSchedule;
    read_schedule(m, money, out);
  } else if (m.has("trace")) {
    out.kind = SeriesSpec::Kind::kTrace;
    read_trace(m, sc, money, out);
  } else {
    out.kind = SeriesSpec::Kind::kProcess;
    read_process(m, money, out);
  }
  m.finish();
  return ctx.diagnostics().size() == before;
}

void compile_regions(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc) {
  if (!node.IsMap()) {
    ctx.error(node, "regions", "expected a map of region name → limits, e.g. {us-east-1: {on_demand_vcpu_quota: 512}}");
    return;
  }
  const Topology local = sc.topology ? Topology() : Topology(sc.pools);
  const Topology& topo = sc.topology ? *sc.topology : local;
  const std::vector<std::string> known = topo.values(TopoKey::kRegion);
  for (auto it = node.begin(); it != node.end(); ++it) {
    RegionSpec rs;
    rs.name = it->first.as<std::string>("");
    const std::string path = "regions." + rs.name;
    MapReader r(ctx, it->second, path);
    std::vector<TopoTerm> terms = {TopoTerm{TopoKey::kRegion, {rs.name}}};
    if (r.choice("provider", rs.provider, kProviders.names()))
      terms.push_back(TopoTerm{TopoKey::kProvider, {rs.provider}});
    rs.pools = topo.select(terms);
    if (rs.pools.empty()) {
      ctx.error(it->first, path,
                "no pool is in region \"" + rs.name + "\"" +
                    (rs.provider.empty() ? "" : " of provider " + rs.provider) + did_you_mean(rs.name, known) +
                    " (regions of the pools: " + join_names(known) + ")");
    }
    r.integer("on_demand_vcpu_quota", rs.on_demand_vcpu_quota, false, 0);
    r.integer("spot_vcpu_quota", rs.spot_vcpu_quota, false, 0);
    for (const char* q : {"on_demand_vcpu_quota", "spot_vcpu_quota"}) {
      if (!r.has(q)) continue;
      for (uint32_t p : rs.pools) {
        if (sc.pools[p].vcpus > 0) continue;
        ctx.error(r.get(q), r.child_path(q),
                  "pool " + sc.pools[p].name +
                      " has no vcpus: give every pool of this region vcpus: (its instance "
                      "type's vCPU count), which the quota counts");
        break;
      }
    }
    if (auto cr = r.section("spot_capacity")) {
      const YAML::Node fam = cr->required("instance_family", "e.g. instance_family: {m5: 200}");
      if (fam && !fam.IsMap()) {
        ctx.error(fam, cr->child_path("instance_family"), "expected a map of instance family → VMs, e.g. {m5: 200}");
      } else if (fam) {
        std::vector<std::string> families;
        for (uint32_t p : rs.pools) families.push_back(topo.attribute(p, TopoKey::kInstanceFamily));
        std::sort(families.begin(), families.end());
        families.erase(std::unique(families.begin(), families.end()), families.end());
        MapReader fr(ctx, fam, cr->child_path("instance_family"));
        for (auto f = fam.begin(); f != fam.end(); ++f) {
          RegionSpec::SharedCapacity shared;
          shared.family = f->first.as<std::string>("");
          if (!fr.integer(shared.family, shared.capacity, true, 0)) continue;
          for (uint32_t p : rs.pools) {
            if (topo.attribute(p, TopoKey::kInstanceFamily) == shared.family) shared.pools.push_back(p);
          }
          if (shared.pools.empty()) {
            ctx.error(f->first, fr.child_path(shared.family),
                      "no pool of region " + rs.name + " has instance family \"" + shared.family + "\"" +
                          did_you_mean(shared.family, families) + " (families here: " + join_names(families) + ")");
            continue;
          }
          rs.spot_capacity.push_back(std::move(shared));
        }
        fr.finish();
      }
      cr->finish();
    }
    if (auto rr = r.section("launch_rate")) {
      double per_hour = 0;
      if (rr->rate("rate", per_hour, true) && per_hour <= 0) {
        ctx.error(rr->get("rate"), rr->child_path("rate"), "must be above 0 (e.g. 2/s)");
      }
      rs.launch_rate_per_second = per_hour / 3600.0;
      // The default burst is one second's worth of calls (at least one).
      rs.launch_burst = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(rs.launch_rate_per_second)));
      rr->integer("burst", rs.launch_burst, false, 1, kMaxLaunchBurst);
      rr->finish();
    }
    r.finish();
    for (const RegionSpec& other : sc.regions) {
      for (uint32_t p : rs.pools) {
        if (std::find(other.pools.begin(), other.pools.end(), p) != other.pools.end()) {
          ctx.error(it->first, path,
                    "pool " + sc.pools[p].name + " is already in region " + other.name +
                        " (give provider: to tell regions of the same name apart)");
          break;
        }
      }
    }
    sc.regions.push_back(std::move(rs));
  }
}

}  // namespace spotsim

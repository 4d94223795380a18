#include "sim/scenario/k8s_spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <yaml-cpp/yaml.h>

#include "sim/scenario/limits.h"
#include "sim/scenario/scenario.h"
#include "common/units.h"
#include "common/yaml_reader.h"

namespace spotsim {

namespace {

std::string trimmed(const std::string& text) {
  size_t a = 0, b = text.size();
  while (a < b && std::isspace(static_cast<unsigned char>(text[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(text[b - 1]))) --b;
  return text.substr(a, b - a);
}

// Splits "512Mi" into the number and the unit letters at its end.
bool split_quantity(const std::string& text, double* number, std::string* unit) {
  const std::string s = trimmed(text);
  size_t u = s.size();
  while (u > 0 && std::isalpha(static_cast<unsigned char>(s[u - 1]))) --u;
  if (u == 0) return false;
  auto v = parse_number(s.substr(0, u));
  if (!v || *v < 0 || !std::isfinite(*v)) return false;
  *number = *v;
  *unit = s.substr(u);
  return true;
}

std::string cpu_text(int64_t m) { return m % 1000 == 0 ? std::to_string(m / 1000) : std::to_string(m) + "m"; }

std::string memory_text(int64_t b) {
  static const std::pair<const char*, int64_t> kUnits[] = {
      {"Ti", 1LL << 40}, {"Gi", 1LL << 30}, {"Mi", 1LL << 20}, {"Ki", 1LL << 10}};
  for (const auto& [name, scale] : kUnits) {
    if (b >= scale && b % scale == 0) return std::to_string(b / scale) + name;
  }
  return std::to_string(b);
}

std::string resources_text(const K8sResources& r) {
  return "cpu " + cpu_text(r.cpu_m) + ", memory " + memory_text(r.memory);
}

// One required quantity `key` of a map, parsed by `parse`; stored in `out` if valid.
bool read_quantity(MapReader& r, const std::string& key, Result<int64_t> (*parse)(const std::string&), bool positive,
                   int64_t& out) {
  std::string text;
  if (!r.str(key, text, true)) return false;
  auto v = parse(text);
  if (!v) {
    r.ctx().error(r.get(key), r.child_path(key), v.status().message());
    return false;
  }
  if (positive && *v <= 0) {
    r.ctx().error(r.get(key), r.child_path(key), "must be more than 0");
    return false;
  }
  out = *v;
  return true;
}

// `cpu:` and `memory:` of a map (a node's allocatable or a pod's requests).
bool read_resources(MapReader& r, K8sResources& out, bool positive) {
  const bool cpu = read_quantity(r, "cpu", parse_k8s_cpu, positive, out.cpu_m);
  const bool mem = read_quantity(r, "memory", parse_k8s_memory, positive, out.memory);
  return cpu && mem;
}

// A PDB bound: a whole number of pods or a percentage ("25%").
bool read_pdb_bound(ParseContext& ctx, const YAML::Node& n, const std::string& path, K8sPdbSpec& pdb) {
  if (!n.IsScalar()) {
    ctx.error(n, path, "expected a number of pods (2) or a percentage (25%)");
    return false;
  }
  const std::string s = trimmed(n.Scalar());
  if (!s.empty() && s.back() == '%') {
    auto f = parse_fraction(s);
    if (!f || *f < 0 || *f > 1) {
      ctx.error(n, path, "expected a percentage between 0% and 100%, found \"" + s + "\"");
      return false;
    }
    pdb.percent = true;
    pdb.fraction = *f;
    return true;
  }
  auto v = parse_number(s);
  if (!v || *v < 0 || std::floor(*v) != *v || *v > 1e9) {
    ctx.error(n, path, "expected a number of pods (2) or a percentage (25%), found \"" + s + "\"");
    return false;
  }
  pdb.count = static_cast<int64_t>(*v);
  return true;
}

void compile_node_pools(ParseContext& ctx, const YAML::Node& node, const CompiledScenario& sc, K8sSpec& k) {
  const std::string base = "kubernetes.node_pools";
  if (!node.IsMap() || node.size() == 0) {
    ctx.error(node, base, "expected a map of node pool name → {fleet: NAME, cpu: 4, memory: 16Gi} (at least one)");
    return;
  }
  std::vector<std::string> fleet_names;
  for (const auto& f : sc.fleets) fleet_names.push_back(f.name);
  for (auto it = node.begin(); it != node.end(); ++it) {
    K8sNodePoolSpec p;
    p.name = it->first.as<std::string>("");
    const std::string path = base + "." + p.name;
    MapReader r(ctx, it->second, path);
    std::string fleet;
    bool fleet_ok = false;
    if (r.str("fleet", fleet, true)) {
      const int fi = sc.fleet_index(fleet);
      if (fi < 0) {
        ctx.error(r.get("fleet"), r.child_path("fleet"),
                  "no fleet named \"" + fleet + "\"" + did_you_mean(fleet, fleet_names));
      } else {
        p.fleet = static_cast<uint32_t>(fi);
        fleet_ok = true;
        for (const auto& other : k.node_pools) {
          if (other.fleet == p.fleet) {
            ctx.error(r.get("fleet"), r.child_path("fleet"),
                      "fleet \"" + fleet + "\" already backs node pool \"" + other.name +
                          "\" (one node pool per fleet: define another fleet)");
            fleet_ok = false;
          }
        }
      }
    }
    read_resources(r, p.node, /*positive=*/true);
    p.by_pool.assign(sc.pools.size(), p.node);
    const YAML::Node sizes = r.value("sizes");
    if (sizes && fleet_ok) {
      if (!sizes.IsMap()) {
        ctx.error(sizes, r.child_path("sizes"), "expected a map of instance type → {cpu: 8, memory: 32Gi}");
      } else {
        std::vector<std::string> types;
        for (uint32_t pi : sc.fleets[p.fleet].pools) {
          if (std::find(types.begin(), types.end(), sc.pools[pi].instance_type) == types.end()) {
            types.push_back(sc.pools[pi].instance_type);
          }
        }
        for (auto s = sizes.begin(); s != sizes.end(); ++s) {
          const std::string type = s->first.as<std::string>("");
          const std::string spath = r.child_path("sizes") + "." + type;
          if (std::find(types.begin(), types.end(), type) == types.end()) {
            std::string known;
            for (const auto& t : types) known += (known.empty() ? "" : ", ") + t;
            ctx.error(s->first, spath,
                      "no pool of fleet \"" + fleet + "\" has instance type \"" + type + "\"" +
                          did_you_mean(type, types) + " (known: " + known + ")");
            continue;
          }
          MapReader sr(ctx, s->second, spath);
          K8sResources res;
          if (read_resources(sr, res, /*positive=*/true)) {
            for (uint32_t pi : sc.fleets[p.fleet].pools) {
              if (sc.pools[pi].instance_type == type) p.by_pool[pi] = res;
            }
          }
          sr.finish();
        }
      }
    }
    const int64_t target = fleet_ok ? sc.fleets[p.fleet].target : 0;
    p.min_nodes = target;
    p.max_nodes = target;
    const bool has_min = r.integer("min", p.min_nodes, false, 0, kMaxVms);
    const bool has_max = r.integer("max", p.max_nodes, false, 0, kMaxVms);
    if (fleet_ok && has_min && p.min_nodes > target) {
      ctx.error(r.get("min"), r.child_path("min"),
                "must be at most the fleet's target (" + std::to_string(target) + "), found " +
                    std::to_string(p.min_nodes) + " (the fleet starts at its target; raise fleets." + fleet +
                    ".target)");
    }
    if (fleet_ok && has_max && p.max_nodes < target) {
      ctx.error(
          r.get("max"), r.child_path("max"),
          "must be at least the fleet's target (" + std::to_string(target) + "), found " + std::to_string(p.max_nodes));
    }
    r.finish();
    k.node_pools.push_back(std::move(p));
  }
}

void compile_deployments(ParseContext& ctx, const YAML::Node& node, const CompiledScenario& sc, K8sSpec& k) {
  const std::string base = "kubernetes.deployments";
  if (!node.IsMap() || node.size() == 0) {
    ctx.error(node, base, "expected a map of deployment name → {replicas: 6, cpu: 500m, memory: 1Gi} (at least one)");
    return;
  }
  std::vector<std::string> pool_names;
  for (const auto& p : k.node_pools) pool_names.push_back(p.name);
  for (auto it = node.begin(); it != node.end(); ++it) {
    K8sDeploymentSpec d;
    d.name = it->first.as<std::string>("");
    const std::string path = base + "." + d.name;
    for (const auto& w : sc.workloads) {
      if (w.name == d.name) {
        ctx.error(it->first, path,
                  "\"" + d.name + "\" is already the name of a workload (both would report " + "workload." + d.name +
                      ".*): rename one");
      }
    }
    MapReader r(ctx, it->second, path);
    r.integer("replicas", d.replicas, true, 0, kMaxReplicas);
    const bool req_ok = read_resources(r, d.request, /*positive=*/false);
    r.boolean("spot_tolerant", d.spot_tolerant);
    r.duration("termination_grace_period", d.grace);
    r.duration("startup", d.startup);
    std::vector<std::string> selector;
    if (r.string_list("node_pools", selector)) {
      d.node_pool_mask = 0;
      const YAML::Node list = r.get("node_pools");
      for (size_t i = 0; i < selector.size(); ++i) {
        const auto at = std::find(pool_names.begin(), pool_names.end(), selector[i]);
        if (at == pool_names.end()) {
          ctx.error(list.IsSequence() ? list[i] : list, r.child_path("node_pools") + "[" + std::to_string(i) + "]",
                    "no node pool named \"" + selector[i] + "\"" + did_you_mean(selector[i], pool_names));
          continue;
        }
        d.node_pool_mask |= 1ull << static_cast<unsigned>(at - pool_names.begin());
      }
    }
    if (auto pr = r.section("pdb")) {
      const YAML::Node& pdb = pr->node();
      const std::string& ppath = pr->path();
      const YAML::Node max_u = pr->value("max_unavailable");
      const YAML::Node min_a = pr->value("min_available");
      const bool has_max = max_u.IsDefined();
      const bool has_min = min_a.IsDefined();
      if (has_max == has_min && pdb.IsMap()) {
        ctx.error(pdb, ppath, "expected exactly one of max_unavailable or min_available (like a PodDisruptionBudget)");
      } else if (has_max) {
        if (read_pdb_bound(ctx, max_u, ppath + ".max_unavailable", d.pdb))
          d.pdb.kind = K8sPdbSpec::Kind::kMaxUnavailable;
      } else if (has_min) {
        if (read_pdb_bound(ctx, min_a, ppath + ".min_available", d.pdb)) d.pdb.kind = K8sPdbSpec::Kind::kMinAvailable;
      }
      pr->finish();
    }
    // A pod must fit on an empty node of some node pool it may use, or it stays Pending forever.
    if (req_ok && ctx.ok()) {
      bool fits = false;
      K8sResources largest;
      for (size_t pi = 0; pi < k.node_pools.size(); ++pi) {
        if (!(d.node_pool_mask & (1ull << pi))) continue;
        for (uint32_t sp : sc.fleets[k.node_pools[pi].fleet].pools) {
          const K8sResources& n = k.node_pools[pi].by_pool[sp];
          fits = fits || d.request.fits_in(n);
          largest.cpu_m = std::max(largest.cpu_m, n.cpu_m);
          largest.memory = std::max(largest.memory, n.memory);
        }
      }
      if (!fits) {
        ctx.error(it->first, path,
                  "a pod (" + resources_text(d.request) + ") fits on no node of the node pools it may use (largest: " +
                      resources_text(largest) + "): lower the requests or add a larger node size");
      }
    }
    r.finish();
    k.deployments.push_back(std::move(d));
  }
}

}  // namespace

Result<int64_t> parse_k8s_cpu(const std::string& text) {
  double v = 0;
  std::string unit;
  if (!split_quantity(text, &v, &unit) || (unit != "" && unit != "m")) {
    return Status::invalid("expected a CPU quantity like 500m, 2 or 0.5 (cores), found \"" + text + "\"");
  }
  const double m = unit == "m" ? v : v * 1000.0;
  if (m > 1e12 || std::floor(m) != m) {
    return Status::invalid("expected a CPU quantity in whole millicores (like 250m or 1.5), found \"" + text + "\"");
  }
  return static_cast<int64_t>(m);
}

Result<int64_t> parse_k8s_memory(const std::string& text) {
  double v = 0;
  std::string unit;
  static const std::pair<const char*, double> kUnits[] = {
      {"", 1},           {"k", 1e3},           {"M", 1e6},
      {"G", 1e9},        {"T", 1e12},          {"Ki", 1024.0},
      {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}};
  if (split_quantity(text, &v, &unit)) {
    for (const auto& [name, scale] : kUnits) {
      if (unit != name) continue;
      const double b = std::round(v * scale);
      if (b > 9.0e15) break;
      return static_cast<int64_t>(b);
    }
  }
  return Status::invalid("expected a memory quantity like 512Mi, 4Gi or 1G (units Ki Mi Gi Ti, k M G T), found \"" +
                         text + "\"");
}

void compile_kubernetes(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc) {
  K8sSpec& k = sc.kubernetes;
  MapReader r(ctx, node, "kubernetes");
  if (!node.IsMap()) return;
  k.enabled = true;
  r.choice("scheduler", k.scheduler, kK8sSchedulers);
  if (r.duration("drain_retry", k.drain_retry) && k.drain_retry.us <= 0) {
    ctx.error(r.get("drain_retry"), "kubernetes.drain_retry", "must be longer than 0s");
  }
  if (const YAML::Node pools =
          r.required("node_pools", "the node pools: {NAME: {fleet: FLEET, cpu: 4, memory: 16Gi}}")) {
    compile_node_pools(ctx, pools, sc, k);
    if (k.node_pools.size() > kMaxNodePools) {
      ctx.error(pools, "kubernetes.node_pools", "at most " + std::to_string(kMaxNodePools) + " node pools");
    }
  }
  const YAML::Node deps = r.required("deployments", "the deployments: {NAME: {replicas: 6, cpu: 500m, memory: 1Gi}}");
  if (deps && ctx.ok()) compile_deployments(ctx, deps, sc, k);
  if (auto ar = r.section("autoscaler")) {
    if (ar->duration("scan_interval", k.autoscaler.scan_interval) && k.autoscaler.scan_interval.us <= 0) {
      ctx.error(ar->get("scan_interval"), "kubernetes.autoscaler.scan_interval", "must be longer than 0s");
    }
    ar->boolean("scale_down", k.autoscaler.scale_down);
    ar->duration("scale_down_unneeded_time", k.autoscaler.scale_down_unneeded);
    ar->finish();
  }
  r.finish();
}

}  // namespace spotsim

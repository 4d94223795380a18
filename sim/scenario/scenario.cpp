#include "sim/scenario/scenario.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "sim/scenario/advisor_band.h"
#include "sim/scenario/provider_keys.h"
#include "sim/scenario/topology.h"
#include "common/units.h"
#include "common/yaml_reader.h"

namespace spotsim {

int CompiledScenario::pool_index(const std::string& n) const {
  for (size_t i = 0; i < pools.size(); ++i) {
    if (pools[i].name == n) return static_cast<int>(i);
  }
  return -1;
}

int CompiledScenario::fleet_index(const std::string& n) const {
  for (size_t i = 0; i < fleets.size(); ++i) {
    if (fleets[i].name == n) return static_cast<int>(i);
  }
  return -1;
}

namespace {

// Splits "fleets.web.pools[0]" into {"fleets","web","pools","[0]"}.
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string cur;
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else if (c == '[') {
      if (!cur.empty()) parts.push_back(cur);
      cur = "[";
    } else if (c == ']') {
      cur += ']';
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

// Maps whose keys are names the user chose: --set may not invent a new one.
bool is_named_collection(const std::string& path) {
  static const char* const kNamed[] = {
      "pools", "fleets", "regions", "workloads", "policies", "kubernetes.node_pools", "kubernetes.deployments"};
  for (const char* n : kNamed) {
    if (path == n) return true;
  }
  return false;
}

Status apply_override(YAML::Node root, const std::string& path, const std::string& value) {
  const auto parts = split_path(path);
  if (parts.empty()) return Status::invalid("--set " + path + "=" + value + ": empty path");
  YAML::Node cur = root;
  std::string walked;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& p = parts[i];
    walked += (walked.empty() || p[0] == '[' ? "" : ".") + p;
    YAML::Node next;
    if (p[0] == '[') {
      const size_t idx = std::strtoul(p.c_str() + 1, nullptr, 10);
      if (!cur.IsSequence() || idx >= cur.size()) {
        return Status::invalid("--set " + path + "=" + value + ": " + walked + " does not exist in the scenario");
      }
      next = cur[idx];
    } else {
      if (!cur.IsMap()) {
        return Status::invalid("--set " + path + "=" + value + ": " + walked + " does not exist in the scenario");
      }
      if (!cur[p].IsDefined() || cur[p].IsNull()) {
        // A missing section is created (the compiler validates it as if it were in the file); a
        // missing name in a collection of named things (a fleet, a pool, ...) is an error.
        const std::string parent = walked.size() > p.size() ? walked.substr(0, walked.size() - p.size() - 1) : "";
        if (is_named_collection(parent) && !cur[p].IsDefined()) {
          std::vector<std::string> names;
          for (auto it = cur.begin(); it != cur.end(); ++it) names.push_back(it->first.as<std::string>(""));
          return Status::invalid("--set " + path + "=" + value + ": " + walked + " does not exist in the scenario" +
                                 did_you_mean(p, names));
        }
        cur[p] = YAML::Node(YAML::NodeType::Map);
      }
      next = cur[p];
    }
    cur.reset(next);
  }
  const std::string& last = parts.back();
  YAML::Node v;
  try {
    v = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    return Status::invalid("--set " + path + "=" + value + ": not a valid YAML value: " + e.msg);
  }
  if (last[0] == '[') {
    const size_t idx = std::strtoul(last.c_str() + 1, nullptr, 10);
    if (!cur.IsSequence() || idx >= cur.size()) {
      return Status::invalid("--set " + path + "=" + value + ": " + path + " does not exist in the scenario");
    }
    cur[idx] = v;
  } else {
    if (!cur.IsMap()) {
      return Status::invalid("--set " + path + "=" + value + ": " + (walked.empty() ? "(top level)" : walked) +
                             " is not a map");
    }
    cur[last] = v;
  }
  return Status::ok();
}

// A pool's `interruption:`: a hazard `rate`, or a published frequency band (`advisor_band:
// "10-15%"`, converted by sim/scenario/advisor_band.h at `band_edge`, default mid).
void read_interruption(MapReader& ir, PoolSpec& p) {
  ParseContext& ctx = ir.ctx();
  if (!ir.has("advisor_band")) {
    ir.rate("rate", p.interruption_rate, true);
    if (ir.has("band_edge")) ctx.error(ir.get("band_edge"), ir.child_path("band_edge"), "band_edge needs advisor_band");
    return;
  }
  if (ir.has("rate")) {
    ctx.error(ir.get("rate"), ir.child_path("rate"), "give either rate or advisor_band, not both");
    return;
  }
  std::string band_text, edge_text = "mid";
  ir.str("advisor_band", band_text, true);
  ir.choice("band_edge", edge_text, {"lower", "mid", "upper"});
  const auto band = parse_frequency_band(band_text);
  if (!band) {
    ctx.error(ir.get("advisor_band"), ir.child_path("advisor_band"),
              "expected a monthly interruption band such as \"<5%\", \"10-15%\" or \">20%\" (AWS Spot Instance "
              "Advisor) or \"0-5\", \"20+\" (Azure eviction rate), found \"" +
                  band_text + "\"");
    return;
  }
  p.interruption_rate = band_hazard_per_hour(*band, parse_band_edge(edge_text).value_or(BandEdge::kMid));
}

void compile_pools(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc) {
  if (!node.IsMap() || node.size() == 0) {
    ctx.error(node, "pools", "expected a map of pool name → pool (at least one pool)");
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    PoolSpec p;
    p.name = it->first.as<std::string>("");
    MapReader r(ctx, it->second, "pools." + p.name);
    r.choice("provider", p.provider, kProviders, true);
    const ProviderTraits& traits = provider_traits(p.provider);
    r.str("region", p.region, true);
    r.str("zone", p.zone);
    if (p.zone.empty()) p.zone = p.region;
    r.str("instance_type", p.instance_type, true);
    if (read_series(r, "spot_price", sc, /*money=*/true, true, p.price_series)) p.spot_price = p.price_series.value;
    r.money("on_demand_price", p.on_demand_price, true);
    if (read_series(r, "capacity", sc, /*money=*/false, true, p.capacity_series)) {
      p.capacity = static_cast<int64_t>(p.capacity_series.value);
    }
    r.integer("on_demand_capacity", p.on_demand_capacity, false, 0);
    int64_t vcpus = 0;
    if (r.integer("vcpus", vcpus, false, 1, kMaxVcpus)) p.vcpus = static_cast<int32_t>(vcpus);
    p.notice = traits.notice;
    r.duration("notice", p.notice);
    p.action = traits.default_action;
    std::vector<std::string> actions;
    for (auto a : traits.allowed_actions) actions.emplace_back(eviction_action_name(a));
    std::string action;
    if (r.choice("eviction_action", action, actions)) p.action = *eviction_action_from_name(action);
    if (auto ir = r.section("interruption")) {
      read_interruption(*ir, p);
      ir->finish();
    }
    compile_pool_provider_keys(r, p);
    r.finish();
    sc.pools.push_back(std::move(p));
  }
}

// The fleet-model keys of a fleet (docs/scenario-reference.md, "Fleets").
void compile_fleet_model(MapReader& r, FleetSpec& f) {
  // The Lua policies (`policies:`) add their names here when that section exists.
  r.choice("policy", f.policy, {"builtin"});
  r.choice("allocation_strategy", f.allocation, kAllocationStrategies);
  int64_t pools_n = f.spot_instance_pools;
  if (r.integer("spot_instance_pools", pools_n, false, 1, kMaxSpotInstancePools)) {
    f.spot_instance_pools = static_cast<int32_t>(pools_n);
  }
  r.integer("on_demand_base", f.on_demand_base, false, 0, kMaxVms);
  r.fraction("on_demand_above_base", f.on_demand_above_base);
  r.choice("on_demand_allocation_strategy", f.on_demand_prioritized, kOnDemandStrategies);
  r.boolean("capacity_rebalance", f.capacity_rebalance);
  if (auto fr = r.section("fallback")) {
    f.fallback.enabled = true;
    fr->duration("after", f.fallback.after);
    fr->integer("max_on_demand", f.fallback.max_on_demand, false, 0, kMaxVms);
    fr->money("max_cost", f.fallback.max_cost_per_hour);
    fr->duration("return_after", f.fallback.return_after);
    fr->integer("return_batch", f.fallback.return_batch, false, 0, kMaxVms);
    fr->finish();
  }
}

void compile_fleets(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc) {
  if (!node.IsMap() || node.size() == 0) {
    ctx.error(node, "fleets", "expected a map of fleet name → fleet (at least one fleet)");
    return;
  }
  std::vector<std::string> pool_names;
  for (const auto& p : sc.pools) pool_names.push_back(p.name);
  for (auto it = node.begin(); it != node.end(); ++it) {
    FleetSpec f;
    f.name = it->first.as<std::string>("");
    MapReader r(ctx, it->second, "fleets." + f.name);
    const YAML::Node pools = r.required("pools", "list the pools this fleet may use");
    if (pools && (!pools.IsSequence() || pools.size() == 0)) {
      ctx.error(pools, r.child_path("pools"), "expected a non-empty list of pool names");
    } else if (pools) {
      for (size_t i = 0; i < pools.size(); ++i) {
        const std::string path = r.child_path("pools") + "[" + std::to_string(i) + "]";
        FleetPoolEntry entry;
        entry.priority = static_cast<int32_t>(i);
        YAML::Node name_node = pools[i];
        if (pools[i].IsMap()) {
          // {pool: NAME, weight: W, priority: P}: an instance list entry of a mixed instances policy.
          MapReader er(ctx, pools[i], path);
          name_node = er.required("pool", "the pool's name");
          if (!name_node) {
            er.finish();
            continue;
          }
          er.number("weight", entry.weight, false, kMinInstanceWeight, kMaxInstanceWeight);
          int64_t prio = entry.priority;
          if (er.integer("priority", prio, false, 0, kMaxInstancePriority)) entry.priority = static_cast<int32_t>(prio);
          er.finish();
        }
        if (!name_node.IsScalar()) {
          ctx.error(name_node, path, "expected a pool name (or a map {pool: NAME, weight: W, priority: P})");
          continue;
        }
        const std::string n = name_node.Scalar();
        const int idx = sc.pool_index(n);
        if (idx < 0) {
          ctx.error(name_node, path, "no pool named \"" + n + "\"" + did_you_mean(n, pool_names));
          continue;
        }
        f.pools.push_back(static_cast<uint32_t>(idx));
        entry.pool = static_cast<uint32_t>(idx);
        f.instances.push_back(entry);
      }
    }
    // `target` is optional with `scaling:` (then it defaults to min or the schedule's value at 0s).
    const bool target_given = r.integer("target", f.target, !r.has("scaling"), 0, kMaxVms);
    compile_fleet_boot_keys(r, f);
    r.choice("replace_on", f.replace_on, kReplaceOnNames);
    if (r.duration("retry_interval", f.retry_interval) && f.retry_interval.us <= 0) {
      ctx.error(r.get("retry_interval"), r.child_path("retry_interval"), "must be longer than 0s");
    }
    r.money("max_price", f.max_price);
    compile_fleet_eviction_type(r, f, sc);
    if (auto br = r.section("throttle_backoff")) {
      br->duration("initial", f.throttle_backoff_initial);
      br->duration("max", f.throttle_backoff_max);
      br->fraction("jitter", f.throttle_backoff_jitter);
      if (f.throttle_backoff_initial.us <= 0)
        ctx.error(br->get("initial"), br->child_path("initial"), "must be longer than 0s");
      if (f.throttle_backoff_max < f.throttle_backoff_initial) {
        ctx.error(br->get("max"), br->child_path("max"),
                  "must be at least initial (" + format_duration(f.throttle_backoff_initial) + ")");
      }
      br->finish();
    }
    compile_fleet_model(r, f);
    compile_scaling(r, f.scaling, f.warm_pool, f.target, target_given);
    compile_scale_to_zero(r, f);
    r.finish();
    sc.fleets.push_back(std::move(f));
  }
}

// "64MiB", "512KiB", "1GiB", "100MB", "1e6" (bytes).
std::optional<int64_t> parse_bytes(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' || text[i] == 'e' ||
                             text[i] == 'E' || text[i] == '+')) {
    ++i;
  }
  auto v = parse_number(text.substr(0, i));
  if (!v || *v < 0) return std::nullopt;
  std::string unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  double mult = 1;
  if (unit.empty() || unit == "B" || unit == "bytes") mult = 1;
  else if (unit == "KiB") mult = 1024.0;
  else if (unit == "MiB") mult = 1024.0 * 1024;
  else if (unit == "GiB") mult = 1024.0 * 1024 * 1024;
  else if (unit == "KB" || unit == "kB") mult = 1e3;
  else if (unit == "MB") mult = 1e6;
  else if (unit == "GB") mult = 1e9;
  else return std::nullopt;
  const double b = *v * mult;
  if (b > 9.0e15) return std::nullopt;
  return static_cast<int64_t>(b);
}

void compile_policy_limits(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc) {
  MapReader r(ctx, node, "policy_limits");
  r.integer("instructions", sc.policy_limits.instructions, false, kMinPolicyInstructions, kMaxPolicyInstructions);
  if (const YAML::Node mem = r.value("memory")) {
    const auto b = mem.IsScalar() ? parse_bytes(mem.Scalar()) : std::nullopt;
    if (!b) {
      ctx.error(mem, "policy_limits.memory", "expected a size like 64MiB, 512KiB or 1GiB");
    } else if (*b < kMinPolicyMemory || *b > kMaxPolicyMemory) {
      ctx.error(mem, "policy_limits.memory", "must be between 256KiB and 16GiB, found " + mem.Scalar());
    } else {
      sc.policy_limits.memory_bytes = *b;
    }
  }
  r.finish();
}

void compile_policies(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc) {
  if (!node.IsMap()) {
    ctx.error(node, "policies", "expected a map like {fleet.web: policies/fallback.lua}");
    return;
  }
  std::vector<std::string> fleet_keys;
  for (const auto& f : sc.fleets) fleet_keys.push_back("fleet." + f.name);
  const std::filesystem::path base = std::filesystem::path(ctx.file()).parent_path();
  for (auto it = node.begin(); it != node.end(); ++it) {
    PolicySpec p;
    p.target = it->first.as<std::string>("");
    p.line = it->first.Mark().line + 1;
    p.column = it->first.Mark().column + 1;
    const std::string path = "policies." + p.target;
    if (p.target.rfind("fleet.", 0) != 0) {
      ctx.error(it->first, path,
                "expected \"fleet.<name>\" (a policy belongs to one fleet)" + did_you_mean(p.target, fleet_keys));
      continue;
    }
    const int fi = sc.fleet_index(p.target.substr(6));
    if (fi < 0) {
      ctx.error(it->first, path, "no fleet named \"" + p.target.substr(6) + "\"" + did_you_mean(p.target, fleet_keys));
      continue;
    }
    p.fleet = static_cast<uint32_t>(fi);
    YAML::Node file_node;
    file_node.reset(it->second);  // (reset: plain assignment would overwrite the scenario's node)
    std::string file;
    if (it->second.IsScalar()) {
      file = it->second.Scalar();
    } else if (it->second.IsMap()) {
      MapReader r(ctx, it->second, path);
      r.str("file", file, true);
      file_node.reset(r.get("file"));
      r.duration("tick", p.tick);
      if (r.has("tick") && p.tick.us <= 0) ctx.error(r.get("tick"), path + ".tick", "must be longer than 0s");
      r.finish();
      if (file.empty()) continue;
    } else {
      ctx.error(it->second, path, "expected the Lua file's path, or a map {file: ..., tick: ...}");
      continue;
    }
    const std::filesystem::path fp(file);
    p.path = (fp.is_absolute() || base.empty() ? fp : base / fp).lexically_normal().string();
    std::optional<std::string> source = ctx.read_file(p.path);
    if (!source) {
      ctx.error(file_node, path,
                "cannot read the policy file \"" + p.path + "\" (paths are relative to the scenario file's folder)");
      continue;
    }
    p.source = std::move(*source);
    sc.policies.push_back(std::move(p));
  }
}

void compile_expect(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc) {
  if (!node.IsSequence()) {
    ctx.error(node, "expect", "expected a list of assertions like \"cost.savings_pct.mean >= 50\"");
    return;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    if (!node[i].IsScalar()) {
      ctx.error(node[i], "expect[" + std::to_string(i) + "]", "expected an assertion as text");
      continue;
    }
    sc.expect.push_back(ExpectSource{node[i].Scalar(), node[i].Mark().line + 1, node[i].Mark().column + 1});
  }
}

}  // namespace

Result<CompiledScenario> compile_scenario(const std::string& text, const std::string& file,
                                          const LoadOptions& options) {
  ParseContext ctx(file);
  ctx.set_file_source(options.read_file);
  YAML::Node root = parse_yaml(ctx, text);
  if (!ctx.ok()) return ctx.status();
  for (const auto& [path, value] : options.overrides) {
    RETURN_IF_ERROR(apply_override(root, path, value));
    ctx.add_override(path, value);
  }

  CompiledScenario sc;
  sc.file = file;
  sc.text = text;
  sc.overrides = options.overrides;
  MapReader top(ctx, root, "");
  if (!ctx.ok()) return ctx.status();

  int64_t version = 0;
  if (top.integer("spotsim", version, true) && version != 1) {
    ctx.error(top.get("spotsim"), "spotsim",
              "this is schema version " + std::to_string(version) + "; this spotsim reads version 1");
  }
  top.str("name", sc.name, true);
  top.str("description", sc.description);
  int64_t seed = static_cast<int64_t>(sc.seed);
  if (top.integer("seed", seed, false, 0)) sc.seed = static_cast<uint64_t>(seed);
  top.integer("replications", sc.replications, false, 1, kMaxReplications);
  if (top.duration("duration", sc.duration, true) && sc.duration.us <= 0) {
    ctx.error(top.get("duration"), "duration", "must be longer than 0s");
  }
  top.duration("sample_interval", sc.sample_interval);

  if (const YAML::Node pools = top.required("pools", "define at least one capacity pool")) {
    compile_pools(ctx, pools, sc);
    sc.topology = std::make_shared<const Topology>(sc.pools);
  }
  if (const YAML::Node regions = top.value("regions"); regions && ctx.ok()) compile_regions(ctx, regions, sc);
  const YAML::Node fleets = top.required("fleets", "define at least one fleet");
  if (fleets) compile_fleets(ctx, fleets, sc);
  if (const YAML::Node store = top.value("checkpoint_store")) compile_checkpoint_store(ctx, store, sc);
  if (const YAML::Node workloads = top.value("workloads"); workloads && ctx.ok()) compile_workloads(ctx, workloads, sc);
  if (ctx.ok()) resolve_scaling(ctx, fleets, sc);
  if (const YAML::Node kubernetes = top.value("kubernetes"); kubernetes && ctx.ok())
    compile_kubernetes(ctx, kubernetes, sc);
  if (ctx.ok()) resolve_scale_to_zero(ctx, fleets, sc);
  if (const YAML::Node chaos = top.value("chaos"); chaos && ctx.ok()) compile_chaos(ctx, chaos, sc);
  if (const YAML::Node policies = top.value("policies"); policies && ctx.ok()) compile_policies(ctx, policies, sc);
  if (const YAML::Node limits = top.value("policy_limits")) compile_policy_limits(ctx, limits, sc);
  if (const YAML::Node expect = top.value("expect")) compile_expect(ctx, expect, sc);
  top.finish();

  if (sc.sample_interval.us <= 0) {
    // About 500 samples per run, at least one per minute.
    sc.sample_interval = Duration{std::max<int64_t>(Duration::minutes(1).us, sc.duration.us / 500)};
  }
  if (!ctx.ok()) return ctx.status();
  return sc;
}

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return ss.str();
}

Result<CompiledScenario> load_scenario(const std::string& path, const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid(path + ": error: cannot open the scenario file (check the path)");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::io(path + ": error: cannot read the scenario file");
  LoadOptions with_files = options;
  if (!with_files.read_file) with_files.read_file = read_text_file;
  return compile_scenario(ss.str(), path, with_files);
}

}  // namespace spotsim

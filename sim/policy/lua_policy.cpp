#include "sim/policy/lua_policy.h"

#include <algorithm>
#include <cmath>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "sim/model/builtin_policy.h"
#include "sim/policy/lua_views.h"
#include "common/yaml_reader.h"

namespace spotsim {

const std::array<const char*, kLuaHookCount> kLuaHookNames = {"choose_pool",       "on_notice",   "on_eviction",
                                                              "on_capacity_error", "on_tick",     "on_job_event",
                                                              "on_running",        "on_rebalance"};

namespace {

constexpr uint32_t kHookBits[kLuaHookCount] = {kHookChoosePool, kHookOnNotice,   kHookOnEviction, kHookOnCapacityError,
                                               kHookOnTick,     kHookOnJobEvent, kHookOnRunning,  kHookOnRebalance};
constexpr double kEvictionTimeConstantUs = 3.6e9;  // one hour

struct ResolveArg {
  LuaFleetPolicy* policy;
  int* refs;
  char bad[64];  // a hook name bound to something that is not a function
  const char* bad_type;
};

// lua_CFunction: looks the hook names up in the globals and keeps the functions in the registry.
int resolve_hooks(lua_State* L) {
  auto* a = static_cast<ResolveArg*>(lua_touserdata(L, 1));
  lua_pushglobaltable(L);
  const int g = lua_gettop(L);
  for (int i = 0; i < kLuaHookCount; ++i) {
    lua_pushstring(L, kLuaHookNames[static_cast<size_t>(i)]);
    const int t = lua_rawget(L, g);
    if (t == LUA_TFUNCTION) {
      a->refs[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
      if (t != LUA_TNIL && a->bad[0] == 0) {
        std::snprintf(a->bad, sizeof a->bad, "%s", kLuaHookNames[static_cast<size_t>(i)]);
        a->bad_type = lua_typename(L, t);
      }
      lua_pop(L, 1);
    }
  }
  return 0;
}

struct GlobalName {
  std::string name;
  bool function = false;
  std::string where;  // "<file>:<line it is defined>" for Lua functions
  int line = 0;
};

// The state's global names (string keys). Called outside protected mode: only lua_next,
// lua_type, lua_tolstring on string keys, lua_pushvalue and lua_getinfo(">S"), none of which
// can raise or allocate.
std::vector<GlobalName> global_names(lua_State* L) {
  std::vector<GlobalName> out;
  lua_pushglobaltable(L);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      size_t n = 0;
      const char* s = lua_tolstring(L, -2, &n);
      GlobalName g;
      g.name.assign(s, n);
      if (lua_type(L, -1) == LUA_TFUNCTION) {
        g.function = true;
        lua_Debug ar;
        lua_pushvalue(L, -1);
        lua_getinfo(L, ">S", &ar);
        g.where = std::string(ar.short_src) + ":" + std::to_string(ar.linedefined);
        g.line = ar.linedefined;
      }
      out.push_back(std::move(g));
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return out;
}

std::string hook_list() {
  std::string s;
  for (const char* h : kLuaHookNames) s += (s.empty() ? "" : ", ") + std::string(h);
  return s;
}

}  // namespace

LuaFleetPolicy::LuaFleetPolicy(const CompiledScenario& scenario, const PolicySpec& spec, uint64_t replication)
    : sc_(scenario), spec_(spec), replication_(replication), call_(std::make_unique<CallState>()) {
  refs_.fill(kNoRef);
  call_->policy = this;
  evict_ewma_.assign(sc_.pools.size(), 0.0);
  evict_at_us_.assign(sc_.pools.size(), 0);
}

LuaFleetPolicy::~LuaFleetPolicy() = default;

Result<std::unique_ptr<LuaFleetPolicy>> LuaFleetPolicy::create(const CompiledScenario& scenario, const PolicySpec& spec,
                                                               uint64_t replication) {
  std::unique_ptr<LuaFleetPolicy> p(new LuaFleetPolicy(scenario, spec, replication));
  Status st = p->init();
  if (!st) {
    return Status::invalid(st.message() + "\n  while loading the policy of fleet \"" +
                           scenario.fleets[spec.fleet].name + "\" (" + spec.target + " in " + scenario.file + ")");
  }
  return p;
}

Status LuaFleetPolicy::init() {
  const std::string& fleet_name = sc_.fleets[spec_.fleet].name;
  SandboxLimits lim;
  lim.instructions = sc_.policy_limits.instructions;
  lim.memory_bytes = sc_.policy_limits.memory_bytes;
  ASSIGN_OR_RETURN(sb_,
                   LuaSandbox::create(lim, Rng::stream(sc_.seed, replication_, "policy." + fleet_name), spec_.path));
  sb_->set_user(this);
  sb_->set_print_prefix(spec_.path + " [fleet " + fleet_name + ", replication " + std::to_string(replication_) + "]: ");
  RETURN_IF_ERROR(sb_->protected_call(lua_install_bridge, this));
  lua_State* L = sb_->state();
  std::vector<std::string> before;
  for (const GlobalName& g : global_names(L)) before.push_back(g.name);
  RETURN_IF_ERROR(sb_->run_chunk(spec_.source));

  ResolveArg ra{this, refs_.data(), {0}, nullptr};
  RETURN_IF_ERROR(sb_->protected_call(resolve_hooks, &ra));
  if (ra.bad[0]) {
    return Status::invalid(spec_.path + ": " + ra.bad + " must be a function, but the file sets it to a " +
                           ra.bad_type);
  }

  // Global functions that look like hooks but are not (a typo would silently never run).
  const std::vector<std::string> hooks(kLuaHookNames.begin(), kLuaHookNames.end());
  std::string problems;
  std::vector<GlobalName> globals = global_names(L);
  std::sort(globals.begin(), globals.end(), [](const GlobalName& a, const GlobalName& b) {
    return a.line != b.line ? a.line < b.line : a.name < b.name;
  });
  for (const GlobalName& g : globals) {
    const std::string& name = g.name;
    if (!g.function || g.where.empty()) continue;
    if (std::find(before.begin(), before.end(), name) != before.end()) continue;
    if (std::find(hooks.begin(), hooks.end(), name) != hooks.end()) continue;
    const std::string best = closest_name(name, hooks);
    if (best.empty() && name.rfind("on_", 0) != 0) continue;
    if (!problems.empty()) problems += "\n";
    problems += g.where + ": global function " + name + " is not a hook" +
                (best.empty() ? "" : " (did you mean " + best + "?)") + "; the hooks are " + hook_list() +
                " (names starting with on_ are reserved for hooks)";
  }
  if (!problems.empty()) return Status::invalid(problems);

  for (int i = 0; i < kLuaHookCount; ++i) {
    if (refs_[static_cast<size_t>(i)] != kNoRef) hooks_ |= kHookBits[i];
  }
  if (hooks_ == 0) {
    return Status::invalid(spec_.path + ": defines none of the hooks (" + hook_list() +
                           "); a policy defines at least one of them as a global function (not `local function`)");
  }
  // on_eviction is always declared: it keeps the pools' recent eviction counts (pool.eviction_rate)
  // and falls back to the built-in behaviour when the file does not define it.
  hooks_ |= kHookOnEviction;
  builtin_ = std::make_unique<BuiltinFleetPolicy>(sc_, spec_.fleet);
  return Status::ok();
}

double LuaFleetPolicy::recent_evictions(uint32_t pool, SimTime now) const {
  const double dt = static_cast<double>(now.us - evict_at_us_[pool]);
  return evict_ewma_[pool] * std::exp(-dt / kEvictionTimeConstantUs);
}

void LuaFleetPolicy::invoke(LuaHook h, const PolicyContext& ctx, Commands* out) {
  CallState& s = *call_;
  s.ctx = &ctx;
  s.hook = h;
  s.out = out;
  s.hook_ref = refs_[static_cast<size_t>(h)];
  s.built.clear();
  const Status st = sb_->protected_call(lua_run_hook, this);
  s.ctx = nullptr;
  s.hook = LuaHook::kNone;
  s.request = nullptr;
  s.error = nullptr;
  s.job = nullptr;
  s.out = nullptr;
  if (!st) fail(h, ctx, st);
}

void LuaFleetPolicy::fail(LuaHook h, const PolicyContext& ctx, const Status& st) {
  throw PolicyFailure(Status::invalid(st.message() + "\n  in hook " + kLuaHookNames[static_cast<size_t>(h)] +
                                      " of fleet \"" + sc_.fleets[spec_.fleet].name + "\" at simulated time " +
                                      format_time(ctx.now()) + " (replication " + std::to_string(replication_) + ")"));
}

PoolChoice LuaFleetPolicy::choose_pool(const LaunchRequest& request, const PolicyContext& ctx) {
  call_->request = &request;
  call_->choice = PoolChoice::none();
  invoke(LuaHook::kChoosePool, ctx, nullptr);
  return call_->choice;
}

void LuaFleetPolicy::on_running(VmId vm, const PolicyContext& ctx, Commands& out) {
  call_->vm = ctx.vm(vm);
  call_->evict_at_us = -1;
  invoke(LuaHook::kOnRunning, ctx, &out);
}

void LuaFleetPolicy::on_rebalance(VmId vm, const PolicyContext& ctx, Commands& out) {
  call_->vm = ctx.vm(vm);
  call_->evict_at_us = -1;
  invoke(LuaHook::kOnRebalance, ctx, &out);
}

void LuaFleetPolicy::on_notice(VmId vm, SimTime evict_at, const PolicyContext& ctx, Commands& out) {
  call_->vm = ctx.vm(vm);
  call_->evict_at_us = evict_at.us;
  invoke(LuaHook::kOnNotice, ctx, &out);
}

void LuaFleetPolicy::on_eviction(const VmView& view, const PolicyContext& ctx, Commands& out) {
  const uint32_t p = view.pool;
  evict_ewma_[p] = recent_evictions(p, ctx.now()) + 1.0;
  evict_at_us_[p] = ctx.now().us;
  if (defines(LuaHook::kOnEviction)) {
    call_->vm = view;
    call_->evict_at_us = -1;
    invoke(LuaHook::kOnEviction, ctx, &out);
  } else if (builtin_->hooks() & kHookOnEviction) {
    builtin_->on_eviction(view, ctx, out);
  }
}

void LuaFleetPolicy::on_capacity_error(const CapacityError& error, const PolicyContext& ctx, Commands& out) {
  call_->error = &error;
  call_->request = &error.request;
  invoke(LuaHook::kOnCapacityError, ctx, &out);
}

void LuaFleetPolicy::on_tick(const PolicyContext& ctx, Commands& out) { invoke(LuaHook::kOnTick, ctx, &out); }

void LuaFleetPolicy::on_job_event(const JobEvent& event, const PolicyContext& ctx, Commands& out) {
  call_->job = &event;
  invoke(LuaHook::kOnJobEvent, ctx, &out);
}

Status check_policy(const CompiledScenario& scenario, const PolicySpec& spec) {
  auto p = LuaFleetPolicy::create(scenario, spec, 0);
  return p.is_ok() ? Status::ok() : p.status();
}

Status check_policies(const CompiledScenario& scenario) {
  std::string all;
  for (const PolicySpec& spec : scenario.policies) {
    const Status st = check_policy(scenario, spec);
    if (st) continue;
    if (!all.empty()) all += "\n";
    all += st.message();
  }
  return all.empty() ? Status::ok() : Status::invalid(all);
}

FleetPolicyFactory make_policy_factory(const CompiledScenario& scenario) {
  if (scenario.policies.empty()) return {};
  return [](const CompiledScenario& sc, uint32_t fleet, uint64_t replication) -> std::unique_ptr<FleetPolicy> {
    for (const PolicySpec& spec : sc.policies) {
      if (spec.fleet != fleet) continue;
      auto p = LuaFleetPolicy::create(sc, spec, replication);
      if (!p) throw PolicyFailure(p.status());
      return std::move(p).value();
    }
    return nullptr;
  };
}

}  // namespace spotsim

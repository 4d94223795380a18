#include "sim/policy/lua_views.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "common/yaml_reader.h"

// Rule for this file: every lua_CFunction keeps only trivially destructible locals alive across
// Lua API calls that can raise (they longjmp). C++ containers live in CallState, never on the C
// stack of a function Lua can jump over.

namespace spotsim {
namespace {

constexpr const char* kVmMt = "spotsim.vm";
constexpr const char* kPoolMt = "spotsim.pool";
constexpr const char* kFleetMt = "spotsim.fleet";
constexpr const char* kRequestMt = "spotsim.request";
constexpr const char* kErrorMt = "spotsim.capacity_error";
constexpr const char* kJobMt = "spotsim.job";
constexpr const char* kCommandMt = "spotsim.command";
constexpr const char* kCtxMt = "spotsim.ctx";
constexpr const char* kMtNames[] = {kVmMt, kPoolMt, kFleetMt, kRequestMt, kErrorMt, kJobMt, kCommandMt, kCtxMt};
static_assert(std::size(kMtNames) == kLuaViewMtCount, "one metatable slot per view kind");
constexpr int kCommandKinds = static_cast<int>(kCommandKindCount);

int mt_slot(const char* name) {
  for (int i = 0; i < kLuaViewMtCount; ++i) {
    if (kMtNames[i] == name) return i;
  }
  return 0;
}

struct VmUd {
  VmView view;
  int64_t evict_at_us;
};
struct PoolUd {
  uint32_t pool;
};
struct FleetUd {
  uint32_t fleet;
};
struct RequestUd {
  LaunchRequest request;
};
struct ErrorUd {
  CapacityError error;
};
struct JobUd {
  JobEvent event;
};

LuaFleetPolicy& pol(lua_State* L) { return *static_cast<LuaFleetPolicy*>(LuaSandbox::from(L)->user()); }
LuaFleetPolicy::CallState& cs(lua_State* L) { return pol(L).call(); }

// Sets the metatable of the value on top of the stack (by registry reference, not by name).
void set_mt(lua_State* L, const char* name) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, cs(L).mt_refs[mt_slot(name)]);
  lua_setmetatable(L, -2);
}

// The userdata at idx if its metatable is `name`'s, else nullptr.
void* test_ud(lua_State* L, int idx, const char* name) {
  void* p = lua_touserdata(L, idx);
  if (!p || !lua_getmetatable(L, idx)) return nullptr;
  const bool same = lua_topointer(L, -1) == cs(L).mt_ptrs[mt_slot(name)];
  lua_pop(L, 1);
  return same ? p : nullptr;
}

void* check_ud(lua_State* L, int idx, const char* name) {
  void* p = test_ud(L, idx, name);
  if (!p) luaL_typeerror(L, idx, name + 8);
  return p;
}

const PolicyContext& need_ctx(lua_State* L, const char* what) {
  const PolicyContext* c = cs(L).ctx;
  if (!c) luaL_error(L, "%s can only be read while a hook runs (not at the top level of the file)", what);
  return *c;
}

bool key_is(const char* k, size_t n, const char* lit) { return std::strlen(lit) == n && std::memcmp(k, lit, n) == 0; }

// " (did you mean 'x'?)" into out, or "". No Lua calls: safe to use C++ temporaries here.
void suggest(const char* word, const char* const* names, size_t count, char* out, size_t size) {
  out[0] = 0;
  std::string best;
  {
    std::vector<std::string> c(names, names + count);
    best = closest_name(word, c);
  }
  if (!best.empty()) std::snprintf(out, size, " (did you mean '%s'?)", best.c_str());
}

template <size_t N>
int unknown_field(lua_State* L, const char* what, const char* k, const char* const (&names)[N]) {
  char hint[96];
  suggest(k, names, N, hint, sizeof hint);
  char list[512];
  size_t used = 0;
  list[0] = 0;
  for (size_t i = 0; i < N && used + 2 < sizeof list; ++i) {
    used += static_cast<size_t>(std::snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]));
  }
  return luaL_error(L, "%s has no field '%s'%s; its fields: %s", what, k, hint, list);
}

void push_seconds_or_nil(lua_State* L, int64_t us) {
  if (us < 0) {
    lua_pushnil(L);
  } else {
    lua_pushnumber(L, static_cast<lua_Number>(us) * 1e-6);
  }
}

void push_str(lua_State* L, const std::string& s) { lua_pushlstring(L, s.data(), s.size()); }

// --- views ------------------------------------------------------------------------------------

void push_vm(lua_State* L, const VmView& v, int64_t evict_at_us) {
  auto* u = static_cast<VmUd*>(lua_newuserdatauv(L, sizeof(VmUd), 0));
  u->view = v;
  u->evict_at_us = evict_at_us;
  set_mt(L, kVmMt);
}

void push_pool(lua_State* L, uint32_t pool) {
  static_cast<PoolUd*>(lua_newuserdatauv(L, sizeof(PoolUd), 0))->pool = pool;
  set_mt(L, kPoolMt);
}

void push_fleet(lua_State* L, uint32_t fleet) {
  static_cast<FleetUd*>(lua_newuserdatauv(L, sizeof(FleetUd), 0))->fleet = fleet;
  set_mt(L, kFleetMt);
}

void push_request(lua_State* L, const LaunchRequest& r) {
  static_cast<RequestUd*>(lua_newuserdatauv(L, sizeof(RequestUd), 0))->request = r;
  set_mt(L, kRequestMt);
}

const char* const kVmFields[] = {
    "id",       "pool",        "zone",          "instance_type", "fleet", "state",           "purchase",
    "fallback", "launched_at", "running_since", "evict_at",      "age",   "notice_delivered"};

int vm_index(lua_State* L) {
  const auto* u = static_cast<const VmUd*>(check_ud(L, 1, kVmMt));
  size_t n = 0;
  const char* k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &n) : "?";
  const VmView& v = u->view;
  const CompiledScenario& sc = pol(L).scenario();
  const PoolSpec& ps = sc.pools[v.pool];
  if (key_is(k, n, "id")) lua_pushinteger(L, v.id.serial);
  else if (key_is(k, n, "pool")) push_str(L, ps.name);
  else if (key_is(k, n, "zone")) push_str(L, ps.zone);
  else if (key_is(k, n, "instance_type")) push_str(L, ps.instance_type);
  else if (key_is(k, n, "fleet")) push_str(L, sc.fleets[v.fleet].name);
  else if (key_is(k, n, "state")) lua_pushstring(L, vm_state_name(v.state));
  else if (key_is(k, n, "purchase")) lua_pushstring(L, purchase_name(v.purchase));
  else if (key_is(k, n, "fallback")) lua_pushboolean(L, v.fallback);
  else if (key_is(k, n, "notice_delivered")) lua_pushboolean(L, v.notice_delivered);
  else if (key_is(k, n, "launched_at")) push_seconds_or_nil(L, v.launched.us);
  else if (key_is(k, n, "running_since")) push_seconds_or_nil(L, v.running == SimTime::never() ? -1 : v.running.us);
  else if (key_is(k, n, "evict_at")) push_seconds_or_nil(L, u->evict_at_us);
  else if (key_is(k, n, "age")) {
    const PolicyContext& c = need_ctx(L, "vm.age");
    lua_pushnumber(L, (c.now() - v.launched).to_seconds());
  } else return unknown_field(L, "vm", k, kVmFields);
  return 1;
}

int vm_tostring(lua_State* L) {
  const auto* u = static_cast<const VmUd*>(check_ud(L, 1, kVmMt));
  const CompiledScenario& sc = pol(L).scenario();
  lua_pushfstring(L, "vm %d (%s, %s, %s)", static_cast<int>(u->view.id.serial), sc.pools[u->view.pool].name.c_str(),
                  purchase_name(u->view.purchase), vm_state_name(u->view.state));
  return 1;
}

const FleetPoolEntry* fleet_entry(const PolicyContext& c, uint32_t pool) {
  for (const FleetPoolEntry& e : c.fleet_pools()) {
    if (e.pool == pool) return &e;
  }
  return nullptr;
}

const char* const kPoolFields[] = {"name",
                                   "index",
                                   "provider",
                                   "region",
                                   "zone",
                                   "instance_type",
                                   "spot_price",
                                   "on_demand_price",
                                   "capacity",
                                   "in_use",
                                   "available",
                                   "on_demand_in_use",
                                   "on_demand_available",
                                   "interruption_rate",
                                   "vcpus",
                                   "fleet_vms",
                                   "recent_evictions",
                                   "eviction_rate",
                                   "weight",
                                   "priority"};

int pool_index(lua_State* L) {
  const auto* u = static_cast<const PoolUd*>(check_ud(L, 1, kPoolMt));
  size_t n = 0;
  const char* k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &n) : "?";
  LuaFleetPolicy& p = pol(L);
  const PoolSpec& ps = p.scenario().pools[u->pool];
  if (key_is(k, n, "name")) {
    push_str(L, ps.name);
    return 1;
  }
  if (key_is(k, n, "index")) {
    lua_pushinteger(L, u->pool + 1);
    return 1;
  }
  if (key_is(k, n, "region")) {
    push_str(L, ps.region);
    return 1;
  }
  if (key_is(k, n, "zone")) {
    push_str(L, ps.zone);
    return 1;
  }
  if (key_is(k, n, "instance_type")) {
    push_str(L, ps.instance_type);
    return 1;
  }
  if (key_is(k, n, "provider")) {
    const std::string_view name = provider_traits(ps.provider).name;
    lua_pushlstring(L, name.data(), name.size());
    return 1;
  }
  const PolicyContext& c = need_ctx(L, "a pool view");
  const PoolView v = c.pool(u->pool);
  if (key_is(k, n, "spot_price")) lua_pushnumber(L, v.spot_price);
  else if (key_is(k, n, "on_demand_price")) lua_pushnumber(L, v.on_demand_price);
  else if (key_is(k, n, "capacity")) lua_pushinteger(L, v.spot_capacity);
  else if (key_is(k, n, "in_use")) lua_pushinteger(L, v.spot_in_use);
  else if (key_is(k, n, "available")) lua_pushinteger(L, v.spot_available);
  else if (key_is(k, n, "on_demand_in_use")) lua_pushinteger(L, v.on_demand_in_use);
  else if (key_is(k, n, "on_demand_available")) lua_pushboolean(L, v.on_demand_available);
  else if (key_is(k, n, "interruption_rate")) lua_pushnumber(L, v.interruption_rate);
  else if (key_is(k, n, "vcpus")) lua_pushinteger(L, v.vcpus);
  else if (key_is(k, n, "fleet_vms")) lua_pushinteger(L, c.fleet_vms_in_pool(u->pool));
  else if (key_is(k, n, "recent_evictions")) lua_pushnumber(L, p.recent_evictions(u->pool, c.now()));
  else if (key_is(k, n, "eviction_rate")) {
    const double vms = static_cast<double>(c.fleet_vms_in_pool(u->pool));
    lua_pushnumber(L, p.recent_evictions(u->pool, c.now()) / (vms < 1 ? 1.0 : vms));
  } else if (key_is(k, n, "weight") || key_is(k, n, "priority")) {
    const FleetPoolEntry* e = fleet_entry(c, u->pool);
    if (!e) lua_pushnil(L);
    else if (k[0] == 'w') lua_pushnumber(L, e->weight);
    else lua_pushinteger(L, e->priority);
  } else return unknown_field(L, "pool", k, kPoolFields);
  return 1;
}

int pool_tostring(lua_State* L) {
  const auto* u = static_cast<const PoolUd*>(check_ud(L, 1, kPoolMt));
  lua_pushfstring(L, "pool %s", pol(L).scenario().pools[u->pool].name.c_str());
  return 1;
}

int pool_eq(lua_State* L) {
  const auto* a = static_cast<const PoolUd*>(test_ud(L, 1, kPoolMt));
  const auto* b = static_cast<const PoolUd*>(test_ud(L, 2, kPoolMt));
  lua_pushboolean(L, a && b && a->pool == b->pool);
  return 1;
}

const char* const kFleetFields[] = {"name",    "target", "running",   "booting",  "noticed", "stopped",
                                    "waiting", "spot",   "on_demand", "fallback", "size",    "load"};

int fleet_index(lua_State* L) {
  const auto* u = static_cast<const FleetUd*>(check_ud(L, 1, kFleetMt));
  size_t n = 0;
  const char* k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &n) : "?";
  if (key_is(k, n, "name")) {
    push_str(L, pol(L).scenario().fleets[u->fleet].name);
    return 1;
  }
  const PolicyContext& c = need_ctx(L, "a fleet view");
  const FleetView f = c.fleet(u->fleet);
  if (key_is(k, n, "target")) lua_pushinteger(L, f.target);
  else if (key_is(k, n, "running")) lua_pushinteger(L, f.running);
  else if (key_is(k, n, "booting")) lua_pushinteger(L, f.booting);
  else if (key_is(k, n, "noticed")) lua_pushinteger(L, f.noticed);
  else if (key_is(k, n, "stopped")) lua_pushinteger(L, f.stopped);
  else if (key_is(k, n, "waiting")) lua_pushinteger(L, f.waiting);
  else if (key_is(k, n, "spot")) lua_pushinteger(L, f.spot_active);
  else if (key_is(k, n, "on_demand")) lua_pushinteger(L, f.on_demand_active);
  else if (key_is(k, n, "fallback")) lua_pushinteger(L, f.fallback_active);
  else if (key_is(k, n, "size")) lua_pushinteger(L, f.spot_active + f.on_demand_active);
  else if (key_is(k, n, "load")) lua_pushnumber(L, f.load);
  else return unknown_field(L, "fleet", k, kFleetFields);
  return 1;
}

const char* const kRequestFields[] = {"fleet", "purchase", "reason", "attempt", "lost_at", "waiting_since"};

int request_fields(lua_State* L, const LaunchRequest& r, const char* k, size_t n) {
  if (key_is(k, n, "fleet")) push_str(L, pol(L).scenario().fleets[r.fleet].name);
  else if (key_is(k, n, "purchase")) lua_pushstring(L, purchase_name(r.purchase));
  else if (key_is(k, n, "reason")) lua_pushstring(L, launch_reason_name(r.reason));
  else if (key_is(k, n, "attempt")) lua_pushinteger(L, r.attempt);
  else if (key_is(k, n, "lost_at")) push_seconds_or_nil(L, r.lost_at_us);
  else if (key_is(k, n, "waiting_since")) push_seconds_or_nil(L, r.first_failed_us);
  else return 0;
  return 1;
}

int request_index(lua_State* L) {
  const auto* u = static_cast<const RequestUd*>(check_ud(L, 1, kRequestMt));
  size_t n = 0;
  const char* k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &n) : "?";
  if (request_fields(L, u->request, k, n)) return 1;
  return unknown_field(L, "request", k, kRequestFields);
}

const char* const kErrorFields[] = {"pool",   "cause",   "request", "fleet",         "purchase",
                                    "reason", "attempt", "lost_at", "waiting_since", "waited"};

int error_index(lua_State* L) {
  const auto* u = static_cast<const ErrorUd*>(check_ud(L, 1, kErrorMt));
  size_t n = 0;
  const char* k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &n) : "?";
  const CapacityError& e = u->error;
  if (key_is(k, n, "pool")) {
    if (e.pool < 0) lua_pushnil(L);
    else push_pool(L, static_cast<uint32_t>(e.pool));
  } else if (key_is(k, n, "cause")) {
    lua_pushstring(L, reject_cause_name(e.cause));
  } else if (key_is(k, n, "request")) {
    push_request(L, e.request);
  } else if (key_is(k, n, "waited")) {
    const PolicyContext& c = need_ctx(L, "error.waited");
    const int64_t since = e.request.first_failed_us >= 0 ? e.request.first_failed_us : c.now().us;
    lua_pushnumber(L, static_cast<lua_Number>(c.now().us - since) * 1e-6);
  } else if (!request_fields(L, e.request, k, n)) {
    return unknown_field(L, "error", k, kErrorFields);
  }
  return 1;
}

const char* job_kind_name(JobEventKind k) {
  switch (k) {
    case JobEventKind::kQueued: return "queued";
    case JobEventKind::kStarted: return "started";
    case JobEventKind::kCheckpointed: return "checkpointed";
    case JobEventKind::kFinished: return "finished";
    case JobEventKind::kLost: return "lost";
    case JobEventKind::kLoad: return "load";
  }
  return "?";
}

const char* const kJobFields[] = {"kind", "id", "vm", "value", "workload", "metric"};

int job_index(lua_State* L) {
  const auto* u = static_cast<const JobUd*>(check_ud(L, 1, kJobMt));
  size_t n = 0;
  const char* k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &n) : "?";
  const JobEvent& j = u->event;
  if (key_is(k, n, "kind")) lua_pushstring(L, job_kind_name(j.kind));
  else if (key_is(k, n, "id")) lua_pushinteger(L, static_cast<lua_Integer>(j.job));
  else if (key_is(k, n, "value")) lua_pushnumber(L, j.value);
  else if (key_is(k, n, "workload")) {
    const auto& wl = pol(L).scenario().workloads;
    if (j.workload < wl.size()) lua_pushstring(L, wl[j.workload].name.c_str());
    else lua_pushnil(L);
  } else if (key_is(k, n, "metric")) {
    if (j.kind == JobEventKind::kLoad) lua_pushstring(L, load_metric_name(j.metric));
    else lua_pushnil(L);
  } else if (key_is(k, n, "vm")) {
    const PolicyContext& c = need_ctx(L, "job.vm");
    if (j.vm.valid() && c.vm_alive(j.vm)) push_vm(L, c.vm(j.vm), -1);
    else lua_pushnil(L);
  } else return unknown_field(L, "job", k, kJobFields);
  return 1;
}

int read_only(lua_State* L) {
  const char* name = luaL_typename(L, 1);
  if (luaL_getmetafield(L, 1, "__name") == LUA_TSTRING) name = lua_tostring(L, -1);
  if (std::strncmp(name, "spotsim.", 8) == 0) name += 8;
  return luaL_error(L, "%s is a read-only view: hooks change the world only by returning commands", name);
}

// --- ctx ----------------------------------------------------------------------------------------

int ctx_pool_fn(lua_State* L) {
  const int arg = test_ud(L, 1, kCtxMt) ? 2 : 1;  // ctx.pool(name) or ctx:pool(name)
  if (test_ud(L, arg, kPoolMt)) {
    lua_pushvalue(L, arg);
    return 1;
  }
  const char* name = luaL_checkstring(L, arg);
  const CompiledScenario& sc = pol(L).scenario();
  const int i = sc.pool_index(name);
  if (i < 0) lua_pushnil(L);
  else push_pool(L, static_cast<uint32_t>(i));
  return 1;
}

int ctx_vms_fn(lua_State* L) {
  LuaFleetPolicy::CallState& s = cs(L);
  const PolicyContext& c = need_ctx(L, "ctx.vms()");
  s.policy->scratch_ids() = c.fleet_vms();  // lives in the policy: nothing to unwind here
  const std::vector<VmId>& ids = s.policy->scratch_ids();
  lua_createtable(L, static_cast<int>(ids.size()), 0);
  for (size_t i = 0; i < ids.size(); ++i) {
    push_vm(L, c.vm(ids[i]), -1);
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  return 1;
}

int pools_len(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(need_ctx(L, "ctx.pools").fleet_pools().size()));
  return 1;
}

int pools_next(lua_State* L) {
  const lua_Integer i = luaL_checkinteger(L, 2) + 1;
  if (lua_geti(L, 1, i) == LUA_TNIL) return 0;
  lua_pushinteger(L, i);
  lua_insert(L, -2);
  return 2;
}

int pools_pairs(lua_State* L) {
  lua_pushcfunction(L, pools_next);
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  return 3;
}

// ctx.pools: a read-only userdata over a hidden table {pool views in the fleet's order, and by
// name}; made once per state.
void push_pools(lua_State* L) {
  LuaFleetPolicy::CallState& s = cs(L);
  if (s.pools_ref != LUA_NOREF && s.pools_ref != -1) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, s.pools_ref);
    return;
  }
  const PolicyContext& c = need_ctx(L, "ctx.pools");
  lua_newuserdatauv(L, 1, 0);  // the proxy
  lua_createtable(L, 0, 6);    // its metatable
  lua_createtable(L, static_cast<int>(c.fleet_pools().size()), static_cast<int>(c.fleet_pools().size()));  // hidden
  lua_Integer i = 0;
  for (const FleetPoolEntry& e : c.fleet_pools()) {
    push_pool(L, e.pool);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, ++i);
    lua_setfield(L, -2, pol(L).scenario().pools[e.pool].name.c_str());
  }
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, read_only);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, pools_len);
  lua_setfield(L, -2, "__len");
  lua_pushcfunction(L, pools_pairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushliteral(L, "ctx.pools");
  lua_setfield(L, -2, "__name");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  s.pools_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

const char* const kCtxFields[] = {"now",
                                  "seed",
                                  "replication",
                                  "hook",
                                  "fleet",
                                  "fleets",
                                  "pools",
                                  "pool",
                                  "vms",
                                  "fallback_cost_per_hour",
                                  "returning_to_spot"};

int ctx_index(lua_State* L) {
  size_t n = 0;
  const char* k = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &n) : "?";
  LuaFleetPolicy::CallState& s = cs(L);
  if (key_is(k, n, "pool")) {
    lua_pushcfunction(L, ctx_pool_fn);
    return 1;
  }
  if (key_is(k, n, "vms")) {
    lua_pushcfunction(L, ctx_vms_fn);
    return 1;
  }
  if (key_is(k, n, "hook")) {
    if (s.hook == LuaHook::kNone) lua_pushnil(L);
    else lua_pushstring(L, kLuaHookNames[static_cast<size_t>(s.hook)]);
    return 1;
  }
  const PolicyContext& c = need_ctx(L, "ctx");
  if (key_is(k, n, "now")) lua_pushnumber(L, c.now().to_seconds());
  else if (key_is(k, n, "seed")) lua_pushinteger(L, static_cast<lua_Integer>(c.seed()));
  else if (key_is(k, n, "replication")) lua_pushinteger(L, static_cast<lua_Integer>(c.replication()));
  else if (key_is(k, n, "fleet")) push_fleet(L, c.fleet_index());
  else if (key_is(k, n, "fleets")) {
    const CompiledScenario& sc = pol(L).scenario();
    lua_createtable(L, 0, static_cast<int>(sc.fleets.size()));
    for (uint32_t i = 0; i < sc.fleets.size(); ++i) {
      push_fleet(L, i);
      lua_setfield(L, -2, sc.fleets[i].name.c_str());
    }
  } else if (key_is(k, n, "pools")) push_pools(L);
  else if (key_is(k, n, "fallback_cost_per_hour")) lua_pushnumber(L, c.fallback_cost_per_hour());
  else if (key_is(k, n, "returning_to_spot")) lua_pushinteger(L, c.returning_to_spot());
  else return unknown_field(L, "ctx", k, kCtxFields);
  return 1;
}

// --- commands -------------------------------------------------------------------------------------

const char* const kLaunchFields[] = {"count", "pool", "purchase", "after", "replaces"};
const char* const kFallbackFields[] = {"count", "pool", "after"};
const char* const kDrainFields[] = {"vm", "after"};
const char* const kCheckpointFields[] = {"job", "after"};
const char* const kScaleFields[] = {"target", "after"};
const char* const kRetryFields[] = {"after"};

const char* cmd_name(CommandKind k) { return command_kind_name(k); }

int64_t field_whole(lua_State* L, CommandKind kind, const char* field, int64_t min) {
  int isnum = 0;
  const lua_Integer v = lua_tointegerx(L, -1, &isnum);
  if (!isnum || v < min) {
    return luaL_error(L, "%s{}: %s must be a whole number of at least %d, found %s", cmd_name(kind), field,
                      static_cast<int>(min), luaL_tolstring(L, -1, nullptr));
  }
  return v;
}

int32_t field_pool(lua_State* L, CommandKind kind) {
  LuaFleetPolicy& p = pol(L);
  const CompiledScenario& sc = p.scenario();
  const FleetSpec& fs = sc.fleets[p.fleet()];
  int idx = -1;
  if (const auto* u = static_cast<const PoolUd*>(test_ud(L, -1, kPoolMt))) {
    idx = static_cast<int>(u->pool);
  } else if (lua_type(L, -1) == LUA_TSTRING) {
    idx = sc.pool_index(lua_tostring(L, -1));
  } else {
    return luaL_error(L, "%s{}: pool must be a pool name or a pool view, found %s", cmd_name(kind),
                      luaL_typename(L, -1));
  }
  bool in_fleet = false;
  for (uint32_t fp : fs.pools) in_fleet = in_fleet || static_cast<int>(fp) == idx;
  if (!in_fleet) {
    const char* name =
        lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : sc.pools[static_cast<size_t>(idx)].name.c_str();
    char hint[96];
    hint[0] = 0;
    char list[512];
    list[0] = 0;
    size_t used = 0;
    {
      std::vector<std::string> names;
      for (uint32_t fp : fs.pools) names.push_back(sc.pools[fp].name);
      const std::string best = closest_name(name, names);
      if (!best.empty()) std::snprintf(hint, sizeof hint, " (did you mean '%s'?)", best.c_str());
      for (size_t i = 0; i < names.size() && used + 2 < sizeof list; ++i) {
        used += static_cast<size_t>(
            std::snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i].c_str()));
      }
    }
    return luaL_error(L, "%s{}: fleet %s has no pool '%s'%s; its pools: %s", cmd_name(kind), fs.name.c_str(), name,
                      hint, list);
  }
  return idx;
}

struct FieldList {
  const char* const* names;
  size_t count;
};

FieldList fields_of(CommandKind kind) {
  switch (kind) {
    case CommandKind::kLaunch: return {kLaunchFields, std::size(kLaunchFields)};
    case CommandKind::kFallback: return {kFallbackFields, std::size(kFallbackFields)};
    case CommandKind::kDrain: return {kDrainFields, std::size(kDrainFields)};
    case CommandKind::kCheckpoint: return {kCheckpointFields, std::size(kCheckpointFields)};
    case CommandKind::kScale: return {kScaleFields, std::size(kScaleFields)};
    case CommandKind::kRetry: return {kRetryFields, std::size(kRetryFields)};
  }
  return {kRetryFields, 0};
}

// Reads and checks the fields of the command table at absolute index t into c; raises on a bad
// field. Used when the command is built (errors point at that line) and again when the hook's
// results are decoded (a command table is a plain table the policy could still change).
void parse_command(lua_State* L, int t, CommandKind kind, LuaCmd& c) {
  const FieldList fl = fields_of(kind);
  c = LuaCmd{};
  c.kind = kind;
  c.count = 1;
  c.pool = -1;
  c.purchase = -1;
  c.delay_us = 0;
  bool seen_required = false;
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    // key at -2, value at -1
    if (lua_type(L, -2) != LUA_TSTRING) {
      luaL_error(L, "%s{}: fields are named (e.g. %s{%s = ...}); found a %s key", cmd_name(kind), cmd_name(kind),
                 fl.names[0], luaL_typename(L, -2));
    }
    size_t n = 0;
    const char* k = lua_tolstring(L, -2, &n);
    bool known = false;
    for (size_t i = 0; i < fl.count; ++i) known = known || key_is(k, n, fl.names[i]);
    if (!known) {
      char hint[96];
      suggest(k, fl.names, fl.count, hint, sizeof hint);
      char list[256];
      size_t used = 0;
      list[0] = 0;
      for (size_t i = 0; i < fl.count; ++i) {
        used += static_cast<size_t>(std::snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", fl.names[i]));
      }
      luaL_error(L, "%s{}: unknown field '%s'%s; its fields: %s", cmd_name(kind), k, hint, list);
    }
    if (key_is(k, n, "count")) {
      c.count = field_whole(L, kind, "count", 1);
    } else if (key_is(k, n, "target")) {
      c.count = field_whole(L, kind, "target", 0);
      seen_required = true;
    } else if (key_is(k, n, "pool")) {
      c.pool = field_pool(L, kind);
    } else if (key_is(k, n, "purchase")) {
      const char* s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
      if (std::strcmp(s, "spot") == 0) c.purchase = static_cast<int8_t>(Purchase::kSpot);
      else if (std::strcmp(s, "on_demand") == 0) c.purchase = static_cast<int8_t>(Purchase::kOnDemand);
      else
        luaL_error(L, "%s{}: purchase must be \"spot\" or \"on_demand\", found %s", cmd_name(kind),
                   luaL_tolstring(L, -1, nullptr));
    } else if (key_is(k, n, "after")) {
      int isnum = 0;
      const lua_Number s = lua_tonumberx(L, -1, &isnum);
      if (!isnum || !(s >= 0) || s > 1e12) {
        luaL_error(L, "%s{}: after must be a number of seconds >= 0, found %s", cmd_name(kind),
                   luaL_tolstring(L, -1, nullptr));
      }
      c.delay_us = static_cast<int64_t>(std::llround(s * 1e6));
      c.has_delay = true;
    } else if (key_is(k, n, "vm") || key_is(k, n, "replaces")) {
      const auto* u = static_cast<const VmUd*>(test_ud(L, -1, kVmMt));
      if (!u) {
        luaL_error(L, "%s{}: %s must be a vm view (a hook's vm argument or an element of ctx.vms()), found %s",
                   cmd_name(kind), k, luaL_typename(L, -1));
      }
      if (u->view.fleet != pol(L).fleet()) {
        luaL_error(L, "%s{}: vm %d belongs to fleet %s; a policy only manages its own fleet", cmd_name(kind),
                   static_cast<int>(u->view.id.serial), pol(L).scenario().fleets[u->view.fleet].name.c_str());
      }
      if (k[0] == 'v') {
        c.vm = u->view.id;
        c.has_vm = true;
        seen_required = true;
      } else {
        c.replaces = u->view.id;
        c.has_replaces = true;
      }
    } else if (key_is(k, n, "job")) {
      if (const auto* j = static_cast<const JobUd*>(test_ud(L, -1, kJobMt))) {
        c.job = j->event.job;
      } else {
        int isnum = 0;
        const lua_Integer id = lua_tointegerx(L, -1, &isnum);
        if (!isnum || id < 0) {
          luaL_error(L, "%s{}: job must be a job id or the job argument of on_job_event, found %s", cmd_name(kind),
                     luaL_tolstring(L, -1, nullptr));
        }
        c.job = static_cast<uint64_t>(id);
      }
      seen_required = true;
    }
    lua_pop(L, 1);
  }
  const char* required = kind == CommandKind::kDrain        ? "vm"
                         : kind == CommandKind::kCheckpoint ? "job"
                         : kind == CommandKind::kScale      ? "target"
                                                            : nullptr;
  if (required && !seen_required) luaL_error(L, "%s{}: missing field '%s'", cmd_name(kind), required);
  if (kind == CommandKind::kRetry && cs(L).hook != LuaHook::kOnCapacityError) {
    luaL_error(L, "retry{}: only on_capacity_error can return retry{} (it re-submits the refused launch)");
  }
}

// The command kind of the table at idx (tagged by a constructor), or -1.
int command_kind(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx)) return -1;
  const void* mt = lua_topointer(L, -1);
  lua_pop(L, 1);
  const LuaFleetPolicy::CallState& s = cs(L);
  for (int k = 0; k < kCommandKinds; ++k) {
    if (s.cmd_mt_ptrs[k] == mt) return k;
  }
  return -1;
}

// launch{...} and friends: check the fields, tag the table as a command, return it. No new
// object is made: the command is the table the policy wrote (one allocation per command).
int make_command(lua_State* L, CommandKind kind) {
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_createtable(L, 0, 0);
  } else if (lua_type(L, 1) != LUA_TTABLE) {
    return luaL_error(L, "%s{}: expected a table of fields, e.g. %s{%s = ...}, found %s", cmd_name(kind),
                      cmd_name(kind), fields_of(kind).names[0], luaL_typename(L, 1));
  }
  lua_settop(L, 1);
  const int already = command_kind(L, 1);
  if (already >= 0) {
    return luaL_error(L, "%s{}: this table is already a %s{} command; build each command from its own table",
                      cmd_name(kind), cmd_name(static_cast<CommandKind>(already)));
  }
  if (lua_getmetatable(L, 1)) {
    return luaL_error(L, "%s{}: expected a plain table of fields (this one has a metatable)", cmd_name(kind));
  }
  LuaCmd c;
  parse_command(L, 1, kind, c);
  lua_rawgeti(L, LUA_REGISTRYINDEX, cs(L).cmd_mt_refs[static_cast<int>(kind)]);
  lua_setmetatable(L, 1);
  cs(L).built.emplace_back(lua_topointer(L, 1), c);  // (CallState owns the vector: no unwinding here)
  return 1;
}

int cmd_launch(lua_State* L) { return make_command(L, CommandKind::kLaunch); }
int cmd_fallback(lua_State* L) { return make_command(L, CommandKind::kFallback); }
int cmd_drain(lua_State* L) { return make_command(L, CommandKind::kDrain); }
int cmd_checkpoint(lua_State* L) { return make_command(L, CommandKind::kCheckpoint); }
int cmd_scale(lua_State* L) { return make_command(L, CommandKind::kScale); }
int cmd_retry(lua_State* L) { return make_command(L, CommandKind::kRetry); }

int command_tostring(lua_State* L) {
  const int kind = command_kind(L, 1);
  lua_pushfstring(L, "%s{...}", kind >= 0 ? cmd_name(static_cast<CommandKind>(kind)) : "?");
  return 1;
}

// Turns a Lua command into the World's Command, with what the hook is about.
Command to_command(const LuaCmd& c, const LuaFleetPolicy::CallState& s) {
  const uint32_t fleet = s.policy->fleet();
  const PolicyContext& ctx = *s.ctx;
  Command out;
  const Purchase purchase = c.purchase < 0 ? Purchase::kSpot : static_cast<Purchase>(c.purchase);
  LaunchRequest base;  // the request a launch or fallback continues
  base.fleet = fleet;
  base.purchase = purchase;
  base.reason = LaunchReason::kScaleOut;
  switch (s.hook) {
    case LuaHook::kOnNotice:
      base.reason = LaunchReason::kReplacement;
      base.lost_at_us = s.evict_at_us;
      break;
    case LuaHook::kOnEviction:
      base.reason = LaunchReason::kReplacement;
      base.lost_at_us = ctx.now().us;
      break;
    case LuaHook::kOnCapacityError: base = s.error->request; break;
    case LuaHook::kOnRebalance:
      base.reason = LaunchReason::kRebalance;
      base.replaces = s.vm.id;
      break;
    default: break;
  }
  switch (c.kind) {
    case CommandKind::kLaunch:
      out = Command::launch(fleet, c.count, purchase, base.reason, base.lost_at_us, c.pool);
      out.request = base;
      out.request.purchase = purchase;
      if (c.has_replaces) {
        out.request.replaces = c.replaces;
        out.request.reason = LaunchReason::kRebalance;
      }
      break;
    case CommandKind::kFallback:
      out = Command::fallback(fleet, c.count, base);
      out.pool = c.pool;
      break;
    case CommandKind::kDrain: out = Command::drain(fleet, c.vm); break;
    case CommandKind::kCheckpoint: out = Command::checkpoint(fleet, c.job); break;
    case CommandKind::kScale: out = Command::scale(fleet, c.count); break;
    case CommandKind::kRetry:
      out = Command::retry(s.error->request,
                           c.has_delay ? Duration{c.delay_us} : s.policy->scenario().fleets[fleet].retry_interval);
      return out;
  }
  out.delay = Duration{c.delay_us};
  return out;
}

// Raises "<file>:<line where the hook is defined>: <hook> returned ...".
int bad_return(lua_State* L, const char* what, int idx) {
  LuaFleetPolicy::CallState& s = cs(L);
  const char* tname = luaL_typename(L, idx);
  lua_Debug ar;
  lua_rawgeti(L, LUA_REGISTRYINDEX, s.hook_ref);
  lua_getinfo(L, ">S", &ar);
  return luaL_error(L, "%s:%d: %s returned %s %s; %s", ar.short_src, ar.linedefined,
                    kLuaHookNames[static_cast<size_t>(s.hook)], tname[0] == 'u' ? "a" : "a", tname, what);
}

// Decodes the command table at idx into s.out; false if it is not a command.
bool decode_command(lua_State* L, int idx, LuaFleetPolicy::CallState& s) {
  const int kind = command_kind(L, idx);
  if (kind < 0) return false;
  const void* p = lua_topointer(L, idx);
  for (auto it = s.built.rbegin(); it != s.built.rend(); ++it) {  // built during this call: parsed
    if (it->first == p) {
      s.out->push_back(to_command(it->second, s));
      return true;
    }
  }
  LuaCmd c;  // built in an earlier call (a command kept in a variable): read it again
  parse_command(L, idx, static_cast<CommandKind>(kind), c);
  s.out->push_back(to_command(c, s));
  return true;
}

void decode_one(lua_State* L, int idx, LuaFleetPolicy::CallState& s) {
  if (!decode_command(L, idx, s)) {
    bad_return(L, "return commands such as launch{count = 1}, a list of them, or nothing", idx);
  }
}

void decode_results(lua_State* L, int first, int last, LuaFleetPolicy::CallState& s) {
  for (int i = first; i <= last; ++i) {
    const int t = lua_type(L, i);
    if (t == LUA_TNIL) continue;
    if (t == LUA_TTABLE) {
      if (decode_command(L, i, s)) continue;
      const lua_Unsigned n = lua_rawlen(L, i);
      for (lua_Unsigned j = 1; j <= n; ++j) {
        lua_rawgeti(L, i, static_cast<lua_Integer>(j));
        if (!lua_isnil(L, -1)) decode_one(L, lua_gettop(L), s);
        lua_pop(L, 1);
      }
      continue;
    }
    decode_one(L, i, s);
  }
}

void decode_choice(lua_State* L, int first, int last, LuaFleetPolicy::CallState& s) {
  s.choice = PoolChoice::none();
  if (last < first || lua_isnil(L, first)) return;
  const CompiledScenario& sc = pol(L).scenario();
  int idx = -1;
  if (const auto* u = static_cast<const PoolUd*>(test_ud(L, first, kPoolMt))) {
    idx = static_cast<int>(u->pool);
  } else if (lua_type(L, first) == LUA_TSTRING) {
    idx = sc.pool_index(lua_tostring(L, first));
    if (idx < 0) {
      lua_Debug ar;
      lua_rawgeti(L, LUA_REGISTRYINDEX, s.hook_ref);
      lua_getinfo(L, ">S", &ar);
      luaL_error(L, "%s:%d: choose_pool returned \"%s\", which is not a pool of this scenario", ar.short_src,
                 ar.linedefined, lua_tostring(L, first));
    }
  } else {
    bad_return(L, "return a pool name or pool view (and optionally \"spot\" or \"on_demand\"), or nil", first);
  }
  Purchase purchase = s.request->purchase;
  if (last > first && !lua_isnil(L, first + 1)) {
    const char* p = lua_type(L, first + 1) == LUA_TSTRING ? lua_tostring(L, first + 1) : "";
    if (std::strcmp(p, "spot") == 0) purchase = Purchase::kSpot;
    else if (std::strcmp(p, "on_demand") == 0) purchase = Purchase::kOnDemand;
    else bad_return(L, "the second value must be \"spot\" or \"on_demand\"", first + 1);
  }
  s.choice = PoolChoice{idx, purchase};
}

void new_view_mt(lua_State* L, const char* name, lua_CFunction index, lua_CFunction tostring) {
  luaL_newmetatable(L, name);
  lua_pushcfunction(L, index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, read_only);
  lua_setfield(L, -2, "__newindex");
  if (tostring) {
    lua_pushcfunction(L, tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
}

}  // namespace

int lua_install_bridge(lua_State* L) {
  auto* p = static_cast<LuaFleetPolicy*>(lua_touserdata(L, 1));
  LuaFleetPolicy::CallState& s = p->call();
  new_view_mt(L, kVmMt, vm_index, vm_tostring);
  new_view_mt(L, kPoolMt, pool_index, pool_tostring);
  luaL_getmetatable(L, kPoolMt);
  lua_pushcfunction(L, pool_eq);
  lua_setfield(L, -2, "__eq");
  lua_pop(L, 1);
  new_view_mt(L, kFleetMt, fleet_index, nullptr);
  new_view_mt(L, kRequestMt, request_index, nullptr);
  new_view_mt(L, kErrorMt, error_index, nullptr);
  new_view_mt(L, kJobMt, job_index, nullptr);
  new_view_mt(L, kCommandMt, read_only, nullptr);  // (unused name slot; commands are tagged tables)
  // One metatable per command kind: [1] = kind, __index = {kind = "launch"}, protected.
  for (int k = 0; k < kCommandKinds; ++k) {
    lua_createtable(L, 1, 4);
    lua_pushinteger(L, k);
    lua_rawseti(L, -2, 1);
    lua_createtable(L, 0, 1);
    lua_pushstring(L, command_kind_name(static_cast<CommandKind>(k)));
    lua_setfield(L, -2, "kind");
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, command_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "command");
    lua_setfield(L, -2, "__name");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    s.cmd_mt_ptrs[k] = lua_topointer(L, -1);
    s.cmd_mt_refs[k] = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  new_view_mt(L, kCtxMt, ctx_index, nullptr);
  for (int i = 0; i < kLuaViewMtCount; ++i) {
    luaL_getmetatable(L, kMtNames[i]);
    s.mt_ptrs[i] = lua_topointer(L, -1);
    s.mt_refs[i] = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_newuserdatauv(L, 1, 0);
  set_mt(L, kCtxMt);
  s.ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  s.pools_ref = -1;

  const luaL_Reg commands[] = {
      {"launch", cmd_launch}, {"fallback", cmd_fallback}, {"drain", cmd_drain}, {"checkpoint", cmd_checkpoint},
      {"scale", cmd_scale},   {"retry", cmd_retry},       {nullptr, nullptr}};
  lua_pushglobaltable(L);
  luaL_setfuncs(L, commands, 0);
  lua_pop(L, 1);
  return 0;
}

int lua_run_hook(lua_State* L) {
  auto* p = static_cast<LuaFleetPolicy*>(lua_touserdata(L, 1));
  LuaFleetPolicy::CallState& s = p->call();
  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, s.hook_ref);
  int nargs = 0;
  switch (s.hook) {
    case LuaHook::kChoosePool:
      push_request(L, *s.request);
      nargs = 1;
      break;
    case LuaHook::kOnNotice:
    case LuaHook::kOnEviction:
    case LuaHook::kOnRunning:
    case LuaHook::kOnRebalance:
      push_vm(L, s.vm, s.evict_at_us);
      nargs = 1;
      break;
    case LuaHook::kOnCapacityError:
      static_cast<ErrorUd*>(lua_newuserdatauv(L, sizeof(ErrorUd), 0))->error = *s.error;
      set_mt(L, kErrorMt);
      nargs = 1;
      break;
    case LuaHook::kOnJobEvent:
      static_cast<JobUd*>(lua_newuserdatauv(L, sizeof(JobUd), 0))->event = *s.job;
      set_mt(L, kJobMt);
      nargs = 1;
      break;
    case LuaHook::kOnTick:
    case LuaHook::kNone: break;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, s.ctx_ref);
  ++nargs;
  lua_call(L, nargs, LUA_MULTRET);
  const int last = lua_gettop(L);
  if (s.hook == LuaHook::kChoosePool) {
    decode_choice(L, 1, last, s);
  } else {
    decode_results(L, 1, last, s);
  }
  return 0;
}

}  // namespace spotsim

#pragma once
// The Lua side of LuaFleetPolicy: read-only views (vm, pool, fleet, request, error, job, ctx),
// the command constructors (launch{...}, ...) and the hook trampoline. Reference for every field
// and command: docs/policies.md.
//
// Every function here that Lua can raise through follows the sandbox rule: it owns no C++
// object with a destructor across a Lua API call that can raise (liblua5.4 is the C build).
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/model/fleet_policy.h"
#include "sim/policy/lua_policy.h"

struct lua_State;

namespace spotsim {

// A command as written in Lua, before the hook's context (fleet, reason, request) is added.
struct LuaCmd {
  CommandKind kind;
  int64_t count;
  int32_t pool;     // -1: let choose_pool decide
  int8_t purchase;  // -1: default
  bool has_vm;
  bool has_replaces;
  bool has_delay;
  VmId vm;
  VmId replaces;
  uint64_t job;
  int64_t delay_us;
};

// How many view metatables there are (vm, pool, fleet, request, error, job, command, ctx: the
// order of kMtNames in lua_views.cpp).
inline constexpr int kLuaViewMtCount = 8;

// What the running hook is about. Owned by LuaFleetPolicy; filled before each hook call.
struct LuaFleetPolicy::CallState {
  LuaFleetPolicy* policy = nullptr;
  const PolicyContext* ctx = nullptr;  // valid only during a hook call
  LuaHook hook = LuaHook::kNone;
  // Arguments (which ones are set depends on the hook).
  VmView vm;
  int64_t evict_at_us = -1;                // on_notice
  const LaunchRequest* request = nullptr;  // choose_pool, on_capacity_error
  const CapacityError* error = nullptr;    // on_capacity_error
  const JobEvent* job = nullptr;           // on_job_event
  // Results.
  Commands* out = nullptr;
  PoolChoice choice;
  // Registry references made by lua_install_bridge.
  int ctx_ref = -1;
  int pools_ref = -1;  // the read-only ctx.pools, made on first use
  int hook_ref = -1;   // the function being called
  // Every slot is set by lua_install_bridge (the LuaFleetPolicy constructor runs it).
  int mt_refs[kLuaViewMtCount] = {};          // metatables by view kind (faster than by name)
  int cmd_mt_refs[kCommandKindCount] = {};    // command metatables by CommandKind
  const void* mt_ptrs[kLuaViewMtCount] = {};  // the same metatables' addresses (Lua's GC does not move)
  const void* cmd_mt_ptrs[kCommandKindCount] = {};
  // Commands built during the current hook call (table address → parsed fields), so that
  // decoding what the hook returns does not parse them again.
  std::vector<std::pair<const void*, LuaCmd>> built;
};

// lua_CFunction run under LuaSandbox::protected_call with the LuaFleetPolicy* as argument:
// creates the metatables, the ctx object and the command constructors.
int lua_install_bridge(lua_State* L);
// lua_CFunction run under LuaSandbox::protected_call with the LuaFleetPolicy* as argument:
// calls call().hook_ref with the hook's arguments and decodes what it returns into call().out
// (or call().choice for choose_pool).
int lua_run_hook(lua_State* L);

}  // namespace spotsim

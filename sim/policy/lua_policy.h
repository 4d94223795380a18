#pragma once
// LuaFleetPolicy: a FleetPolicy whose hooks are functions of a user's Lua file
// (`policies: {fleet.web: policies/x.lua}` in a scenario). Reference: docs/policies.md.
//
//  - One sandboxed Lua state per policy per replication (LuaSandbox); no state is shared between
//    replications or threads. math.random draws from Rng::stream(seed, replication,
//    "policy.<fleet>").
//  - Hooks the file defines (global functions on_notice, on_eviction, on_capacity_error,
//    on_tick, choose_pool, on_job_event, on_running, on_rebalance) replace the built-in ones;
//    the others stay built-in (World runs them).
//  - Hooks get read-only views (vm, request, error, job, ctx) and return commands built with
//    launch{...}, fallback{...}, drain{...}, checkpoint{...}, scale{...}, retry{...}; World
//    applies them through the engine queue.
//  - A hook that fails (Lua error, instruction budget, memory cap, a bad return value) throws
//    PolicyFailure out of the C++ hook — never through Lua frames. The runner stops the run and
//    reports "<file>:<line>: <message>" plus the hook, fleet, simulated time and replication
//    (exit 2).
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "sim/model/fleet_policy.h"
#include "sim/policy/lua_sandbox.h"
#include "sim/policy/policy_error.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

class BuiltinFleetPolicy;

// The Lua hooks, in the order of kLuaHookNames.
enum class LuaHook : uint8_t {
  kChoosePool = 0,
  kOnNotice,
  kOnEviction,
  kOnCapacityError,
  kOnTick,
  kOnJobEvent,
  kOnRunning,
  kOnRebalance,
  kNone,  // top-level chunk (no hook running)
};
inline constexpr int kLuaHookCount = 8;
extern const std::array<const char*, kLuaHookCount> kLuaHookNames;

class LuaFleetPolicy final : public FleetPolicy {
 public:
  // Loads spec.source into a fresh sandbox and runs its top level. Errors as check_policy.
  static Result<std::unique_ptr<LuaFleetPolicy>> create(const CompiledScenario& scenario, const PolicySpec& spec,
                                                        uint64_t replication);
  ~LuaFleetPolicy() override;

  std::string name() const override { return "lua:" + spec_.path; }
  uint32_t hooks() const override { return hooks_; }
  Duration tick_interval() const override { return spec_.tick; }

  PoolChoice choose_pool(const LaunchRequest& request, const PolicyContext& ctx) override;
  void on_running(VmId vm, const PolicyContext& ctx, Commands& out) override;
  void on_rebalance(VmId vm, const PolicyContext& ctx, Commands& out) override;
  void on_notice(VmId vm, SimTime evict_at, const PolicyContext& ctx, Commands& out) override;
  void on_eviction(const VmView& view, const PolicyContext& ctx, Commands& out) override;
  void on_capacity_error(const CapacityError& error, const PolicyContext& ctx, Commands& out) override;
  void on_tick(const PolicyContext& ctx, Commands& out) override;
  void on_job_event(const JobEvent& event, const PolicyContext& ctx, Commands& out) override;

  // Whether the file defines `hook` (a global function of that name).
  bool defines(LuaHook hook) const { return refs_[static_cast<size_t>(hook)] != kNoRef; }

  // --- for the Lua C functions of sim/policy (lua_views.cpp) ---------------------------------
  struct CallState;  // what the running hook is about (defined in lua_views.h)
  CallState& call() { return *call_; }
  const CompiledScenario& scenario() const { return sc_; }
  const PolicySpec& spec() const { return spec_; }
  uint32_t fleet() const { return spec_.fleet; }
  // This fleet's evictions in `pool`, exponentially weighted with a one-hour time constant.
  double recent_evictions(uint32_t pool, SimTime now) const;
  LuaSandbox& sandbox() { return *sb_; }
  std::vector<VmId>& scratch_ids() { return scratch_ids_; }
  static constexpr int kNoRef = -2;

 private:
  LuaFleetPolicy(const CompiledScenario& scenario, const PolicySpec& spec, uint64_t replication);
  Status init();
  // Runs hook `h` with the call state prepared by the caller; throws PolicyFailure on error.
  void invoke(LuaHook h, const PolicyContext& ctx, Commands* out);
  [[noreturn]] void fail(LuaHook h, const PolicyContext& ctx, const Status& st);

  const CompiledScenario& sc_;
  PolicySpec spec_;
  uint64_t replication_;
  std::unique_ptr<LuaSandbox> sb_;
  std::unique_ptr<CallState> call_;
  std::unique_ptr<BuiltinFleetPolicy> builtin_;  // for on_eviction when the file does not define it
  std::array<int, kLuaHookCount> refs_;
  uint32_t hooks_ = 0;
  std::vector<double> evict_ewma_;    // per scenario pool: decayed eviction count
  std::vector<int64_t> evict_at_us_;  // per scenario pool: time of the last update
  std::vector<VmId> scratch_ids_;     // ctx.vms() works here, never on a C stack Lua can jump over
};

// Loads the policy in a sandbox exactly as a run would (replication 0), runs its top level, and
// checks the hook names: a global function that is not a hook but looks like one (on_notce,
// choose_pools, ...) is an error with a did-you-mean, as is a hook that is not a function and
// a file that defines no hook at all. Messages start with "<file>:<line>: ".
Status check_policy(const CompiledScenario& scenario, const PolicySpec& spec);
// All policies of the scenario; messages joined one per line.
Status check_policies(const CompiledScenario& scenario);

// The factory World uses to create the policy of each fleet in each replication: a
// LuaFleetPolicy for fleets named in `policies:`, nullptr (built-in) for the others. Returns an
// empty function when the scenario has no policies. A policy that fails to load throws
// PolicyFailure. REQUIRES: scenario outlives every World that uses the factory.
FleetPolicyFactory make_policy_factory(const CompiledScenario& scenario);

}  // namespace spotsim

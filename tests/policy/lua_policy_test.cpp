// LuaFleetPolicy end to end: every command, the views, errors with hook and time, determinism.
#include <catch2/catch.hpp>

#include "sim/run/replication_models.h"
#include "sim/model/world.h"
#include "tests/common/world_metric.h"
#include "sim/policy/lua_policy.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"

using namespace spotsim;
using spotsim::test::metric;

namespace {

const char* kScenario = R"(spotsim: 1
name: lua-policy-test
seed: 11
replications: 3
duration: 1d
pools:
  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.058, on_demand_price: 0.192, capacity: 100, interruption: {rate: 0.1/h}}
  b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: m5.xlarge, spot_price: 0.061, on_demand_price: 0.192, capacity: 100, interruption: {rate: 0.01/h}}
  tiny: {provider: aws, region: us-east-1, zone: us-east-1c, instance_type: m5.xlarge, spot_price: 0.07, on_demand_price: 0.192, capacity: 0}
fleets:
  web: {pools: [a, b], target: 10, boot_time: 90s}
  other: {pools: [tiny], target: 2, boot_time: 90s, retry_interval: 10m}
)";

CompiledScenario scenario(const std::string& lua, const std::string& fleet = "web", SandboxLimits lim = {}) {
  auto sc = compile_scenario(kScenario, "test.yaml");
  REQUIRE(sc.is_ok());
  CompiledScenario s = std::move(sc).value();
  PolicySpec p;
  p.target = "fleet." + fleet;
  p.fleet = static_cast<uint32_t>(s.fleet_index(fleet));
  p.path = "policy.lua";
  p.source = lua;
  p.tick = Duration::minutes(10);
  s.policies.push_back(p);
  s.policy_limits.instructions = lim.instructions;
  s.policy_limits.memory_bytes = lim.memory_bytes;
  return s;
}

// Runs replication 0 with the scenario's policies; returns the failure message or "".
// A replication's models (ReplicationModels), used like a pointer to its world.
struct Ran {
  std::unique_ptr<ReplicationModels> models;
  World* operator->() { return &models->world(); }
  World& operator*() { return models->world(); }
};

std::string run_world(const CompiledScenario& sc, Ran& out) {
  try {
    out.models = std::make_unique<ReplicationModels>(sc, 0, ModelChoice{/*policies=*/true, /*chaos=*/false});
    out->run();
  } catch (const PolicyFailure& e) {
    return e.status().message();
  }
  return "";
}

std::string failure(const std::string& lua, SandboxLimits lim = {}) {
  const CompiledScenario sc = scenario(lua, "web", lim);
  Ran w;
  return run_world(sc, w);
}

}  // namespace

TEST_CASE("lua policy: launch replaces evictions in the pool the hook names") {
  const CompiledScenario sc = scenario("function on_eviction(vm, ctx) return launch{pool = 'b'} end");
  Ran w;
  REQUIRE(run_world(sc, w) == "");
  CHECK(w->commands_applied(CommandKind::kLaunch) > 0);
  CHECK(w->commands_applied(CommandKind::kLaunch) == static_cast<uint64_t>(metric(*w, "fleet.web.interruptions")));
  CHECK(metric(*w, "pool.b.vm_hours") > 0);  // the built-in would always pick the cheaper pool a
  CHECK(metric(*w, "fleet.web.availability_pct") > 98);
}

TEST_CASE("lua policy: choose_pool decides where every VM goes") {
  const CompiledScenario sc = scenario("function choose_pool(request, ctx) return ctx.pools.b end");
  Ran w;
  REQUIRE(run_world(sc, w) == "");
  CHECK(metric(*w, "pool.a.vm_hours") == 0);
  CHECK(metric(*w, "pool.b.vm_hours") > 0);
}

TEST_CASE("lua policy: fallback launches on-demand") {
  const CompiledScenario sc = scenario("function on_eviction(vm, ctx) return fallback{count = 1} end");
  Ran w;
  REQUIRE(run_world(sc, w) == "");
  CHECK(w->commands_applied(CommandKind::kFallback) > 0);
  CHECK(metric(*w, "fleet.web.vm_hours_on_demand") > 0);
}

TEST_CASE("lua policy: scale and drain from on_tick") {
  const CompiledScenario sc = scenario(R"(
    function on_tick(ctx)
      if ctx.now >= 3600 and ctx.fleet.target == 10 then return scale{target = 4} end
      if ctx.now >= 7200 and not drained then
        drained = true
        local vms = ctx.vms()
        return {drain{vm = vms[1]}, drain{vm = vms[2], after = 30}}
      end
    end)");
  Ran w;
  REQUIRE(run_world(sc, w) == "");
  CHECK(w->commands_applied(CommandKind::kScale) == 1);
  CHECK(w->commands_applied(CommandKind::kDrain) >= 2);
  CHECK(w->fleets()[0].target == 4);
}

TEST_CASE("lua policy: checkpoint commands reach the world") {
  const CompiledScenario sc = scenario("function on_notice(vm, ctx) return launch{}, checkpoint{job = 7} end");
  Ran w;
  REQUIRE(run_world(sc, w) == "");
  CHECK(w->commands_applied(CommandKind::kCheckpoint) > 0);
}

TEST_CASE("lua policy: on_capacity_error can retry later") {
  CompiledScenario sc = scenario(R"(
    seen = 0
    function on_capacity_error(err, ctx)
      seen = seen + 1
      assert(err.cause == 'insufficient_capacity', err.cause)
      assert(err.request.fleet == 'other')
      return retry{after = 3600}
    end)",
                                 "other");
  Ran w;
  REQUIRE(run_world(sc, w) == "");
  // Two VMs refused at t=0, then once per hour each: 2 × 24 refusals (the built-in would retry every 10m: 2 × 144).
  CHECK(metric(*w, "fleet.other.capacity_errors") == Approx(48).margin(2));
}

TEST_CASE("lua policy: views are read-only and typos get a did-you-mean") {
  CHECK(failure("function on_eviction(vm, ctx) vm.pool = 'b' end") ==
        "policy.lua:1: vm is a read-only view: hooks change the world only by returning commands\n"
        "  in hook on_eviction of fleet \"web\" at simulated time 0d+00:49:57.034868 (replication 0)");
  const std::string m = failure("function on_eviction(vm, ctx) return launch{pool = vm.pol} end");
  CHECK(m.rfind("policy.lua:1: vm has no field 'pol' (did you mean 'pool'?); its fields: id, pool, zone", 0) == 0);
  CHECK(failure("function on_eviction(vm, ctx) return launch{cout = 2} end")
            .rfind("policy.lua:1: launch{}: unknown field 'cout' (did you mean 'count'?); its fields: count, pool, "
                   "purchase, "
                   "after, replaces\n",
                   0) == 0);
  CHECK(failure("function on_eviction(vm, ctx) return launch{pool = 'tiny'} end")
            .rfind("policy.lua:1: launch{}: fleet web has no pool 'tiny'; its pools: a, b\n", 0) == 0);
  CHECK(failure("function on_eviction(vm, ctx) return drain{} end")
            .rfind("policy.lua:1: drain{}: missing field 'vm'\n", 0) == 0);
  CHECK(failure("function on_eviction(vm, ctx) return retry{} end")
            .rfind(
                "policy.lua:1: retry{}: only on_capacity_error can return retry{} (it re-submits the refused launch)\n",
                0) == 0);
  CHECK(failure("function on_eviction(vm, ctx)\n  return 'launch'\nend")
            .rfind("policy.lua:1: on_eviction returned a string; return commands such as launch{count = 1}, a list of "
                   "them, or "
                   "nothing\n",
                   0) == 0);
}

TEST_CASE("lua policy: a runaway or failing hook stops the run with file:line, hook and time") {
  CHECK(failure("function on_eviction(vm, ctx)\n  while true do end\nend") ==
        "policy.lua:2: instruction budget exceeded: the hook ran more than 1000000 Lua instructions in one call (an "
        "endless loop? raise policy_limits.instructions if the policy really needs more)\n"
        "  in hook on_eviction of fleet \"web\" at simulated time 0d+00:49:57.034868 (replication 0)");
  SandboxLimits lim;
  lim.memory_bytes = 1 << 20;
  lim.instructions = 100'000'000;
  CHECK(
      failure("hoard = {}\nfunction on_eviction(vm, ctx)\n  for i = 1, 1e8 do hoard[#hoard + 1] = {i} end\nend", lim) ==
      "policy.lua:3: memory limit exceeded: the policy's Lua state needs more than 1 MiB (a table or string growing "
      "without bound? raise policy_limits.memory if the policy really needs more)\n"
      "  in hook on_eviction of fleet \"web\" at simulated time 0d+00:49:57.034868 (replication 0)");
  CHECK(failure("function on_eviction(vm, ctx)\n  return io.open('/etc/passwd')\nend") ==
        "policy.lua:2: attempt to index a nil value (global 'io')\n"
        "  in hook on_eviction of fleet \"web\" at simulated time 0d+00:49:57.034868 (replication 0)");
  CHECK(failure("local function f(n) return f(n + 1) + 1 end\nfunction on_eviction(vm, ctx) f(1) end")
            .rfind("policy.lua:1: ", 0) == 0);
  // A top-level error is reported when the policy loads.
  CHECK(failure("error('not today')") ==
        "policy.lua:1: not today\n  while loading the policy of fleet \"web\" (fleet.web in test.yaml)");
}

TEST_CASE("lua policy: run_scenario reports a failing policy as invalid input") {
  const CompiledScenario sc =
      scenario("function on_eviction(vm, ctx) if ctx.replication == 1 then error('boom') end return launch{} end");
  RunOptions opt;
  opt.threads = 2;
  auto r = run_scenario(sc, opt);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == StatusCode::kInvalidInput);
  CHECK(r.status().message().rfind("policy.lua:1: boom\n  in hook on_eviction of fleet \"web\" at simulated time ",
                                   0) == 0);
  CHECK(r.status().message().find("(replication 1)") != std::string::npos);
}

TEST_CASE("lua policy: math.random makes the same decisions on any thread count") {
  const CompiledScenario sc = scenario(R"(
    function on_eviction(vm, ctx)
      local pools = {'a', 'b'}
      return launch{pool = pools[math.random(1, 2)], purchase = math.random() < 0.2 and 'on_demand' or 'spot'}
    end)");
  RunOptions one, two;
  one.threads = 1;
  two.threads = 2;
  auto r1 = run_scenario(sc, one);
  auto r2 = run_scenario(sc, two);
  REQUIRE(r1.is_ok());
  REQUIRE(r2.is_ok());
  CHECK(r1->per_replication == r2->per_replication);
  // Different replications draw different numbers.
  CHECK(r1->per_replication[0] != r1->per_replication[1]);
  CompiledScenario other = sc;
  other.seed = 12;
  auto r3 = run_scenario(other, one);
  REQUIRE(r3.is_ok());
  CHECK(r3->per_replication != r1->per_replication);
}

TEST_CASE("lua policy: ctx exposes the fleet, pools and clock") {
  const CompiledScenario sc = scenario(R"(
    function on_notice(vm, ctx)
      assert(ctx.hook == 'on_notice')
      assert(vm.evict_at == ctx.now + 120, 'notice is 120 s')
      assert(ctx.fleet.name == 'web' and ctx.fleet.target == 10)
      assert(#ctx.pools == 2 and ctx.pools[1].name == 'a' and ctx.pools.b.name == 'b')
      assert(ctx.pools.a.spot_price == 0.058 and ctx.pools.a.capacity == 100)
      assert(ctx.pools.a == ctx.pool('a'))
      assert(ctx.pool('tiny').capacity == 0)
      assert(ctx.fleets.other.target == 2)
      local n = 0
      for i, p in ipairs(ctx.pools) do n = n + p.fleet_vms end
      assert(n == ctx.fleet.size, n .. ' vs ' .. ctx.fleet.size)
      for _, v in ipairs(ctx.vms()) do assert(v.fleet == 'web') end
      return launch{}
    end
    function on_eviction(vm, ctx)
      assert(ctx.pools[vm.pool].recent_evictions > 0)
    end)");
  Ran w;
  CHECK(run_world(sc, w) == "");
}

TEST_CASE("lua policy: check_policy finds typos, syntax errors and missing hooks") {
  const CompiledScenario sc = scenario("function on_notce(vm, ctx) end\nfunction on_eviction() end");
  CHECK(check_policy(sc, sc.policies[0]).message() ==
        "policy.lua:1: global function on_notce is not a hook (did you mean on_notice?); the hooks are choose_pool, "
        "on_notice, on_eviction, on_capacity_error, on_tick, on_job_event, on_running, on_rebalance (names starting "
        "with on_ are reserved for hooks)\n"
        "  while loading the policy of fleet \"web\" (fleet.web in test.yaml)");
  const CompiledScenario syn = scenario("function on_eviction(vm, ctx)\n  local x = = 1\nend");
  CHECK(
      check_policy(syn, syn.policies[0]).message() ==
      "policy.lua:2: unexpected symbol near '='\n  while loading the policy of fleet \"web\" (fleet.web in test.yaml)");
  const CompiledScenario none = scenario("local function on_eviction() end");
  CHECK(
      check_policy(none, none.policies[0]).message().rfind("policy.lua: defines none of the hooks (choose_pool,", 0) ==
      0);
  const CompiledScenario notfn = scenario("on_tick = 5");
  CHECK(check_policy(notfn, notfn.policies[0])
            .message()
            .rfind("policy.lua: on_tick must be a function, but the file sets it to a number", 0) == 0);
  const CompiledScenario helper = scenario("function choose_pools() end\nfunction on_tick(ctx) end");
  CHECK(check_policy(helper, helper.policies[0])
            .message()
            .rfind("policy.lua:1: global function choose_pools is not a hook (did you mean choose_pool?)", 0) == 0);
  const CompiledScenario fine =
      scenario("local function helper() end\nfunction pick(x) return x end\nfunction on_tick(ctx) end");
  CHECK(check_policy(fine, fine.policies[0]).is_ok());
}

TEST_CASE("lua policy: on_job_event sees the job and can ask for a checkpoint") {
  const CompiledScenario sc = scenario(R"(
    function on_job_event(job, ctx)
      assert(job.kind == 'started' and job.id == 42 and job.vm == nil and job.value == 0.5)
      return checkpoint{job = job}, checkpoint{job = 43, after = 60}
    end)");
  ReplicationModels models(sc, 0, ModelChoice{/*policies=*/true, /*chaos=*/false});
  World& w = models.world();
  w.report_job_event(0, JobEvent{JobEventKind::kStarted, 42, VmId{}, 0.5});
  w.run();
  CHECK(w.commands_applied(CommandKind::kCheckpoint) == 2);
}

TEST_CASE("lua policy: a command kept in a variable can be returned again and again") {
  const CompiledScenario sc = scenario(R"(
    local REPLACE = launch{pool = 'b'}
    assert(REPLACE.kind == 'launch' and REPLACE.pool == 'b' and tostring(REPLACE) == 'launch{...}')
    function on_eviction(vm, ctx) return REPLACE end)");
  Ran w;
  REQUIRE(run_world(sc, w) == "");
  CHECK(w->commands_applied(CommandKind::kLaunch) == static_cast<uint64_t>(metric(*w, "fleet.web.interruptions")));
  CHECK(metric(*w, "pool.b.vm_hours") > 0);
  CHECK(failure("function on_eviction(vm, ctx)\n  local t = {}\n  return launch(t), fallback(t)\nend")
            .rfind("policy.lua:3: fallback{}: this table is already a launch{} command; build each command from its "
                   "own table\n",
                   0) == 0);
  CHECK(failure("function on_eviction(vm, ctx)\n  return launch(setmetatable({}, {}))\nend")
            .rfind("policy.lua:2: launch{}: expected a plain table of fields (this one has a metatable)\n", 0) == 0);
}

namespace {

CompiledScenario with_policy(const std::string& yaml, const std::string& lua) {
  auto sc = compile_scenario(yaml, "test.yaml");
  if (!sc.is_ok()) FAIL(sc.status().message());
  CompiledScenario s = std::move(sc).value();
  PolicySpec p;
  p.target = "fleet.web";
  p.fleet = 0;
  p.path = "policy.lua";
  p.source = lua;
  p.tick = Duration::minutes(10);
  s.policies.push_back(p);
  return s;
}

const char* kBatchScenario = R"(spotsim: 1
name: lua-jobs
seed: 5
duration: 1d
pools:
  a: {provider: aws, region: us-east-1, instance_type: m5.xlarge, spot_price: 0.058, on_demand_price: 0.192, capacity: 100, interruption: {rate: 0.1/h}}
fleets:
  web: {pools: [a], target: 6, boot_time: 90s}
workloads:
  j: {type: batch, fleet: web, arrivals: {every: 15m}, job: {work: 2h, checkpoint: {size: 1GB}}}
)";

}  // namespace

TEST_CASE("lua policy: on_job_event fires in a real batch run and checkpoint{} reaches the batch model") {
  const CompiledScenario sc = with_policy(kBatchScenario, R"(
    function on_job_event(job, ctx)
      assert(job.workload == 'j')
      if job.kind == 'load' then
        assert(job.metric == 'utilization' or job.metric == 'queue_depth')
        assert(job.vm == nil and job.value >= 0)
        return
      end
      assert(job.metric == nil)
      if job.kind == 'started' then
        assert(job.vm ~= nil and job.vm.fleet == 'web' and job.vm.state == 'running')
        return checkpoint{job = job, after = 1800}
      end
    end)");
  Ran w;
  REQUIRE(run_world(sc, w) == "");
  REQUIRE(w->wants_job_events(0));
  const double commanded = metric(*w, "workload.j.commanded_checkpoints");
  CHECK(commanded > 20);
  CHECK(w->commands_applied(CommandKind::kCheckpoint) >= static_cast<uint64_t>(commanded));
  CHECK(metric(*w, "workload.j.checkpoints") == Approx(commanded).margin(1));  // the last may be in flight
  CHECK(metric(*w, "workload.j.resumes") > 0);  // killed jobs restart from the commanded checkpoint
}

TEST_CASE("lua policy: an on_tick that returns scale{} replaces the built-in scaling") {
  const std::string yaml = R"(spotsim: 1
name: lua-scale
duration: 1d
pools:
  a: {provider: aws, region: us-east-1, instance_type: m5.xlarge, spot_price: 0.058, on_demand_price: 0.192, capacity: 100}
fleets:
  web: {pools: [a], boot_time: 90s, scaling: {schedule: [{at: 0s, target: 2}, {at: 2h, target: 9}]}}
)";
  {
    auto sc = compile_scenario(yaml, "test.yaml");
    REQUIRE(sc.is_ok());
    ReplicationModels w_models(*sc, 0, kWithoutPoliciesOrChaos);
    World& w = w_models.world();
    w.run();
    CHECK(w.fleets()[0].target == 9);  // the built-in schedule
  }
  const CompiledScenario sc = with_policy(yaml, "function on_tick(ctx) return scale{target = 3} end");
  Ran w;
  REQUIRE(run_world(sc, w) == "");
  CHECK(w->fleets()[0].target == 3);
  CHECK(w->fleets()[0].spot_active == 3);
}

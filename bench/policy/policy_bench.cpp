#include "bench/policy/policy_bench.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace spotsim::bench {
namespace {

struct Timed {
  double seconds = 0;
  double interruptions = 0;
  uint64_t events = 0;
};

Timed run_once(const CompiledScenario& sc) {
  const FrontDoorRun run = run_front_door(sc);  // the scenario's Lua policy loaded as `spotsim run` loads it
  Timed t;
  t.seconds = run.seconds;
  t.interruptions = run.value(MetricOwner{MetricGroup::kFleet, "churn"} + "interruptions");
  t.events = run.events;
  return t;
}

CompiledScenario with_policy(CompiledScenario sc, const char* lua) {
  PolicySpec p;
  p.target = "fleet.churn";
  p.fleet = 0;
  p.path = "bench.lua";
  p.source = lua;
  p.tick = Duration::seconds(60);
  sc.policies.push_back(p);
  return sc;
}

}  // namespace

nlohmann::json lua_churn(const BenchOptions& opt, std::ostream& log) {
  const int64_t vms = opt.quick ? 2000 : 100000;
  const double days = opt.quick ? 5 : 30;
  CompiledScenario builtin = churn_scenario(vms, days);
  builtin.name = "lua-churn-bench";
  const CompiledScenario trivial = with_policy(builtin, "function on_eviction(vm, ctx) return launch{} end");
  const CompiledScenario reads =
      with_policy(builtin,
                  "function on_eviction(vm, ctx)\n"
                  "  local p = ctx.pools[vm.pool]\n"
                  "  if p.available > 0 and p.eviction_rate < 1e9 then return launch{pool = p} end\n"
                  "  return fallback{}\n"
                  "end");
  // Alternate and keep the best of 3 (1 with --quick) to damp noise from other processes.
  Timed b, t, r;
  b.seconds = t.seconds = r.seconds = 1e300;
  for (int rep = 0; rep < (opt.quick ? 1 : 3); ++rep) {
    const Timed b1 = run_once(builtin), t1 = run_once(trivial), r1 = run_once(reads);
    if (b1.seconds < b.seconds) b = b1;
    if (t1.seconds < t.seconds) t = t1;
    if (r1.seconds < r.seconds) r = r1;
  }
  auto per_hook_ns = [&](const Timed& x) { return (x.seconds - b.seconds) / std::max(1.0, x.interruptions) * 1e9; };
  char line[256];
  log << "lua policy churn: " << vms << " spot VMs x " << days
      << " days; on_eviction decides every replacement (thread CPU time, best of " << (opt.quick ? 1 : 3) << ")\n";
  std::snprintf(line, sizeof line, "  built-in C++ on_eviction:        %.3f s  (%.0f evictions, %llu events)\n",
                b.seconds, b.interruptions, static_cast<unsigned long long>(b.events));
  log << line;
  std::snprintf(line, sizeof line, "  Lua `return launch{}`:           %.3f s  ratio %.2fx  (%+.0f ns per hook call)\n",
                t.seconds, t.seconds / b.seconds, per_hook_ns(t));
  log << line;
  std::snprintf(line, sizeof line, "  Lua reading vm/ctx/pool views:   %.3f s  ratio %.2fx  (%+.0f ns per hook call)\n",
                r.seconds, r.seconds / b.seconds, per_hook_ns(r));
  log << line;
  return nlohmann::json{{"vms", vms},
                        {"days", days},
                        {"evictions", b.interruptions},
                        {"builtin_seconds", b.seconds},
                        {"lua_trivial_seconds", t.seconds},
                        {"lua_trivial_ratio", t.seconds / b.seconds},
                        {"lua_trivial_ns_per_hook", per_hook_ns(t)},
                        {"lua_views_seconds", r.seconds},
                        {"lua_views_ratio", r.seconds / b.seconds},
                        {"lua_views_ns_per_hook", per_hook_ns(r)}};
}

}  // namespace spotsim::bench

// The fleet coordinator behind `chaos-agent gameday PLAN --inventory FLEET`: drives remote
// agents over mutual TLS (remote_control.h) from one thread with asynchronous I/O.
//
// Order of a run: (1) the plan is already parsed, its selection, picks and blast radius fixed
// (fleet_plan.h); (2) look up the targets' host names (resolve.h: resolve_timeout for all of
// them), then connect to every target the plan may reach, in parallel, within connect_timeout;
// a target whose name does not resolve in time, that is down, presents a certificate not from
// the CA or not naming the address dialed, or refuses our name is reported and left out -
// never replaced by another target; (3) send each notice
// at its time (at + its window offset), renew the run's lease on every agent every lease/3;
// (4) at the end clear every target; on an abort condition (health URL, Prometheus query,
// SIGINT/SIGTERM) cancel what is pending and send /v1/abort to every connected target at
// once; (5) collect each agent's report of this run and build the fleet report.
// If the coordinator dies, each agent clears this run's injections when the lease runs out.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "chaos-agent/fleet/fleet_plan.h"
#include "chaos-agent/fleet/resolve.h"

namespace agent::fleet {

struct CoordinatorOptions {
  std::function<void(const std::string&)> log;     // one line per event (default: stdout)
  const std::atomic<bool>* interrupted = nullptr;  // set by a signal handler: abort
  std::string run_id;                              // "" = fresh "run-..." id
  std::string audit_path;                          // coordinator-side audit, JSON lines ("" = none)
  Millis request_timeout{5000};
  Millis resolve_timeout{2000};  // all host-name lookups together (--resolve-timeout)
  LookupFn lookup;               // empty = the system resolver (tests replace it)
};

struct FleetOutcome {
  // 0 done; 1 aborted or interrupted; 2 the TLS files are unusable; 3 done, but a target
  // could not be reached (or none could: nothing was sent).
  int exit_code = 0;
  nlohmann::json report;  // docs/gameday.md "The fleet report"
};

FleetOutcome run_fleet_plan(const FleetPlan& plan, const CoordinatorOptions& options);

// Per-target and per-label-group figures from the collected per-target reports (used by
// run_fleet_plan; separate for tests). `report` is completed in place ("groups", "fleet").
void summarize_fleet(nlohmann::json& report);

// JUnit XML: one test case per target (failure: unreachable, refused, lost, or a notice never
// detected) and one for the abort.
std::string fleet_junit(const nlohmann::json& report);

}  // namespace agent::fleet

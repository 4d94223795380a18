// Runs a game-day plan against the agents' control endpoints: injects on schedule, watches
// the abort conditions, clears everything at the end (or on abort, or on SIGINT/SIGTERM), and
// collects each agent's report (detection latency, ack latency, drain time) of this run's own
// injections.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "chaos-agent/plan/plan.h"

namespace agent::plan {

struct RunnerOptions {
  std::function<void(const std::string&)> log;     // one line per event (default: stdout)
  Millis poll{50};                                 // scheduling granularity
  const std::atomic<bool>* interrupted = nullptr;  // set by a signal handler: clear and stop
  std::string run_id;                              // "" = a fresh random "run-..." id
};

struct RunOutcome {
  int exit_code = 0;  // 0 done, 1 aborted or interrupted, 3 an agent could not be reached
  // {"plan", "file", "run", "aborted", "abort_reason", "targets": {name: report}}; each target's
  // report covers only the injections this run made (tagged "run" in the agent's audit log).
  nlohmann::json report;
};

RunOutcome run_plan(const Plan& plan, const RunnerOptions& options);

}  // namespace agent::plan

// gameday with a fleet plan: the coordinator of remote agents (chaos-agent/fleet/coordinator.h).
#pragma once

#include <atomic>
#include <string>

#include "chaos-agent/fleet/fleet_plan.h"

namespace agent::cli {

struct FleetGamedayArgs {
  std::string plan_file, inventory, report, junit, audit;
  fleet::TlsFiles tls;                  // --tls-*: override the plan's/inventory's tls:
  bool dry_run = false;
  const std::atomic<bool>* interrupted = nullptr;
};

// True when `gameday` should run the fleet coordinator: --inventory was given or the plan's
// targets have addresses.
bool is_fleet_gameday(const FleetGamedayArgs& args);

// Runs (or with dry_run describes) a fleet plan; returns the exit code (docs/chaos-agent.md).
int gameday_fleet(const FleetGamedayArgs& args);

}  // namespace agent::cli

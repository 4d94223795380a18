// gameday with a fleet plan: the coordinator of remote agents (chaos-agent/fleet/coordinator.h).
#pragma once

#include <atomic>
#include <string>

#include <CLI/CLI.hpp>

#include "chaos-agent/fleet/fleet_plan.h"
#include "chaos-agent/fleet/kubernetes.h"

namespace agent::cli {

struct FleetGamedayArgs {
  std::string plan_file, inventory, report, junit, audit;
  fleet::TlsFiles tls;                  // --tls-*: override the plan's/inventory's tls:
  fleet::KubernetesOptions kubernetes;  // --kubernetes SELECTOR: the targets are the DaemonSet's pods
  std::string resolve_timeout = "2s";   // --resolve-timeout: all host-name lookups together
  bool dry_run = false;
  const std::atomic<bool>* interrupted = nullptr;
};

// The --kubernetes* options of `gameday` (docs/gameday.md "Kubernetes").
void add_kubernetes_options(CLI::App* gameday, FleetGamedayArgs& args);

// True when `gameday` should run the fleet coordinator: --inventory or --kubernetes was given,
// or the plan's targets have addresses.
bool is_fleet_gameday(const FleetGamedayArgs& args);

// Runs (or with dry_run describes) a fleet plan; returns the exit code (docs/chaos-agent.md).
int gameday_fleet(const FleetGamedayArgs& args);

}  // namespace agent::cli

// Game-day plans: YAML in the simulator's chaos vocabulary (preempt, storm, notice), with a
// schedule, a blast-radius limit, abort conditions and a dead-man maximum duration.
//
//   name: drain-drill
//   provider: aws
//   max_duration: 30m          # everything expires by itself after this (required)
//   duration: 10m              # the drill ends (clear + report) after this; default: derived
//   seed: 7                    # storm target selection
//   targets:                   # agents to drive; default: the local agent
//     - {name: node-a, control: "unix:/run/chaos-agent/control.sock"}
//   blast_radius: {max_fraction: 50%, max_targets: 2}
//   abort:
//     health_check: {url: "http://127.0.0.1:8080/healthz", interval: 5s, failures: 3, timeout: 2s}
//     command: "systemctl is-active --quiet myapp"
//   chaos:
//     - {at: 0s, rebalance: {}}
//     - {at: 1m, preempt: {notice: 120s, action: terminate, targets: [node-a]}}
//     - {at: 5m, storm: {fraction: 50%, notice: 30s}}
//     - {at: 8m, clear: {}}
//     - {kind: storm, at: 9m, fraction: 25%}   # the simulator's flat spelling works too
//   expect: {notices: 0, drained_in_time: interval}   # for `spotsim compare`; shape-checked, ignored
//
// Errors: "FILE:LINE:COL: error: PATH: message" (yaml-cpp marks, 1-based), exit code 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chaos-agent/core/chaos_state.h"
#include "chaos-agent/core/paths.h"
#include "common/status.h"

namespace agent::plan {

struct Target {
  std::string name;
  std::string control = kDefaultControl;
  std::string token_file;  // for ADDR:PORT controls
};

// A place in the plan file, 1-based (for messages about an item after parsing, e.g. --export).
struct Position {
  int line = 1;
  int column = 1;
};

struct Item {
  enum class Type { kPreempt, kRebalance, kMaintenance, kStorm, kClear };
  Type type = Type::kPreempt;
  Millis at{0};
  InjectRequest inject;               // preempt / rebalance / maintenance / storm
  double fraction = 1.0;              // storm
  std::vector<std::string> selected;  // resolved target names this item acts on
  std::string where;                  // "chaos[2].storm" for messages
  Position position;                  // of the item in the plan file
  bool notice_given = false;          // notice: written (else the default)
};

struct HealthCheck {
  std::string url;  // http://127.x.x.x:PORT/PATH (loopback only)
  Millis interval{5000};
  Millis timeout{2000};
  int failures = 1;  // consecutive failures that trigger an abort
};

struct Plan {
  std::string file;
  std::string name;
  ProviderSet provider = kAllProviders;
  Millis max_duration{0};
  Millis duration{0};
  uint64_t seed = 1;
  std::vector<Target> targets;
  double max_fraction = 1.0;
  int max_targets = 0;                     // 0 = no count limit beyond max_fraction
  HealthCheck health;                      // url empty = none
  std::string abort_command;               // "" = none
  std::optional<Position> abort_position;  // where abort: is, when the plan has one
  Millis abort_interval{5000};
  std::vector<Item> items;  // sorted by `at`
  std::string report_path;  // "" = none
};

spotsim::Result<Plan> parse_plan(const std::string& text, const std::string& file);
spotsim::Result<Plan> load_plan(const std::string& path);

// A seeded SplitMix64 hash of a target name: the order storms pick targets in (also used by
// fleet plans for their picks and window offsets). The same on every platform.
uint64_t seeded_hash(uint64_t seed, const std::string& name);

// Storm selection: targets ordered by a seeded hash of their names, first ceil(fraction * n).
std::vector<std::string> storm_selection(const std::vector<Target>& targets, double fraction, uint64_t seed);

// The --dry-run text: the timeline and the safety limits, nothing contacted.
std::string describe(const Plan& plan);

}  // namespace agent::plan

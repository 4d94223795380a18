// Fleet game-day plans: the plan vocabulary of plan/plan.h (preempt, storm, rebalance,
// maintenance, clear; notice, fraction, window) aimed at remote agents chosen by label.
//
//   name: gpu-pool-storm
//   provider: aws
//   max_duration: 30m            # backstop: every injection's ttl ends here
//   lease: 10s                   # dead-man: agents clear this run's injections when the
//                                #   coordinator has not been heard from for this long
//   seed: 7
//   select: {zone: us-east-1a}   # the plan's selection: what the blast radius is measured on
//   blast_radius: {max_fraction: 30%, max_targets: 100}
//   tls: {ca: ca.pem, cert: coordinator.pem, key: coordinator.key}
//   abort:
//     health_check: {url: "http://127.0.0.1:8080/healthz", interval: 1s, failures: 2}
//     prometheus: {url: "http://127.0.0.1:9090", query: "sum(rate(errors[1m]))", above: 5}
//   chaos:
//     - {at: 0s, storm: {fraction: 30%, window: 2m, notice: 120s, select: {pool: gpu}}}
//     - {kind: storm, at: 5m, fraction: 10%, scope: {role: web}}   # the simulator's spelling
//   targets: [...]               # or --inventory FLEET.yaml (same list under `targets:`)
//
// Inventory: `targets:` is a list of {name, address: "HOST:PORT", labels: {zone, pool,
// instance_type, role, ...}}; the label keys zone, pool, instance_type, role, provider may
// also be written next to name and address.
//
// Selection: each key narrows, a list of values widens ({zone: [a, b], pool: gpu}); an item's
// select: narrows the plan's. Everything (selection, storm picks, window offsets, blast radius)
// is computed here, before anything is contacted. Errors: "FILE:LINE:COL: error: PATH: message".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chaos-agent/core/chaos_state.h"
#include "common/status.h"
#include "chaos-agent/plan/plan.h"

namespace agent::fleet {

struct FleetTarget {
  std::string name;
  std::string host;  // IP literal or DNS name
  uint16_t port = 0;
  std::map<std::string, std::string> labels;
  std::string down;             // why it cannot be reached, known before any contact (a Kubernetes pod
                                // that is not Running and Ready): reported unreachable, never contacted
  std::string address() const;  // "host:port"
};

// label -> accepted values (an empty map selects everything).
using Selector = std::map<std::string, std::vector<std::string>>;
bool matches(const FleetTarget& t, const Selector& s);
std::string describe_selector(const Selector& s);

struct TlsFiles {
  std::string ca, cert, key;
  bool complete() const { return !ca.empty() && !cert.empty() && !key.empty(); }
};

struct PrometheusCheck {
  std::string url;    // http://127.0.0.1:9090 (loopback only)
  std::string query;  // PromQL; the first sample of the result is compared
  bool above = true;  // abort when value > threshold (above:) or < threshold (below:)
  double threshold = 0;
  Millis interval{5000};
  Millis timeout{2000};
  int failures = 1;
};

struct FleetItem {
  plan::Item::Type type = plan::Item::Type::kPreempt;
  Millis at{0};
  Millis window{0};
  InjectRequest inject;
  double fraction = 1.0;
  Selector select;              // the item's own narrowing
  std::vector<size_t> picked;   // indices into FleetPlan::targets, sorted
  std::vector<Millis> offsets;  // per picked target: its notice at `at + offset`
  std::string where;            // "chaos[2].storm"
  plan::Position position;      // of the item in the plan file (for --export)
  bool notice_given = false;    // notice: written (else the default)
};

struct FleetPlan {
  std::string file, name;
  ProviderSet provider = kAllProviders;
  Millis max_duration{0};
  Millis duration{0};
  Millis lease{10000};
  Millis connect_timeout{5000};
  uint64_t seed = 1;
  std::vector<FleetTarget> targets;  // the whole inventory
  Selector select;
  std::vector<size_t> selection;  // indices of the targets the plan selects
  double max_fraction = 1.0;
  int max_targets = 0;
  size_t allowed = 0;           // blast radius in targets, on the real selection
  std::vector<size_t> reached;  // union of every item's picks
  plan::HealthCheck health;     // url "" = none
  std::optional<PrometheusCheck> prometheus;
  TlsFiles tls;
  std::vector<FleetItem> items;  // sorted by `at`
  std::string report_path, junit_path;
};

// True when `text` is a fleet plan: its targets carry `address:` (not `control:`).
bool looks_like_fleet_plan(const std::string& text);

// Targets found by discovery (--kubernetes, kubernetes.h), used instead of an inventory.
struct DiscoveredTargets {
  std::string source;  // "--kubernetes app=chaos-agent (namespace gameday)"
  std::vector<FleetTarget> targets;
};

// inventory_text/inventory_file: the --inventory file ("" = the plan's own targets:);
// discovered: targets found elsewhere (neither the plan's targets: nor an inventory may be given).
spotsim::Result<FleetPlan> parse_fleet_plan(const std::string& text, const std::string& file,
                                            const std::string& inventory_text = "",
                                            const std::string& inventory_file = "",
                                            const DiscoveredTargets* discovered = nullptr);
spotsim::Result<FleetPlan> load_fleet_plan(const std::string& path, const std::string& inventory_path = "",
                                           const DiscoveredTargets* discovered = nullptr);

// The --dry-run text: selection, blast radius, every target's notice time, abort conditions.
std::string describe(const FleetPlan& plan);

}  // namespace agent::fleet

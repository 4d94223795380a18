#pragma once
// Running VMs by pool and purchase type over time, stacked: what the fleet timeline draws.
// Built once per loaded run (O(events log events)); panels only read it.
#include <string>
#include <utility>
#include <vector>

#include "viz/data/run_model.h"

namespace spotsim::viz {

struct StackLayer {
  std::string label;  // "m5-1a spot", "m5-1a on-demand"
  uint16_t pool = kNoIndex16;
  Purchase purchase = Purchase::kSpot;
};

struct FleetStack {
  // Step function samples on one common time axis: value[l][i] holds on [t[i], t[i+1]).
  std::vector<double> t;
  std::vector<StackLayer> layers;
  std::vector<std::vector<double>> value;  // [layer][i]
  std::vector<std::vector<double>> top;    // [layer][i] = sum of value[0..layer][i]
  double max_total = 0;
  // The fleets' total target at each sample (target[i] holds on [t[i], t[i+1])): the sum of the
  // recorded "fleet/<name>/target" series, so scaling policies, the Kubernetes cluster
  // autoscaler and scale to zero show as they happened. Empty when the run has no target series
  // (then target_total, the scenario's initial targets, is all there is).
  std::vector<double> target;
  double target_total = 0;  // sum of the scenario's initial fleet targets
  double target_max = 0;    // highest total target (target_total if no series)
  // Intervals during which at least one on-demand *fallback* VM was running (launched because
  // spot could not be had): from the pools' running_fallback series, else from VM lifetimes
  // whose launch event says fallback. An on-demand base wanted by design is not fallback.
  std::vector<std::pair<double, double>> fallback_intervals;
  // Running fallback VMs at each sample (empty if not known).
  std::vector<double> fallback;
  bool from_series = false;  // true: recorded series; false: rebuilt from /vms

  bool empty() const { return t.empty() || layers.empty(); }
  // Index of the sample holding time `x` (the last i with t[i] <= x), or 0.
  size_t index_at(double x) const;
  // The total target at time x (target series if any, else target_total).
  double target_at(double x) const { return target.empty() ? target_total : target[index_at(x)]; }
};

// From the run's "pool/<name>" running_spot / running_on_demand series if present, else from
// VM lifetimes (running → end). Layers that are zero throughout are dropped (spot layers of
// pools in use are kept).
FleetStack build_fleet_stack(const RunModel& m);

}  // namespace spotsim::viz

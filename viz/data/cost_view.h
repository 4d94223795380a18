#pragma once
// Cumulative cost over time against the all-on-demand counterfactual: what the cost panel draws.
#include <vector>

#include "viz/data/fleet_view.h"
#include "viz/data/run_model.h"

namespace spotsim::viz {

struct CostCurves {
  std::vector<double> t;              // seconds
  std::vector<double> actual;         // $ so far: running VM-hours × the pool's price
  std::vector<double> all_on_demand;  // $ so far: every fleet's target on on-demand, never interrupted
  double final_actual = 0;
  double final_all_on_demand = 0;
  double savings_pct = 0;  // 100 × (1 − actual / all_on_demand) at the end of the run
  // From the run's summary (mean over replications), when present.
  bool has_summary = false;
  double summary_total = 0;
  double summary_all_on_demand = 0;
  double summary_savings_pct = 0;

  bool empty() const { return t.empty(); }
};

// Integrates the fleet stack (step function) with each layer's price. The counterfactual uses
// each fleet's cheapest on-demand price among its pools, as the simulator's cost.all_on_demand.
CostCurves build_cost_curves(const RunModel& m, const FleetStack& stack);

}  // namespace spotsim::viz

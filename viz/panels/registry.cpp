#include "viz/panels/panel.h"

namespace spotsim::viz {

std::vector<std::unique_ptr<Panel>> make_all_panels() {
  std::vector<std::unique_ptr<Panel>> p;
  p.push_back(make_timeline_panel());
  p.push_back(make_cost_panel());
  p.push_back(make_workloads_panel());
  p.push_back(make_events_panel());
  p.push_back(make_topology_panel());
  p.push_back(make_compare_panel());
  p.push_back(make_sweeps_panel());
  p.push_back(make_live_panel());
  return p;
}

}  // namespace spotsim::viz

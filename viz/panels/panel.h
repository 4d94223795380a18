#pragma once
// One tab of spotviz. Panels are immediate mode: draw() is called every frame the tab is
// visible and reads the shared AppState; state of their own (filters, views) lives in the panel.
#include <memory>
#include <vector>

#include "viz/app/app_state.h"

namespace spotsim::viz {

class Panel {
 public:
  virtual ~Panel() = default;
  // Name used by --panel and in tests: "timeline", "cost", ...
  virtual const char* name() const = 0;
  // Tab label.
  virtual const char* title() const = 0;
  virtual void draw(AppState& app) = 0;
};

std::unique_ptr<Panel> make_timeline_panel();
std::unique_ptr<Panel> make_cost_panel();
std::unique_ptr<Panel> make_workloads_panel();
std::unique_ptr<Panel> make_events_panel();
std::unique_ptr<Panel> make_topology_panel();
std::unique_ptr<Panel> make_compare_panel();
std::unique_ptr<Panel> make_sweeps_panel();
std::unique_ptr<Panel> make_live_panel();

// Every panel, in tab order.
std::vector<std::unique_ptr<Panel>> make_all_panels();

}  // namespace spotsim::viz

#pragma once
// What every panel shares: the loaded runs (with their derived views), messages for the user,
// the shared time range of the time-based panels, and cross-panel requests (jump to a time,
// select a tab).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "viz/data/cost_view.h"
#include "viz/data/fleet_view.h"
#include "viz/data/gantt_view.h"
#include "viz/data/run_model.h"
#include "viz/data/topology_view.h"
#include "viz/plot/plot.h"

namespace spotsim::viz {

// A run and the views derived from it once (panels only read these).
struct LoadedRun {
  RunModel model;
  FleetStack stack;
  CostCurves cost;
  Topology topology;
  Gantt gantt;
  // Event times of each kind (index = kind), ascending: markers jump through these by binary
  // search, one per pixel column, instead of scanning every event each frame.
  std::vector<std::vector<double>> times_by_kind;
};
std::shared_ptr<const LoadedRun> derive_views(RunModel model);

struct AppState {
  std::vector<std::shared_ptr<const LoadedRun>> runs;  // [0] shown, [1] compared with it
  std::vector<std::string> messages;                   // problems to show in the window
  std::string scenario_path;                           // a scenario given on the command line
  PlotView time_view;                                  // shared by timeline, cost, workloads
  std::optional<double> jump_to;                       // a time to centre the timeline on
  std::string select_panel;                            // name of a tab to bring forward
  bool headless = false;                               // screenshot/bench: no interaction

  const LoadedRun* primary() const { return runs.empty() ? nullptr : runs[0].get(); }
  const LoadedRun* secondary() const { return runs.size() < 2 ? nullptr : runs[1].get(); }
  // Fits the shared time range to the primary run (or [0, 1]).
  void fit_time_view();
};

}  // namespace spotsim::viz

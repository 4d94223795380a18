#include "viz/app/app_state.h"

#include <algorithm>

namespace spotsim::viz {

std::shared_ptr<const LoadedRun> derive_views(RunModel model) {
  auto r = std::make_shared<LoadedRun>();
  r->model = std::move(model);
  r->stack = build_fleet_stack(r->model);
  r->cost = build_cost_curves(r->model, r->stack);
  r->topology = build_topology(r->model);
  r->gantt = build_gantt(r->model);
  r->times_by_kind.resize(kMaxEventKinds);
  const EventTable& e = r->model.events;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e.kind[i] < kMaxEventKinds) r->times_by_kind[e.kind[i]].push_back(e.t[i]);
  }
  return r;
}

void AppState::fit_time_view() {
  double end = 1;
  if (const LoadedRun* r = primary()) {
    end = std::max(r->model.duration_s, r->stack.t.empty() ? 0.0 : r->stack.t.back());
    if (!r->model.events.t.empty()) end = std::max(end, r->model.events.t.back());
    if (end <= 0) end = 1;
  }
  time_view.fit_x(0, end);
  time_view.valid = true;
}

}  // namespace spotsim::viz

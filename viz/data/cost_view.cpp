#include "viz/data/cost_view.h"

#include <algorithm>

namespace spotsim::viz {

CostCurves build_cost_curves(const RunModel& m, const FleetStack& st) {
  CostCurves c;
  if (const MetricSummary* s = m.find_metric(run_metric(MetricGroup::kCost, "total"))) {
    c.has_summary = true;
    c.summary_total = s->mean;
    if (const MetricSummary* a = m.find_metric(run_metric(MetricGroup::kCost, "all_on_demand")))
      c.summary_all_on_demand = a->mean;
    if (const MetricSummary* p = m.find_metric(run_metric(MetricGroup::kCost, "savings_pct")))
      c.summary_savings_pct = p->mean;
  }
  if (st.empty()) return c;
  // The counterfactual's $/s at each sample: every fleet's target at that moment (its recorded
  // "target" series, as the simulator's cost.all_on_demand integrates it; the scenario's target
  // if the run has no such series) at its cheapest on-demand price.
  std::vector<double> od_rate(st.t.size(), 0.0);
  for (const FleetInfo& f : m.fleets) {
    double price = 0;
    for (uint16_t p : f.pools) {
      if (p >= m.pools.size()) continue;
      const double pr = m.pools[p].on_demand_price;
      price = price == 0 ? pr : std::min(price, pr);
    }
    const Series* ts = m.find_series("fleet/" + f.name, "target");
    if (ts && (ts->t.empty() || ts->t.size() != ts->v.size())) ts = nullptr;
    size_t k = 0;
    for (size_t i = 0; i < st.t.size(); ++i) {
      double target = f.target;
      if (ts) {
        while (k + 1 < ts->t.size() && ts->t[k + 1] <= st.t[i]) ++k;
        target = ts->v[k];
      }
      od_rate[i] += target * price / 3600.0;
    }
  }
  std::vector<double> layer_rate(st.layers.size(), 0.0);  // $/s per VM
  for (size_t l = 0; l < st.layers.size(); ++l) {
    const uint16_t p = st.layers[l].pool;
    if (p >= m.pools.size()) continue;
    const PoolInfo& pi = m.pools[p];
    layer_rate[l] = (st.layers[l].purchase == Purchase::kSpot ? pi.spot_price : pi.on_demand_price) / 3600.0;
  }
  double acc = 0, acc_od = st.t.front() * od_rate.front();
  c.t.reserve(st.t.size() + 1);
  for (size_t i = 0; i < st.t.size(); ++i) {
    c.t.push_back(st.t[i]);
    c.actual.push_back(acc);
    c.all_on_demand.push_back(acc_od);
    const double next = i + 1 < st.t.size() ? st.t[i + 1] : std::max(st.t[i], m.duration_s);
    double rate = 0;
    for (size_t l = 0; l < st.layers.size(); ++l) rate += st.value[l][i] * layer_rate[l];
    acc += rate * (next - st.t[i]);
    acc_od += od_rate[i] * (next - st.t[i]);
  }
  const double end = std::max(st.t.back(), m.duration_s);
  if (end > st.t.back()) {
    c.t.push_back(end);
    c.actual.push_back(acc);
    c.all_on_demand.push_back(acc_od);
  } else {
    c.actual.back() = acc;
    c.all_on_demand.back() = acc_od;
  }
  c.final_actual = c.actual.back();
  c.final_all_on_demand = c.all_on_demand.back();
  c.savings_pct = c.final_all_on_demand > 0 ? 100.0 * (1.0 - c.final_actual / c.final_all_on_demand) : 0.0;
  return c;
}

}  // namespace spotsim::viz

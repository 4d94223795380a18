#include "viz/data/fleet_view.h"

#include <algorithm>

namespace spotsim::viz {
namespace {

// Value of a step series at time x (last sample at or before x; 0 before the first).
double step_at(const Series& s, double x, size_t& cursor) {
  while (cursor + 1 < s.t.size() && s.t[cursor + 1] <= x) ++cursor;
  if (s.t.empty() || s.t[cursor] > x) return 0;
  return s.v[cursor];
}

void from_series(const RunModel& m, FleetStack& st) {
  std::vector<const Series*> src;
  for (size_t p = 0; p < m.pools.size(); ++p) {
    for (int k = 0; k < 2; ++k) {
      const Series* s = m.find_series("pool/" + m.pools[p].name, k == 0 ? "running_spot" : "running_on_demand");
      if (!s || s->t.empty() || s->t.size() != s->v.size()) continue;
      st.layers.push_back(StackLayer{m.pools[p].name + (k == 0 ? " spot" : " on-demand"), static_cast<uint16_t>(p),
                                     k == 0 ? Purchase::kSpot : Purchase::kOnDemand});
      src.push_back(s);
    }
  }
  for (const Series* s : src) st.t.insert(st.t.end(), s->t.begin(), s->t.end());
  std::sort(st.t.begin(), st.t.end());
  st.t.erase(std::unique(st.t.begin(), st.t.end()), st.t.end());
  st.value.assign(src.size(), std::vector<double>(st.t.size(), 0.0));
  for (size_t l = 0; l < src.size(); ++l) {
    size_t cursor = 0;
    for (size_t i = 0; i < st.t.size(); ++i) st.value[l][i] = step_at(*src[l], st.t[i], cursor);
  }
  st.from_series = true;
}

void from_lifetimes(const RunModel& m, FleetStack& st) {
  // Deltas (+1 at running, −1 at end) per (pool, purchase) layer.
  const size_t nl = m.pools.size() * 2;
  struct Delta {
    double t;
    uint32_t layer;
    int d;
  };
  std::vector<Delta> deltas;
  deltas.reserve(m.vms.size() * 2);
  for (const VmLifetime& v : m.vms) {
    if (v.running < 0 || v.pool >= m.pools.size()) continue;
    const uint32_t l = v.pool * 2u + (v.purchase == Purchase::kOnDemand ? 1u : 0u);
    const double end = v.end >= 0 ? v.end : m.duration_s;
    if (end <= v.running) continue;
    deltas.push_back({v.running, l, +1});
    deltas.push_back({end, l, -1});
  }
  std::sort(deltas.begin(), deltas.end(), [](const Delta& a, const Delta& b) { return a.t < b.t; });
  std::vector<double> cur(nl, 0.0);
  std::vector<std::vector<double>> val(nl);
  size_t i = 0;
  if (deltas.empty() || deltas.front().t > 0) {
    st.t.push_back(0);
    for (auto& v : val) v.push_back(0);
  }
  while (i < deltas.size()) {
    const double t = deltas[i].t;
    while (i < deltas.size() && deltas[i].t == t) {
      cur[deltas[i].layer] += deltas[i].d;
      ++i;
    }
    st.t.push_back(t);
    for (size_t l = 0; l < nl; ++l) val[l].push_back(cur[l]);
  }
  if (m.duration_s > st.t.back()) {
    st.t.push_back(m.duration_s);
    for (size_t l = 0; l < nl; ++l) val[l].push_back(cur[l]);
  }
  for (size_t p = 0; p < m.pools.size(); ++p) {
    for (int k = 0; k < 2; ++k) {
      st.layers.push_back(StackLayer{m.pools[p].name + (k == 0 ? " spot" : " on-demand"), static_cast<uint16_t>(p),
                                     k == 0 ? Purchase::kSpot : Purchase::kOnDemand});
      st.value.push_back(std::move(val[p * 2 + static_cast<size_t>(k)]));
    }
  }
}

// The sum of the fleets' recorded target series on the stack's time axis (only when every fleet
// has one: a partial sum would be a wrong total).
void target_series(const RunModel& m, FleetStack& st) {
  st.target_max = st.target_total;
  std::vector<const Series*> src;
  for (const FleetInfo& f : m.fleets) {
    const Series* s = m.find_series("fleet/" + f.name, "target");
    if (!s || s->t.empty() || s->t.size() != s->v.size()) return;
    src.push_back(s);
  }
  if (src.empty()) return;
  st.target.assign(st.t.size(), 0.0);
  for (const Series* s : src) {
    size_t cursor = 0;
    for (size_t i = 0; i < st.t.size(); ++i) {
      // Before the first sample the target is the first sample's (the scenario's at t = 0).
      st.target[i] += st.t[i] < s->t.front() ? s->v.front() : step_at(*s, st.t[i], cursor);
    }
  }
  st.target_max = 0;
  for (double v : st.target) st.target_max = std::max(st.target_max, v);
}

// Running fallback VMs on the stack's time axis: the pools' running_fallback series if every
// pool has one, else counted from VM lifetimes marked fallback (a file with events), else unknown.
void fallback_counts(const RunModel& m, FleetStack& st) {
  std::vector<const Series*> src;
  for (const PoolInfo& p : m.pools) {
    const Series* s = m.find_series("pool/" + p.name, "running_fallback");
    if (!s || s->t.size() != s->v.size()) {
      src.clear();
      break;
    }
    src.push_back(s);
  }
  if (!src.empty()) {
    st.fallback.assign(st.t.size(), 0.0);
    for (const Series* s : src) {
      size_t cursor = 0;
      for (size_t i = 0; i < st.t.size(); ++i) st.fallback[i] += step_at(*s, st.t[i], cursor);
    }
    return;
  }
  if (m.vms.empty() || !m.has_events()) return;
  st.fallback.assign(st.t.size(), 0.0);
  for (const VmLifetime& v : m.vms) {
    if (!v.fallback || v.running < 0) continue;
    const double end = v.end >= 0 ? v.end : m.duration_s;
    // Samples whose interval [t[i], t[i+1]) the VM was running at the start of: as a sampled series.
    for (size_t i = st.index_at(v.running); i < st.t.size() && st.t[i] < end; ++i) {
      if (st.t[i] >= v.running) st.fallback[i] += 1;
    }
  }
}

}  // namespace

size_t FleetStack::index_at(double x) const {
  auto it = std::upper_bound(t.begin(), t.end(), x);
  if (it == t.begin()) return 0;
  return static_cast<size_t>(it - t.begin()) - 1;
}

FleetStack build_fleet_stack(const RunModel& m) {
  FleetStack st;
  for (const auto& f : m.fleets) st.target_total += f.target;
  from_series(m, st);
  if (st.layers.empty()) {
    st = FleetStack{};
    for (const auto& f : m.fleets) st.target_total += f.target;
    if (m.vms.empty()) return st;
    from_lifetimes(m, st);
  }
  // Drop layers that are zero throughout.
  std::vector<StackLayer> layers;
  std::vector<std::vector<double>> values;
  for (size_t l = 0; l < st.layers.size(); ++l) {
    const bool any = std::any_of(st.value[l].begin(), st.value[l].end(), [](double v) { return v != 0; });
    if (!any) continue;
    layers.push_back(st.layers[l]);
    values.push_back(std::move(st.value[l]));
  }
  st.layers = std::move(layers);
  st.value = std::move(values);
  st.top = st.value;
  for (size_t l = 1; l < st.top.size(); ++l) {
    for (size_t i = 0; i < st.t.size(); ++i) st.top[l][i] += st.top[l - 1][i];
  }
  if (!st.top.empty()) {
    for (double v : st.top.back()) st.max_total = std::max(st.max_total, v);
  }
  target_series(m, st);
  fallback_counts(m, st);
  for (size_t i = 0; i < st.fallback.size(); ++i) {
    if (st.fallback[i] <= 0) continue;
    const double a = st.t[i];
    const double b = i + 1 < st.t.size() ? st.t[i + 1] : std::max(a, m.duration_s);
    if (!st.fallback_intervals.empty() && st.fallback_intervals.back().second >= a) {
      st.fallback_intervals.back().second = b;
    } else {
      st.fallback_intervals.emplace_back(a, b);
    }
  }
  return st;
}

}  // namespace spotsim::viz

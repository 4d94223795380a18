#include "viz/data/topology_view.h"

#include <algorithm>

namespace spotsim::viz {

Topology build_topology(const RunModel& m) {
  Topology topo;
  std::vector<double> evict(m.pools.size(), 0.0), notice(m.pools.size(), 0.0);
  topo.from_events = m.events.size() > 0;
  if (topo.from_events) {
    for (size_t i = 0; i < m.events.size(); ++i) {
      const uint16_t p = m.events.pool[i];
      if (p >= m.pools.size()) continue;
      if (m.events.kind[i] == kEvEviction) evict[p] += 1;
      if (m.events.kind[i] == kEvNotice) notice[p] += 1;
    }
  } else {
    for (size_t p = 0; p < m.pools.size(); ++p) {
      if (const MetricSummary* s = m.find_metric(MetricOwner{MetricGroup::kPool, m.pools[p].name} + "interruptions"))
        evict[p] = s->mean;
    }
  }
  for (double e : evict) topo.max_pool_evictions = std::max(topo.max_pool_evictions, e);
  for (size_t p = 0; p < m.pools.size(); ++p) {
    const PoolInfo& pi = m.pools[p];
    auto rit = std::find_if(topo.regions.begin(), topo.regions.end(),
                            [&](const TopoRegion& r) { return r.name == pi.region && r.provider == pi.provider; });
    if (rit == topo.regions.end()) {
      topo.regions.push_back(TopoRegion{pi.region, pi.provider, {}, 0});
      rit = topo.regions.end() - 1;
    }
    auto zit = std::find_if(rit->zones.begin(), rit->zones.end(), [&](const TopoZone& z) { return z.name == pi.zone; });
    if (zit == rit->zones.end()) {
      rit->zones.push_back(TopoZone{pi.zone, {}, 0});
      zit = rit->zones.end() - 1;
    }
    TopoPool tp;
    tp.pool = static_cast<uint16_t>(p);
    tp.evictions = evict[p];
    tp.notices = notice[p];
    tp.heat = topo.max_pool_evictions > 0 ? evict[p] / topo.max_pool_evictions : 0.0;
    zit->pools.push_back(tp);
    zit->evictions += evict[p];
    rit->evictions += evict[p];
  }
  return topo;
}

}  // namespace spotsim::viz

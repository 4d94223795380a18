#pragma once
// Regions → zones → pools with eviction counts: what the topology panel draws.
#include <cstdint>
#include <string>
#include <vector>

#include "viz/data/run_model.h"

namespace spotsim::viz {

struct TopoPool {
  uint16_t pool = 0;
  double evictions = 0;  // in the shown replication, or the mean over replications
  double notices = 0;
  double heat = 0;  // evictions / the hottest pool's evictions, in [0, 1]
};
struct TopoZone {
  std::string name;
  std::vector<TopoPool> pools;
  double evictions = 0;
};
struct TopoRegion {
  std::string name;
  std::string provider;
  std::vector<TopoZone> zones;
  double evictions = 0;
};
struct Topology {
  std::vector<TopoRegion> regions;  // in order of first appearance among the pools
  double max_pool_evictions = 0;
  bool from_events = false;  // false: from summary metrics pool.<name>.interruptions
};

Topology build_topology(const RunModel& m);

}  // namespace spotsim::viz

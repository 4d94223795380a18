#pragma once
// Compiled capacity data of a scenario beyond one number per pool (docs/capacity.md):
//  - SeriesSpec: a value over time — constant, stepped schedule, trace file, or a stochastic
//    process — for a pool's spot `capacity:` and `spot_price:`;
//  - RegionSpec: the `regions:` section — shared regional spot capacity per instance family,
//    per-region on-demand and spot vCPU quotas, and the launch API rate limit (token bucket).
// Plain data (part of CompiledScenario); the run-time models are sim/model/capacity_process.h
// and sim/model/regional_limits.h.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/time.h"

namespace YAML {
class Node;
}

namespace spotsim {

class MapReader;
class ParseContext;
struct CompiledScenario;
struct PoolSpec;

struct SeriesSpec {
  enum class Kind : uint8_t { kConstant = 0, kSchedule, kTrace, kProcess };
  Kind kind = Kind::kConstant;
  double value = 0;  // kConstant; for the others the value at time 0 without a random start

  // kSchedule: (time in µs, value) sorted by time, first at 0 (before the first step: its value).
  std::vector<std::pair<int64_t, double>> steps;

  // kTrace: one value per tick (already mapped: a binary availability trace becomes
  // `available` / 0), wrapping around when the run is longer than the trace.
  std::vector<double> trace;
  Duration tick;
  bool random_start = false;  // start at a random tick, per replication
  std::string stream;         // Rng stream of the start offset ("trace:<file>:<column>"): pools
                              // reading the same column of the same file share their offset
  std::string file;           // as written (for messages)

  // kProcess: a mean-reverting jump process (docs/capacity.md). At exponential intervals of
  // rate `change_rate` (per hour) the value jumps to
  //   clamp(round(mean + persistence × (x − mean) + normal(0, stddev)), min, max).
  double mean = 0, min = 0, max = 0;
  double change_rate_per_hour = 0;
  double persistence = 0.5;
  double stddev = 0;
  bool integral = true;  // round to whole numbers (capacity); false for prices

  bool varies() const { return kind != Kind::kConstant; }
};

struct RegionSpec {
  std::string name;                   // the region's name, as the pools' `region:`
  std::string provider;               // "aws", "azure", "gcp"; empty = the region's pools' provider
  std::vector<uint32_t> pools;        // pools in the region (indices, ascending)
  int64_t on_demand_vcpu_quota = -1;  // -1 = unlimited
  int64_t spot_vcpu_quota = -1;
  // Shared spot capacity: VMs of an instance family the region gives us at once, across its
  // zones and sizes (on top of each pool's own capacity).
  struct SharedCapacity {
    std::string family;
    int64_t capacity = 0;
    std::vector<uint32_t> pools;  // the region's pools of that family
  };
  std::vector<SharedCapacity> spot_capacity;
  // Launch API rate limit (token bucket): `rate` calls per second refilled, `burst` tokens at most.
  double launch_rate_per_second = 0;  // 0 = unlimited
  int64_t launch_burst = 0;
  // Throttled launches are retried by the built-in policy with exponential backoff and jitter.
};

// Reads a pool's `capacity:` (integral VMs) or `spot_price:` (money) — a constant or a series map —
// into `out`. Returns true if a valid value was stored. `money` selects the value syntax.
bool read_series(MapReader& r, const std::string& key, const CompiledScenario& sc, bool money, bool required,
                 SeriesSpec& out);

// Parses the `regions:` map (pools already compiled) into sc.regions; checks that each named
// region has pools, and that pools under a vCPU quota declare `vcpus`.
void compile_regions(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc);

}  // namespace spotsim

#pragma once
// What a region shares among its pools (the `regions:` section, docs/capacity.md): shared spot
// capacity per instance family, on-demand and spot vCPU quotas, and the launch API's token
// bucket. World asks it while admitting a launch and tells it about every launch and release
// of a VM in a limited region; it keeps the per-region counters and metrics region.<name>.*.
//
// Invariants (checked by tests over whole runs): the vCPUs of active VMs of a purchase type in
// a region never exceed its quota; launch calls admitted in any interval [a, b] never exceed
// burst + rate × (b − a); active spot VMs of a shared family never exceed its capacity.
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/model/fleet_types.h"
#include "sim/model/metrics.h"
#include "sim/model/rate_limiter.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

class RegionalLimits {
 public:
  // Registers region.<name>.* metrics in `metrics`. REQUIRES: scenario outlives this.
  RegionalLimits(const CompiledScenario& scenario, MetricSet& metrics);

  // The region.<name>.* metric ids, one per region of `regions:` (none without): registered in
  // `metrics` from the scenario alone; the constructor registers through this.
  struct MetricIds {
    uint32_t od_peak = 0, spot_peak = 0, calls = 0, throttled = 0, quota = 0;
  };
  static std::vector<MetricIds> declare_metrics(const CompiledScenario& scenario, MetricSet& metrics);

  // Whether pool `pool` is in a region of the `regions:` section.
  bool limited(uint32_t pool) const { return region_of_[pool] >= 0; }
  // A launch API call for `pool` at `now_us`: false = throttled (counted).
  bool take_launch_token(uint32_t pool, int64_t now_us);
  // Spot VMs the pool's shared family capacity still allows (INT64_MAX without one).
  int64_t shared_spot_available(uint32_t pool) const;
  // Whether one more VM of `purchase` in `pool` fits the region's vCPU quota (false: counted).
  bool quota_allows(uint32_t pool, Purchase purchase);
  // A VM of `purchase` in `pool` was launched / is gone.
  void on_launch(uint32_t pool, Purchase purchase);
  void on_release(uint32_t pool, Purchase purchase);

  int32_t region_of(uint32_t pool) const { return region_of_[pool]; }

 private:
  struct Region {
    int64_t od_vcpus = 0, spot_vcpus = 0;
    bool has_bucket = false;
    TokenBucket bucket;
    MetricIds m;
  };
  struct Shared {
    int64_t capacity = 0;
    int64_t in_use = 0;
  };
  const CompiledScenario& sc_;
  MetricSet& metrics_;
  std::vector<int32_t> region_of_;  // per pool: index into regions_, or -1
  std::vector<int32_t> shared_of_;  // per pool: index into shared_, or -1
  std::vector<Region> regions_;
  std::vector<Shared> shared_;
};

}  // namespace spotsim

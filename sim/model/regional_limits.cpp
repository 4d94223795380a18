#include "sim/model/regional_limits.h"

#include <algorithm>

namespace spotsim {

std::vector<RegionalLimits::MetricIds> RegionalLimits::declare_metrics(const CompiledScenario& sc, MetricSet& metrics) {
  std::vector<MetricIds> ids;
  for (const RegionSpec& rs : sc.regions) {
    MetricIds& r = ids.emplace_back();
    const MetricOwner p{MetricGroup::kRegion, rs.name};
    r.od_peak = metrics.add(p + "on_demand_vcpus_peak", MetricUnit::kCount,
                            "most vCPUs of active (booting, running, noticed) on-demand VMs in the region at once");
    r.spot_peak =
        metrics.add(p + "spot_vcpus_peak", MetricUnit::kCount, "most vCPUs of active spot VMs in the region at once");
    r.calls = metrics.add(p + "launch_calls", MetricUnit::kCount,
                          "launch API calls made in the region (admitted or throttled)");
    r.throttled =
        metrics.add(p + "throttled", MetricUnit::kCount, "launch API calls refused by the region's rate limit");
    r.quota = metrics.add(p + "quota_rejections", MetricUnit::kCount,
                          "launches refused because a vCPU quota would be exceeded");
  }
  return ids;
}

RegionalLimits::RegionalLimits(const CompiledScenario& sc, MetricSet& metrics)
    : sc_(sc), metrics_(metrics), region_of_(sc.pools.size(), -1), shared_of_(sc.pools.size(), -1) {
  const std::vector<MetricIds> ids = declare_metrics(sc, metrics);
  for (size_t ri = 0; ri < sc.regions.size(); ++ri) {
    const RegionSpec& rs = sc.regions[ri];
    Region r;
    r.m = ids[ri];
    if (rs.launch_rate_per_second > 0) {
      r.has_bucket = true;
      r.bucket = TokenBucket(rs.launch_rate_per_second, rs.launch_burst);
    }
    regions_.push_back(r);
    for (uint32_t pool : rs.pools) region_of_[pool] = static_cast<int32_t>(ri);
    for (const auto& s : rs.spot_capacity) {
      for (uint32_t pool : s.pools) shared_of_[pool] = static_cast<int32_t>(shared_.size());
      shared_.push_back(Shared{s.capacity, 0});
    }
  }
}

bool RegionalLimits::take_launch_token(uint32_t pool, int64_t now_us) {
  Region& r = regions_[static_cast<size_t>(region_of_[pool])];
  metrics_[r.m.calls] += 1;
  if (!r.has_bucket || r.bucket.try_take(now_us)) return true;
  metrics_[r.m.throttled] += 1;
  return false;
}

int64_t RegionalLimits::shared_spot_available(uint32_t pool) const {
  const int32_t s = shared_of_[pool];
  if (s < 0) return std::numeric_limits<int64_t>::max();
  return std::max<int64_t>(0, shared_[static_cast<size_t>(s)].capacity - shared_[static_cast<size_t>(s)].in_use);
}

bool RegionalLimits::quota_allows(uint32_t pool, Purchase purchase) {
  const size_t ri = static_cast<size_t>(region_of_[pool]);
  const RegionSpec& rs = sc_.regions[ri];
  Region& r = regions_[ri];
  const int64_t quota = purchase == Purchase::kSpot ? rs.spot_vcpu_quota : rs.on_demand_vcpu_quota;
  if (quota < 0) return true;
  const int64_t used = purchase == Purchase::kSpot ? r.spot_vcpus : r.od_vcpus;
  if (used + sc_.pools[pool].vcpus <= quota) return true;
  metrics_[r.m.quota] += 1;
  return false;
}

void RegionalLimits::on_launch(uint32_t pool, Purchase purchase) {
  const int32_t ri = region_of_[pool];
  if (ri < 0) return;
  Region& r = regions_[static_cast<size_t>(ri)];
  const int64_t v = sc_.pools[pool].vcpus;
  if (purchase == Purchase::kSpot) {
    r.spot_vcpus += v;
    metrics_[r.m.spot_peak] = std::max(metrics_[r.m.spot_peak], static_cast<double>(r.spot_vcpus));
    if (shared_of_[pool] >= 0) shared_[static_cast<size_t>(shared_of_[pool])].in_use++;
  } else {
    r.od_vcpus += v;
    metrics_[r.m.od_peak] = std::max(metrics_[r.m.od_peak], static_cast<double>(r.od_vcpus));
  }
}

void RegionalLimits::on_release(uint32_t pool, Purchase purchase) {
  const int32_t ri = region_of_[pool];
  if (ri < 0) return;
  Region& r = regions_[static_cast<size_t>(ri)];
  const int64_t v = sc_.pools[pool].vcpus;
  if (purchase == Purchase::kSpot) {
    r.spot_vcpus -= v;
    if (shared_of_[pool] >= 0) shared_[static_cast<size_t>(shared_of_[pool])].in_use--;
  } else {
    r.od_vcpus -= v;
  }
}

}  // namespace spotsim

// api_throttle — while active, launch calls for in-scope fleets and pools pass a token bucket
// of `rate` calls (bucket size `burst`, full at each occurrence); a call finding it empty is
// refused as throttled and the fleet retries after its throttle_backoff (docs/capacity.md). The
// region's own launch rate limit (`regions:`) is a separate, permanent bucket (RegionalLimits).
#include <algorithm>

#include "sim/chaos/item.h"
#include "sim/model/world.h"

namespace spotsim {
namespace {

class ApiThrottle final : public ChaosItem {
 public:
  ApiThrottle(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) : ChaosItem(rt, w, s, i) {
    m_throttled_ = kind_metric(0);
  }
  bool injects_faults() const override { return true; }
  void begin() override {
    tokens_ = static_cast<double>(spec_.burst);
    last_us_ = world_.now().us;
  }
  bool admit_launch(uint32_t fleet, uint32_t pool) override {
    if (!scope_.pool(pool) || !scope_.fleet(fleet)) return true;
    const int64_t now = world_.now().us;
    tokens_ = std::min(static_cast<double>(spec_.burst),
                       tokens_ + spec_.launches_per_hour * static_cast<double>(now - last_us_) / 3.6e9);
    last_us_ = now;
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return true;
    }
    add(m_throttled_, 1);
    return false;
  }

 private:
  uint32_t m_throttled_ = 0;
  double tokens_ = 0;
  int64_t last_us_ = 0;
};

}  // namespace

std::unique_ptr<ChaosItem> make_api_throttle(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) {
  return std::make_unique<ApiThrottle>(rt, w, s, i);
}

}  // namespace spotsim

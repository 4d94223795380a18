// storm — revocation storm: a fraction of the in-scope spot VMs alive at the occurrence get a
// notice (the pool's, or `notice:`; 0s = evicted without notice), at times spread uniformly over
// `window`; optional follow-up waves take `waves.fraction` of the in-scope spot VMs alive then.
#include <algorithm>
#include <cmath>

#include "sim/chaos/item.h"
#include "sim/model/world.h"

namespace spotsim {
namespace {

class Storm final : public ChaosItem {
 public:
  Storm(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) : ChaosItem(rt, w, s, i) {
    m_evicted_ = kind_metric(0);
  }
  Duration active_for() const override { return Duration{0}; }
  Duration span() const override { return spec_.window + spec_.wave_every * spec_.wave_count; }

  void begin() override {
    strike(spec_.fraction);
    for (int64_t k = 1; k <= spec_.wave_count; ++k) schedule(world_.now() + spec_.wave_every * k, kWave);
  }

  void on_timer(uint16_t tag, uint64_t payload) override {
    if (tag == kWave) {
      strike(spec_.wave_fraction);
      return;
    }
    hit(static_cast<uint32_t>(payload & 0xFFFFFFFFu), static_cast<uint32_t>(payload >> 32));
  }

 private:
  enum : uint16_t { kHit = 0, kWave = 1 };

  // Chooses round(fraction × N) of the N evictable in-scope spot VMs, uniformly at random.
  void strike(double fraction) {
    std::vector<uint32_t> vms = scope_.evictable_spot_vms(world_);
    const size_t k =
        std::min(vms.size(), static_cast<size_t>(std::floor(fraction * static_cast<double>(vms.size()) + 0.5)));
    for (size_t i = 0; i < k; ++i) {  // partial Fisher–Yates
      const size_t j = i + static_cast<size_t>(rng().below(vms.size() - i));
      std::swap(vms[i], vms[j]);
    }
    for (size_t i = 0; i < k; ++i) {
      const uint32_t slot = vms[i];
      const uint32_t serial = world_.vms()[slot].serial;
      if (spec_.window.us <= 0) {
        hit(slot, serial);
      } else {
        const auto delay = static_cast<int64_t>(rng().uniform01() * static_cast<double>(spec_.window.us));
        schedule(world_.now() + Duration{delay}, kHit, (static_cast<uint64_t>(serial) << 32) | slot);
      }
    }
  }

  void hit(uint32_t slot, uint32_t serial) {
    const VmSlot& v = world_.vms()[slot];
    if (v.serial != serial || (v.state != VmState::kRunning && v.state != VmState::kBooting)) return;  // gone already
    const Duration notice = spec_.notice ? *spec_.notice : world_.scenario().pools[v.pool].notice;
    add(m_evicted_, 1);
    world_.give_notice(slot, notice);
  }

  uint32_t m_evicted_ = 0;
};

}  // namespace

std::unique_ptr<ChaosItem> make_storm(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) {
  return std::make_unique<Storm>(rt, w, s, i);
}

}  // namespace spotsim

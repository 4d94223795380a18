// cliff — capacity cliff: every in-scope pool's spot capacity drops to `level` (a fraction of its
// nominal capacity, or a number of VMs) for `duration`. New spot requests beyond it fail with
// insufficient capacity; spot VMs above the new capacity get the pool's notice and are evicted
// (PoolMarket::limit_spot_capacity: the provider reclaims what it no longer has). After the duration
// capacity returns to nominal at once, or over `recovery` in 10 equal linear steps. "Nominal" is
// the pool's capacity series at the moment (docs/capacity.md): a cliff limits it, and a pool whose
// capacity varies keeps varying under the limit.
#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/chaos/item.h"
#include "sim/chaos/runtime.h"
#include "sim/model/world.h"

namespace spotsim {
namespace {

class Cliff final : public ChaosItem {
 public:
  static constexpr int kSteps = 10;

  Cliff(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) : ChaosItem(rt, w, s, i) {
    m_evicted_ = kind_metric(0);
  }
  Duration span() const override { return active_for() + spec_.recovery; }

  void begin() override {
    ++gen_;  // cancels a recovery ramp in progress
    // Every pool of the scope is cut before any fleet reacts (the runtime holds the world's
    // notices until this returns), so a replacement never lands in a pool cut in this instant.
    // Cutting one pool gives notices in that pool only, so the counts taken first stay exact.
    const double before = value(m_evicted_);
    const std::vector<int64_t> live = live_spot_by_pool();
    int64_t in_scope = 0;
    for (uint32_t p : scope_.pools()) in_scope += live[p];
    for (uint32_t p : scope_.pools()) set_capacity(p, level(p), live[p]);
    const double evicted = value(m_evicted_) - before;
    if (evicted > static_cast<double>(in_scope)) {
      runtime_.violation("chaos item " + spec_.name + " (cliff) evicted " +
                         std::to_string(static_cast<int64_t>(evicted)) + " spot VMs from a scope that held " +
                         std::to_string(in_scope) + " at " + format_duration(Duration{world_.now().us}) +
                         " (law: a chaos item evicts no more than what is in its scope)");
    }
  }

  void end() override {
    if (depth_ > 0) return;  // another occurrence of this cliff is still in effect
    if (spec_.recovery.us <= 0) {
      for (uint32_t p : scope_.pools()) lift(p);
      return;
    }
    for (int k = 1; k <= kSteps; ++k) {
      schedule(world_.now() + Duration{spec_.recovery.us * k / kSteps}, 0, (static_cast<uint64_t>(gen_) << 8) | k);
    }
  }

  void on_timer(uint16_t, uint64_t payload) override {
    if ((payload >> 8) != gen_ || depth_ > 0) return;
    const int k = static_cast<int>(payload & 0xFF);
    const std::vector<int64_t> live = k >= kSteps ? std::vector<int64_t>{} : live_spot_by_pool();
    for (uint32_t p : scope_.pools()) {
      const int64_t lo = level(p), hi = nominal(p);
      if (k >= kSteps) lift(p);
      else set_capacity(p, lo + (hi - lo) * k / kSteps, live[p]);
    }
  }

 private:
  int64_t nominal(uint32_t p) const { return world_.pools()[p].nominal_capacity; }
  void lift(uint32_t p) { world_.market().limit_spot_capacity(p, -1); }
  int64_t level(uint32_t p) const {
    if (spec_.level_is_fraction) return static_cast<int64_t>(std::floor(spec_.level * static_cast<double>(nominal(p))));
    return std::min(nominal(p), static_cast<int64_t>(spec_.level));
  }
  // Spot VMs per pool that are booting or running (not yet under notice), in one pass.
  std::vector<int64_t> live_spot_by_pool() const {
    std::vector<int64_t> live(world_.pools().size(), 0);
    for (const VmSlot& v : world_.vms()) {
      if (v.purchase == Purchase::kSpot && (v.state == VmState::kRunning || v.state == VmState::kBooting))
        ++live[v.pool];
    }
    return live;
  }
  // `live`: pool p's booting and running spot VMs now.
  void set_capacity(uint32_t p, int64_t cap, int64_t live) {
    add(m_evicted_, static_cast<double>(std::max<int64_t>(0, live - std::min(cap, nominal(p)))));
    world_.market().limit_spot_capacity(p, cap);
  }

  uint32_t m_evicted_ = 0;
  uint64_t gen_ = 0;
};

}  // namespace

std::unique_ptr<ChaosItem> make_cliff(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) {
  return std::make_unique<Cliff>(rt, w, s, i);
}

}  // namespace spotsim

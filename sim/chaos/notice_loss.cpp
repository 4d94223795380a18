// notice_loss — while active, each notice to an in-scope VM is lost with `probability`: the VM
// is evicted when the notice would have expired, without having been told (F2).
#include "sim/chaos/item.h"
#include "sim/model/world.h"

namespace spotsim {
namespace {

class NoticeLoss final : public ChaosItem {
 public:
  NoticeLoss(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) : ChaosItem(rt, w, s, i) {
    m_lost_ = kind_metric(0);
  }
  bool injects_faults() const override { return true; }
  void begin() override {}
  bool lose_notice(uint32_t slot) override {
    if (!scope_.vm(world_, slot)) return false;
    if (!rng().bernoulli(spec_.probability)) return false;
    add(m_lost_, 1);
    return true;
  }

 private:
  uint32_t m_lost_ = 0;
};

}  // namespace

std::unique_ptr<ChaosItem> make_notice_loss(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) {
  return std::make_unique<NoticeLoss>(rt, w, s, i);
}

}  // namespace spotsim

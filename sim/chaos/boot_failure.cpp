// boot_failure — while active, each in-scope VM that finishes booting fails with `probability`
// (a bad image, F5): it was billed from launch, it is released, and its fleet asks for another.
#include "sim/chaos/item.h"
#include "sim/model/world.h"

namespace spotsim {
namespace {

class BootFailure final : public ChaosItem {
 public:
  BootFailure(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) : ChaosItem(rt, w, s, i) {
    m_failed_ = kind_metric(0);
  }
  bool injects_faults() const override { return true; }
  void begin() override {}
  bool fail_boot(uint32_t slot) override {
    if (!scope_.vm(world_, slot)) return false;
    if (!rng().bernoulli(spec_.probability)) return false;
    add(m_failed_, 1);
    return true;
  }

 private:
  uint32_t m_failed_ = 0;
};

}  // namespace

std::unique_ptr<ChaosItem> make_boot_failure(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) {
  return std::make_unique<BootFailure>(rt, w, s, i);
}

}  // namespace spotsim

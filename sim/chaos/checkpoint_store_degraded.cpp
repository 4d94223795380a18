// checkpoint_store_degraded — the shared checkpoint store's throughput drops to `throughput` (a
// fraction of nominal) for `duration`: checkpoint writes, and checkpoint-on-notice above all,
// take longer, and a write that outlasts its VM's notice is lost (checkpoint lag, F3).
#include "sim/chaos/item.h"
#include "sim/model/world.h"
#if __has_include("sim/model/workload/workloads.h")
#include "sim/model/workload/workloads.h"
#define SPOTSIM_HAVE_CHECKPOINT_STORE 1
#endif

namespace spotsim {
namespace {

class CheckpointStoreDegraded final : public ChaosItem {
 public:
  using ChaosItem::ChaosItem;
  void begin() override { set(spec_.throughput); }
  void end() override {
    if (depth_ == 0) set(1.0);
  }

 private:
  void set(double factor) {
#ifdef SPOTSIM_HAVE_CHECKPOINT_STORE
    if (WorkloadSet* ws = workload_set(world_)) ws->checkpoint_store().set_throughput_factor(factor);
#else
    (void)factor;
#endif
  }
};

}  // namespace

std::unique_ptr<ChaosItem> make_checkpoint_store_degraded(ChaosRuntime& rt, World& w, const ChaosSpec& s, uint32_t i) {
  return std::make_unique<CheckpointStoreDegraded>(rt, w, s, i);
}

}  // namespace spotsim

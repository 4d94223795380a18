#pragma once
// A fleet's warm pool (`warm_pool:`, docs/fleets.md "Warm pools"): pre-initialized instances
// kept beside the fleet, as AWS Auto Scaling warm pools do. A launch of the fleet that finds a
// warm instance ready takes it and is running after `resume_time` instead of the full
// `boot_time`; the pool then refills itself (a new instance initializes for `boot_time`).
//
// Billing (per instance, in $/h, accrued exactly between state changes):
//  - ready, state stopped: `disk_cost` (its volumes; AWS bills stopped warm instances only for
//    EBS volumes and Elastic IPs);
//  - ready, state running: the fleet's cheapest on-demand price (a running instance);
//  - initializing (a refill): the same on-demand price, whatever the state it will rest in.
// The VM a launch makes of a warm instance is billed like any other VM from its launch on.
// The pool starts full at time 0, as the fleet starts warm.
#include <cstdint>

#include "sim/core/engine.h"
#include "sim/scenario/scaling_spec.h"

namespace spotsim {

class WarmPool : public EventHandler {
 public:
  // REQUIRES: engine and spec outlive the pool; spec.size > 0.
  WarmPool(Engine& engine, const WarmPoolSpec& spec, Duration boot_time, double running_price_per_hour);

  // Takes a ready instance if there is one (and starts its refill); false if none is ready.
  bool take();
  Duration resume_time() const { return spec_.resume_time; }
  int64_t ready() const { return ready_; }
  int64_t initializing() const { return initializing_; }
  // Launches served from the pool so far.
  int64_t taken() const { return taken_; }
  // What the pool has cost up to now ($).
  double cost();

  void handle(Engine& engine, const Event& event) override;

 private:
  void accrue();

  Engine& engine_;
  const WarmPoolSpec& spec_;
  Duration boot_time_;
  double running_price_;
  uint16_t self_;
  int64_t ready_;
  int64_t initializing_ = 0;
  int64_t taken_ = 0;
  int64_t last_us_ = 0;
  double cost_ = 0;
};

}  // namespace spotsim

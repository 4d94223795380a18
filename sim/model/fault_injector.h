#pragma once
// Faults injected into the world's own decisions (boot, notice delivery, launch API). The chaos
// models (sim/chaos) implement it; World asks at the moment of each decision. The defaults
// inject nothing. Calls happen on the replication's thread, in event order (deterministic).
#include <cstdint>

namespace spotsim {

class World;

class FaultInjector {
 public:
  virtual ~FaultInjector() = default;
  // VM `slot` is about to receive its interruption notice: true = the notice is lost (never
  // delivered: no kNotice event, no replace-on-notice); the eviction still comes when due.
  virtual bool lose_notice(const World& world, uint32_t slot) { return false; }
  // VM `slot` has just finished booting: true = the boot failed (the VM is billed from launch
  // to now, released with a kBootFailed event, and its fleet asks for another VM).
  virtual bool fail_boot(const World& world, uint32_t slot) { return false; }
  // A launch for `fleet` in `pool` is about to be made: false = the launch API throttled the
  // call (a capacity error with detail 3 = throttled; the built-in policy retries with backoff).
  virtual bool admit_launch(const World& world, uint32_t fleet, uint32_t pool) { return true; }
};

}  // namespace spotsim

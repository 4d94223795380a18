#pragma once
// The world's state, as other models read it (World::vms(), pools(), fleets()): one record per
// VM slot, per capacity pool and per fleet. World changes the VMs and fleets; the pools are the
// pool market's (sim/model/pool_market.h: capacity and price changes, and the in-use counts the
// world's launches and evictions report to it); everyone else reads them.
#include <cstdint>

#include "sim/model/fleet_types.h"
#include "sim/model/loss_ledger.h"
#include "sim/model/metrics.h"

namespace spotsim {

struct VmSlot {
  int64_t launched_us = 0;  // launch request (billing start)
  int64_t running_us = -1;  // became running; -1 while booting
  int64_t lost_at_us = -1;  // for a replacement: when the VM it replaces was (or will be) lost;
                            // for a stopped VM: when it was evicted
  int64_t created_us = 0;   // first launch of this VM (its disks exist since; restarts keep it)
  int64_t ready_us = -1;    // while booting: when its boot completes (scheduled)
  uint32_t serial = 0;      // unique per incarnation
  uint32_t gen = 0;         // bumps on every state change that invalidates pending events
  uint16_t fleet = 0;       // fleet and pool indices fit 16 bits (as in ModelEvent)
  uint16_t pool = 0;
  VmState state = VmState::kFree;
  Purchase purchase = Purchase::kSpot;
  uint8_t flags = 0;  // VmFlag bits
  // 56 bytes: one per VM of the largest fleets (10^6 VMs). Rare links (the VM a replacement
  // drains when it runs) live in World's side table, not here.
};
static_assert(sizeof(VmSlot) <= 56, "VmSlot is per VM: keep it small");
enum VmFlag : uint8_t {
  kVmFallback = 1,
  kVmBeingReplaced = 2,
  kVmDraining = 4,
  kVmReturning = 8,
  kVmNoticeDelivered = 16,
  kVmScaleInProtected = 32,     // scale-in never drains it (a batch VM holding a job)
  kVmRebalanceWithNotice = 64,  // its rebalance recommendation comes together with the notice
  kVmReplaced = 128,            // a replacement (rebalance) already runs: do not replace on eviction
};

struct PoolState {
  int64_t spot_in_use = 0;       // spot VMs launched from this pool and not yet evicted
  int64_t capacity = 0;          // current spot capacity: min(nominal_capacity, capacity_limit)
  int64_t nominal_capacity = 0;  // what the pool's `capacity:` series says now
  int64_t capacity_limit = -1;   // a chaos cliff's limit (-1: none)
  int64_t on_demand_in_use = 0;
  int64_t on_demand_capacity = -1;  // on-demand VMs the provider can give here (-1: no limit)
  double spot_price = 0;            // current spot price ($/h): price_override if set, else base_spot_price
  double base_spot_price = 0;       // what the pool's `spot_price:` series says now
  double price_override = -1;       // a chaos price_spike's price (-1: none)
  bool on_demand_available = true;
  // Time integrals for pool metrics (spot utilization), brought up to now by PoolMarket::account
  // before every change of spot_in_use or capacity (PoolMarket::spot_used, set_spot_capacity).
  double spot_in_use_us = 0;  // ∫ spot_in_use dt
  double capacity_us = 0;     // ∫ capacity dt
  int64_t last_change_us = 0;
};

struct FleetState {
  int64_t target = 0;
  int64_t running = 0;
  int64_t booting = 0;
  int64_t noticed = 0;
  int64_t waiting = 0;      // VMs asked for by commands not yet applied (launches, retries)
  int64_t spot_active = 0;  // booting + running + noticed, by purchase type
  int64_t on_demand_active = 0;
  int64_t fallback_active = 0;
  int64_t fallback_waiting = 0;  // fallback VMs asked for by commands not yet applied
  int64_t returning = 0;         // return-to-spot launches in flight
  int64_t stopped = 0;           // VMs stopped/deallocated by an eviction, kept by the fleet (may restart)
  double load = 0;               // last workload metric (JobEventKind::kLoad)
  int64_t last_change_us = 0;
  double running_vm_us = 0;  // integral of running VMs over time
  double served_vm_us = 0;   // integral of min(running, target): VMs above the target do not count
  double target_vm_us = 0;   // integral of the target over time (up to target_since_us)
  int64_t target_since_us = 0;
  LogHistogram time_to_replace;  // seconds
  LossLedger losses;             // VMs lost and not back yet (unrecovered at the end)
  int64_t protected_vms = 0;     // VMs with scale-in protection (they hold a job)
  // Where protected VMs exceed the target: ∫ (protected − target) dt and ∫ (min(running,
  // protected) − min(running, target)) dt (up to last_change_us; zero for most fleets).
  double needed_extra_us = 0;
  double available_extra_us = 0;
  double needed_vm_us = 0;      // at the end: ∫ max(target, protected VMs) dt
  double available_vm_us = 0;   // at the end: ∫ min(running, max(target, protected VMs)) dt
  bool target_changed = false;  // the target ever differed from the file's
};

}  // namespace spotsim

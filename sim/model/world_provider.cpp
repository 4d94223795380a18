// World: provider semantics (docs/providers.md) — boot latency and failures, AWS rebalance
// recommendations, evictions that keep the VM (stop, hibernate, deallocate) and restarts, GCP
// preemptible lifetimes. Kept apart from world.cpp so the fleet core stays small; these are World
// members (world.h). Price evictions are the pool market's (pool_market.h).
#include <algorithm>
#include <cmath>

#include "sim/model/world.h"

namespace spotsim {

Duration World::draw_boot_delay(uint32_t fleet) {
  const double s = sc_.fleets[fleet].boot_dist.sample(rng_[fleet].boot);
  return Duration{std::max<int64_t>(0, std::llround(s * 1e6))};
}

bool World::draw_boot_failure(uint32_t slot) {
  const double p = sc_.fleets[vms_[slot].fleet].boot_failure;
  // The fleet's own failure probability (bad image, quota) and chaos boot_failure share this
  // path: either fails the boot. Warm-start VMs were running before the run, so the fleet's
  // probability does not apply to them.
  bool failed = p > 0 && !warm_starting_ && rng_[vms_[slot].fleet].boot_failure.bernoulli(p);
  if (!failed) failed = injector_ && injector_->fail_boot(*this, slot);
  if (failed) metrics_[fleet_mx_[vms_[slot].fleet].boot_failures] += 1;
  return failed;
}

void World::schedule_rebalance(uint32_t slot, int64_t notice_at_us) {
  VmSlot& v = vms_[slot];
  const PoolSpec& ps = sc_.pools[v.pool];
  if (!ps.rebalance) return;
  if (ps.rebalance_probability > 0 && rng_[v.fleet].rebalance.bernoulli(ps.rebalance_probability)) {
    const double lead_s = ps.rebalance_lead.sample(rng_[v.fleet].rebalance);
    const int64_t at = std::max<int64_t>(engine_.now().us, notice_at_us - std::llround(lead_s * 1e6));
    if (at < notice_at_us) {
      engine_.schedule_at(SimTime{at}, self_, kRebalanceEv, slot, v.gen);
      return;
    }
  }
  // AWS sends the recommendation at the latest together with the interruption notice.
  v.flags |= kVmRebalanceWithNotice;
}

void World::on_rebalance(uint32_t slot) {
  const VmSlot& v = vms_[slot];
  const uint32_t fleet = v.fleet;
  metrics_[fleet_mx_[fleet].rebalances] += 1;
  emit(ModelEventKind::kRebalance, slot, 0);
  FleetRuntime& rt = rt_[fleet];
  bool builtin = false;
  if (rt.custom_hooks & kHookOnRebalance) {
    rt.custom->on_rebalance(VmId{slot, v.serial}, PolicyContext(*this, fleet), scratch_);
  } else if (rt.builtin_hooks & kHookOnRebalance) {
    rt.builtin->on_rebalance(VmId{slot, v.serial}, PolicyContext(*this, fleet), scratch_);
    builtin = true;
  }
  flush(fleet, builtin);
}

void World::schedule_lifetime(uint32_t slot, bool warm_start) {
  const VmSlot& v = vms_[slot];
  const PoolSpec& ps = sc_.pools[v.pool];
  if (ps.provisioning != ProvisioningModel::kPreemptible || v.purchase != Purchase::kSpot) return;
  const int64_t life = provider_traits(ps.provider).preemptible_max_lifetime.us;
  // A warm-start VM has been running for a while already: a uniform age in [0, life).
  const int64_t age =
      warm_start ? static_cast<int64_t>(rng_[v.fleet].lifetime.uniform01() * static_cast<double>(life)) : 0;
  const int64_t end_at = v.launched_us - age + life;
  const int64_t notice_at = std::max(engine_.now().us, end_at - ps.notice.us);
  if (notice_at >= end_us_) return;
  engine_.schedule_at(SimTime{notice_at}, self_, kLifetimeEv, slot, v.gen);
}

bool World::covered_by_replacement(uint32_t slot) {
  VmSlot& v = vms_[slot];
  if (v.flags & kVmReplaced) return true;                                 // its replacement already runs
  for (auto link = replaces_.begin(); link != replaces_.end(); ++link) {  // in slot order
    VmSlot& r = vms_[link->first];
    if (r.state == VmState::kFree || link->second.slot != slot || link->second.serial != v.serial) continue;
    // The replacement still boots: it now replaces a lost VM (time to reschedule from now).
    replaces_.erase(link);
    r.lost_at_us = engine_.now().us;
    if (r.flags & kVmReturning) {
      r.flags &= static_cast<uint8_t>(~kVmReturning);
      fleets_[r.fleet].returning--;
    }
    return true;
  }
  return false;
}

void World::stop_vm(uint32_t slot) {
  VmSlot& v = vms_[slot];
  const uint32_t fleet = v.fleet;
  deactivate(slot);  // (if it was itself a replacement, that swap is off)
  drop_protection(v);
  v.state = VmState::kStopped;
  v.gen++;
  v.running_us = -1;
  v.lost_at_us = engine_.now().us;
  v.flags &= kVmBeingReplaced;  // a rebalance replacement still booting deletes it when running
  fleets_[fleet].stopped++;
  const PoolSpec& ps = sc_.pools[v.pool];
  if (ps.restart) {
    const double after_s = ps.restart_after.sample(rng_[fleet].restart);
    const int64_t at = engine_.now().us + std::max<int64_t>(0, std::llround(after_s * 1e6));
    if (at < end_us_) engine_.schedule_at(SimTime{at}, self_, kRestartEv, slot, v.gen);
  }
  // The fleet keeps the VM (it counts against the target): the built-in policy launches no
  // replacement; a custom policy's on_eviction sees it with state "stopped".
  FleetRuntime& rt = rt_[fleet];
  if (rt.custom_hooks & kHookOnEviction) {
    rt.custom->on_eviction(view_of(slot), PolicyContext(*this, fleet), scratch_);
    flush(fleet, false);
  }
}

void World::on_restart(uint32_t slot) {
  VmSlot& v = vms_[slot];
  const uint32_t fleet = v.fleet;
  const uint32_t pool = v.pool;
  const double max_price = sc_.fleets[fleet].max_price;
  if (market_.spot_available(pool) <= 0 || (max_price > 0 && market_.pool(pool).spot_price > max_price)) {
    // No capacity yet: look again after the fleet's retry interval.
    const int64_t at = engine_.now().us + sc_.fleets[fleet].retry_interval.us;
    if (at < end_us_) engine_.schedule_at(SimTime{at}, self_, kRestartEv, slot, v.gen);
    return;
  }
  const int64_t now = engine_.now().us;
  billing_->add_stopped_time(fleet, v.lost_at_us, now);
  metrics_[fleet_mx_[fleet].restarts] += 1;
  FleetState& f = fleets_[fleet];
  market_.spot_used(pool, 1);
  f.stopped--;
  f.spot_active++;
  f.booting++;
  rt_[fleet].pool_vms[pool]++;
  // A new incarnation (new serial, billed from now); lost_at_us stays the eviction time, so the
  // time to reschedule runs from the eviction to running again. Its disks keep created_us.
  v.state = VmState::kBooting;
  v.launched_us = now;
  v.running_us = -1;
  v.serial = next_serial_++;
  v.gen++;
  v.flags = 0;
  emit(ModelEventKind::kLaunch, slot, 3);
  const Duration boot = boot_delay(fleet);
  v.ready_us = now + boot.us;
  engine_.schedule_fifo(boot_lane_, SimTime{v.ready_us}, self_, kBootDone, slot, v.gen);
  if (lifetime_any_) schedule_lifetime(slot, false);
}

}  // namespace spotsim

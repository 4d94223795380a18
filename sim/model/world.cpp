#include "sim/model/world.h"

#include <algorithm>
#include <limits>

#include "sim/core/huge_pages.h"

namespace spotsim {
namespace {
constexpr Duration kMinRetryDelay = Duration::seconds(1);

// Provisioning rejection metrics, one per RejectCause (docs/metrics.md).
const char* rejection_metric_name(RejectCause c) {
  switch (c) {
    case RejectCause::kInsufficientSpot: return "rejections_insufficient_spot";
    case RejectCause::kInsufficientOnDemand: return "rejections_insufficient_on_demand";
    case RejectCause::kQuota: return "rejections_quota";
    case RejectCause::kThrottled: return "rejections_throttled";
    case RejectCause::kPrice: return "rejections_price";
  }
  return "rejections_other";
}
const char* rejection_metric_help(RejectCause c) {
  switch (c) {
    case RejectCause::kInsufficientSpot: return "launches refused: no spot capacity (pool or shared regional capacity)";
    case RejectCause::kInsufficientOnDemand: return "launches refused: no on-demand capacity in the pool";
    case RejectCause::kQuota: return "launches refused: the region's vCPU quota would be exceeded";
    case RejectCause::kThrottled: return "launch calls refused by the launch API rate limit";
    case RejectCause::kPrice: return "spot launches refused: spot price above the fleet's max_price";
  }
  return "";
}
}  // namespace

World::World(const CompiledScenario& scenario, uint64_t replication)
    : sc_(scenario),
      replication_(replication),
      rt_(scenario.fleets.size()),
      end_us_(scenario.duration.us),
      billing_(register_metrics()),
      admission_(std::make_unique<LaunchAdmission>(sc_, metrics_)),  // region.* metrics
      market_(sc_, engine_, *billing_, *admission_, *this) {
  rng_.reserve(sc_.fleets.size());
  for (const FleetSpec& f : sc_.fleets) rng_.emplace_back(sc_.seed, replication, f.name);
  self_ = engine_.add_handler(this);
  boot_lane_ = engine_.add_lane();
  evict_lane_ = engine_.add_lane();
  for (const PoolSpec& p : sc_.pools) {
    rebalance_any_ |= p.rebalance;
    lifetime_any_ |= p.provisioning == ProvisioningModel::kPreemptible;
  }
  fleets_.resize(sc_.fleets.size());
  int64_t total = 0;
  for (uint32_t i = 0; i < fleets_.size(); ++i) {
    fleets_[i].target = sc_.fleets[i].target;
    total += sc_.fleets[i].target;
    FleetRuntime& rt = rt_[i];
    rt.builtin = std::make_unique<BuiltinFleetPolicy>(sc_, i);
    rt.builtin_hooks = rt.builtin->hooks();
    rt.pool_vms.assign(sc_.pools.size(), 0);
    rt.instances = fleet_instances(sc_.fleets[i]);
    if (sc_.fleets[i].warm_pool.size > 0) {
      double od = 0;  // warm pools hold on-demand instances: the fleet's cheapest type
      for (const FleetPoolEntry& e : rt.instances) {
        const double p = sc_.pools[e.pool].on_demand_price;
        od = od == 0 ? p : std::min(od, p);
      }
      rt.warm = std::make_unique<WarmPool>(engine_, sc_.fleets[i].warm_pool, sc_.fleets[i].boot_time, od);
    }
  }
  vms_.reserve(static_cast<size_t>(total + total / 8 + 16));
  advise_huge_pages(vms_.data(), vms_.capacity() * sizeof(VmSlot));  // random reads at 10^6 VMs
  engine_.set_payload_prefetch(self_, vms_.data(), sizeof(VmSlot));
  scratch_.reserve(16);
  loads_.assign(sc_.workloads.size() * kLoadMetrics, std::numeric_limits<double>::quiet_NaN());
  market_.start_series();  // capacity and price at time 0, then their changes
}

World::FleetRngs::FleetRngs(uint64_t seed, uint64_t replication, const std::string& fleet)
    : interruption(Rng::stream(seed, replication, "fleet." + fleet + ".interruption")),
      boot(Rng::stream(seed, replication, "fleet." + fleet + ".boot")),
      boot_failure(Rng::stream(seed, replication, "fleet." + fleet + ".boot_failure")),
      rebalance(Rng::stream(seed, replication, "fleet." + fleet + ".rebalance")),
      restart(Rng::stream(seed, replication, "fleet." + fleet + ".restart")),
      lifetime(Rng::stream(seed, replication, "fleet." + fleet + ".lifetime")) {}

WorldComponent* World::add_component(std::unique_ptr<WorldComponent> c) {
  components_.push_back(std::move(c));
  return components_.back().get();
}

World::~World() = default;

void World::set_policy(uint32_t fleet, std::unique_ptr<FleetPolicy> policy) {
  FleetRuntime& rt = rt_[fleet];
  rt.custom = std::move(policy);
  rt.custom_hooks = rt.custom ? rt.custom->hooks() : 0;
}

World::MetricIds World::declare(const CompiledScenario& sc, MetricSet& ms) {
  MetricIds ids;
  for (const auto& f : sc.fleets) {
    const MetricOwner p{MetricGroup::kFleet, f.name};
    FleetMetrics m{};
    m.interruptions = ms.add(p + "interruptions", MetricUnit::kCount, "spot VMs of this fleet evicted by the provider");
    m.replacements = ms.add(p + "replacements", MetricUnit::kCount, "replacement VMs that reached running");
    m.ttr_mean =
        ms.add(p + "time_to_reschedule", MetricUnit::kSeconds,
               "mean time from losing a VM (eviction) to its replacement running; 0 if replaced before the eviction");
    m.ttr_p95 = ms.add(p + suffixed("time_to_reschedule", metric_suffix::kP95), MetricUnit::kSeconds,
                       "95th percentile of time_to_reschedule within the replication");
    m.ttr_max = ms.add(p + suffixed("time_to_reschedule", metric_suffix::kMax), MetricUnit::kSeconds,
                       "longest time_to_reschedule within the replication");
    m.capacity_errors = ms.add(p + "capacity_errors", MetricUnit::kCount, "launch attempts refused, for any cause");
    m.vm_hours_spot = ms.add(p + "vm_hours_spot", MetricUnit::kHours, "running spot VM-hours");
    m.vm_hours_on_demand = ms.add(p + "vm_hours_on_demand", MetricUnit::kHours, "running on-demand VM-hours");
    m.lost_vm_hours = ms.add(p + "lost_vm_hours", MetricUnit::kHours,
                             "target VM-hours not delivered (target × duration, or the target's integral with scaling, "
                             "− running VM-hours up to the target)");
    m.availability_pct = ms.add(
        p + "availability_pct", MetricUnit::kPercent,
        "running VM-hours up to the target, as a percentage of target × duration (the target's integral with scaling)");
    m.cost = ms.add(p + "cost", MetricUnit::kDollars, "billed cost of this fleet's VMs");
    for (int c = 0; c < kRejectCauseCount; ++c) {
      m.rejections[c] = ms.add(p + rejection_metric_name(static_cast<RejectCause>(c)), MetricUnit::kCount,
                               rejection_metric_help(static_cast<RejectCause>(c)));
    }
    m.rejection_rate = ms.add(p + "rejection_rate_pct", MetricUnit::kPercent,
                              "refused launch attempts as a percentage of refused attempts plus launches");
    ids.fleet.push_back(m);
    WarmPoolMetrics& w = ids.warm.emplace_back();
    if (f.warm_pool.size > 0) {
      w.cost = ms.add(
          p + "warm_pool_cost", MetricUnit::kDollars,
          "what the warm pool's instances cost (stopped: disk; running and initializing: on-demand); included in cost");
      w.launches = ms.add(p + "warm_launches", MetricUnit::kCount,
                          "launches served from the warm pool (resume instead of boot)");
    }
  }
  for (const auto& pl : sc.pools) {
    const MetricOwner p{MetricGroup::kPool, pl.name};
    PoolMetrics m{};
    m.interruptions = ms.add(p + "interruptions", MetricUnit::kCount, "VMs of this pool evicted by the provider");
    m.vm_hours = ms.add(p + "vm_hours", MetricUnit::kHours, "running VM-hours in this pool");
    m.capacity_errors =
        ms.add(p + "capacity_errors", MetricUnit::kCount, "launch attempts refused in this pool, for any cause");
    m.cost = ms.add(p + "cost", MetricUnit::kDollars, "billed cost of VMs in this pool");
    for (int c = 0; c < kRejectCauseCount; ++c) {
      m.rejections[c] = ms.add(p + rejection_metric_name(static_cast<RejectCause>(c)), MetricUnit::kCount,
                               rejection_metric_help(static_cast<RejectCause>(c)));
    }
    ids.pool.push_back(m);
  }
  ids.cost_total = ms.add(run_metric(MetricGroup::kCost, "total"), MetricUnit::kDollars, "everything billed");
  ids.cost_spot = ms.add(run_metric(MetricGroup::kCost, "spot"), MetricUnit::kDollars, "billed for spot VMs");
  ids.cost_on_demand =
      ms.add(run_metric(MetricGroup::kCost, "on_demand"), MetricUnit::kDollars, "billed for on-demand VMs");
  ids.cost_od_equiv = ms.add(run_metric(MetricGroup::kCost, "on_demand_equivalent"), MetricUnit::kDollars,
                             "the same billed VM time at on-demand prices");
  ids.cost_all_od = ms.add(run_metric(MetricGroup::kCost, "all_on_demand"), MetricUnit::kDollars,
                           "counterfactual: every fleet's target on on-demand for the whole run (following the target "
                           "with scaling), never interrupted");
  ids.savings = ms.add(run_metric(MetricGroup::kCost, "savings_pct"), MetricUnit::kPercent,
                       "100 × (1 − cost.total / cost.all_on_demand)");
  declare_extra(sc, ms, ids);
  return ids;
}

std::unique_ptr<Billing> World::register_metrics() {
  MetricIds ids = declare(sc_, metrics_);
  fleet_m_ = std::move(ids.fleet);
  pool_m_ = std::move(ids.pool);
  fleet_mx_ = std::move(ids.fleet_x);
  pool_mx_ = std::move(ids.pool_x);
  for (size_t i = 0; i < rt_.size(); ++i) {
    rt_[i].m_warm_cost = ids.warm[i].cost;
    rt_[i].m_warm_launches = ids.warm[i].launches;
  }
  m_cost_total_ = ids.cost_total;
  m_cost_spot_ = ids.cost_spot;
  m_cost_on_demand_ = ids.cost_on_demand;
  m_cost_od_equiv_ = ids.cost_od_equiv;
  m_cost_all_od_ = ids.cost_all_od;
  m_savings_ = ids.savings;
  m_cost_disk_ = ids.cost_disk;
  std::vector<Billing::FleetIds> fleet_ids;
  for (size_t i = 0; i < fleet_m_.size(); ++i) {
    const FleetMetrics& m = fleet_m_[i];
    const FleetMetricsExtra& x = fleet_mx_[i];
    fleet_ids.push_back(
        {m.cost, m.vm_hours_spot, m.vm_hours_on_demand, x.vm_hours_fallback, x.disk_cost, x.stopped_vm_hours});
  }
  std::vector<Billing::PoolIds> pool_ids;
  for (size_t i = 0; i < pool_m_.size(); ++i) {
    pool_ids.push_back({pool_m_[i].cost, pool_m_[i].vm_hours, pool_mx_[i].vm_hours_spot, pool_mx_[i].vm_hours_on_demand,
                        pool_mx_[i].disk_cost});
  }
  return std::make_unique<Billing>(
      sc_, metrics_, std::move(fleet_ids), std::move(pool_ids),
      Billing::TotalIds{m_cost_total_, m_cost_spot_, m_cost_on_demand_, m_cost_od_equiv_, m_cost_disk_});
}

uint32_t World::alloc_slot() {
  if (!free_slots_.empty()) {
    const uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  const size_t capacity = vms_.capacity();
  vms_.emplace_back();
  if (vms_.capacity() != capacity) {
    advise_huge_pages(vms_.data(), vms_.capacity() * sizeof(VmSlot));  // moved
    engine_.set_payload_prefetch(self_, vms_.data(), sizeof(VmSlot));
  }
  return static_cast<uint32_t>(vms_.size() - 1);
}

void World::emit_to_observers(ModelEventKind kind, uint32_t slot, double detail) {
  const VmSlot& v = vms_[slot];
  const ModelEvent ev{engine_.now(), kind, v.serial, v.pool, static_cast<uint16_t>(v.fleet), detail, v.purchase, slot};
  signals_.emit(ev);
}

void World::emit_fleet(ModelEventKind kind, uint32_t fleet, uint16_t pool, double detail) {
  if (!signals_.has_observers()) return;
  const ModelEvent ev{engine_.now(), kind, std::numeric_limits<uint32_t>::max(), pool, static_cast<uint16_t>(fleet),
                      detail};
  signals_.emit(ev);
}

void World::drop_protection(VmSlot& v) {
  if (!(v.flags & kVmScaleInProtected)) return;
  FleetState& f = fleets_[v.fleet];
  set_running(f, 0);  // integrate the need up to now under the old count
  f.protected_vms--;
  v.flags &= static_cast<uint8_t>(~kVmScaleInProtected);
}

void World::finalize_unrecovered() {
  // A replacement still booting at the end is back when its boot completes (already scheduled):
  // its time to reschedule is exact, and its loss is not unrecovered. One pass over the VMs.
  std::vector<int64_t> in_flight(fleets_.size(), 0);
  for (const VmSlot& v : vms_) {
    if (v.state != VmState::kBooting || v.ready_us < 0) continue;
    ++in_flight[v.fleet];  // its boot completes as scheduled: it fills a place of the shortfall
    if (v.lost_at_us < 0 || v.lost_at_us > end_us_) continue;  // a scale-out launch, not a replacement
    FleetState& f = fleets_[v.fleet];
    f.time_to_replace.add(std::max<double>(0.0, static_cast<double>(v.ready_us - v.lost_at_us) * 1e-6));
    f.losses.recovered(v.lost_at_us, v.lost_at_us);
  }
  for (uint32_t fi = 0; fi < fleets_.size(); ++fi) finalize_unrecovered(fi, in_flight[fi]);
}

void World::finalize_unrecovered(uint32_t fi, int64_t in_flight) {
  FleetState& f = fleets_[fi];
  // Losses beyond the shortfall were made good otherwise (a scale-out launch, a lower target). A
  // scale-out VM still booting at the end (a job that arrived in its last boot time) is not a loss:
  // counted as a place of the shortfall it would otherwise blame on an old loss the fleet had
  // stopped needing (scale to zero drains the replacement of a VM lost when the need fell).
  int64_t n = std::min(f.losses.open(), std::max<int64_t>(0, f.target - f.running - in_flight));
  metrics_[fleet_mx_[fi].unrecovered] = static_cast<double>(n);
  f.losses.for_each_open([&](const LossLedger::Loss& l) {
    if (n <= 0) return;
    if (metrics_[fleet_mx_[fi].unrecovered_open] == 0) {  // the oldest comes first
      metrics_[fleet_mx_[fi].unrecovered_open] = static_cast<double>(end_us_ - l.at_us) * 1e-6;
    }
    --n;
    f.time_to_replace.add(static_cast<double>(end_us_ - l.at_us) * 1e-6);  // censored at the end
    metrics_[pool_mx_[l.pool].unrecovered] += 1;
  });
}

void World::set_running(FleetState& f, int64_t delta) {
  const int64_t now = engine_.now().us;
  const double dt = static_cast<double>(now - f.last_change_us);
  f.running_vm_us += static_cast<double>(f.running) * dt;
  const int64_t target = std::max<int64_t>(f.target, 0);
  f.served_vm_us += static_cast<double>(std::min(f.running, target)) * dt;
  if (f.protected_vms > target) {  // rare: only batch fleets whose jobs hold VMs above the target
    f.needed_extra_us += static_cast<double>(f.protected_vms - target) * dt;
    f.available_extra_us +=
        static_cast<double>(std::min(f.running, f.protected_vms) - std::min(f.running, target)) * dt;
  }
  f.last_change_us = now;
  f.running += delta;
}

int64_t World::fleet_serving(uint32_t fleet) const {
  const FleetState& f = fleets_[fleet];
  const FleetRuntime& rt = rt_[fleet];
  const bool replaced_at_eviction =
      !(rt.custom_hooks & (kHookOnNotice | kHookOnEviction)) && rt.builtin->replaces_on_eviction(true);
  return f.spot_active + f.on_demand_active - (replaced_at_eviction ? 0 : f.noticed) + f.waiting - f.returning +
         f.stopped;
}

int64_t World::fleet_vms_in_pool(uint32_t fleet, uint32_t pool) const { return rt_[fleet].pool_vms[pool]; }

VmView World::view_of(uint32_t slot) const {
  const VmSlot& s = vms_[slot];
  VmView v;
  v.id = VmId{slot, s.serial};
  v.fleet = s.fleet;
  v.pool = s.pool;
  v.state = s.state;
  v.purchase = s.purchase;
  v.fallback = (s.flags & kVmFallback) != 0;
  v.notice_delivered = (s.flags & kVmNoticeDelivered) != 0;
  v.launched = SimTime{s.launched_us};
  v.running = s.running_us >= 0 ? SimTime{s.running_us} : SimTime::never();
  return v;
}

// --- commands -----------------------------------------------------------------------------

void World::submit(uint32_t fleet, const Commands& commands) {
  for (const Command& c : commands) submit_one(c);
}

void World::submit_one(const Command& c0) {
  {
    Command c = c0;
    if (c.delay.us < 0) c.delay = Duration{0};
    // A retry at the same instant could loop forever without time advancing.
    if (c.kind == CommandKind::kRetry && c.delay < kMinRetryDelay) c.delay = kMinRetryDelay;
    if (c.kind == CommandKind::kLaunch || c.kind == CommandKind::kFallback || c.kind == CommandKind::kRetry) {
      if (c.count <= 0) return;
      if (c.fleet >= fleets_.size()) return;
      c.request.fleet = c.fleet;
      fleets_[c.fleet].waiting += c.count;
      if (c.kind == CommandKind::kFallback) fleets_[c.fleet].fallback_waiting += c.count;
    }
    uint32_t idx;
    if (!cmd_free_.empty()) {
      idx = cmd_free_.back();
      cmd_free_.pop_back();
      cmd_slab_[idx] = c;
    } else {
      idx = static_cast<uint32_t>(cmd_slab_.size());
      cmd_slab_.push_back(c);
    }
    engine_.schedule_in(c.delay, self_, kCommandEv, idx, 0);
  }
}

void World::flush(uint32_t fleet, bool builtin) {
  if (scratch_.empty()) return;
  if (!builtin) {
    submit(fleet, scratch_);
    scratch_.clear();
    return;
  }
  // Built-in fast path: zero-delay commands are applied now, right after the hook returned (not
  // inside it); the rest are queued. Applying can call hooks again, so the buffer is swapped
  // with one kept per nesting depth (no allocation in steady state).
  if (flush_depth_ >= flush_bufs_.size()) flush_bufs_.emplace_back();
  Commands& buf = flush_bufs_[flush_depth_++];
  buf.swap(scratch_);
  for (const Command& c0 : buf) {
    if (c0.delay.us > 0 || c0.fleet >= fleets_.size()) {
      submit_one(c0);
      continue;
    }
    Command c = c0;
    if (c.kind == CommandKind::kLaunch || c.kind == CommandKind::kFallback || c.kind == CommandKind::kRetry) {
      if (c.count <= 0) continue;
      c.request.fleet = c.fleet;
      fleets_[c.fleet].waiting += c.count;
      if (c.kind == CommandKind::kFallback) fleets_[c.fleet].fallback_waiting += c.count;
    }
    apply(c);
  }
  buf.clear();
  --flush_depth_;
}

void World::apply(const Command& c) {
  if (c.fleet >= fleets_.size()) return;
  ++commands_applied_[static_cast<size_t>(c.kind)];
  switch (c.kind) {
    case CommandKind::kLaunch:
    case CommandKind::kFallback:
    case CommandKind::kRetry: apply_launch(c); break;
    case CommandKind::kDrain:
      if (c.vm.slot < vms_.size() && vms_[c.vm.slot].serial == c.vm.serial && vms_[c.vm.slot].state != VmState::kFree) {
        drain(c.vm.slot);
      }
      break;
    case CommandKind::kCheckpoint:
      if (checkpoint_sink_) checkpoint_sink_(c.fleet, c.job);
      break;
    case CommandKind::kScale: apply_scale(c.fleet, c.count); break;
  }
}

void World::apply_launch(const Command& c) {
  FleetState& f = fleets_[c.fleet];
  LaunchRequest r = c.request;
  if (c.kind == CommandKind::kRetry) r.attempt++;
  for (int64_t i = 0; i < c.count; ++i) {
    f.waiting--;
    if (c.kind == CommandKind::kFallback) f.fallback_waiting--;
    // A retry of a refused launch that the fleet no longer needs (its target went down while
    // the retry waited: a scale-in, a scale to zero) is dropped; launched, it would run above
    // the target to the end of the run, since the scale-in that lowered the target could not
    // drain a launch that did not exist yet.
    if (c.kind == CommandKind::kRetry && fleet_serving(c.fleet) >= f.target) continue;
    launch_one(r, c.pool, false);
  }
}

void World::apply_scale(uint32_t fleet, int64_t target) {
  FleetState& f = fleets_[fleet];
  const int64_t now = engine_.now().us;
  set_running(f, 0);  // close the served and needed VM intervals under the old target
  f.target_vm_us += static_cast<double>(f.target) * static_cast<double>(now - f.target_since_us);
  f.target_since_us = now;
  f.target = std::max<int64_t>(0, target);
  if (f.target != sc_.fleets[fleet].target) f.target_changed = true;
  // Reconcile. Scale out to fleet_serving (a VM under notice that is replaced only at its
  // eviction keeps its place: launching for it now would replace it twice); scale in counting
  // only VMs not under notice (those are going away anyway). Stopped VMs count: they are the
  // fleet's and may restart.
  const int64_t will_serve = fleet_serving(fleet);
  const int64_t serving = f.spot_active + f.on_demand_active - f.noticed + f.waiting - f.returning + f.stopped;
  rt_[fleet].scale_in_pending = false;
  if (will_serve < f.target) {
    LaunchRequest r;
    r.fleet = fleet;
    r.reason = LaunchReason::kScaleOut;
    for (int64_t i = will_serve; i < f.target; ++i) launch_one(r, -1, false);
  } else if (serving > f.target) {
    const int64_t left = scale_in(fleet, serving - f.target);
    rt_[fleet].scale_in_pending = left > 0;  // protected VMs: drained when their job ends
  }
}

int64_t World::scale_in(uint32_t fleet, int64_t excess) {
  const FleetState& f = fleets_[fleet];
  // Stopped and fallback VMs first, then booting, then the newest running (highest slot) —
  // keeping the on-demand base while spot VMs remain — then anything.
  const int64_t base = sc_.fleets[fleet].on_demand_base;
  int64_t regular_od = f.on_demand_active - f.fallback_active;
  for (int pass = 0; pass < 4 && excess > 0; ++pass) {
    if ((pass == 0 && f.fallback_active == 0 && f.stopped == 0) || (pass == 1 && f.booting == 0))
      continue;  // O(VMs) scans
    for (uint32_t s = static_cast<uint32_t>(vms_.size()); s-- > 0 && excess > 0;) {
      const VmSlot& v = vms_[s];
      if (v.fleet != fleet || v.state == VmState::kFree || v.state == VmState::kNoticed) continue;
      if (v.flags & (kVmDraining | kVmBeingReplaced | kVmScaleInProtected)) continue;
      const bool base_od = v.purchase == Purchase::kOnDemand && !(v.flags & kVmFallback);
      const bool take = pass == 0   ? ((v.flags & kVmFallback) != 0 || v.state == VmState::kStopped)
                        : pass == 1 ? v.state == VmState::kBooting && !(base_od && regular_od <= base)
                        : pass == 2 ? !(base_od && regular_od <= base)
                                    : true;
      if (!take) continue;
      if (base_od) --regular_od;
      drain(s);
      --excess;
    }
  }
  return excess;
}

// --- launches -----------------------------------------------------------------------------

bool World::launch_one(const LaunchRequest& request, int32_t pool_hint, bool warm_start) {
  const PoolChoice ch = choose_pool(request, pool_hint);
  if (!ch.ok() || static_cast<size_t>(ch.pool) >= market_.pools().size()) {
    capacity_error(
        request, -1,
        ch.purchase == Purchase::kSpot ? RejectCause::kInsufficientSpot : RejectCause::kInsufficientOnDemand);
    return false;
  }
  const LaunchAttempt attempt{request.fleet, static_cast<uint32_t>(ch.pool), ch.purchase, warm_start};
  if (const std::optional<RejectCause> cause =
          admission_->refusal(*this, attempt, market_.pool(attempt.pool), engine_.now().us)) {
    capacity_error(request, ch.pool, *cause);
    return false;
  }
  const uint32_t slot = create_vm(request, attempt.pool, attempt.purchase);
  if (!warm_start) start_boot(slot);
  if (lifetime_any_ && !warm_starting_) schedule_lifetime(slot, false);
  return true;
}

PoolChoice World::choose_pool(const LaunchRequest& request, int32_t pool_hint) {
  const uint32_t fleet = request.fleet;
  FleetRuntime& rt = rt_[fleet];
  if (pool_hint >= 0) return PoolChoice{pool_hint, request.purchase};
  if (rt.custom_hooks & kHookChoosePool) return rt.custom->choose_pool(request, PolicyContext(*this, fleet));
  if (rt.builtin->single_spot_pool() && request.purchase == Purchase::kSpot) {
    return PoolChoice{static_cast<int32_t>(rt.instances.front().pool), Purchase::kSpot};  // what it would answer
  }
  return rt.builtin->choose_pool(request, PolicyContext(*this, fleet));  // devirtualized (final)
}

uint32_t World::create_vm(const LaunchRequest& request, uint32_t pool, Purchase purchase) {
  const uint32_t fleet = request.fleet;
  const uint32_t slot = alloc_slot();
  VmSlot& v = vms_[slot];
  v.launched_us = engine_.now().us;
  v.created_us = v.launched_us;
  v.running_us = -1;
  v.lost_at_us = request.lost_at_us;
  v.serial = next_serial_++;
  v.gen++;
  v.fleet = static_cast<uint16_t>(fleet);
  v.pool = static_cast<uint16_t>(pool);
  v.state = VmState::kBooting;
  v.purchase = purchase;
  v.flags = 0;
  FleetState& f = fleets_[fleet];
  FleetRuntime& rt = rt_[fleet];
  double detail = 0;  // kLaunch: 0 spot, 1 on-demand, 2 fallback
  if (!warm_starting_) metrics_[fleet_mx_[fleet].launches] += 1;
  if (purchase == Purchase::kSpot) {
    market_.spot_used(pool, 1);
    f.spot_active++;
  } else {
    market_.on_demand_used(pool, 1);
    f.on_demand_active++;
    detail = 1;
    if (request.reason == LaunchReason::kFallback) {
      v.flags |= kVmFallback;
      f.fallback_active++;
      rt.fallback_cost_per_hour += sc_.pools[pool].on_demand_price;
      if (!warm_starting_) metrics_[fleet_mx_[fleet].fallback_launches] += 1;
      detail = 2;
    }
  }
  link_replacement(slot, request);
  rt.pool_vms[pool]++;
  admission_->on_launch(pool, purchase);
  f.booting++;
  emit(ModelEventKind::kLaunch, slot, detail);
  return slot;
}

void World::link_replacement(uint32_t slot, const LaunchRequest& request) {
  if (!request.replaces.valid() || request.replaces.slot >= vms_.size()) return;
  VmSlot& old = vms_[request.replaces.slot];
  if (old.serial != request.replaces.serial || old.state == VmState::kFree) return;
  VmSlot& v = vms_[slot];
  replaces_[slot] = request.replaces;
  old.flags |= kVmBeingReplaced;
  if (request.reason == LaunchReason::kReturnToSpot) {
    v.flags |= kVmReturning;
    fleets_[v.fleet].returning++;
  }
}

void World::start_boot(uint32_t slot) {
  VmSlot& v = vms_[slot];
  FleetRuntime& rt = rt_[v.fleet];
  // A warm pool instance resumes instead of booting (sim/model/warm_pool.h).
  const Duration boot = rt.warm && rt.warm->take() ? rt.warm->resume_time() : boot_delay(v.fleet);
  v.ready_us = engine_.now().us + boot.us;
  engine_.schedule_fifo(boot_lane_, SimTime{v.ready_us}, self_, kBootDone, slot, v.gen);
}

void World::capacity_error(const LaunchRequest& request, int32_t pool, RejectCause cause) {
  const uint32_t fleet = request.fleet;
  const size_t ci = static_cast<size_t>(cause);
  metrics_[fleet_m_[fleet].capacity_errors] += 1;
  metrics_[fleet_m_[fleet].rejections[ci]] += 1;
  if (pool >= 0) {
    metrics_[pool_m_[static_cast<size_t>(pool)].capacity_errors] += 1;
    metrics_[pool_m_[static_cast<size_t>(pool)].rejections[ci]] += 1;
  } else {
    for (const FleetPoolEntry& e : rt_[fleet].instances) {
      metrics_[pool_m_[e.pool].capacity_errors] += 1;
      metrics_[pool_m_[e.pool].rejections[ci]] += 1;
    }
  }
  const uint16_t at = static_cast<uint16_t>(pool >= 0 ? pool : static_cast<int32_t>(rt_[fleet].instances.front().pool));
  emit_fleet(ModelEventKind::kCapacityError, fleet, at, static_cast<double>(cause));
  CapacityError err;
  err.request = request;
  if (err.request.first_failed_us < 0) err.request.first_failed_us = engine_.now().us;
  err.pool = pool;
  err.cause = cause;
  FleetRuntime& rt = rt_[fleet];
  bool builtin = false;
  if (rt.custom_hooks & kHookOnCapacityError) {
    rt.custom->on_capacity_error(err, PolicyContext(*this, fleet), scratch_);
  } else if (rt.builtin_hooks & kHookOnCapacityError) {
    rt.builtin->on_capacity_error(err, PolicyContext(*this, fleet), scratch_);
    builtin = true;
  }
  flush(fleet, builtin);
}

void World::schedule_interruption(uint32_t slot) {
  const VmSlot& v = vms_[slot];
  if (fold_notices_) vms_[slot].ready_us = -1;  // no folded notice pending (yet)
  const double rate = sc_.pools[v.pool].interruption_rate;
  if (v.purchase != Purchase::kSpot || rate <= 0) return;
  const double hours = rng_[v.fleet].interruption.exponential(rate);
  const double at = static_cast<double>(engine_.now().us) + hours * 3.6e9;
  if (at >= static_cast<double>(end_us_)) return;  // beyond the horizon: never fires
  if (fold_notices_) {
    // The notice at `at` is applied by its eviction's event (ready_us: when it comes).
    vms_[slot].ready_us = static_cast<int64_t>(at);
    engine_.schedule_at(SimTime{static_cast<int64_t>(at) + fold_notice_.us}, self_, kNoticeEvictEv, slot, v.gen,
                        Priority::kHigh);
    return;
  }
  engine_.schedule_at(SimTime{static_cast<int64_t>(at)}, self_, kNoticeEv, slot, v.gen);
  if (rebalance_any_) schedule_rebalance(slot, static_cast<int64_t>(at));
}

void World::on_boot_done(uint32_t slot) {
  VmSlot& v = vms_[slot];
  FleetState& f = fleets_[v.fleet];
  if (boot_fails(slot)) {
    // Billed from launch to now, released, and the fleet asks for another VM (same request).
    const uint32_t fleet = v.fleet;
    const int64_t lost_at = v.lost_at_us;
    bill(slot, /*interrupted=*/false);
    emit(ModelEventKind::kBootFailed, slot, 0);
    release(slot);
    LaunchRequest r;
    r.fleet = fleet;
    r.reason = lost_at >= 0 ? LaunchReason::kReplacement : LaunchReason::kScaleOut;
    r.lost_at_us = lost_at;
    launch_one(r, -1, false);
    return;
  }
  f.booting--;
  v.state = VmState::kRunning;
  v.running_us = engine_.now().us;
  set_running(f, +1);
  if (v.lost_at_us >= 0) {
    const double ttr = std::max<double>(0.0, static_cast<double>(v.running_us - v.lost_at_us) * 1e-6);
    f.time_to_replace.add(ttr);
    f.losses.recovered(v.lost_at_us, v.running_us);
    metrics_[fleet_m_[v.fleet].replacements] += 1;
  }
  emit(ModelEventKind::kRunning, slot, 0);
  schedule_interruption(slot);
  if (const auto link = replaces_.empty() ? replaces_.end() : replaces_.find(slot); link != replaces_.end()) {
    // The swap completes: the VM this one replaces is drained now (if it is still there).
    const uint32_t old = link->second.slot;
    const uint32_t old_serial = link->second.serial;
    replaces_.erase(link);
    if (v.flags & kVmReturning) {
      v.flags &= static_cast<uint8_t>(~kVmReturning);
      f.returning--;
    }
    if (vms_[old].serial == old_serial && vms_[old].state != VmState::kFree && vms_[old].state != VmState::kNoticed) {
      drain(old);
    } else if (vms_[old].serial == old_serial) {
      // Under notice: it will be evicted, and this VM already took its place.
      vms_[old].flags = static_cast<uint8_t>((vms_[old].flags & ~kVmBeingReplaced) | kVmReplaced);
    }
  }
  FleetRuntime& rt = rt_[v.fleet];
  if (rt.custom_hooks & kHookOnRunning) {
    rt.custom->on_running(VmId{slot, v.serial}, PolicyContext(*this, v.fleet), scratch_);
    flush(v.fleet, false);
  }
}

void World::give_notice(uint32_t slot, Duration notice) {
  VmSlot& v = vms_[slot];
  if (v.state != VmState::kRunning && v.state != VmState::kBooting) return;
  FleetState& f = fleets_[v.fleet];
  if (v.state == VmState::kBooting) f.booting--;
  v.state = VmState::kNoticed;
  v.gen++;  // invalidates a pending boot or hazard notice
  f.noticed++;
  const int64_t evict_at = engine_.now().us + notice.us;
  engine_.schedule_fifo(evict_lane_, SimTime{evict_at}, self_, kEvictEv, slot, v.gen, Priority::kHigh);
  if (batch_depth_ > 0) {
    pending_notices_.push_back(PendingNotice{slot, v.gen, evict_at, notice});
    return;
  }
  deliver_notice(slot, evict_at, notice);
}

void World::end_batch() {
  if (--batch_depth_ > 0 || pending_notices_.empty()) return;
  // Delivering can give more notices (a hook's commands); those are delivered at once.
  std::vector<PendingNotice> pending;
  pending.swap(pending_notices_);
  for (const PendingNotice& p : pending) {
    const VmSlot& v = vms_[p.slot];
    if (v.gen == p.gen && v.state == VmState::kNoticed) deliver_notice(p.slot, p.evict_at_us, p.notice);
  }
}

void World::deliver_notice(uint32_t slot, int64_t evict_at, Duration notice) {
  VmSlot& v = vms_[slot];
  // A zero notice, or one a FaultInjector loses, is never delivered: the eviction comes
  // unannounced, and the fleet learns of it only then (on_eviction, notice_delivered = false).
  const bool delivered = notice.us > 0 && !(injector_ && injector_->lose_notice(*this, slot));
  if (!delivered) return;
  v.flags |= kVmNoticeDelivered;
  emit(ModelEventKind::kNotice, slot, notice.to_seconds());
  const uint32_t fleet = v.fleet;
  FleetRuntime& rt = rt_[fleet];
  bool builtin = false;
  if (rt.custom_hooks & kHookOnNotice) {
    rt.custom->on_notice(VmId{slot, v.serial}, SimTime{evict_at}, PolicyContext(*this, fleet), scratch_);
  } else if (rt.builtin_hooks & kHookOnNotice) {
    rt.builtin->on_notice(VmId{slot, v.serial}, SimTime{evict_at}, PolicyContext(*this, fleet), scratch_);
    builtin = true;
  }
  flush(fleet, builtin);
}

void World::on_notice(uint32_t slot) {
  if (vms_[slot].flags & kVmRebalanceWithNotice) {
    // The rebalance recommendation arrives together with the notice, just before it.
    vms_[slot].flags &= static_cast<uint8_t>(~kVmRebalanceWithNotice);
    const uint32_t gen = vms_[slot].gen;
    on_rebalance(slot);
    if (vms_[slot].gen != gen || vms_[slot].state != VmState::kRunning) return;
  }
  give_notice(slot, sc_.pools[vms_[slot].pool].notice);
}

void World::bill(uint32_t slot, bool interrupted, bool vm_ends) {
  const VmSlot& v = vms_[slot];
  billing_->bill(v, engine_.now().us, interrupted, vm_ends, market_.pool(v.pool).spot_price);
}

void World::release(uint32_t slot) {
  VmSlot& v = vms_[slot];
  drop_protection(v);
  if (v.state == VmState::kStopped) {
    fleets_[v.fleet].stopped--;
  } else {
    deactivate(slot);
  }
  v.state = VmState::kFree;
  v.flags = 0;
  v.gen++;
  free_slots_.push_back(slot);
}

void World::deactivate(uint32_t slot) {
  VmSlot& v = vms_[slot];
  FleetState& f = fleets_[v.fleet];
  FleetRuntime& rt = rt_[v.fleet];
  if (v.running_us >= 0) set_running(f, -1);
  if (v.state == VmState::kBooting) f.booting--;
  if (v.state == VmState::kNoticed) f.noticed--;
  admission_->on_release(v.pool, v.purchase);
  if (v.purchase == Purchase::kSpot) {
    market_.spot_used(v.pool, -1);
    f.spot_active--;
  } else {
    market_.on_demand_used(v.pool, -1);
    f.on_demand_active--;
    if (v.flags & kVmFallback) {
      f.fallback_active--;
      rt.fallback_cost_per_hour -= sc_.pools[v.pool].on_demand_price;
      if (f.fallback_active == 0) rt.fallback_cost_per_hour = 0;  // no drift
    }
  }
  if (v.flags & kVmReturning) f.returning--;
  if (const auto link = replaces_.empty() ? replaces_.end() : replaces_.find(slot); link != replaces_.end()) {
    VmSlot& old = vms_[link->second.slot];
    if (old.serial == link->second.serial) old.flags &= static_cast<uint8_t>(~kVmBeingReplaced);
    replaces_.erase(link);
  }
  rt.pool_vms[v.pool]--;
}

void World::on_evict(uint32_t slot) {
  VmSlot& v = vms_[slot];
  const uint32_t fleet = v.fleet;
  metrics_[fleet_m_[fleet].interruptions] += 1;
  metrics_[pool_m_[v.pool].interruptions] += 1;
  // A loss, unless a replacement already runs in its place (rebalance).
  if (!(v.flags & kVmReplaced)) fleets_[fleet].losses.lost(engine_.now().us, v.pool);
  // Stop, hibernate, deallocate: the VM stays the fleet's (stopped, disks billed) — unless a
  // rebalance replacement already runs in its place.
  const bool keep =
      v.purchase == Purchase::kSpot && eviction_keeps_vm(sc_.pools[v.pool].action) && !(v.flags & kVmReplaced);
  bill(slot, /*interrupted=*/true, /*vm_ends=*/!keep);
  emit(ModelEventKind::kEviction, slot, keep ? 1 : 0);
  if (keep) {
    stop_vm(slot);
    return;
  }
  const bool covered = (v.flags & (kVmBeingReplaced | kVmReplaced)) && covered_by_replacement(slot);
  FleetRuntime& rt = rt_[fleet];
  if (!(rt.custom_hooks & kHookOnEviction)) {
    const bool noticed = (v.flags & kVmNoticeDelivered) != 0;
    release(slot);
    if (!covered && rt.builtin->replaces_on_eviction(noticed)) {
      // Devirtualized built-in hook: BuiltinFleetPolicy::on_eviction returns exactly this one
      // launch, applied right after it (the built-in fast path), so apply it directly.
      LaunchRequest r;
      r.fleet = fleet;
      r.reason = LaunchReason::kReplacement;
      r.lost_at_us = engine_.now().us;
      launch_one(r, -1, false);
    }
    return;
  }
  VmView view = view_of(slot);
  release(slot);
  bool builtin = false;
  if (rt.custom_hooks & kHookOnEviction) {
    rt.custom->on_eviction(view, PolicyContext(*this, fleet), scratch_);
  } else if (rt.builtin_hooks & kHookOnEviction) {
    rt.builtin->on_eviction(view, PolicyContext(*this, fleet), scratch_);
    builtin = true;
  }
  flush(fleet, builtin);
}

void World::drain(uint32_t slot) {
  bill(slot, /*interrupted=*/false);
  emit(ModelEventKind::kTerminate, slot, 0);
  release(slot);
}

void World::set_scale_in_protection(VmId id, bool on) {
  if (id.slot >= vms_.size()) return;
  VmSlot& v = vms_[id.slot];
  if (v.serial != id.serial || v.state == VmState::kFree) return;
  if (on) {
    if (v.flags & kVmScaleInProtected) return;
    FleetState& pf = fleets_[v.fleet];
    set_running(pf, 0);  // integrate the need up to now under the old count
    pf.protected_vms++;
    v.flags |= kVmScaleInProtected;
    return;
  }
  if (!(v.flags & kVmScaleInProtected)) return;
  drop_protection(v);
  const FleetState& f = fleets_[v.fleet];
  const int64_t serving = f.spot_active + f.on_demand_active - f.noticed + f.waiting - f.returning;
  if (rt_[v.fleet].scale_in_pending && serving > f.target) {
    rt_[v.fleet].scale_in_pending = false;  // the reconcile sets it again if still short
    submit_one(Command::scale(v.fleet, f.target));
  }
}

void World::report_job_event(uint32_t fleet, const JobEvent& event) {
  if (fleet >= fleets_.size()) return;
  if (event.kind == JobEventKind::kLoad) {
    fleets_[fleet].load = event.value;
    const size_t i = static_cast<size_t>(event.workload) * kLoadMetrics + static_cast<size_t>(event.metric);
    if (event.workload < sc_.workloads.size() && static_cast<size_t>(event.metric) < kLoadMetrics)
      loads_[i] = event.value;
  }
  FleetRuntime& rt = rt_[fleet];
  if (rt.custom_hooks & kHookOnJobEvent) {
    rt.custom->on_job_event(event, PolicyContext(*this, fleet), scratch_);
  } else if (rt.builtin_hooks & kHookOnJobEvent) {
    rt.builtin->on_job_event(event, PolicyContext(*this, fleet), scratch_);
  }
  flush(fleet, /*builtin=*/false);  // queued: workloads report from inside observer callbacks
}

void World::handle(Engine& engine, const Event& e) {
  if (e.kind == kBootDone) {
    if (vms_[e.a].gen == e.b && vms_[e.a].state == VmState::kBooting) on_boot_done(e.a);
  } else if (e.kind == kNoticeEvictEv) {
    if (vms_[e.a].gen == e.b && vms_[e.a].state == VmState::kRunning) on_notice_evict(e.a);
  } else {
    handle_other(engine, e);
  }
}

[[gnu::noinline]] void World::handle_other(Engine& engine, const Event& e) {
  switch (e.kind) {
    case kNoticeEv:
      if (vms_[e.a].gen == e.b && vms_[e.a].state == VmState::kRunning) on_notice(e.a);
      break;
    case kEvictEv:
      if (vms_[e.a].gen == e.b && vms_[e.a].state == VmState::kNoticed) on_evict(e.a);
      break;
    case kRebalanceEv:
      if (vms_[e.a].gen == e.b && vms_[e.a].state == VmState::kRunning) on_rebalance(e.a);
      break;
    case kRestartEv:
      if (vms_[e.a].gen == e.b && vms_[e.a].state == VmState::kStopped) on_restart(e.a);
      break;
    case kLifetimeEv:
      if (vms_[e.a].gen == e.b && (vms_[e.a].state == VmState::kRunning || vms_[e.a].state == VmState::kBooting)) {
        give_notice(e.a, sc_.pools[vms_[e.a].pool].notice);
      }
      break;
    case kCommandEv: {
      const Command c = cmd_slab_[e.a];
      cmd_free_.push_back(e.a);
      apply(c);
      break;
    }
    case kTick: {
      const uint32_t fleet = e.a;
      FleetRuntime& rt = rt_[fleet];
      Duration every;
      bool builtin = false;
      if (rt.custom_hooks & kHookOnTick) {
        rt.custom->on_tick(PolicyContext(*this, fleet), scratch_);
        every = rt.custom->tick_interval();
      } else {
        rt.builtin->on_tick(PolicyContext(*this, fleet), scratch_);
        every = rt.builtin->tick_interval();
        builtin = true;
      }
      flush(fleet, builtin);
      if (every.us > 0 && engine.now().us + every.us <= end_us_) {
        engine.schedule_in(every, self_, kTick, fleet, 0, Priority::kLow);
      }
      break;
    }
    case kSample:
      signals_.sample(engine.now());
      if (engine.now().us + sc_.sample_interval.us <= end_us_) {
        engine.schedule_in(sc_.sample_interval, self_, kSample, 0, 0, Priority::kObserver);
      }
      break;
    default: break;
  }
}

void World::run() {
  started_ = true;
  if (const std::optional<Duration> n = unobserved_notice()) {
    fold_notices_ = true;
    fold_notice_ = *n;
    relaunch_pool_.assign(fleets_.size(), -1);
    for (uint32_t fi = 0; fi < fleets_.size() && !admission_->regional_limits(); ++fi) {
      const FleetRuntime& rt = rt_[fi];
      if (!rt.builtin->single_spot_pool() || rt.custom || rt.warm) continue;
      const uint32_t pool = rt.instances.front().pool;
      if (!eviction_keeps_vm(sc_.pools[pool].action)) relaunch_pool_[fi] = static_cast<int32_t>(pool);
    }
  }
  warm_starting_ = true;  // until the fleets' initial VMs run (launches, fallbacks included)
  // Warm start: each fleet begins with its target running where capacity allows.
  for (uint32_t fi = 0; fi < fleets_.size(); ++fi) {
    const FleetSpec& fs = sc_.fleets[fi];
    LaunchRequest r;
    r.fleet = fi;
    r.reason = LaunchReason::kInitial;
    for (int64_t k = 0; k < fs.target; ++k) launch_one(r, -1, /*warm_start=*/true);
  }
  // Launched at t=0: promote to running immediately (warm start).
  for (uint32_t s = 0; s < vms_.size(); ++s) {
    if (vms_[s].state == VmState::kBooting) {
      vms_[s].gen++;
      on_boot_done(s);
      if (lifetime_any_ && vms_[s].state == VmState::kRunning) schedule_lifetime(s, true);
    }
  }
  warm_starting_ = false;
  for (uint32_t fi = 0; fi < fleets_.size(); ++fi) {
    const FleetRuntime& rt = rt_[fi];
    if ((rt.custom_hooks | rt.builtin_hooks) & kHookOnTick) {
      engine_.schedule_at(SimTime{0}, self_, kTick, fi, 0, Priority::kLow);
    }
  }
  if (signals_.has_sampler()) engine_.schedule_at(SimTime{0}, self_, kSample, 0, 0, Priority::kObserver);
  for (auto& c : components_) c->start(*this);
  engine_.run_until(SimTime{end_us_});
  if (fold_notices_) apply_pending_notices_at_end();
  finalize();
  for (auto& c : components_) c->finish(*this);
}

void World::finalize() {
  for (uint32_t s = 0; s < vms_.size(); ++s) {
    const VmSlot& v = vms_[s];
    if (v.state == VmState::kFree) continue;
    bill(s, /*interrupted=*/false);
    // A stopped VM's run ended at its eviction (already emitted); only its disks were billed now.
    if (v.state != VmState::kStopped) emit(ModelEventKind::kEnd, s, 0);
  }
  finalize_unrecovered();  // before the time-to-reschedule metrics below
  double all_od = 0;
  for (uint32_t fi = 0; fi < fleets_.size(); ++fi) {
    FleetState& f = fleets_[fi];
    set_running(f, 0);
    const FleetMetrics& fm = fleet_m_[fi];
    f.target_vm_us += static_cast<double>(f.target) * static_cast<double>(end_us_ - f.target_since_us);
    f.target_since_us = end_us_;
    const double target_us = f.target_vm_us;  // target × duration for a fixed target
    f.needed_vm_us = target_us + f.needed_extra_us;
    f.available_vm_us = f.served_vm_us + f.available_extra_us;
    // Shortfall against the target at each moment: VMs above the target (a scale-in draining, a
    // rebalance replacement running beside its old VM) do not make up for time below it.
    metrics_[fm.lost_vm_hours] = std::max(0.0, (target_us - f.served_vm_us) / 3.6e9);
    metrics_[fm.availability_pct] = target_us > 0 ? 100.0 * f.served_vm_us / target_us : 100.0;
    metrics_[fm.ttr_mean] = f.time_to_replace.mean();
    metrics_[fm.ttr_p95] = f.time_to_replace.quantile(0.95);
    metrics_[fm.ttr_max] = f.time_to_replace.max();
    if (WarmPool* wp = rt_[fi].warm.get()) {
      const double warm_cost = wp->cost();
      metrics_[rt_[fi].m_warm_cost] = warm_cost;
      metrics_[rt_[fi].m_warm_launches] = static_cast<double>(wp->taken());
      billing_->add_warm_pool_cost(fi, warm_cost);
    }
    const double fleet_all_od = fleet_all_on_demand(fi, f);
    metrics_[fleet_mx_[fi].cost_all_on_demand] = fleet_all_od;
    all_od += fleet_all_od;
    double rejected = 0;
    for (int c = 0; c < kRejectCauseCount; ++c) rejected += metrics_[fm.rejections[c]];
    // Refused attempts of the whole run (the warm start's included) against the launches the run
    // made (the warm start's VMs are there from the start, not launched): docs/metrics.md.
    const double attempts = rejected + metrics_[fleet_mx_[fi].launches];
    metrics_[fm.rejection_rate] = attempts > 0 ? 100.0 * rejected / attempts : 0.0;
  }
  metrics_[m_cost_all_od_] = all_od;
  metrics_[m_savings_] = all_od > 0 ? 100.0 * (1.0 - metrics_[m_cost_total_] / all_od) : 0.0;
  finalize_extra_metrics();
}

// --- notices nobody observes ---------------------------------------------------------------

std::optional<Duration> World::unobserved_notice() const {
  if (signals_.has_observers() || signals_.has_sampler() || !components_.empty() || injector_) return std::nullopt;
  if (market_.has_series() || !sc_.chaos.empty() || rebalance_any_ || lifetime_any_) return std::nullopt;
  for (const FleetRuntime& rt : rt_) {
    if (rt.custom || rt.warm) return std::nullopt;
    if (rt.builtin_hooks & (kHookOnNotice | kHookOnTick | kHookOnRebalance | kHookOnRunning | kHookOnJobEvent)) {
      return std::nullopt;
    }
    if (!rt.builtin->replaces_on_eviction(true)) return std::nullopt;
  }
  // One notice length, so evictions at the same instant keep the order of their notices.
  Duration notice{-1};
  for (const PoolSpec& p : sc_.pools) {
    if (p.interruption_rate <= 0) continue;
    if (p.notice.us <= 0 || (notice.us >= 0 && p.notice != notice)) return std::nullopt;
    notice = p.notice;
  }
  if (notice.us < 0) return std::nullopt;  // no hazard: nothing to fold
  return notice;
}

void World::apply_folded_notice(VmSlot& v) {
  // What the notice event did (give_notice, deliver_notice with nothing listening): the VM is
  // under notice, its pending events invalidated, the notice delivered.
  v.state = VmState::kNoticed;
  v.gen++;
  fleets_[v.fleet].noticed++;
  v.flags |= kVmNoticeDelivered;
  v.ready_us = -1;
  ++folded_notices_;
}

void World::on_notice_evict(uint32_t slot) {
  if (relaunch_pool_[vms_[slot].fleet] == vms_[slot].pool && evict_and_relaunch(slot)) return;
  apply_folded_notice(vms_[slot]);
  on_evict(slot);
}

bool World::evict_and_relaunch(uint32_t slot) {
  VmSlot& v = vms_[slot];
  const uint32_t fleet = v.fleet;
  const uint32_t pool = v.pool;
  const PoolState& ps = market_.pool(pool);
  // What the general path checks on the way (on_evict, release, launch_one's admission): a VM
  // with any flag (scale-in protection, a replacement link), a rebalance link, or a launch the
  // pool would refuse once this VM is gone goes the general way.
  const double max_price = sc_.fleets[fleet].max_price;
  if (v.flags != 0 || v.purchase != Purchase::kSpot || !replaces_.empty() || ps.spot_in_use - 1 >= ps.capacity ||
      (max_price > 0 && ps.spot_price > max_price)) {
    return false;
  }
  FleetState& f = fleets_[fleet];
  const int64_t now = engine_.now().us;
  ++folded_notices_;  // the notice (apply_folded_notice; noticed++ and -- cancel out)
  // on_evict: the interruption, the loss, the bill.
  metrics_[fleet_m_[fleet].interruptions] += 1;
  metrics_[pool_m_[pool].interruptions] += 1;
  f.losses.lost(now, static_cast<uint16_t>(pool));
  bill(slot, /*interrupted=*/true, /*vm_ends=*/true);
  // release → deactivate: the running integral and the pool's up to now. spot_in_use,
  // spot_active and pool_vms go down here and up again at the launch below.
  set_running(f, -1);
  market_.account(pool);
  // create_vm in the same slot (release pushed it on the free list, alloc_slot pops it): the
  // pool's integral at the same instant adds +0, skipped.
  v.gen += 3;  // the notice, the release, the launch
  v.launched_us = now;
  v.created_us = now;
  v.running_us = -1;
  v.lost_at_us = now;
  v.serial = next_serial_++;
  v.state = VmState::kBooting;
  metrics_[fleet_mx_[fleet].launches] += 1;
  f.booting++;
  start_boot(slot);
  return true;
}

void World::apply_pending_notices_at_end() {
  for (VmSlot& v : vms_) {
    if (v.state == VmState::kRunning && v.ready_us >= 0 && v.ready_us <= end_us_) apply_folded_notice(v);
  }
}

}  // namespace spotsim

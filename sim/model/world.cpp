#include "sim/model/world.h"

#include <algorithm>
#include <limits>

#include "sim/model/workload/workloads.h"

namespace spotsim {

const char* model_event_kind_name(ModelEventKind k) {
  switch (k) {
    case ModelEventKind::kLaunch: return "launch";
    case ModelEventKind::kRunning: return "running";
    case ModelEventKind::kNotice: return "notice";
    case ModelEventKind::kEviction: return "eviction";
    case ModelEventKind::kCapacityError: return "capacity_error";
    case ModelEventKind::kEnd: return "end";
    case ModelEventKind::kBootFailed: return "boot_failed";
  }
  return "?";
}

World::World(const CompiledScenario& scenario, uint64_t replication)
    : sc_(scenario),
      replication_(replication),
      interruption_rng_(Rng::stream(scenario.seed, replication, "interruption")),
      end_us_(scenario.duration.us) {
  self_ = engine_.add_handler(this);
  pools_.resize(sc_.pools.size());
  for (size_t i = 0; i < pools_.size(); ++i) {
    pools_[i].capacity = sc_.pools[i].capacity;
    pools_[i].spot_price = sc_.pools[i].spot_price;
  }
  fleets_.resize(sc_.fleets.size());
  int64_t total = 0;
  for (size_t i = 0; i < fleets_.size(); ++i) {
    fleets_[i].target = sc_.fleets[i].target;
    total += sc_.fleets[i].target;
  }
  vms_.reserve(static_cast<size_t>(total + total / 8 + 16));
  register_metrics();
  install_workloads(*this);
}

WorldComponent* World::add_component(std::unique_ptr<WorldComponent> c) {
  components_.push_back(std::move(c));
  return components_.back().get();
}

std::vector<MetricDef> World::metric_defs(const CompiledScenario& scenario) {
  CompiledScenario empty = scenario;
  for (auto& f : empty.fleets) f.target = 0;  // cheap: no VM storage
  World w(empty, 0);
  return w.metrics_.defs();
}

void World::register_metrics() {
  for (const auto& f : sc_.fleets) {
    const std::string p = "fleet." + f.name + ".";
    FleetMetrics m{};
    m.interruptions = metrics_.add(p + "interruptions", MetricUnit::kCount, "spot VMs of this fleet evicted by the provider");
    m.replacements = metrics_.add(p + "replacements", MetricUnit::kCount, "replacement VMs that reached running");
    m.ttr_mean = metrics_.add(p + "time_to_reschedule", MetricUnit::kSeconds,
                              "mean time from losing a VM (eviction) to its replacement running; 0 if replaced before the eviction");
    m.ttr_p95 = metrics_.add(p + "time_to_reschedule_p95", MetricUnit::kSeconds, "95th percentile of time_to_reschedule within the replication");
    m.ttr_max = metrics_.add(p + "time_to_reschedule_max", MetricUnit::kSeconds, "longest time_to_reschedule within the replication");
    m.capacity_errors = metrics_.add(p + "capacity_errors", MetricUnit::kCount, "launch attempts refused for insufficient spot capacity");
    m.vm_hours_spot = metrics_.add(p + "vm_hours_spot", MetricUnit::kHours, "running spot VM-hours");
    m.vm_hours_on_demand = metrics_.add(p + "vm_hours_on_demand", MetricUnit::kHours, "running on-demand VM-hours");
    m.lost_vm_hours = metrics_.add(p + "lost_vm_hours", MetricUnit::kHours, "target VM-hours not delivered (target × duration − running VM-hours)");
    m.availability_pct = metrics_.add(p + "availability_pct", MetricUnit::kPercent, "running VM-hours as a percentage of target × duration");
    m.cost = metrics_.add(p + "cost", MetricUnit::kDollars, "billed cost of this fleet's VMs");
    fleet_m_.push_back(m);
  }
  for (const auto& pl : sc_.pools) {
    const std::string p = "pool." + pl.name + ".";
    PoolMetrics m{};
    m.interruptions = metrics_.add(p + "interruptions", MetricUnit::kCount, "VMs of this pool evicted by the provider");
    m.vm_hours = metrics_.add(p + "vm_hours", MetricUnit::kHours, "running VM-hours in this pool");
    m.capacity_errors = metrics_.add(p + "capacity_errors", MetricUnit::kCount, "launches refused by this pool for lack of capacity");
    m.cost = metrics_.add(p + "cost", MetricUnit::kDollars, "billed cost of VMs in this pool");
    pool_m_.push_back(m);
  }
  m_cost_total_ = metrics_.add("cost.total", MetricUnit::kDollars, "everything billed");
  m_cost_spot_ = metrics_.add("cost.spot", MetricUnit::kDollars, "billed for spot VMs");
  m_cost_on_demand_ = metrics_.add("cost.on_demand", MetricUnit::kDollars, "billed for on-demand VMs");
  m_cost_od_equiv_ = metrics_.add("cost.on_demand_equivalent", MetricUnit::kDollars,
                                  "the same billed VM time at on-demand prices");
  m_cost_all_od_ = metrics_.add("cost.all_on_demand", MetricUnit::kDollars,
                                "counterfactual: every fleet's target on on-demand for the whole run, never interrupted");
  m_savings_ = metrics_.add("cost.savings_pct", MetricUnit::kPercent, "100 × (1 − cost.total / cost.all_on_demand)");
}

uint32_t World::alloc_slot() {
  if (!free_slots_.empty()) {
    const uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  vms_.emplace_back();
  return static_cast<uint32_t>(vms_.size() - 1);
}

void World::emit(ModelEventKind kind, uint32_t slot, double detail) {
  if (!observer_ && listeners_.empty()) return;
  const VmSlot& v = vms_[slot];
  const ModelEvent ev{engine_.now(), kind, v.serial, v.pool, static_cast<uint16_t>(v.fleet), detail, v.purchase};
  if (observer_) observer_->on_model_event(*this, ev);
  for (WorldObserver* l : listeners_) l->on_model_event(*this, ev);
}

void World::emit_fleet(ModelEventKind kind, uint32_t fleet, uint16_t pool, double detail) {
  if (!observer_ && listeners_.empty()) return;
  const ModelEvent ev{engine_.now(), kind, std::numeric_limits<uint32_t>::max(), pool,
                      static_cast<uint16_t>(fleet), detail};
  if (observer_) observer_->on_model_event(*this, ev);
  for (WorldObserver* l : listeners_) l->on_model_event(*this, ev);
}

void World::set_running(FleetState& f, int64_t delta) {
  const int64_t now = engine_.now().us;
  f.running_vm_us += static_cast<double>(f.running) * static_cast<double>(now - f.last_change_us);
  f.last_change_us = now;
  f.running += delta;
}

bool World::try_launch(uint32_t fleet, int64_t lost_at_us) {
  const FleetSpec& fs = sc_.fleets[fleet];
  // Default allocation: the cheapest spot pool with free capacity (ties: listed order).
  int best = -1;
  for (uint32_t p : fs.pools) {
    if (pools_[p].spot_in_use >= pools_[p].capacity) continue;
    if (fs.max_price > 0 && pools_[p].spot_price > fs.max_price) continue;
    if (best < 0 || pools_[p].spot_price < pools_[static_cast<size_t>(best)].spot_price) best = static_cast<int>(p);
  }
  if (best < 0) {
    metrics_[fleet_m_[fleet].capacity_errors] += 1;
    for (uint32_t p : fs.pools) metrics_[pool_m_[p].capacity_errors] += 1;
    emit_fleet(ModelEventKind::kCapacityError, fleet, static_cast<uint16_t>(fs.pools.front()), 0);
    return false;
  }
  if (injector_ && !injector_->admit_launch(*this, fleet, static_cast<uint32_t>(best))) {
    metrics_[fleet_m_[fleet].capacity_errors] += 1;
    metrics_[pool_m_[static_cast<size_t>(best)].capacity_errors] += 1;
    emit_fleet(ModelEventKind::kCapacityError, fleet, static_cast<uint16_t>(best), 3 /* throttled */);
    return false;
  }
  const uint32_t slot = alloc_slot();
  VmSlot& v = vms_[slot];
  v.launched_us = engine_.now().us;
  v.running_us = -1;
  v.lost_at_us = lost_at_us;
  v.serial = next_serial_++;
  v.gen++;
  v.fleet = fleet;
  v.pool = static_cast<uint16_t>(best);
  v.state = VmState::kBooting;
  v.purchase = Purchase::kSpot;
  pools_[static_cast<size_t>(best)].spot_in_use++;
  fleets_[fleet].booting++;
  emit(ModelEventKind::kLaunch, slot, 0);
  engine_.schedule_in(fs.boot_time, self_, kBootDone, slot, v.gen);
  return true;
}

void World::request_launch(uint32_t fleet, int64_t lost_at_us) {
  if (!try_launch(fleet, lost_at_us)) {
    fleets_[fleet].waiting++;
    engine_.schedule_in(sc_.fleets[fleet].retry_interval, self_, kRetryLaunch, fleet,
                        static_cast<uint64_t>(lost_at_us + 1));
  }
}

void World::schedule_interruption(uint32_t slot) {
  const VmSlot& v = vms_[slot];
  const double rate = sc_.pools[v.pool].interruption_rate;
  if (v.purchase != Purchase::kSpot || rate <= 0) return;
  const double hours = interruption_rng_.exponential(rate);
  const double at = static_cast<double>(engine_.now().us) + hours * 3.6e9;
  if (at >= static_cast<double>(end_us_)) return;  // beyond the horizon: never fires
  engine_.schedule_at(SimTime{static_cast<int64_t>(at)}, self_, kNoticeEv, slot, v.gen);
}

void World::on_boot_done(uint32_t slot) {
  VmSlot& v = vms_[slot];
  FleetState& f = fleets_[v.fleet];
  f.booting--;
  if (injector_ && injector_->fail_boot(*this, slot)) {
    if (v.purchase == Purchase::kSpot) pools_[v.pool].spot_in_use--;
    bill(slot, /*interrupted=*/false);
    emit(ModelEventKind::kBootFailed, slot, 0);
    v.state = VmState::kFree;
    v.gen++;
    free_slots_.push_back(slot);
    request_launch(v.fleet, v.lost_at_us);
    return;
  }
  v.state = VmState::kRunning;
  v.running_us = engine_.now().us;
  set_running(f, +1);
  if (v.lost_at_us >= 0) {
    const double ttr = std::max<double>(0.0, static_cast<double>(v.running_us - v.lost_at_us) * 1e-6);
    f.time_to_replace.add(ttr);
    metrics_[fleet_m_[v.fleet].replacements] += 1;
  }
  emit(ModelEventKind::kRunning, slot, 0);
  schedule_interruption(slot);
}

void World::give_notice(uint32_t slot, Duration notice) {
  VmSlot& v = vms_[slot];
  if (v.state != VmState::kRunning && v.state != VmState::kBooting) return;
  if (v.state == VmState::kBooting) fleets_[v.fleet].booting--;
  v.state = VmState::kNoticed;
  v.gen++;  // invalidates a pending boot or hazard notice
  const int64_t evict_at = engine_.now().us + notice.us;
  // A zero notice, or one a FaultInjector loses, is never delivered: the eviction comes unannounced.
  const bool delivered = notice.us > 0 && !(injector_ && injector_->lose_notice(*this, slot));
  if (delivered) emit(ModelEventKind::kNotice, slot, notice.to_seconds());
  engine_.schedule_at(SimTime{evict_at}, self_, kEvictEv, slot, v.gen, Priority::kHigh);
  if (sc_.fleets[v.fleet].replace_on == ReplaceOn::kNotice) {
    if (delivered) {
      request_launch(v.fleet, evict_at);
    } else {  // nothing to react to before the eviction: replace right after it
      fleets_[v.fleet].waiting++;
      engine_.schedule_at(SimTime{evict_at}, self_, kRetryLaunch, v.fleet, static_cast<uint64_t>(evict_at + 1));
    }
  }
}

void World::set_spot_capacity(uint32_t pool, int64_t capacity) {
  PoolState& ps = pools_[pool];
  ps.capacity = std::max<int64_t>(0, capacity);
  int64_t noticed = 0;
  for (const VmSlot& v : vms_) {
    if (v.state == VmState::kNoticed && v.pool == pool && v.purchase == Purchase::kSpot) ++noticed;
  }
  int64_t excess = ps.spot_in_use - noticed - ps.capacity;
  const Duration notice = sc_.pools[pool].notice;
  for (uint32_t s = static_cast<uint32_t>(vms_.size()); s-- > 0 && excess > 0;) {
    const VmSlot& v = vms_[s];
    if (v.pool != pool || v.purchase != Purchase::kSpot) continue;
    if (v.state != VmState::kRunning && v.state != VmState::kBooting) continue;
    give_notice(s, notice);
    --excess;
  }
}

void World::set_on_demand_available(uint32_t pool, bool available) { pools_[pool].on_demand_available = available; }

void World::set_spot_price(uint32_t pool, double price) {
  pools_[pool].spot_price = price;
  const Duration notice = sc_.pools[pool].notice;
  for (uint32_t s = 0; s < vms_.size(); ++s) {
    const VmSlot& v = vms_[s];
    if (v.pool != pool || v.purchase != Purchase::kSpot) continue;
    if (v.state != VmState::kRunning && v.state != VmState::kBooting) continue;
    const double max_price = sc_.fleets[v.fleet].max_price;
    if (max_price > 0 && price > max_price) give_notice(s, notice);
  }
}

void World::on_notice(uint32_t slot) { give_notice(slot, sc_.pools[vms_[slot].pool].notice); }

void World::bill(uint32_t slot, bool interrupted) {
  const VmSlot& v = vms_[slot];
  const PoolSpec& ps = sc_.pools[v.pool];
  const ProviderTraits& tr = provider_traits(ps.provider);
  const int64_t now = engine_.now().us;
  const Duration billed{now - v.launched_us};
  const bool spot = v.purchase == Purchase::kSpot;
  const double cost = billed_cost(tr, billed, spot ? ps.spot_price : ps.on_demand_price, spot, interrupted);
  const double equiv = billed_cost(tr, billed, ps.on_demand_price, false, false);
  const double run_h = v.running_us >= 0 ? static_cast<double>(now - v.running_us) / 3.6e9 : 0.0;
  const FleetMetrics& fm = fleet_m_[v.fleet];
  metrics_[fm.cost] += cost;
  metrics_[spot ? fm.vm_hours_spot : fm.vm_hours_on_demand] += run_h;
  metrics_[pool_m_[v.pool].cost] += cost;
  metrics_[pool_m_[v.pool].vm_hours] += run_h;
  metrics_[m_cost_total_] += cost;
  metrics_[spot ? m_cost_spot_ : m_cost_on_demand_] += cost;
  metrics_[m_cost_od_equiv_] += equiv;
}

void World::on_evict(uint32_t slot) {
  VmSlot& v = vms_[slot];
  FleetState& f = fleets_[v.fleet];
  if (v.running_us >= 0) set_running(f, -1);
  if (v.purchase == Purchase::kSpot) pools_[v.pool].spot_in_use--;
  metrics_[fleet_m_[v.fleet].interruptions] += 1;
  metrics_[pool_m_[v.pool].interruptions] += 1;
  bill(slot, /*interrupted=*/true);
  emit(ModelEventKind::kEviction, slot, 0);
  v.state = VmState::kFree;
  v.gen++;
  free_slots_.push_back(slot);
  if (sc_.fleets[v.fleet].replace_on == ReplaceOn::kEviction) request_launch(v.fleet, engine_.now().us);
}

void World::handle(Engine& engine, const Event& e) {
  switch (e.kind) {
    case kBootDone:
      if (vms_[e.a].gen == e.b && vms_[e.a].state == VmState::kBooting) on_boot_done(e.a);
      break;
    case kNoticeEv:
      if (vms_[e.a].gen == e.b && vms_[e.a].state == VmState::kRunning) on_notice(e.a);
      break;
    case kEvictEv:
      if (vms_[e.a].gen == e.b && vms_[e.a].state == VmState::kNoticed) on_evict(e.a);
      break;
    case kRetryLaunch:
      fleets_[e.a].waiting--;
      request_launch(e.a, static_cast<int64_t>(e.b) - 1);
      break;
    case kSample:
      if (sampler_) sampler_->on_sample(*this, engine.now());
      if (engine.now().us + sc_.sample_interval.us <= end_us_) {
        engine.schedule_in(sc_.sample_interval, self_, kSample, 0, 0, Priority::kObserver);
      }
      break;
    default:
      break;
  }
}

void World::run() {
  // Warm start: each fleet begins with its target running where capacity allows.
  for (uint32_t fi = 0; fi < fleets_.size(); ++fi) {
    const FleetSpec& fs = sc_.fleets[fi];
    for (int64_t k = 0; k < fs.target; ++k) {
      if (!try_launch(fi, -1)) {
        fleets_[fi].waiting++;
        engine_.schedule_in(fs.retry_interval, self_, kRetryLaunch, fi, 0);
        continue;
      }
    }
  }
  // Launched at t=0 by try_launch: promote to running immediately (warm start).
  for (uint32_t s = 0; s < vms_.size(); ++s) {
    if (vms_[s].state == VmState::kBooting) {
      vms_[s].gen++;  // drop the scheduled boot completion
      on_boot_done(s);
    }
  }
  if (sampler_) engine_.schedule_at(SimTime{0}, self_, kSample, 0, 0, Priority::kObserver);
  for (auto& c : components_) c->start(*this);
  engine_.run_until(SimTime{end_us_});
  finalize();
  for (auto& c : components_) c->finish(*this);
}

void World::finalize() {
  for (uint32_t s = 0; s < vms_.size(); ++s) {
    const VmSlot& v = vms_[s];
    if (v.state == VmState::kFree) continue;
    bill(s, /*interrupted=*/false);
    emit(ModelEventKind::kEnd, s, 0);
  }
  const double dur_us = static_cast<double>(end_us_);
  double all_od = 0;
  for (uint32_t fi = 0; fi < fleets_.size(); ++fi) {
    FleetState& f = fleets_[fi];
    set_running(f, 0);
    const FleetMetrics& fm = fleet_m_[fi];
    const double target_us = static_cast<double>(f.target) * dur_us;
    metrics_[fm.lost_vm_hours] = std::max(0.0, (target_us - f.running_vm_us) / 3.6e9);
    metrics_[fm.availability_pct] = target_us > 0 ? 100.0 * f.running_vm_us / target_us : 100.0;
    metrics_[fm.ttr_mean] = f.time_to_replace.mean();
    metrics_[fm.ttr_p95] = f.time_to_replace.quantile(0.95);
    metrics_[fm.ttr_max] = f.time_to_replace.max();
    double od_price = 0;
    for (uint32_t p : sc_.fleets[fi].pools) {
      const double price = sc_.pools[p].on_demand_price;
      od_price = od_price == 0 ? price : std::min(od_price, price);
    }
    const ProviderTraits& tr = provider_traits(sc_.pools[sc_.fleets[fi].pools.front()].provider);
    all_od += static_cast<double>(f.target) * billed_cost(tr, Duration{end_us_}, od_price, false, false);
  }
  metrics_[m_cost_all_od_] = all_od;
  metrics_[m_savings_] = all_od > 0 ? 100.0 * (1.0 - metrics_[m_cost_total_] / all_od) : 0.0;
}

}  // namespace spotsim

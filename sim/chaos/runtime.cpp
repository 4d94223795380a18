#include "sim/chaos/runtime.h"

#include <algorithm>

#include "sim/model/world.h"

namespace spotsim {

std::vector<SimTime> chaos_occurrences(const ChaosTiming& t, Duration run_end, Rng& rng) {
  std::vector<SimTime> out;
  const int64_t end = std::min(t.until.us, run_end.us);
  constexpr size_t kMaxOccurrences = 1'000'000;  // a guard; validation keeps scenarios far below
  switch (t.mode) {
    case ChaosTiming::Mode::kAt:
      if (t.at.us < run_end.us) out.push_back(SimTime{t.at.us});
      break;
    case ChaosTiming::Mode::kEvery:
      if (t.every.us <= 0) break;
      for (int64_t k = t.start.us; k < end && out.size() < kMaxOccurrences; k += t.every.us) {
        int64_t at = k;
        if (t.jitter.us > 0) at += static_cast<int64_t>(rng.uniform01() * static_cast<double>(t.jitter.us));
        if (at < end) out.push_back(SimTime{at});
      }
      break;
    case ChaosTiming::Mode::kRandom: {
      if (t.rate_per_hour <= 0) break;
      double at = static_cast<double>(t.start.us);
      for (;;) {
        at += rng.exponential(t.rate_per_hour) * 3.6e9;
        if (at >= static_cast<double>(end) || out.size() >= kMaxOccurrences) break;
        out.push_back(SimTime{static_cast<int64_t>(at)});
      }
      break;
    }
  }
  return out;
}

void declare_chaos_metrics(const CompiledScenario& scenario, MetricSet& ms) {
  for (const ChaosSpec& spec : scenario.chaos) declare_chaos_item_metrics(spec, ms);
}

ChaosRuntime::ChaosRuntime(World& world) : world_(world) {
  const CompiledScenario& sc = world.scenario();
  if (sc.chaos.empty()) return;
  self_ = world.engine().add_handler(this);
  bool faults = false;
  for (uint32_t i = 0; i < sc.chaos.size(); ++i) {
    items_.push_back(make_chaos_item(*this, world, sc.chaos[i], i));
    faults = faults || items_.back()->injects_faults();
  }
  if (faults) world.set_fault_injector(this);
  for (uint32_t i = 0; i < items_.size(); ++i) {
    ChaosItem& item = *items_[i];
    for (SimTime t : chaos_occurrences(item.spec().timing, sc.duration, item.rng())) {
      world.engine().schedule_at(t, self_, kBegin, i, 0, Priority::kChaos);
    }
  }
}

ChaosRuntime::~ChaosRuntime() = default;

void ChaosRuntime::schedule(SimTime t, uint32_t item, uint16_t tag, uint64_t payload) {
  // a: item index (low 16 bits) and tag (high 16 bits).
  world_.engine().schedule_at(t, self_, kTimer, (static_cast<uint32_t>(tag) << 16) | (item & 0xFFFF), payload,
                              Priority::kChaos);
}

void ChaosRuntime::handle(Engine& engine, const Event& e) {
  // Every pool of the item's scope changes first; the fleets react after (World::begin_batch).
  world_.begin_batch();
  handle_item(engine, e);
  world_.end_batch();
}

void ChaosRuntime::handle_item(Engine& engine, const Event& e) {
  const SimTime now = engine.now();
  const SimTime run_end{world_.scenario().duration.us};
  switch (e.kind) {
    case kBegin: {
      ChaosItem& item = *items_[e.a];
      const Duration active = item.active_for();
      item.depth_++;
      const SimTime until = active.us <= 0 ? now : std::min(run_end, now + active);
      intervals_.push_back(ChaosInterval{e.a, item.spec().kind, now, std::min(run_end, now + item.span())});
      item.add(item.m_occurrences_, 1);
      item.begin();
      if (active.us <= 0) {
        item.depth_--;
      } else if (until < run_end) {
        engine.schedule_at(until, self_, kEnd, e.a, 0, Priority::kChaos);
      }
      break;
    }
    case kEnd: {
      ChaosItem& item = *items_[e.a];
      item.depth_--;
      item.end();
      break;
    }
    case kTimer: items_[e.a & 0xFFFF]->on_timer(static_cast<uint16_t>(e.a >> 16), e.b); break;
    default: break;
  }
}

bool ChaosRuntime::lose_notice(const World&, uint32_t slot) {
  for (auto& item : items_) {
    if (item->depth_ > 0 && item->lose_notice(slot)) return true;
  }
  return false;
}

bool ChaosRuntime::fail_boot(const World&, uint32_t slot) {
  for (auto& item : items_) {
    if (item->depth_ > 0 && item->fail_boot(slot)) return true;
  }
  return false;
}

bool ChaosRuntime::admit_launch(const World&, uint32_t fleet, uint32_t pool) {
  for (auto& item : items_) {
    if (item->depth_ > 0 && !item->admit_launch(fleet, pool)) return false;
  }
  return true;
}

}  // namespace spotsim

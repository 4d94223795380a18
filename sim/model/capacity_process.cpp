#include "sim/model/capacity_process.h"

#include <algorithm>
#include <cmath>

#include "sim/model/world.h"

namespace spotsim {

SeriesCursor::SeriesCursor(const SeriesSpec& spec, Rng rng) : spec_(spec), rng_(rng) {
  value_ = spec.value;
  switch (spec.kind) {
    case SeriesSpec::Kind::kConstant: break;
    case SeriesSpec::Kind::kSchedule:
      value_ = spec.steps.front().second;
      if (spec.steps.size() > 1) next_us_ = spec.steps[1].first;
      break;
    case SeriesSpec::Kind::kTrace:
      if (spec.random_start) offset_ = rng_.below(spec.trace.size());
      value_ = spec.trace[offset_];
      find_next_trace_change();
      break;
    case SeriesSpec::Kind::kProcess:
      if (spec.change_rate_per_hour > 0) {
        next_us_ = static_cast<int64_t>(rng_.exponential(spec.change_rate_per_hour) * 3.6e9) + 1;
      }
      break;
  }
}

void SeriesCursor::find_next_trace_change() {
  const size_t n = spec_.trace.size();
  const double cur = spec_.trace[(offset_ + index_) % n];
  for (size_t k = 1; k <= n; ++k) {
    if (spec_.trace[(offset_ + index_ + k) % n] != cur) {
      next_us_ = static_cast<int64_t>(index_ + k) * spec_.tick.us;
      return;
    }
  }
  next_us_ = kNever;  // the whole trace holds one value
}

void SeriesCursor::advance() {
  if (next_us_ == kNever) return;
  now_us_ = next_us_;
  next_us_ = kNever;
  switch (spec_.kind) {
    case SeriesSpec::Kind::kConstant: break;
    case SeriesSpec::Kind::kSchedule:
      ++index_;
      value_ = spec_.steps[index_].second;
      if (index_ + 1 < spec_.steps.size()) next_us_ = spec_.steps[index_ + 1].first;
      break;
    case SeriesSpec::Kind::kTrace:
      index_ = static_cast<size_t>(now_us_ / spec_.tick.us);
      value_ = spec_.trace[(offset_ + index_) % spec_.trace.size()];
      find_next_trace_change();
      break;
    case SeriesSpec::Kind::kProcess: {
      double x = spec_.mean + spec_.persistence * (value_ - spec_.mean) + rng_.normal(0.0, spec_.stddev);
      if (spec_.integral) x = std::round(x);
      value_ = std::clamp(x, spec_.min, spec_.max);
      next_us_ =
          now_us_ + std::max<int64_t>(1, static_cast<int64_t>(rng_.exponential(spec_.change_rate_per_hour) * 3.6e9));
      break;
    }
  }
}

PoolSeriesDriver::PoolSeriesDriver(World& world) : world_(world) {
  self_ = world.engine().add_handler(this);
  const CompiledScenario& sc = world.scenario();
  for (uint32_t p = 0; p < sc.pools.size(); ++p) {
    const PoolSpec& ps = sc.pools[p];
    for (const Kind k : {kCapacity, kPrice}) {
      const SeriesSpec& s = k == kCapacity ? ps.capacity_series : ps.price_series;
      if (!s.varies()) continue;
      const std::string name = s.kind == SeriesSpec::Kind::kTrace
                                   ? s.stream
                                   : std::string(k == kCapacity ? "capacity." : "spot_price.") + ps.name;
      entries_.push_back(Entry{p, k, SeriesCursor(s, Rng::stream(sc.seed, world.replication(), name))});
    }
  }
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (e.kind == kCapacity) world_.market().set_nominal_spot_capacity(e.pool, static_cast<int64_t>(e.cursor.value()));
    else world_.market().set_base_spot_price(e.pool, e.cursor.value());
    schedule(i);
  }
}

std::unique_ptr<PoolSeriesDriver> PoolSeriesDriver::create(World& world) {
  for (const PoolSpec& p : world.scenario().pools) {
    if (p.capacity_series.varies() || p.price_series.varies()) return std::make_unique<PoolSeriesDriver>(world);
  }
  return nullptr;
}

void PoolSeriesDriver::schedule(uint32_t entry) {
  const int64_t t = entries_[entry].cursor.next_change_us();
  if (t == SeriesCursor::kNever || t >= world_.scenario().duration.us) return;
  world_.engine().schedule_at(SimTime{t}, self_, 0, entry, 0, Priority::kChaos);
}

void PoolSeriesDriver::handle(Engine&, const Event& event) {
  Entry& e = entries_[event.a];
  e.cursor.advance();
  if (e.kind == kCapacity) world_.market().set_nominal_spot_capacity(e.pool, static_cast<int64_t>(e.cursor.value()));
  else world_.market().set_base_spot_price(e.pool, e.cursor.value());
  schedule(event.a);
}

}  // namespace spotsim

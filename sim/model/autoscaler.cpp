#include "sim/model/autoscaler.h"

#include <algorithm>
#include <cmath>

namespace spotsim {

Autoscaler::Autoscaler(const FleetSpec& fleet, uint32_t fleet_index) : spec_(fleet.scaling), fleet_(fleet_index) {}

Duration Autoscaler::tick_interval() const {
  return spec_.kind == ScalingKind::kTargetTracking ? spec_.tracking.interval : Duration::hours(1);
}

void Autoscaler::on_tick(const PolicyContext& ctx, Duration every, Commands& out) {
  if (spec_.kind == ScalingKind::kSchedule) schedule_tick(ctx, every, out);
  if (spec_.kind == ScalingKind::kTargetTracking) tracking_tick(ctx, out);
}

void Autoscaler::schedule_tick(const PolicyContext& ctx, Duration every, Commands& out) {
  const int64_t now = ctx.now().us;
  const int64_t end = now + std::max<int64_t>(1, every.us);
  const int64_t day = Duration::days(1).us;
  const size_t first = out.size();
  for (const ScheduledTarget& e : spec_.schedule) {
    if (!e.daily) {
      if (e.at_us >= now && e.at_us < end)
        out.push_back(Command::scale(fleet_, e.target).after(Duration{e.at_us - now}));
      continue;
    }
    for (int64_t t = (now / day) * day + e.at_us; t < end; t += day) {
      if (t >= now) out.push_back(Command::scale(fleet_, e.target).after(Duration{t - now}));
    }
  }
  // Entries at the same instant apply in the order written (commands keep their order).
  std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                   [](const Command& a, const Command& b) { return a.delay < b.delay; });
}

int64_t Autoscaler::recommend(double value, int64_t running, int64_t current_target) const {
  const TargetTrackingSpec& t = spec_.tracking;
  const double current = static_cast<double>(std::max<int64_t>(1, running));
  double exact;
  if (t.metric == TrackedMetric::kUtilization) {
    const double ratio = value / t.target_value;
    if (std::fabs(ratio - 1.0) <= t.tolerance) return current_target;
    exact = current * ratio;
  } else {
    exact = value / t.target_value;
    if (running > 0 && std::fabs(exact / current - 1.0) <= t.tolerance) return current_target;
  }
  if (!std::isfinite(exact)) return t.max;
  return static_cast<int64_t>(std::ceil(std::min(exact, 1e12) - 1e-9));
}

void Autoscaler::tracking_tick(const PolicyContext& ctx, Commands& out) {
  const TargetTrackingSpec& t = spec_.tracking;
  const double value = ctx.workload_load(t.workload_index, static_cast<LoadMetric>(t.metric));
  if (std::isnan(value)) return;  // no report yet
  const FleetView f = ctx.fleet();
  const int64_t now = ctx.now().us;
  const int64_t rec = std::clamp(recommend(value, f.running - f.noticed, f.target), t.min, t.max);
  recent_.emplace_back(now, rec);
  while (!recent_.empty() && recent_.front().first < now - t.stabilization_window.us) recent_.pop_front();
  int64_t desired = rec;
  if (desired < f.target) {
    // Scale-in stabilization: follow the highest recommendation of the window.
    for (const auto& r : recent_) desired = std::max(desired, r.second);
    desired = std::min(desired, f.target);
  }
  if (desired > f.target) {
    if (now - last_scale_out_us_ < t.scale_out_cooldown.us) return;
    last_scale_out_us_ = now;
  } else if (desired < f.target) {
    if (now - last_scale_in_us_ < t.scale_in_cooldown.us) return;
    last_scale_in_us_ = now;
  } else {
    return;
  }
  out.push_back(Command::scale(fleet_, desired));
}

}  // namespace spotsim

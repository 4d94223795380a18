#include "viz/data/events_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace spotsim::viz {

size_t first_event_at_or_after(const EventTable& e, double t) {
  return static_cast<size_t>(std::lower_bound(e.t.begin(), e.t.end(), t) - e.t.begin());
}

void filter_events(const EventTable& e, const EventFilter& f, std::vector<uint32_t>& out) {
  out.clear();
  const size_t lo = first_event_at_or_after(e, f.t0);
  const size_t hi = static_cast<size_t>(std::upper_bound(e.t.begin(), e.t.end(), f.t1) - e.t.begin());
  for (size_t i = lo; i < hi; ++i) {
    const uint8_t k = e.kind[i];
    if (k < 32 && !(f.kind_mask & (1u << k))) continue;
    if (f.pool >= 0 && e.pool[i] != f.pool) continue;
    if (f.fleet >= 0 && e.fleet[i] != f.fleet) continue;
    out.push_back(static_cast<uint32_t>(i));
  }
}

namespace {
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}
}  // namespace

std::string reject_cause_label(double cause) {
  // RejectCause (sim/model/fleet_types.h), names as reject_cause_name() gives them.
  static const char* const kNames[] = {"insufficient_capacity", "insufficient_on_demand_capacity", "quota", "throttled",
                                       "price"};
  if (cause >= 0 && cause < 5 && cause == std::floor(cause)) return kNames[static_cast<int>(cause)];
  return "cause " + number(cause);
}

std::string event_detail_text(uint8_t kind, double d) {
  switch (kind) {
    case kEvNotice: return "notice " + number(d) + " s";
    case kEvLaunch:
      if (d == kLaunchSpot) return "spot";
      if (d == kLaunchOnDemand) return "on-demand";
      if (d == kLaunchFallback) return "on-demand fallback";
      if (d == kLaunchRestart) return "restart of a stopped VM";
      return number(d);
    case kEvCapacityError: return reject_cause_label(d);
    case kEvEviction: return d == 1 ? "VM kept (stopped)" : d == 0 ? "" : number(d);
    default: return d == 0 ? "" : number(d);
  }
}

std::vector<uint64_t> count_by_kind(const EventTable& e) {
  std::vector<uint64_t> n(kMaxEventKinds, 0);
  for (uint8_t k : e.kind) {
    if (k < kMaxEventKinds) ++n[k];
  }
  return n;
}

}  // namespace spotsim::viz

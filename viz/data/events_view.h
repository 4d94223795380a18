#pragma once
// Filtering and time lookup over the event table (the events panel and timeline markers).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "viz/data/run_model.h"

namespace spotsim::viz {

struct EventFilter {
  uint32_t kind_mask = 0xffffffffu;  // bit k set: show kind k (kinds >= 32 always shown)
  int pool = -1;                     // -1: any
  int fleet = -1;                    // -1: any
  double t0 = -std::numeric_limits<double>::infinity();
  double t1 = std::numeric_limits<double>::infinity();

  bool operator==(const EventFilter&) const = default;
};

// Rows of `events` passing `filter`, in time order. Uses binary search for the time range.
void filter_events(const EventTable& events, const EventFilter& filter, std::vector<uint32_t>& out);

// First row with time >= t (events.size() if none).
size_t first_event_at_or_after(const EventTable& events, double t);

// The `detail` of an event in words, by kind (docs/hdf5-schema.md /events): "notice 120 s";
// launch "spot" / "on-demand" / "on-demand fallback" / "restart of a stopped VM"; capacity_error
// the refusal cause ("insufficient_capacity", "quota", ...); eviction "VM kept (stopped)" when the
// eviction action kept it; "" when there is nothing to say. Values this build does not know are
// shown as numbers.
std::string event_detail_text(uint8_t kind, double detail);
// The refusal cause of a capacity_error (RejectCause numbering: reject_cause_name()).
std::string reject_cause_label(double cause);

// Number of events of each kind (index = kind number, up to kMaxEventKinds).
std::vector<uint64_t> count_by_kind(const EventTable& events);

}  // namespace spotsim::viz

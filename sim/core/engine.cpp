#include "sim/core/engine.h"

#include <cassert>

namespace spotsim {

Engine::Engine() { handlers_.reserve(16); }

uint16_t Engine::add_handler(EventHandler* handler) {
  assert(handlers_.size() < 65535);
  handlers_.push_back(handler);
  return static_cast<uint16_t>(handlers_.size() - 1);
}

Engine::LaneId Engine::add_lane() {
  assert(lane_count_ < kMaxLanes);
  return static_cast<LaneId>(lane_count_++);
}

size_t Engine::pending() const {
  size_t n = queue_.size();
  for (int i = 0; i < lane_count_; ++i) n += lanes_[i].size();
  return n;
}

void Engine::cancel(EventId id) {
  if (id < next_seq_) cancelled_.insert(id);
}

uint64_t Engine::run_until(SimTime until) {
  stopped_ = false;
  uint64_t n = 0;
  while (!stopped_) {
    // The earliest of the heap's top and the lanes' fronts (same key as the heap's order). The
    // heap is only asked for its top when its earliest time is not after the lanes' (top()
    // refills, and the heap accepts no push earlier than the time it refilled to).
    const Event* lane = nullptr;
    int from = -1;
    for (int i = 0; i < lane_count_; ++i) {
      const Lane& l = lanes_[i];
      if (!l.empty() && (lane == nullptr || event_before(l.front(), *lane))) {
        lane = &l.front();
        from = i;
      }
    }
    bool take_lane;
    if (queue_.empty()) {
      if (lane == nullptr) break;
      take_lane = true;
    } else if (lane == nullptr) {
      take_lane = false;
    } else {
      const int64_t heap_time = queue_.min_time();
      take_lane = lane->time != heap_time ? lane->time < heap_time : event_before(*lane, queue_.top());
    }
    if ((take_lane ? lane->time : queue_.min_time()) > until.us) break;
    const Event e = take_lane ? lanes_[from].pop() : queue_.pop();
    if (!cancelled_.empty()) {
      auto it = cancelled_.find(e.seq());
      if (it != cancelled_.end()) {
        cancelled_.erase(it);
        continue;
      }
    }
    now_ = SimTime{e.time};
    ++n;
    handlers_[e.handler]->handle(*this, e);
  }
  if (!stopped_ && now_ < until) now_ = until;
  processed_ += n;
  return n;
}

}  // namespace spotsim

#pragma once
// The discrete-event engine: five verbs — now, schedule_at, cancel, run_until, stop.
//
// Models register an EventHandler once and schedule small POD events addressed to it
// (handler index + kind + two payload words); there is no heap allocation per event.
// Ties are broken by (time, priority class, insertion sequence): runs are bit-for-bit
// reproducible. The engine never reads a wall clock.
#include <cassert>
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "sim/core/event_queue.h"
#include "sim/core/time.h"

namespace spotsim {

class Engine;

// Priority classes for events at the same instant (lower runs first).
enum class Priority : uint8_t {
  kChaos = 32,  // injected faults apply before the fleet reacts
  kHigh = 64,
  kNormal = 128,
  kLow = 192,
  kObserver = 240,  // sampling and recording see the state after everything else at t
};

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void handle(Engine& engine, const Event& event) = 0;
};

using EventId = uint64_t;  // the event's insertion sequence

class Engine {
 public:
  Engine();

  // REQUIRES: handler outlives the engine's runs. Returns the handler's index.
  uint16_t add_handler(EventHandler* handler);

  SimTime now() const { return now_; }

  // REQUIRES: t >= now(). (A time in the past is a programming error; it is clamped to now.)
  EventId schedule_at(SimTime t, uint16_t handler, uint16_t kind, uint32_t a = 0, uint64_t b = 0,
                      Priority prio = Priority::kNormal) {
    EventId id;
    queue_.push(make_event(t, handler, kind, a, b, prio, id));
    return id;
  }
  EventId schedule_in(Duration d, uint16_t handler, uint16_t kind, uint32_t a = 0, uint64_t b = 0,
                      Priority prio = Priority::kNormal) {
    return schedule_at(now_ + d, handler, kind, a, b, prio);
  }

  // FIFO lanes: a model whose events of one kind come due in the order they are scheduled (a
  // fixed delay after now: boot completions, evictions after a notice) schedules them in a lane,
  // a plain array in arrival order, instead of the heap. The engine pops the earliest of the
  // heap's top and the lanes' fronts by the same (time, priority, insertion sequence) key, so
  // the order of events — and every result — is exactly what the heap alone would give; a lane
  // only saves the heap's work. An event that would break its lane's order (earlier than the
  // lane's last) goes to the heap instead. At most kMaxLanes lanes per engine.
  static constexpr int kMaxLanes = 4;
  using LaneId = uint8_t;
  LaneId add_lane();
  EventId schedule_fifo(LaneId lane, SimTime t, uint16_t handler, uint16_t kind, uint32_t a = 0, uint64_t b = 0,
                        Priority prio = Priority::kNormal) {
    EventId id;
    const Event e = make_event(t, handler, kind, a, b, prio, id);
    Lane& l = lanes_[lane];
    if (l.accepts(e)) {
      l.push(e);
    } else {
      queue_.push(e);
    }
    return id;
  }

  // A memory hint, no change to any order or result: events of `handler` have a record at
  // base + payload a × stride that the handler reads when they fire; the queue prefetches it a
  // little before (RadixHeapQueue::set_payload_prefetch). Set it again when the records move.
  void set_payload_prefetch(uint16_t handler, const void* base, uint32_t stride) {
    queue_.set_payload_prefetch(handler, base, stride);
  }

  // Cancels a pending event; cancelling a fired or unknown id is a no-op. Models with many
  // timers per object should prefer generation counters in the payload (cheaper).
  void cancel(EventId id);

  // Runs every event with time <= until, then sets now() = until (unless stopped early).
  // Returns the number of events handled by this call.
  uint64_t run_until(SimTime until);

  // Makes run_until return after the current event.
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  uint64_t events_processed() const { return processed_; }
  size_t pending() const;

 private:
  // Events in the order they were scheduled (non-decreasing (time, order)). Popped events are
  // skipped by a head index; the array is compacted when the dead prefix dominates.
  class Lane {
   public:
    bool empty() const { return head_ == events_.size(); }
    size_t size() const { return events_.size() - head_; }
    const Event& front() const { return events_[head_]; }
    // Whether e may go last without breaking the order.
    bool accepts(const Event& e) const { return events_.empty() || !event_before(e, events_.back()); }
    void push(const Event& e) { events_.push_back(e); }
    Event pop() {
      const Event e = events_[head_++];
      if (head_ == events_.size()) {
        events_.clear();
        head_ = 0;
      } else if (head_ >= 4096 && head_ * 2 >= events_.size()) {
        events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
      }
      return e;
    }

   private:
    std::vector<Event> events_;
    size_t head_ = 0;
  };
  Event make_event(SimTime& t, uint16_t handler, uint16_t kind, uint32_t a, uint64_t b, Priority prio, EventId& id) {
    assert(t >= now_);
    if (t < now_) t = now_;
    id = next_seq_++;
    return Event{t.us, (static_cast<uint64_t>(prio) << 56) | id, handler, kind, a, b};
  }

  RadixHeapQueue queue_;
  Lane lanes_[kMaxLanes];
  int lane_count_ = 0;
  std::vector<EventHandler*> handlers_;
  std::unordered_set<EventId> cancelled_;
  SimTime now_{0};
  uint64_t next_seq_ = 0;
  uint64_t processed_ = 0;
  bool stopped_ = false;
};

}  // namespace spotsim

#pragma once
// The discrete-event engine: five verbs — now, schedule_at, cancel, run_until, stop.
//
// Models register an EventHandler once and schedule small POD events addressed to it
// (handler index + kind + two payload words); there is no heap allocation per event.
// Ties are broken by (time, priority class, insertion sequence): runs are bit-for-bit
// reproducible. The engine never reads a wall clock.
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "sim/core/event_queue.h"
#include "sim/core/time.h"

namespace spotsim {

class Engine;

// Priority classes for events at the same instant (lower runs first).
enum class Priority : uint8_t {
  kChaos = 32,      // injected faults apply before the fleet reacts
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
                      Priority prio = Priority::kNormal);
  EventId schedule_in(Duration d, uint16_t handler, uint16_t kind, uint32_t a = 0, uint64_t b = 0,
                      Priority prio = Priority::kNormal) {
    return schedule_at(now_ + d, handler, kind, a, b, prio);
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
  size_t pending() const { return queue_.size(); }

 private:
  RadixHeapQueue queue_;
  std::vector<EventHandler*> handlers_;
  std::unordered_set<EventId> cancelled_;
  SimTime now_{0};
  uint64_t next_seq_ = 0;
  uint64_t processed_ = 0;
  bool stopped_ = false;
};

}  // namespace spotsim

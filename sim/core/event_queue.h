#pragma once
// Pending-event queues. An Event is a 32-byte POD; the queue never allocates per event.
//
// Order: (time, priority class, insertion sequence) — fully deterministic.
//
// RadixHeapQueue (the default) is a monotone radix heap over the 64-bit time: events are kept
// in 65 buckets by the highest bit in which their time differs from the last popped time, so
// most pushes are a vector append and each event moves down only a few buckets in its life.
// Events at exactly the current time sit in bucket 0, a small binary heap ordered by
// (priority, sequence), which is what makes ties exact and lets a handler schedule "now" at any
// priority. Measured against std::priority_queue by `spotsim-bench` (see docs/performance.md).
#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <queue>
#include <vector>

namespace spotsim {

struct Event {
  int64_t time;      // SimTime microseconds
  uint64_t order;    // priority class in the top 8 bits, insertion sequence below
  uint16_t handler;  // index into the engine's handler table
  uint16_t kind;     // handler-defined event kind
  uint32_t a;        // handler-defined payload (e.g. VM index)
  uint64_t b;        // handler-defined payload (e.g. generation)

  uint64_t seq() const { return order & ((1ULL << 56) - 1); }
  uint8_t priority() const { return static_cast<uint8_t>(order >> 56); }
};
static_assert(sizeof(Event) == 32, "Event must stay a small POD");

inline bool event_before(const Event& x, const Event& y) {
  return x.time < y.time || (x.time == y.time && x.order < y.order);
}

class RadixHeapQueue {
 public:
  RadixHeapQueue() = default;

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  // REQUIRES: e.time >= time of the last popped event.
  void push(const Event& e) {
    assert(static_cast<uint64_t>(e.time) >= last_);
    const int b = bucket_of(static_cast<uint64_t>(e.time));
    if (b == 0) {
      zero_.push_back(e);
      std::push_heap(zero_.begin(), zero_.end(), OrderGreater{});
    } else {
      buckets_[b].push_back(e);
      nonempty_ |= 1ULL << (b - 1);
    }
    ++size_;
  }

  // REQUIRES: !empty(). The earliest event; stays valid until the next push or pop.
  const Event& top() {
    if (zero_.empty()) refill();
    return zero_.front();
  }

  Event pop() {
    if (zero_.empty()) refill();
    std::pop_heap(zero_.begin(), zero_.end(), OrderGreater{});
    Event e = zero_.back();
    zero_.pop_back();
    --size_;
    return e;
  }

  void clear() {
    for (auto& b : buckets_) b.clear();
    zero_.clear();
    size_ = 0;
    last_ = 0;
    nonempty_ = 0;
  }

 private:
  struct OrderGreater {
    bool operator()(const Event& x, const Event& y) const { return x.order > y.order; }
  };
  int bucket_of(uint64_t t) const {
    const uint64_t x = t ^ last_;
    return x == 0 ? 0 : 64 - __builtin_clzll(x);
  }
  void refill() {
    assert(nonempty_ != 0);  // REQUIRES: size_ > 0
    const int i = 1 + __builtin_ctzll(nonempty_);
    auto& src = buckets_[i];
    uint64_t m = static_cast<uint64_t>(src[0].time);
    for (const Event& e : src) m = std::min(m, static_cast<uint64_t>(e.time));
    last_ = m;
    for (const Event& e : src) {
      const int b = bucket_of(static_cast<uint64_t>(e.time));
      if (b == 0) {
        zero_.push_back(e);
      } else {
        buckets_[b].push_back(e);
        nonempty_ |= 1ULL << (b - 1);
      }
    }
    src.clear();
    nonempty_ &= ~(1ULL << (i - 1));  // every event moved to a lower bucket
    std::make_heap(zero_.begin(), zero_.end(), OrderGreater{});
  }

  std::array<std::vector<Event>, 65> buckets_;
  std::vector<Event> zero_;  // events at exactly last_, a heap by order
  uint64_t last_ = 0;
  uint64_t nonempty_ = 0;  // bit b-1 set: buckets_[b] holds events (b = 1..64)
  size_t size_ = 0;
};

// The baseline: std::priority_queue with the same order. Used by benchmarks and tests.
class BinaryHeapQueue {
 public:
  bool empty() const { return q_.empty(); }
  size_t size() const { return q_.size(); }
  void push(const Event& e) { q_.push(e); }
  const Event& top() { return q_.top(); }
  Event pop() {
    Event e = q_.top();
    q_.pop();
    return e;
  }
  void clear() { q_ = {}; }

 private:
  struct Later {
    bool operator()(const Event& x, const Event& y) const { return event_before(y, x); }
  };
  std::priority_queue<Event, std::vector<Event>, Later> q_;
};

}  // namespace spotsim

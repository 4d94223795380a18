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
#include <memory>
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
  RadixHeapQueue() {
    head_.fill(kNone);
    min_.fill(UINT64_MAX);
  }

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
      append(b, e);
    }
    ++size_;
  }

  // REQUIRES: !empty(). The earliest pending time, without moving any event (so pushes at
  // any time >= the last popped one stay allowed; top() may advance that bound to this time).
  int64_t min_time() const {
    if (!zero_.empty()) return static_cast<int64_t>(last_);
    return static_cast<int64_t>(min_[1 + __builtin_ctzll(nonempty_)]);  // lower buckets hold earlier times
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
    for (int b = 1; b <= 64; ++b) release_bucket(b);
    zero_.clear();
    size_ = 0;
    last_ = 0;
  }

 private:
  // Buckets 1..64 are lists of fixed-size chunks drawn from one pool and returned to it when a
  // refill empties the bucket: memory follows the pending events (plus one partly filled chunk
  // per bucket) instead of every bucket keeping the capacity of its own peak.
  static constexpr uint32_t kChunkEvents = 127;
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Chunk {
    Event events[kChunkEvents];
    uint32_t count = 0;
    uint32_t next = kNone;  // the bucket's older chunk
  };
  struct OrderGreater {
    bool operator()(const Event& x, const Event& y) const { return x.order > y.order; }
  };
  int bucket_of(uint64_t t) const {
    const uint64_t x = t ^ last_;
    return x == 0 ? 0 : 64 - __builtin_clzll(x);
  }
  uint32_t new_chunk() {
    if (!free_.empty()) {
      const uint32_t c = free_.back();
      free_.pop_back();
      return c;
    }
    chunks_.push_back(std::make_unique<Chunk>());
    return static_cast<uint32_t>(chunks_.size() - 1);
  }
  void append(int b, const Event& e) {
    uint32_t c = head_[b];
    if (c == kNone || chunks_[c]->count == kChunkEvents) {
      const uint32_t n = new_chunk();
      chunks_[n]->count = 0;
      chunks_[n]->next = c;
      head_[b] = c = n;
      nonempty_ |= 1ULL << (b - 1);
    }
    min_[b] = std::min(min_[b], static_cast<uint64_t>(e.time));
    Chunk& ch = *chunks_[c];
    ch.events[ch.count++] = e;
  }
  void release_bucket(int b) {
    for (uint32_t c = head_[b]; c != kNone;) {
      const uint32_t next = chunks_[c]->next;
      free_.push_back(c);
      c = next;
    }
    head_[b] = kNone;
    min_[b] = UINT64_MAX;
    nonempty_ &= ~(1ULL << (b - 1));
  }
  void refill() {
    assert(nonempty_ != 0);  // REQUIRES: size_ > 0
    const int i = 1 + __builtin_ctzll(nonempty_);
    const uint32_t first = head_[i];
    head_[i] = kNone;
    nonempty_ &= ~(1ULL << (i - 1));  // every event moves to a lower bucket
    last_ = min_[i];                  // the bucket's earliest time, kept as events came in
    min_[i] = UINT64_MAX;
    for (uint32_t c = first; c != kNone;) {
      const Chunk& ch = *chunks_[c];
      for (uint32_t k = 0; k < ch.count; ++k) {
        const Event& e = ch.events[k];
        const int b = bucket_of(static_cast<uint64_t>(e.time));
        if (b == 0) zero_.push_back(e);
        else append(b, e);
      }
      const uint32_t next = ch.next;
      free_.push_back(c);
      c = next;
    }
    std::make_heap(zero_.begin(), zero_.end(), OrderGreater{});
  }

  std::vector<std::unique_ptr<Chunk>> chunks_;  // the pool
  std::vector<uint32_t> free_;                  // chunks not in any bucket
  std::array<uint32_t, 65> head_;               // newest chunk of buckets 1..64 (kNone: empty)
  std::array<uint64_t, 65> min_;                // earliest time in each bucket (UINT64_MAX: empty)
  std::vector<Event> zero_;  // events at exactly last_, a heap by order
  uint64_t last_ = 0;
  uint64_t nonempty_ = 0;  // bit b-1 set: bucket b holds events (b = 1..64)
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

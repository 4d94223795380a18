#pragma once
// Pending-event queues. An Event is a 32-byte POD; the queue never allocates per event.
//
// Order: (time, priority class, insertion sequence) — fully deterministic.
//
// RadixHeapQueue (the default) is a monotone radix heap over the 64-bit time with 8-bit digits:
// events are kept in buckets by the highest digit in which their time differs from the last
// popped time and that digit's value, so most pushes are an append and each event moves down at
// most once per digit in its life.
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
    const uint64_t t = static_cast<uint64_t>(e.time);
    if (t == last_) {
      zero_.push_back(e);
      std::push_heap(zero_.begin(), zero_.end(), OrderGreater{});
    } else {
      append(bucket_of(t), e);
    }
    ++size_;
  }

  // REQUIRES: !empty(). The earliest pending time, without moving any event (so pushes at
  // any time >= the last popped one stay allowed; top() may advance that bound to this time).
  int64_t min_time() const {
    if (!zero_.empty()) return static_cast<int64_t>(last_);
    return static_cast<int64_t>(min_[first_bucket()]);  // lower buckets hold earlier times
  }

  // REQUIRES: !empty(). The earliest event; stays valid until the next push or pop.
  const Event& top() {
    if (zero_.empty()) refill();
    return zero_.front();
  }

  Event pop() {
    if (zero_.empty()) refill();
    Event e;
    if (zero_.size() == 1) {
      e = zero_.back();
    } else {
      std::pop_heap(zero_.begin(), zero_.end(), OrderGreater{});
      e = zero_.back();
    }
    zero_.pop_back();
    --size_;
    return e;
  }

  // A hint that changes no order and no value: when a refill brings an event of `handler`
  // within 2^24 µs of the queue's time (kPrefetchLevels), the queue prefetches base + a × stride
  // (a: the event's payload), the record the handler will read when the event fires. With 10^6
  // VMs, a VM's slot is then in cache by the time its eviction comes, some hundreds of events
  // later, instead of a cache miss at the eviction. Any payload is allowed (a prefetch never
  // faults); handler UINT16_MAX turns the hint off.
  void set_payload_prefetch(uint16_t handler, const void* base, uint32_t stride) {
    pf_handler_ = handler;
    pf_base_ = reinterpret_cast<uintptr_t>(base);
    pf_stride_ = stride;
  }

  void clear() {
    for (int b = 0; b < kBuckets; ++b) {
      if (head_[b] != kNone) release_bucket(b);
    }
    zero_.clear();
    size_ = 0;
    last_ = 0;
  }

 private:
  // Digits of kDigitBits bits: an event at time t != last_ goes to bucket (L, d), L the highest
  // digit in which t differs from last_ and d = t's digit L. Every time in bucket (L, d) is
  // earlier than every time in (L, d') for d < d' and in any bucket of a higher level, so the
  // buckets in index order L * kDigits + d are in time order and the earliest pending time is
  // in the first nonempty bucket (two-level bitmap). A refill takes that bucket; its earliest
  // time becomes last_ and each of its events moves to a bucket of a lower level (or to zero_):
  // an event moves at most once per digit (about three times for churn's hazards, where a
  // one-bit radix heap moved each about nine times).
  static constexpr int kDigitBits = 8;
  static constexpr int kDigits = 1 << kDigitBits;
  static constexpr int kLevels = 64 / kDigitBits;
  static constexpr int kBuckets = kLevels * kDigits;
  static constexpr int kWords = kBuckets / 64;
  static_assert(kWords <= 64, "one summary word");
  // Buckets are lists of fixed-size chunks drawn from one pool and returned to it when a refill
  // empties the bucket: memory follows the pending events (plus one partly filled chunk per
  // nonempty bucket) instead of every bucket keeping the capacity of its own peak.
  static constexpr uint32_t kChunkEvents = 63;
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Chunk {
    Event events[kChunkEvents];
    uint32_t count = 0;
    uint32_t next = kNone;  // the bucket's older chunk
  };
  struct OrderGreater {
    bool operator()(const Event& x, const Event& y) const { return x.order > y.order; }
  };
  // The payload hint covers events that a refill moves into a bucket of the lowest
  // kPrefetchLevels levels (or to the current time): at most 2^24 µs (16.8 s) ahead, some hundreds
  // of events at 10^6 VMs, few enough that their records stay in cache until they fire. An event
  // moves into those levels once or twice in its life.
  static constexpr int kPrefetchLevels = 3;
  static constexpr int kPrefetchBuckets = kPrefetchLevels * kDigits;
  void prefetch_payload(const Event& e) const {
    __builtin_prefetch(reinterpret_cast<const void*>(pf_base_ + static_cast<uintptr_t>(e.a) * pf_stride_));
  }
  // REQUIRES: t != last_.
  int bucket_of(uint64_t t) const {
    const int level = (63 - __builtin_clzll(t ^ last_)) / kDigitBits;
    return level * kDigits + static_cast<int>((t >> (level * kDigitBits)) & (kDigits - 1));
  }
  // REQUIRES: some bucket is nonempty.
  int first_bucket() const {
    const int w = __builtin_ctzll(summary_);
    return w * 64 + __builtin_ctzll(words_[w]);
  }
  void mark(int b) {
    words_[b >> 6] |= 1ULL << (b & 63);
    summary_ |= 1ULL << (b >> 6);
  }
  void unmark(int b) {
    words_[b >> 6] &= ~(1ULL << (b & 63));
    if (words_[b >> 6] == 0) summary_ &= ~(1ULL << (b >> 6));
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
      if (c == kNone) mark(b);
      const uint32_t n = new_chunk();
      chunks_[n]->count = 0;
      chunks_[n]->next = c;
      head_[b] = c = n;
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
    unmark(b);
  }
  void refill() {
    assert(summary_ != 0);  // REQUIRES: size_ > 0
    const int i = first_bucket();
    const uint32_t first = head_[i];
    head_[i] = kNone;
    unmark(i);        // every event moves to a lower level
    last_ = min_[i];  // the bucket's earliest time, kept as events came in
    min_[i] = UINT64_MAX;
    for (uint32_t c = first; c != kNone;) {
      const Chunk& ch = *chunks_[c];
      for (uint32_t k = 0; k < ch.count; ++k) {
        const Event& e = ch.events[k];
        const uint64_t t = static_cast<uint64_t>(e.time);
        const int b = t == last_ ? -1 : bucket_of(t);
        if (b < kPrefetchBuckets && e.handler == pf_handler_) prefetch_payload(e);
        if (b < 0) zero_.push_back(e);
        else append(b, e);
      }
      const uint32_t next = ch.next;
      free_.push_back(c);
      c = next;
    }
    if (zero_.size() > 1) std::make_heap(zero_.begin(), zero_.end(), OrderGreater{});
  }

  std::vector<std::unique_ptr<Chunk>> chunks_;  // the pool
  std::vector<uint32_t> free_;                  // chunks not in any bucket
  std::array<uint32_t, kBuckets> head_;         // newest chunk of each bucket (kNone: empty)
  std::array<uint64_t, kBuckets> min_;          // earliest time in each bucket (UINT64_MAX: empty)
  std::array<uint64_t, kWords> words_{};        // bit b & 63 of word b >> 6: bucket b is nonempty
  uint64_t summary_ = 0;                        // bit w: words_[w] != 0
  std::vector<Event> zero_;                     // events at exactly last_, a heap by order
  uint64_t last_ = 0;
  size_t size_ = 0;
  uint16_t pf_handler_ = UINT16_MAX;  // set_payload_prefetch (UINT16_MAX: off)
  uintptr_t pf_base_ = 0;
  uint32_t pf_stride_ = 0;
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

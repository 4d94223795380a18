#include <catch2/catch.hpp>

#include <vector>

#include "sim/core/engine.h"
#include "sim/core/huge_pages.h"
#include "sim/core/rng.h"

using namespace spotsim;

namespace {
struct Recorder : EventHandler {
  std::vector<std::pair<int64_t, uint32_t>> seen;
  void handle(Engine& e, const Event& ev) override { seen.emplace_back(e.now().us, ev.a); }
};
}  // namespace

TEST_CASE("engine runs events in time order with ties broken by priority then insertion", "[engine]") {
  Engine e;
  Recorder r;
  const uint16_t h = e.add_handler(&r);
  e.schedule_at(SimTime{50}, h, 0, 1);
  e.schedule_at(SimTime{10}, h, 0, 2);
  e.schedule_at(SimTime{50}, h, 0, 3, 0, Priority::kHigh);
  e.schedule_at(SimTime{50}, h, 0, 4);
  e.schedule_at(SimTime{50}, h, 0, 5, 0, Priority::kChaos);
  e.run_until(SimTime{100});
  std::vector<uint32_t> order;
  for (auto& [t, a] : r.seen) order.push_back(a);
  CHECK(order == std::vector<uint32_t>{2, 5, 3, 1, 4});
  CHECK(e.now().us == 100);
  CHECK(e.events_processed() == 5);
}

TEST_CASE("engine cancel removes a pending event and cancelling twice or after firing is harmless", "[engine]") {
  Engine e;
  Recorder r;
  const uint16_t h = e.add_handler(&r);
  const EventId a = e.schedule_at(SimTime{5}, h, 0, 1);
  e.schedule_at(SimTime{6}, h, 0, 2);
  e.cancel(a);
  e.cancel(a);
  e.run_until(SimTime{10});
  REQUIRE(r.seen.size() == 1);
  CHECK(r.seen[0].second == 2);
  e.cancel(a);
  e.cancel(999999);
  CHECK(e.pending() == 0);
}

TEST_CASE("run_until stops at the horizon and resumes", "[engine]") {
  Engine e;
  Recorder r;
  const uint16_t h = e.add_handler(&r);
  e.schedule_at(SimTime{5}, h, 0, 1);
  e.schedule_at(SimTime{15}, h, 0, 2);
  CHECK(e.run_until(SimTime{10}) == 1);
  CHECK(e.now().us == 10);
  CHECK(e.pending() == 1);
  CHECK(e.run_until(SimTime{20}) == 1);
}

TEST_CASE("stop() ends run_until after the current event", "[engine]") {
  struct Stopper : EventHandler {
    int n = 0;
    void handle(Engine& e, const Event&) override {
      if (++n == 2) e.stop();
    }
  } s;
  Engine e;
  const uint16_t h = e.add_handler(&s);
  for (int i = 0; i < 5; ++i) e.schedule_at(SimTime{i}, h, 0);
  e.run_until(SimTime{100});
  CHECK(s.n == 2);
  CHECK(e.now().us == 1);
  CHECK(e.stopped());
}

TEST_CASE("a handler may schedule at the current time with any priority", "[engine]") {
  struct Chain : EventHandler {
    uint16_t self = 0;
    std::vector<uint32_t> seen;
    void handle(Engine& e, const Event& ev) override {
      seen.push_back(ev.a);
      if (ev.a == 1) {
        e.schedule_at(e.now(), self, 0, 2, 0, Priority::kChaos);  // lower class than the running one
        e.schedule_at(e.now(), self, 0, 3, 0, Priority::kLow);
      }
    }
  } c;
  Engine e;
  c.self = e.add_handler(&c);
  e.schedule_at(SimTime{7}, c.self, 0, 1);
  e.schedule_at(SimTime{8}, c.self, 0, 4);
  e.run_until(SimTime{10});
  CHECK(c.seen == std::vector<uint32_t>{1, 2, 3, 4});
}

TEST_CASE("radix heap and std::priority_queue agree on a random workload", "[engine][queue]") {
  RadixHeapQueue radix;
  BinaryHeapQueue binary;
  Rng rng(99);
  uint64_t seq = 0;
  int64_t now = 0;
  for (int i = 0; i < 2000; ++i) {
    const Event ev{
        now + static_cast<int64_t>(rng.below(1000)), (rng.below(4) << 56) | seq++, 0, 0, static_cast<uint32_t>(i), 0};
    radix.push(ev);
    binary.push(ev);
  }
  for (int i = 0; i < 200000 && !radix.empty(); ++i) {
    const Event a = radix.pop();
    const Event b = binary.pop();
    REQUIRE(a.time == b.time);
    REQUIRE(a.order == b.order);
    now = a.time;
    if (rng.bernoulli(0.7)) {
      const Event ev{now + static_cast<int64_t>(rng.below(rng.bernoulli(0.2) ? 3 : 100000)),
                     (rng.below(4) << 56) | seq++,
                     0,
                     0,
                     0,
                     0};
      radix.push(ev);
      binary.push(ev);
    }
  }
  CHECK(radix.size() == binary.size());
}

TEST_CASE("radix heap and std::priority_queue agree with times spread over every digit", "[engine][queue]") {
  // Delays from 0 to 2^44 µs (log-uniform), so events start in buckets of every level and move
  // down digit by digit; ties at one time with other priorities; min_time() asked in between.
  RadixHeapQueue radix;
  BinaryHeapQueue binary;
  Rng rng(1234);
  uint64_t seq = 0;
  int64_t now = 0;
  auto delay = [&rng]() -> int64_t {
    if (rng.bernoulli(0.1)) return 0;
    return static_cast<int64_t>(rng.below(uint64_t{1} << rng.below(45)));
  };
  auto push = [&](int64_t t) {
    const Event ev{t, (rng.below(4) << 56) | seq++, 0, 0, 0, 0};
    radix.push(ev);
    binary.push(ev);
  };
  for (int i = 0; i < 5000; ++i) push(delay());
  for (int i = 0; i < 300000 && !radix.empty(); ++i) {
    REQUIRE(radix.min_time() == binary.top().time);
    const Event a = radix.pop();
    const Event b = binary.pop();
    REQUIRE(a.time == b.time);
    REQUIRE(a.order == b.order);
    now = a.time;
    const int n = static_cast<int>(rng.below(3));  // 0, 1 or 2 follow-ups: the size drifts
    for (int k = 0; k < n && radix.size() < 20000; ++k) push(now + delay());
  }
  CHECK(radix.size() == binary.size());
  radix.clear();
  CHECK(radix.empty());
  push(now + 5);  // usable after clear
  CHECK(radix.pop().time == now + 5);
}

TEST_CASE("the payload prefetch hint changes no order, for any payload", "[engine][queue]") {
  // Events of handler 1 carry payloads far outside the records (a prefetch never faults), events
  // of handler 0 are not prefetched; delays over every digit, so refills reach the low levels.
  std::vector<uint64_t> records(64);
  RadixHeapQueue hinted;
  RadixHeapQueue plain;
  hinted.set_payload_prefetch(1, records.data(), sizeof(uint64_t));
  Rng rng(77);
  uint64_t seq = 0;
  auto push = [&](int64_t t) {
    const Event ev{t,
                   (rng.below(4) << 56) | seq++,
                   static_cast<uint16_t>(rng.below(2)),
                   0,
                   static_cast<uint32_t>(rng.bernoulli(0.5) ? rng.below(64) : rng.below(UINT32_MAX)),
                   0};
    hinted.push(ev);
    plain.push(ev);
  };
  for (int i = 0; i < 3000; ++i) push(static_cast<int64_t>(rng.below(uint64_t{1} << rng.below(40))));
  while (!hinted.empty()) {
    const Event a = hinted.pop();
    const Event b = plain.pop();
    REQUIRE(a.time == b.time);
    REQUIRE(a.order == b.order);
    REQUIRE(a.a == b.a);
    if (seq < 6000) push(a.time + static_cast<int64_t>(rng.below(uint64_t{1} << rng.below(30))));
  }
  CHECK(plain.empty());
}

namespace {
// Schedules follow-ups as it handles events: some at a fixed delay (lane-friendly), some at a
// random delay, some at the same instant with another priority; into lanes or the heap alone.
struct Churner : EventHandler {
  bool use_lanes = false;
  Engine::LaneId fixed = 0, mixed = 0;
  uint16_t self = 0;
  Rng rng{5};
  uint32_t next_id = 0;
  std::vector<std::pair<int64_t, uint32_t>> seen;
  void handle(Engine& e, const Event& ev) override {
    seen.emplace_back(e.now().us, ev.a);
    // One follow-up per event (the population stays constant).
    const Priority prio = rng.bernoulli(0.1) ? Priority::kHigh : Priority::kNormal;
    const double u = rng.uniform01();
    if (u < 0.5) {
      const SimTime t = e.now() + Duration{90};
      if (use_lanes) e.schedule_fifo(fixed, t, self, 0, next_id++, 0, prio);
      else e.schedule_at(t, self, 0, next_id++, 0, prio);
    } else if (u < 0.9) {
      // Mostly increasing, sometimes not: the lane must hand those to the heap.
      const SimTime t = e.now() + Duration{static_cast<int64_t>(rng.below(rng.bernoulli(0.8) ? 2 : 500))};
      if (use_lanes) e.schedule_fifo(mixed, t, self, 0, next_id++, 0, prio);
      else e.schedule_at(t, self, 0, next_id++, 0, prio);
    } else {
      e.schedule_at(e.now() + Duration{static_cast<int64_t>(rng.below(5000))}, self, 0, next_id++);
    }
  }
};

std::vector<std::pair<int64_t, uint32_t>> churn(bool lanes) {
  Engine e;
  Churner c;
  c.use_lanes = lanes;
  c.self = e.add_handler(&c);
  if (lanes) {
    c.fixed = e.add_lane();
    c.mixed = e.add_lane();
  }
  for (uint32_t i = 0; i < 300; ++i)
    e.schedule_at(SimTime{static_cast<int64_t>(c.rng.below(1000))}, c.self, 0, c.next_id++);
  e.run_until(SimTime{200000});
  CHECK(e.pending() > 0);
  return c.seen;
}
}  // namespace

TEST_CASE("FIFO lanes give exactly the heap's order, out-of-order events included", "[engine][lanes]") {
  const auto heap = churn(false);
  const auto lanes = churn(true);
  REQUIRE(heap.size() > 10000);
  CHECK(heap == lanes);
}

TEST_CASE("the huge-page hint takes any range and leaves the memory as it was", "[core][memory]") {
  // Only the 2 MB-aligned part of a range is advised; small, unaligned and empty ranges are fine.
  std::vector<uint64_t> v(1'000'000, 0);
  for (uint64_t i = 0; i < v.size(); ++i) v[i] = i * 3;
  advise_huge_pages(v.data(), v.size() * sizeof(uint64_t));
  advise_huge_pages(v.data() + 1, 100);
  advise_huge_pages(v.data(), 0);
  CHECK(v[999'999] == 2'999'997);
  std::vector<uint64_t> w;
  w.reserve(1'000'000);
  advise_huge_pages(w.data(), w.capacity() * sizeof(uint64_t));  // before touching, as World does
  for (uint64_t i = 0; i < 1'000'000; ++i) w.push_back(i);
  CHECK(w[123'456] == 123'456);
}

#pragma once
// Spot capacity and spot price over time, per pool (docs/capacity.md). A SeriesCursor walks one
// SeriesSpec (constant, schedule, trace, stochastic process) through one replication; the
// PoolSeriesDriver owns the cursors of every pool whose `capacity:` or `spot_price:` varies and
// applies each change to the world's pool market (PoolMarket::set_nominal_spot_capacity,
// set_base_spot_price; sim/model/pool_market.h) at
// Priority::kChaos, like other changes of the provider's state.
//
// Randomness: a trace's random start offset comes from Rng::stream(seed, replication,
// spec.stream) (pools reading the same column of the same file share it); a process draws from
// its own stream "capacity.<pool>" / "spot_price.<pool>".
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "sim/core/engine.h"
#include "sim/core/rng.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

class World;

class SeriesCursor {
 public:
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  // `rng` (random start offset, process draws): the series' own stream. REQUIRES: spec outlives it.
  SeriesCursor(const SeriesSpec& spec, Rng rng);

  double value() const { return value_; }
  // When the value changes next (µs, > the current time), or kNever.
  int64_t next_change_us() const { return next_us_; }
  // Moves to next_change_us() and computes the value there.
  void advance();
  // The trace row the run started at (0 without random_start).
  uint64_t trace_offset() const { return offset_; }

 private:
  void find_next_trace_change();
  const SeriesSpec& spec_;
  Rng rng_;
  double value_ = 0;
  int64_t now_us_ = 0;
  int64_t next_us_ = kNever;
  size_t index_ = 0;     // schedule step, or trace tick since the start
  uint64_t offset_ = 0;  // trace start row
};

class PoolSeriesDriver : public EventHandler {
 public:
  // Sets every varying pool's capacity and price at time 0 (before the warm start) and schedules
  // the changes. Returns nullptr when no pool varies (no cost for constant pools).
  static std::unique_ptr<PoolSeriesDriver> create(World& world);
  explicit PoolSeriesDriver(World& world);

  void handle(Engine& engine, const Event& event) override;

 private:
  enum Kind : uint16_t { kCapacity = 0, kPrice = 1 };
  struct Entry {
    uint32_t pool;
    Kind kind;
    SeriesCursor cursor;
  };
  void schedule(uint32_t entry);
  World& world_;
  uint16_t self_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace spotsim

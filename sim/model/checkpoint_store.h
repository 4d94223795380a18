#pragma once
// The shared checkpoint store: finite throughput divided equally among every write in flight
// (processor sharing). A storm of simultaneous checkpoint-on-notice writes therefore slows every
// writer down, and a write that outlasts its VM's notice is a checkpoint miss (docs/workloads.md).
//
// Exact event-driven processor sharing: each write finishes when the bytes served to every active
// writer since the store's epoch reach its threshold; one pending engine event (the earliest
// finish) is kept, rescheduled whenever the set of writers or the throughput changes.
// O(log n) per write start, finish or abort.
#include <cstdint>
#include <set>
#include <unordered_map>
#include <utility>

#include "sim/core/engine.h"

namespace spotsim {

class CheckpointStore : public EventHandler {
 public:
  class Client {
   public:
    virtual ~Client() = default;
    // A write started with start_write finished (all its bytes are durable).
    virtual void on_checkpoint_written(uint64_t token) = 0;
  };

  // REQUIRES: engine outlives the store; bytes_per_second > 0.
  CheckpointStore(Engine& engine, double bytes_per_second);

  // Starts writing `bytes`; `client->on_checkpoint_written(token)` is called when done (from the
  // engine's event loop, never from inside start_write). Returns the write's id (never 0).
  uint64_t start_write(double bytes, Client* client, uint64_t token);
  // Forgets a write in flight (its writer died); unknown or finished ids are a no-op.
  void abort_write(uint64_t id);

  // The chaos verb `checkpoint_store_degraded`: scales the nominal throughput by `factor`
  // (0 < factor; 1 restores it). Writes in flight keep the bytes already written and continue
  // at the new share. A factor <= 0 is clamped to 1e-9 (a store that is all but stalled).
  void set_throughput_factor(double factor);
  double throughput_factor() const { return factor_; }
  // Current total throughput in bytes/s (nominal × factor).
  double throughput() const { return nominal_ * factor_; }
  size_t writers() const { return writes_.size(); }
  // Largest number of writes that were in flight at once.
  size_t max_writers() const { return max_writers_; }

  void handle(Engine& engine, const Event& event) override;

 private:
  struct Write {
    double threshold;  // served_ value at which it is done
    Client* client;
    uint64_t token;
  };
  void advance();     // brings served_ up to now
  void reschedule();  // (re)arms the earliest-finish event

  Engine& engine_;
  uint16_t self_;
  double nominal_;
  double factor_ = 1.0;
  double served_ = 0;  // bytes served to each active writer since the epoch
  int64_t last_us_ = 0;
  uint64_t next_id_ = 1;
  uint64_t armed_gen_ = 0;  // generation of the pending finish event
  size_t max_writers_ = 0;
  std::set<std::pair<double, uint64_t>> by_threshold_;
  std::unordered_map<uint64_t, Write> writes_;
};

}  // namespace spotsim

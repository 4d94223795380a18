// Clock seam (leveldb Env style): everything that reads time takes a Clock, so tests can
// drive token expiry, notice deadlines and dead-man expiry with a FakeClock.
#pragma once

#include <chrono>
#include <mutex>

namespace agent {

using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC); used for notice times shown to clients and for the audit log.
  virtual WallTime now() const = 0;
};

class SystemClock final : public Clock {
 public:
  WallTime now() const override { return std::chrono::system_clock::now(); }
};

// A settable clock for tests. Thread-safe so a test thread may advance it while the agent runs.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start) : now_(start) {}
  WallTime now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void advance(std::chrono::nanoseconds d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += std::chrono::duration_cast<WallTime::duration>(d);
  }
  void set(WallTime t) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = t;
  }

 private:
  mutable std::mutex mu_;
  WallTime now_;
};

}  // namespace agent

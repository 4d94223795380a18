#pragma once
// The VMs a fleet lost and has not got back yet: one entry per loss (an eviction, including one that
// kept the VM stopped), closed when a VM replacing it (a replacement launch or a restart) reaches
// running. What is still open at the end of the run is the fleet's `unrecovered` count, and its
// time to reschedule is censored at the end of the run (docs/metrics.md).
//
// Losses are registered in time order (the engine's clock), so the entries stay sorted by time;
// closing one is a binary search. A replacement launched on notice can be running before the
// eviction it replaces: that recovery is kept as a credit and cancels the loss when it comes.
// Memory: O(losses open now), amortized (closed entries are compacted away).
#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>

namespace spotsim {

class LossLedger {
 public:
  struct Loss {
    int64_t at_us;
    uint16_t pool;
    bool open;
  };

  // A VM of `pool` was lost at `at_us` (the current time; never earlier than the last loss).
  void lost(int64_t at_us, uint16_t pool) {
    if (!credits_.empty()) {
      auto c = credits_.find(at_us);
      if (c != credits_.end()) {
        if (--c->second == 0) credits_.erase(c);
        return;
      }
    }
    entries_.push_back(Loss{at_us, pool, true});
    ++open_;
  }

  // A VM replacing one lost at `lost_at_us` is running at `now_us`.
  void recovered(int64_t lost_at_us, int64_t now_us) {
    if (lost_at_us > now_us) {  // launched on notice, running before the eviction
      ++credits_[lost_at_us];
      return;
    }
    auto it = std::lower_bound(entries_.begin(), entries_.end(), lost_at_us,
                               [](const Loss& l, int64_t t) { return l.at_us < t; });
    for (; it != entries_.end() && it->at_us == lost_at_us; ++it) {
      if (!it->open) continue;
      it->open = false;
      --open_;
      ++closed_;
      compact();
      return;
    }
  }

  // Losses still open, oldest first.
  template <class F>
  void for_each_open(F&& f) const {
    for (const Loss& l : entries_) {
      if (l.open) f(l);
    }
  }
  int64_t open() const { return open_; }

 private:
  void compact() {
    while (!entries_.empty() && !entries_.front().open) {
      entries_.pop_front();
      --closed_;
    }
    if (closed_ > 64 && closed_ > open_) {
      entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [](const Loss& l) { return !l.open; }),
                     entries_.end());
      closed_ = 0;
    }
  }

  std::deque<Loss> entries_;
  std::map<int64_t, uint32_t> credits_;
  int64_t open_ = 0;
  int64_t closed_ = 0;  // closed entries still stored
};

}  // namespace spotsim

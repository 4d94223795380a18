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
#include <cstddef>
#include <map>
#include <vector>

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
    // Replacements mostly run in the order of their losses: try the oldest open loss first.
    auto it = entries_.begin() + static_cast<std::ptrdiff_t>(head_);
    if (it == entries_.end() || it->at_us != lost_at_us || !it->open) {
      it = std::lower_bound(it, entries_.end(), lost_at_us, [](const Loss& l, int64_t t) { return l.at_us < t; });
      while (it != entries_.end() && it->at_us == lost_at_us && !it->open) ++it;
      if (it == entries_.end() || it->at_us != lost_at_us) return;  // not a loss of ours
    }
    it->open = false;
    --open_;
    ++closed_;
    compact();
  }

  // Losses still open, oldest first.
  template <class F>
  void for_each_open(F&& f) const {
    for (size_t i = head_; i < entries_.size(); ++i) {
      if (entries_[i].open) f(entries_[i]);
    }
  }
  int64_t open() const { return open_; }

 private:
  void compact() {
    while (head_ < entries_.size() && !entries_[head_].open) {
      ++head_;
      --closed_;
    }
    if (head_ == entries_.size()) {
      entries_.clear();
      head_ = 0;
      closed_ = 0;
    } else if (head_ > 1024 && head_ * 2 > entries_.size()) {
      entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    if (closed_ > 64 && closed_ > open_) {  // closed entries behind an old open one
      entries_.erase(std::remove_if(entries_.begin() + static_cast<std::ptrdiff_t>(head_), entries_.end(),
                                    [](const Loss& l) { return !l.open; }),
                     entries_.end());
      closed_ = 0;
    }
  }

  std::vector<Loss> entries_;  // sorted by time; [head_, end) may hold open entries
  size_t head_ = 0;
  std::map<int64_t, uint32_t> credits_;
  int64_t open_ = 0;
  int64_t closed_ = 0;  // closed entries in [head_, end)
};

}  // namespace spotsim

// Replay guard for remote control requests (on top of TLS, which already refuses replayed
// records inside a connection and cannot be spliced across connections).
//
// Every remote request carries X-Chaos-Nonce (32 hex digits from a CSPRNG) and X-Chaos-Time
// (the coordinator's Unix time in milliseconds). The agent accepts a request only when its
// time is within `window` of the agent's clock and its nonce has not been seen within the
// last 2 x window; a nonce is remembered until it could no longer pass the time check. So a
// request captured (say from a coordinator's debug log or a proxy) and sent again - on a new
// connection, by anyone holding an allowed certificate - is refused: "replayed" inside the
// window, "stale" after it. The cache is bounded (max_entries): beyond it requests are refused
// ("busy") rather than remembered less.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>

#include "chaos-agent/core/clock.h"

namespace agent::fleet {

class ReplayGuard {
 public:
  enum class Verdict { kOk, kMissing, kMalformed, kStale, kReplayed, kBusy };
  explicit ReplayGuard(Millis window = Millis(30000), size_t max_entries = 1u << 20)
      : window_(window), max_entries_(max_entries) {}

  // now_ms: the agent's Unix time in ms. Records the nonce when the verdict is kOk.
  Verdict check(const std::string& nonce, const std::string& time_ms, int64_t now_ms);
  static const char* explain(Verdict v);
  Millis window() const { return window_; }
  size_t size() const { return seen_.size(); }

 private:
  Millis window_;
  size_t max_entries_;
  std::unordered_set<std::string> seen_;
  std::deque<std::pair<int64_t, std::string>> order_;  // (forget after, nonce), by arrival
};

}  // namespace agent::fleet

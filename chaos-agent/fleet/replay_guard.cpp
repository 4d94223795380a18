#include "chaos-agent/fleet/replay_guard.h"

namespace agent::fleet {

ReplayGuard::Verdict ReplayGuard::check(const std::string& nonce, const std::string& time_ms, int64_t now_ms) {
  if (nonce.empty() || time_ms.empty()) return Verdict::kMissing;
  if (nonce.size() < 32 || nonce.size() > 64 || nonce.find_first_not_of("0123456789abcdef") != std::string::npos)
    return Verdict::kMalformed;
  if (time_ms.size() > 15 || time_ms.find_first_not_of("0123456789") != std::string::npos) return Verdict::kMalformed;
  int64_t t = std::stoll(time_ms);
  while (!order_.empty() && order_.front().first < now_ms) {
    seen_.erase(order_.front().second);
    order_.pop_front();
  }
  int64_t w = window_.count();
  if (t < now_ms - w || t > now_ms + w) return Verdict::kStale;
  if (seen_.count(nonce)) return Verdict::kReplayed;
  if (seen_.size() >= max_entries_) return Verdict::kBusy;
  seen_.insert(nonce);
  // A request time t passes the check until now = t + w; forgetting the nonce after
  // max(now, t) + w is therefore safe (entries are appended in arrival order; the small
  // disorder from clock skew only keeps some a little longer).
  order_.emplace_back(std::max(now_ms, t) + w, nonce);
  return Verdict::kOk;
}

const char* ReplayGuard::explain(Verdict v) {
  switch (v) {
    case Verdict::kOk: return "ok";
    case Verdict::kMissing: return "missing X-Chaos-Nonce or X-Chaos-Time (every remote request needs both)";
    case Verdict::kMalformed: return "malformed X-Chaos-Nonce (32-64 hex digits) or X-Chaos-Time (Unix ms)";
    case Verdict::kStale: return "stale request: X-Chaos-Time is outside the replay window (clock skew, or a replay)";
    case Verdict::kReplayed: return "replayed request: this nonce was already used";
    case Verdict::kBusy: return "replay cache full: retry later";
  }
  return "?";
}

}  // namespace agent::fleet

#include "sim/model/checkpoint_store.h"

#include <algorithm>
#include <cmath>

namespace spotsim {

CheckpointStore::CheckpointStore(Engine& engine, double bytes_per_second)
    : engine_(engine), nominal_(bytes_per_second) {
  self_ = engine_.add_handler(this);
}

void CheckpointStore::advance() {
  const int64_t now = engine_.now().us;
  if (!writes_.empty() && now > last_us_) {
    served_ += throughput() * static_cast<double>(now - last_us_) * 1e-6 / static_cast<double>(writes_.size());
  }
  last_us_ = now;
  if (writes_.empty()) served_ = 0;  // a fresh epoch keeps thresholds small and exact
}

void CheckpointStore::reschedule() {
  ++armed_gen_;
  if (by_threshold_.empty()) return;
  const double left = std::max(0.0, by_threshold_.begin()->first - served_);
  const double secs = left * static_cast<double>(writes_.size()) / throughput();
  // Round up so the write is complete when the event fires.
  const int64_t us = static_cast<int64_t>(std::ceil(std::min(secs, 1e12) * 1e6));
  engine_.schedule_in(Duration{us}, self_, 0, 0, armed_gen_);
}

uint64_t CheckpointStore::start_write(double bytes, Client* client, uint64_t token) {
  advance();
  const uint64_t id = next_id_++;
  const double th = served_ + std::max(0.0, bytes);
  writes_.emplace(id, Write{th, client, token});
  by_threshold_.emplace(th, id);
  max_writers_ = std::max(max_writers_, writes_.size());
  reschedule();
  return id;
}

void CheckpointStore::abort_write(uint64_t id) {
  auto it = writes_.find(id);
  if (it == writes_.end()) return;
  advance();
  by_threshold_.erase({it->second.threshold, id});
  writes_.erase(it);
  reschedule();
}

void CheckpointStore::set_throughput_factor(double factor) {
  advance();
  factor_ = factor > 0 ? factor : 1e-9;
  reschedule();
}

void CheckpointStore::handle(Engine&, const Event& e) {
  if (e.b != armed_gen_) return;
  advance();
  // Everything within a microsecond's worth of service of its threshold is done.
  const double slack = throughput() * 1e-6 / static_cast<double>(std::max<size_t>(1, writes_.size())) + 1e-9;
  while (!by_threshold_.empty() && by_threshold_.begin()->first <= served_ + slack) {
    const uint64_t id = by_threshold_.begin()->second;
    by_threshold_.erase(by_threshold_.begin());
    auto it = writes_.find(id);
    const Write w = it->second;
    writes_.erase(it);
    w.client->on_checkpoint_written(w.token);
  }
  reschedule();
}

}  // namespace spotsim

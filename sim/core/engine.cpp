#include "sim/core/engine.h"

#include <cassert>

namespace spotsim {

Engine::Engine() { handlers_.reserve(16); }

uint16_t Engine::add_handler(EventHandler* handler) {
  assert(handlers_.size() < 65535);
  handlers_.push_back(handler);
  return static_cast<uint16_t>(handlers_.size() - 1);
}

EventId Engine::schedule_at(SimTime t, uint16_t handler, uint16_t kind, uint32_t a, uint64_t b,
                            Priority prio) {
  assert(t >= now_);
  if (t < now_) t = now_;
  const EventId id = next_seq_++;
  queue_.push(Event{t.us, (static_cast<uint64_t>(prio) << 56) | id, handler, kind, a, b});
  return id;
}

void Engine::cancel(EventId id) {
  if (id < next_seq_) cancelled_.insert(id);
}

uint64_t Engine::run_until(SimTime until) {
  stopped_ = false;
  uint64_t n = 0;
  while (!queue_.empty() && !stopped_) {
    if (queue_.top().time > until.us) break;
    const Event e = queue_.pop();
    if (!cancelled_.empty()) {
      auto it = cancelled_.find(e.seq());
      if (it != cancelled_.end()) {
        cancelled_.erase(it);
        continue;
      }
    }
    now_ = SimTime{e.time};
    ++n;
    handlers_[e.handler]->handle(*this, e);
  }
  if (!stopped_ && now_ < until) now_ = until;
  processed_ += n;
  return n;
}

}  // namespace spotsim

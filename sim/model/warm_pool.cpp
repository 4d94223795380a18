#include "sim/model/warm_pool.h"

namespace spotsim {

WarmPool::WarmPool(Engine& engine, const WarmPoolSpec& spec, Duration boot_time, double running_price_per_hour)
    : engine_(engine), spec_(spec), boot_time_(boot_time), running_price_(running_price_per_hour), ready_(spec.size) {
  self_ = engine_.add_handler(this);
}

void WarmPool::accrue() {
  const int64_t now = engine_.now().us;
  const double hours = static_cast<double>(now - last_us_) / 3.6e9;
  const double ready_price = spec_.running ? running_price_ : spec_.disk_cost_per_hour;
  cost_ += hours * (static_cast<double>(ready_) * ready_price + static_cast<double>(initializing_) * running_price_);
  last_us_ = now;
}

bool WarmPool::take() {
  if (ready_ <= 0) return false;
  accrue();
  --ready_;
  ++initializing_;
  ++taken_;
  engine_.schedule_in(boot_time_, self_, 0, 0, 0);
  return true;
}

void WarmPool::handle(Engine&, const Event&) {
  accrue();
  --initializing_;
  ++ready_;
}

double WarmPool::cost() {
  accrue();
  return cost_;
}

}  // namespace spotsim

#include "viz/app/background_run.h"

namespace spotsim::viz {

BackgroundRun::~BackgroundRun() {
  cancel();
  wait();
}

void BackgroundRun::start(CompiledScenario scenario, ModelRunOptions options) {
  cancel();
  wait();
  cancel_ = false;
  done_ = 0;
  total_ = std::max<int64_t>(1, scenario.replications);
  {
    std::lock_guard<std::mutex> lock(mu_);
    result_.reset();
  }
  scenario_ = std::move(scenario);
  running_ = true;
  options.cancel = &cancel_;
  auto user_progress = options.progress;
  options.progress = [this, user_progress](int64_t done, int64_t total) {
    // Worker threads may report out of order (replication 3 finishing reported before 2): keep
    // the largest count, so the bar never moves back and ends full.
    int64_t seen = done_.load();
    while (seen < done && !done_.compare_exchange_weak(seen, done)) {}
    total_ = std::max<int64_t>(1, total);
    if (user_progress) user_progress(done, total);
  };
  thread_ = std::thread([this, options]() {
    Result<RunModel> r = run_to_model(scenario_, options);
    {
      std::lock_guard<std::mutex> lock(mu_);
      result_.emplace(std::move(r));
    }
    running_ = false;
  });
}

void BackgroundRun::cancel() { cancel_ = true; }

void BackgroundRun::wait() {
  if (thread_.joinable()) thread_.join();
}

float BackgroundRun::progress() const {
  return static_cast<float>(static_cast<double>(done_.load()) / static_cast<double>(total_.load()));
}

std::optional<Result<RunModel>> BackgroundRun::take() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!result_) return std::nullopt;
  std::optional<Result<RunModel>> r = std::move(result_);
  result_.reset();
  return r;
}

}  // namespace spotsim::viz

#pragma once
// Runs a scenario on a background thread (through sim/run) so the window keeps drawing; the UI
// polls progress() and take(). Used by the live panel and by `spotviz scenario.yaml`.
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "sim/scenario/scenario.h"
#include "viz/data/memory_recorder.h"
#include "viz/data/run_model.h"

namespace spotsim::viz {

class BackgroundRun {
 public:
  BackgroundRun() = default;
  ~BackgroundRun();  // cancels and joins
  BackgroundRun(const BackgroundRun&) = delete;
  BackgroundRun& operator=(const BackgroundRun&) = delete;

  // Starts a run of `scenario` (cancelling and joining one in flight first).
  void start(CompiledScenario scenario, ModelRunOptions options = {});
  // Asks the run in flight to stop after its replications in flight; take() then yields
  // "run cancelled".
  void cancel();
  bool running() const { return running_.load(); }
  // Completed replications / total, in [0, 1].
  float progress() const;
  // The finished result, exactly once per run; nullopt while running or when nothing is new.
  std::optional<Result<RunModel>> take();
  // Blocks until the run in flight ends.
  void wait();

 private:
  std::thread thread_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> running_{false};
  std::atomic<int64_t> done_{0}, total_{1};
  std::mutex mu_;
  std::optional<Result<RunModel>> result_;
  CompiledScenario scenario_;
};

}  // namespace spotsim::viz

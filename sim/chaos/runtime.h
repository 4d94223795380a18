#pragma once
// The chaos of one replication: every item of the scenario's `chaos:` list, scheduled on the
// world's engine at Priority::kChaos (faults apply before the fleet reacts at the same instant).
//
// Construct it right after the World and before World::run(): it registers its metrics
// (chaos.<name>.*) with the world, precomputes each item's occurrences from the item's own
// stream Rng::stream(seed, replication, "chaos.<name>"), and installs itself as the world's
// FaultInjector when an item needs one. After the run, intervals() lists when each item was
// active (for recorders and spotviz shading).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/chaos/item.h"
#include "sim/core/engine.h"
#include "sim/model/fault_injector.h"

namespace spotsim {

class World;

// When one occurrence of an item was in effect. Storms: from the first to the last notice they
// may give (window and waves included). Items without a duration: until the end of the run.
struct ChaosInterval {
  uint32_t item = 0;  // index in the scenario's chaos: list
  ChaosKind kind = ChaosKind::kStorm;
  SimTime start;
  SimTime end;
};

// Registers in `ms` exactly the chaos.<item>.* metrics a ChaosRuntime of `scenario` registers, in
// the same order, from the scenario alone.
void declare_chaos_metrics(const CompiledScenario& scenario, MetricSet& ms);

class ChaosRuntime : public EventHandler, public FaultInjector {
 public:
  explicit ChaosRuntime(World& world);
  ~ChaosRuntime() override;

  const std::vector<ChaosInterval>& intervals() const { return intervals_; }
  const std::vector<std::unique_ptr<ChaosItem>>& items() const { return items_; }

  void handle(Engine& engine, const Event& event) override;
  bool lose_notice(const World& world, uint32_t slot) override;
  bool fail_boot(const World& world, uint32_t slot) override;
  bool admit_launch(const World& world, uint32_t fleet, uint32_t pool) override;

  // For items: a timer addressed to item `item`.
  void schedule(SimTime t, uint32_t item, uint16_t tag, uint64_t payload);
  // For items: a law of docs/metrics.md an item saw broken (checked after the run, sim/run/laws.h).
  void violation(std::string what) { violations_.push_back(std::move(what)); }
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  enum Kind : uint16_t { kBegin = 0, kEnd = 1, kTimer = 2 };
  void handle_item(Engine& engine, const Event& event);
  World& world_;
  uint16_t self_ = 0;
  std::vector<std::unique_ptr<ChaosItem>> items_;
  std::vector<ChaosInterval> intervals_;
  std::vector<std::string> violations_;
};

// Occurrence times of `timing` within a run of `run_end` (sorted). Draws from `rng`.
std::vector<SimTime> chaos_occurrences(const ChaosTiming& timing, Duration run_end, Rng& rng);

}  // namespace spotsim

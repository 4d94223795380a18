#pragma once
// Every model of one replication, assembled in one place: the world (pools, fleets, their
// built-in policies and provider semantics), the fleets' Lua policies, the workloads, Kubernetes
// and the chaos items. The runner, the metric table, tests and benchmarks all build a
// replication here, so a model added to the run is added once.
//
// The order is part of the result: it is the order in which metrics are registered (the
// columns of every report) and in which models schedule their first events.
#include <memory>
#include <vector>

#include "sim/chaos/runtime.h"
#include "sim/model/world.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

// Which of the scenario's models to build beside the world (workloads and Kubernetes always).
struct ModelChoice {
  bool policies = true;  // the scenario's Lua policies (else every fleet keeps its built-in one)
  bool chaos = true;     // the scenario's chaos: items
};
// The world with its workloads and Kubernetes only (tests that drive policies or chaos by hand).
inline constexpr ModelChoice kWithoutPoliciesOrChaos{false, false};

// The metrics a replication of `scenario` registers with `choice`'s models, in registration
// order (the columns of every report), declared from the scenario alone: no World is built.
// Each model registers its metrics through the same declaration (World::declare_metrics, ...).
std::vector<MetricDef> declare_replication_metrics(const CompiledScenario& scenario, ModelChoice choice = {});

class ReplicationModels {
 public:
  // REQUIRES: scenario outlives this. Throws PolicyFailure when a Lua policy fails to load.
  ReplicationModels(const CompiledScenario& scenario, uint64_t replication, ModelChoice choice = {});
  ~ReplicationModels();
  ReplicationModels(const ReplicationModels&) = delete;
  ReplicationModels& operator=(const ReplicationModels&) = delete;

  World& world() { return *world_; }
  const World& world() const { return *world_; }
  // The chaos runtime, or nullptr when not chosen.
  ChaosRuntime* chaos() { return chaos_.get(); }

 private:
  std::unique_ptr<World> world_;
  std::unique_ptr<ChaosRuntime> chaos_;  // destroyed before the world it acts on
};

}  // namespace spotsim

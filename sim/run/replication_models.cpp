#include "sim/run/replication_models.h"

#include "sim/model/k8s/cluster.h"
#include "sim/model/regional_limits.h"
#include "sim/model/workload/workloads.h"
#include "sim/policy/lua_policy.h"

namespace spotsim {

ReplicationModels::ReplicationModels(const CompiledScenario& scenario, uint64_t replication, ModelChoice choice)
    : world_(std::make_unique<World>(scenario, replication)) {
  // Policies first: the workloads ask each fleet's policy whether it wants per-job events.
  if (choice.policies) {
    // Lua policies (sim/policy): one sandboxed state per policy per replication.
    if (const FleetPolicyFactory policies = make_policy_factory(scenario)) {
      for (uint32_t fleet = 0; fleet < scenario.fleets.size(); ++fleet) {
        if (auto p = policies(scenario, fleet, replication)) world_->set_policy(fleet, std::move(p));
      }
    }
  }
  install_workloads(*world_);
  install_kubernetes(*world_);
  if (choice.chaos) chaos_ = std::make_unique<ChaosRuntime>(*world_);  // chaos.* metrics, chaos: items
}

ReplicationModels::~ReplicationModels() = default;

std::vector<MetricDef> declare_replication_metrics(const CompiledScenario& scenario, ModelChoice choice) {
  // In the constructor's order: the world (with its launch admission's region.*), the workloads,
  // Kubernetes, chaos. Lua policies register no metrics.
  MetricSet ms;
  World::declare_metrics(scenario, ms);
  RegionalLimits::declare_metrics(scenario, ms);
  declare_workload_metrics(scenario, ms);
  declare_kubernetes_metrics(scenario, ms);
  if (choice.chaos) declare_chaos_metrics(scenario, ms);
  return ms.defs();
}

}  // namespace spotsim

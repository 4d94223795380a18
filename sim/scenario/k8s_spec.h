#pragma once
// The `kubernetes:` section of a scenario, compiled into plain data: one cluster whose node
// pools are spotsim fleets, deployments of pods with resource requests, PodDisruptionBudgets and
// the cluster autoscaler's settings. Reference for every key: docs/kubernetes.md (and
// docs/scenario-reference.md). The model is sim/model/k8s/.
#include <cstdint>
#include <string>
#include <vector>

#include "common/enum_table.h"
#include "common/status.h"
#include "sim/core/time.h"

namespace YAML {
class Node;
}

namespace spotsim {

class ParseContext;
struct CompiledScenario;

// CPU in millicores, memory in bytes (what a pod requests, what a node can allocate).
struct K8sResources {
  int64_t cpu_m = 0;
  int64_t memory = 0;
  bool fits_in(const K8sResources& free) const { return cpu_m <= free.cpu_m && memory <= free.memory; }
};

// How the scheduler picks among the nodes a pod fits on (docs/kubernetes.md).
enum class K8sScheduler : uint8_t {
  kLeastAllocated = 0,  // the node with the most free room after placing (kube-scheduler's default scoring)
  kFirstFit = 1,        // the first node, in the order nodes joined the cluster
};
inline constexpr auto kK8sSchedulers = enum_table<K8sScheduler>(
    {{"least-allocated", K8sScheduler::kLeastAllocated}, {"first-fit", K8sScheduler::kFirstFit}});
inline const char* k8s_scheduler_name(K8sScheduler s) { return kK8sSchedulers.name(s); }

struct K8sNodePoolSpec {
  std::string name;
  uint32_t fleet = 0;                 // index into CompiledScenario::fleets
  K8sResources node;                  // allocatable of one node (the autoscaler plans with this)
  std::vector<K8sResources> by_pool;  // [scenario pool index]: allocatable of a node from that
                                      // pool (its instance type's `sizes:` entry, else `node`)
  int64_t min_nodes = 0;              // the autoscaler keeps the fleet's target within [min, max]
  int64_t max_nodes = 0;
};

struct K8sPdbSpec {
  enum class Kind : uint8_t { kNone = 0, kMaxUnavailable, kMinAvailable };
  Kind kind = Kind::kNone;
  int64_t count = 0;    // when !percent
  double fraction = 0;  // when percent (0..1)
  bool percent = false;
};

struct K8sDeploymentSpec {
  std::string name;
  int64_t replicas = 1;
  K8sResources request;             // per pod
  bool spot_tolerant = false;       // tolerates the spot taint: may run on spot nodes
  uint64_t node_pool_mask = ~0ull;  // node selector: bit i = may run on node pool i
  K8sPdbSpec pdb;
  Duration grace = Duration::seconds(30);  // terminationGracePeriodSeconds
  Duration startup;                        // bound to a node → Ready (image pull, readiness)
};

struct K8sAutoscalerSpec {
  Duration scan_interval = Duration::seconds(10);
  bool scale_down = true;
  Duration scale_down_unneeded = Duration::minutes(10);  // an empty node this long is removed
};

struct K8sSpec {
  bool enabled = false;  // the scenario has a `kubernetes:` section
  K8sScheduler scheduler = K8sScheduler::kLeastAllocated;
  Duration drain_retry = Duration::seconds(5);  // a PDB-refused eviction is retried this often
  std::vector<K8sNodePoolSpec> node_pools;
  std::vector<K8sDeploymentSpec> deployments;
  K8sAutoscalerSpec autoscaler;
  bool autoscaling() const {
    for (const auto& p : node_pools) {
      if (p.min_nodes < p.max_nodes) return true;
    }
    return false;
  }
};

// Kubernetes quantities: CPU "500m", "2", "0.5" → millicores; memory "512Mi", "4Gi", "1G",
// "1000M", "2048" (bytes) → bytes. Errors name what was expected.
Result<int64_t> parse_k8s_cpu(const std::string& text);
Result<int64_t> parse_k8s_memory(const std::string& text);

// Compiles `kubernetes:` into sc.kubernetes (fleets, pools and workloads must already be compiled).
void compile_kubernetes(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc);

}  // namespace spotsim

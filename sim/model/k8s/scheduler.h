#pragma once
// The pod scheduler of the Kubernetes model: which node a pod is bound to, by its requests.
// Filter (like kube-scheduler's NodeResourcesFit, TaintToleration and node selector plugins):
// the node is schedulable (not cordoned), belongs to a node pool the pod may use, is not a spot
// node unless the pod tolerates spot, and has room for the pod's CPU and memory requests.
// Score: least-allocated (the most free room after placing, averaged over CPU and memory — the
// default scoring of kube-scheduler) or first-fit (the first feasible node in join order). Ties go
// to the node that joined first, so the choice is deterministic. docs/kubernetes.md.
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/scenario/k8s_spec.h"

namespace spotsim {

// One node of the cluster (a running VM of a node pool's fleet).
struct K8sNode {
  uint32_t serial = 0;      // the VM's serial number
  uint32_t node_pool = 0;   // index into K8sSpec::node_pools
  bool spot = false;        // tainted: only pods that tolerate spot go here
  bool schedulable = true;  // false once cordoned (notice, scale-down)
  K8sResources allocatable;
  K8sResources requested;      // sum of the requests of the pods bound to it
  std::vector<uint32_t> pods;  // pods bound (starting or ready), in bind order
  // Evicted pods still in their grace period: (end of the grace period in µs, deployment).
  std::vector<std::pair<int64_t, uint32_t>> terminating;
  int64_t empty_since_us = 0;  // when it last became empty (scale-down)
  bool drain_retry_pending = false;
};

// What the scheduler needs to know about a pod.
struct K8sPodShape {
  K8sResources request;
  bool spot_tolerant = false;
  uint64_t node_pool_mask = ~0ull;
};

// Whether `pod` may be bound to `node` now (the filter above).
bool k8s_node_fits(const K8sNode& node, const K8sPodShape& pod);

// The index in `nodes` (join order) of the node to bind `pod` to, or -1 if none fits.
int32_t k8s_pick_node(const std::vector<K8sNode>& nodes, const K8sPodShape& pod, K8sScheduler how);

}  // namespace spotsim

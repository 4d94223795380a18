#pragma once
// The cluster autoscaler's scale-up decision, as a pure function (the cluster model calls it every
// scan interval with the pods that are Pending; docs/kubernetes.md). Like the Kubernetes cluster
// autoscaler it counts nodes that are already on their way (booting, or waiting for a launch
// retry) before asking for more, estimates how many new nodes the
// pending pods need by packing them onto empty template nodes, and picks node groups in a fixed
// order (the node pools as written: the "priority" expander).
#include <cstdint>
#include <vector>

#include "sim/model/k8s/scheduler.h"

namespace spotsim {

// One node pool as the autoscaler sees it.
struct K8sScaleUpGroup {
  uint32_t node_pool = 0;
  K8sResources node;     // allocatable of a new node (the node pool's template)
  bool spot = true;      // new nodes carry the spot taint
  int64_t upcoming = 0;  // nodes that will join without a new decision
  int64_t headroom = 0;  // nodes that may still be added (max − target, never negative)
};

// For each group (same order as `groups`), how many nodes to add so that the `pending` pods fit.
// The pods, in order, are packed first-fit onto the upcoming nodes, then onto new nodes of the
// first group that may host them and has headroom. Pods that fit nowhere are left out.
std::vector<int64_t> k8s_plan_scale_up(const std::vector<K8sPodShape>& pending,
                                       const std::vector<K8sScaleUpGroup>& groups);

}  // namespace spotsim

#include "sim/model/k8s/scheduler.h"

namespace spotsim {

bool k8s_node_fits(const K8sNode& node, const K8sPodShape& pod) {
  if (!node.schedulable) return false;
  if (!(pod.node_pool_mask & (1ull << node.node_pool))) return false;
  if (node.spot && !pod.spot_tolerant) return false;
  const K8sResources free{node.allocatable.cpu_m - node.requested.cpu_m,
                          node.allocatable.memory - node.requested.memory};
  return pod.request.fits_in(free);
}

namespace {
// kube-scheduler's LeastAllocated score for one node: the mean over CPU and memory of the share
// left free after placing the pod (0..1; higher is better).
double least_allocated_score(const K8sNode& node, const K8sResources& req) {
  const auto share = [](int64_t alloc, int64_t used) {
    return alloc > 0 ? static_cast<double>(alloc - used) / static_cast<double>(alloc) : 0.0;
  };
  return 0.5 * (share(node.allocatable.cpu_m, node.requested.cpu_m + req.cpu_m) +
                share(node.allocatable.memory, node.requested.memory + req.memory));
}
}  // namespace

int32_t k8s_pick_node(const std::vector<K8sNode>& nodes, const K8sPodShape& pod, K8sScheduler how) {
  int32_t best = -1;
  double best_score = -1;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!k8s_node_fits(nodes[i], pod)) continue;
    if (how == K8sScheduler::kFirstFit) return static_cast<int32_t>(i);
    const double s = least_allocated_score(nodes[i], pod.request);
    if (s > best_score) {  // strict: ties keep the earlier node
      best_score = s;
      best = static_cast<int32_t>(i);
    }
  }
  return best;
}

}  // namespace spotsim

#include "sim/model/k8s/autoscaler.h"

namespace spotsim {

namespace {
K8sNode template_node(const K8sScaleUpGroup& g) {
  K8sNode n;
  n.node_pool = g.node_pool;
  n.spot = g.spot;
  n.allocatable = g.node;
  return n;
}
}  // namespace

std::vector<int64_t> k8s_plan_scale_up(const std::vector<K8sPodShape>& pending,
                                       const std::vector<K8sScaleUpGroup>& groups) {
  std::vector<int64_t> add(groups.size(), 0);
  std::vector<K8sNode> virt;  // upcoming nodes, then nodes this plan adds
  for (const auto& g : groups) {
    for (int64_t i = 0; i < g.upcoming; ++i) virt.push_back(template_node(g));
  }
  for (const K8sPodShape& pod : pending) {
    int32_t at = k8s_pick_node(virt, pod, K8sScheduler::kFirstFit);
    if (at < 0) {
      for (size_t gi = 0; gi < groups.size(); ++gi) {
        K8sNode n = template_node(groups[gi]);
        if (add[gi] >= groups[gi].headroom || !k8s_node_fits(n, pod)) continue;
        ++add[gi];
        virt.push_back(n);
        at = static_cast<int32_t>(virt.size() - 1);
        break;
      }
    }
    if (at < 0) continue;
    virt[static_cast<size_t>(at)].requested.cpu_m += pod.request.cpu_m;
    virt[static_cast<size_t>(at)].requested.memory += pod.request.memory;
  }
  return add;
}

}  // namespace spotsim

#pragma once
// PodDisruptionBudget arithmetic (the eviction API's check), as Kubernetes defines it:
//  - desired healthy pods: min_available (a percentage is of the desired replicas, rounded up),
//    or replicas − max_unavailable (a percentage rounded up, so it may allow a little more);
//  - a healthy (ready) pod may be evicted while healthy − desired ≥ 1 (disruptionsAllowed > 0);
//  - a running but not yet ready pod only while healthy ≥ desired (unhealthyPodEvictionPolicy
//    IfHealthyBudget, the default);
//  - without a PDB every eviction is allowed.
// Sources and the drain behaviour built on it: docs/kubernetes.md.
#include <cstdint>

#include "sim/scenario/k8s_spec.h"

namespace spotsim {

// Pods that must stay healthy for a deployment of `replicas` (0 without a budget).
int64_t pdb_desired_healthy(const K8sPdbSpec& pdb, int64_t replicas);

// Whether the eviction API accepts evicting one pod now. `pod_ready`: the pod is counted healthy.
bool pdb_allows_eviction(bool pod_ready, int64_t healthy, int64_t desired_healthy);

}  // namespace spotsim

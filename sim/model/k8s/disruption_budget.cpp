#include "sim/model/k8s/disruption_budget.h"

#include <algorithm>
#include <cmath>

namespace spotsim {

namespace {
// ceil(fraction × n) without a rounding artefact (0.3 × 10 is 3.0000000000000004 in binary).
int64_t ceil_share(double fraction, int64_t n) {
  return static_cast<int64_t>(std::ceil(fraction * static_cast<double>(n) - 1e-9));
}
}  // namespace

int64_t pdb_desired_healthy(const K8sPdbSpec& pdb, int64_t replicas) {
  switch (pdb.kind) {
    case K8sPdbSpec::Kind::kNone: return 0;
    case K8sPdbSpec::Kind::kMinAvailable: return pdb.percent ? ceil_share(pdb.fraction, replicas) : pdb.count;
    case K8sPdbSpec::Kind::kMaxUnavailable: {
      const int64_t max_unavailable = pdb.percent ? ceil_share(pdb.fraction, replicas) : pdb.count;
      return std::max<int64_t>(0, replicas - max_unavailable);
    }
  }
  return 0;
}

bool pdb_allows_eviction(bool pod_ready, int64_t healthy, int64_t desired_healthy) {
  return pod_ready ? healthy - desired_healthy >= 1 : healthy >= desired_healthy;
}

}  // namespace spotsim

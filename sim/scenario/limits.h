#pragma once
// The bounds the scenario compiler enforces, one name each; docs/scenario-reference.md ("Limits")
// lists them where users meet them. They catch typos (a target of 10^12 VMs, every: 1s over a
// year) and keep counts inside the types the models use; none is a provider's quota.
#include <cstddef>
#include <cstdint>

namespace spotsim {

// Any count of VMs or nodes: a fleet's target, scaling min/max and schedule targets, a warm
// pool's size, on_demand_base, fallback max_on_demand/return_batch, node pool min/max.
inline constexpr int64_t kMaxVms = 100'000'000;
inline constexpr int64_t kMaxReplications = 1'000'000;  // `replications:` and --replications
inline constexpr int64_t kMaxSeed = INT64_MAX;          // seeds are 0..2^63−1 in a file and on the command line
inline constexpr int64_t kMaxVcpus = 100'000;           // a pool's `vcpus:`
inline constexpr int64_t kMaxSpotInstancePools = 16;    // a fleet's `spot_instance_pools:`
inline constexpr double kMinInstanceWeight = 1e-9;      // a fleet instance's `weight:`
inline constexpr double kMaxInstanceWeight = 1e6;
inline constexpr int64_t kMaxInstancePriority = 1'000'000;  // a fleet instance's `priority:` (0..)
inline constexpr int64_t kMaxLaunchBurst = 1'000'000'000;   // a region's launch_rate `burst:`
inline constexpr int64_t kMaxParallelism = 100'000;         // VMs of one job's gang
inline constexpr int64_t kMaxRetries = 1'000'000;           // a job's `retries:` (-1: unlimited)
inline constexpr int64_t kMaxJobPriority = 1'000'000;       // a job's `priority:` (−max..max)
inline constexpr int64_t kMaxStageJobs = 10'000'000;        // a pipeline stage's `jobs:`
inline constexpr int64_t kMaxReplicas = 10'000'000;         // a deployment's `replicas:`
inline constexpr size_t kMaxNodePools = 64;                 // Kubernetes node pools (a 64-bit selector mask)
inline constexpr int64_t kMaxChaosOccurrences = 100'000;    // per chaos item and replication
inline constexpr int64_t kMaxStormWaves = 1000;             // a storm's `waves: {count:}`
inline constexpr int64_t kMaxThrottleBurst = 1'000'000;     // api_throttle `burst:`
inline constexpr int64_t kMinPolicyInstructions = 1000;     // policy_limits `instructions:`
inline constexpr int64_t kMaxPolicyInstructions = 2'000'000'000;
inline constexpr int64_t kMinPolicyMemory = 256LL << 10;  // policy_limits `memory:` (256KiB..16GiB)
inline constexpr int64_t kMaxPolicyMemory = 16LL << 30;

}  // namespace spotsim

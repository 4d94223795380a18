#pragma once
// A scenario file compiled into plain, immutable data (CompiledScenario). After compilation
// nothing looks at strings or YAML nodes in the hot loop: names became indices.
//
// Reference for every key: docs/scenario-reference.md.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/enum_table.h"
#include "common/status.h"
#include "sim/core/time.h"
#include "sim/scenario/chaos_spec.h"
#include "sim/scenario/k8s_spec.h"
#include "sim/scenario/limits.h"
#include "sim/scenario/provider.h"
#include "sim/scenario/scaling_spec.h"
#include "sim/scenario/topology_spec.h"
#include "sim/scenario/workload_spec.h"

namespace spotsim {

class Topology;

struct PoolSpec {
  std::string name;
  Provider provider = Provider::kAws;
  std::string region;
  std::string zone;
  std::string instance_type;
  double spot_price = 0;            // $/h
  double on_demand_price = 0;       // $/h
  int64_t capacity = 0;             // spot VMs this pool can give us at once (at time 0)
  SeriesSpec capacity_series;       // `capacity:` over time (constant = `capacity`), docs/capacity.md
  SeriesSpec price_series;          // `spot_price:` over time (constant = `spot_price`)
  int64_t on_demand_capacity = -1;  // on-demand VMs the provider gives in this pool (-1: no limit)
  double interruption_rate = 0;     // per VM-hour (exponential hazard)
  Duration notice;                  // provider default unless overridden
  EvictionAction action = EvictionAction::kTerminate;
  int32_t vcpus = 0;  // vCPUs of the instance type (quota accounting); 0 = unknown
  // --- provider semantics (docs/providers.md; keys read in sim/scenario/provider_keys.cpp) ---
  double disk_cost = 0;              // $/h per VM for its disks, from launch until the VM is gone
                                     // (a stopped/deallocated VM keeps paying it)
  bool restart = false;              // a VM kept by the eviction action starts again when the pool
                                     // has spot capacity (default: the provider's behaviour)
  DurationDist restart_after;        // ... but not before this long after its eviction
  bool rebalance = false;            // AWS: hazard interruptions come with a rebalance
  double rebalance_probability = 0;  // recommendation, with this probability `rebalance_lead`
  DurationDist rebalance_lead;       // before the notice (else together with the notice)
  ProvisioningModel provisioning = ProvisioningModel::kSpot;  // GCP: spot or preemptible (24 h)
};

enum class ReplaceOn : uint8_t { kEviction, kNotice };
inline constexpr auto kReplaceOnNames =
    enum_table<ReplaceOn>({{"eviction", ReplaceOn::kEviction}, {"notice", ReplaceOn::kNotice}});

// Spot allocation strategies of a mixed-instances fleet (docs/fleets.md cites how AWS defines
// each one).
enum class AllocationStrategy : uint8_t {
  kLowestPrice = 0,
  kCapacityOptimized = 1,
  kCapacityOptimizedPrioritized = 2,
  kPriceCapacityOptimized = 3,
  kDiversified = 4,
};
inline constexpr auto kAllocationStrategies = enum_table<AllocationStrategy>({
    {"lowest-price", AllocationStrategy::kLowestPrice},
    {"capacity-optimized", AllocationStrategy::kCapacityOptimized},
    {"capacity-optimized-prioritized", AllocationStrategy::kCapacityOptimizedPrioritized},
    {"price-capacity-optimized", AllocationStrategy::kPriceCapacityOptimized},
    {"diversified", AllocationStrategy::kDiversified},
});
inline const char* allocation_strategy_name(AllocationStrategy s) { return kAllocationStrategies.name(s); }
// `on_demand_allocation_strategy:` (FleetSpec::on_demand_prioritized).
inline constexpr auto kOnDemandStrategies = enum_table<bool>({{"lowest-price", false}, {"prioritized", true}});

// One entry of a fleet's instance list (mixed instances policy), in the order written.
struct FleetPoolEntry {
  uint32_t pool = 0;     // index into CompiledScenario::pools
  double weight = 1;     // capacity units one VM of this pool provides
  int32_t priority = 0;  // lower is preferred (capacity-optimized-prioritized, on-demand order)
};

struct FleetSpec {
  std::string name;
  std::vector<uint32_t> pools;                 // indices into CompiledScenario::pools, in preference order
  int64_t target = 0;                          // VMs to keep running (the initial target with `scaling:`)
  Duration boot_time = Duration::seconds(90);  // launch request → running (the constant, or the dist's mean)
  DurationDist boot_dist{DurationDist::Kind::kFixed, 90.0, 0};  // boot latency; kFixed ⇒ boot_time is used (no draw)
  double boot_failure = 0;                                      // probability that a boot fails (bad image, quota)
  ReplaceOn replace_on = ReplaceOn::kEviction;
  Duration retry_interval = Duration::seconds(30);  // after an insufficient-capacity error
  // After a throttled launch call (RejectCause::kThrottled): exponential backoff
  // min(max, initial × 2^attempt) × (1 − jitter × u), u deterministic in [0, 1) (docs/capacity.md).
  Duration throttle_backoff_initial = Duration::seconds(1);
  Duration throttle_backoff_max = Duration::seconds(20);
  double throttle_backoff_jitter = 0.5;
  double max_price = 0;  // $/h this fleet pays at most for spot (0 = no limit: never
                         // evicted for price); a price above it evicts (price_spike)
  EvictionType eviction_type = EvictionType::kCapacityOnly;  // price-or-capacity: max_price evicts
  // --- fleet model (docs/fleets.md) ---
  std::vector<FleetPoolEntry> instances;  // same pools as `pools`, with weights and priorities
  AllocationStrategy allocation = AllocationStrategy::kLowestPrice;
  int32_t spot_instance_pools = 1;     // lowest-price: spread over this many cheapest pools
  bool on_demand_prioritized = false;  // on-demand allocation: prioritized (else lowest-price)
  int64_t on_demand_base = 0;          // the first N capacity units are on-demand
  double on_demand_above_base = 0;     // fraction (0..1) of capacity above the base on on-demand
  bool capacity_rebalance = false;     // launch a replacement on a rebalance recommendation
  struct Fallback {
    bool enabled = false;                           // the fleet has a `fallback:` key
    Duration after = Duration::minutes(5);          // spot refused this long ⇒ launch on-demand instead
    int64_t max_on_demand = 0;                      // at most this many fallback VMs at once (0 = no limit)
    double max_cost_per_hour = 0;                   // and at most this much fallback $/h (0 = no limit)
    Duration return_after = Duration::minutes(15);  // spot launchable this long ⇒ move back (hysteresis)
    int64_t return_batch = 0;                       // fallback VMs moved back per tick (0 = all at once)
  } fallback;
  ScalingSpec scaling;     // `scaling:` (sim/scenario/scaling_spec.h, docs/fleets.md)
  WarmPoolSpec warm_pool;  // `warm_pool:`
  // `scale_to_zero:` (docs/fleets.md, "Scale to zero"): the target follows what the jobs of the
  // fleet's batch or pipeline workload need, between 0 and `target` (the maximum); the job runner
  // issues the scale{} commands. Default: on for a fleet that only runs one batch or pipeline
  // workload (no service, no Kubernetes node pool, no `scaling:`), resolved after workloads.
  bool scale_to_zero = false;
  bool scale_to_zero_given = false;  // the key was written (compile-time only)
  // Scale in to a lower need only once the need has stayed below the target this long (the
  // target is the highest need of the last scale_down_delay; AWS Batch's minScaleDownDelayMinutes).
  Duration scale_down_delay;
  // The fleet's policy: "builtin" (the C++ policies of sim/model/builtin_policy.h) or a name a
  // policy factory understands (e.g. a Lua policy from the `policies:` section).
  std::string policy = "builtin";
};

struct ExpectSource {
  std::string text;  // e.g. "cost.savings_pct.mean >= 50"
  int line = 0;      // 1-based position in the scenario file (0 if from elsewhere)
  int column = 0;
};

// Lua policies (docs/policies.md): `policies: {fleet.web: policies/x.lua}` and `policy_limits:`.
struct PolicyLimits {
  int64_t instructions = 1'000'000;   // Lua VM instructions per hook call
  int64_t memory_bytes = 64LL << 20;  // per Lua state (one state per policy per replication)
};

struct PolicySpec {
  std::string target;                     // the key as written, e.g. "fleet.web"
  uint32_t fleet = 0;                     // index into CompiledScenario::fleets
  std::string path;                       // the Lua file, resolved against the scenario file's folder
  std::string source;                     // its text (from LoadOptions::read_file, when the scenario is compiled)
  Duration tick = Duration::seconds(60);  // on_tick period
  int line = 0, column = 0;               // position of the entry in the scenario file (for messages)
};

struct CompiledScenario {
  std::string file;                                            // path as given (for messages)
  std::string text;                                            // the full scenario text (recorded in outputs)
  std::vector<std::pair<std::string, std::string>> overrides;  // --set PATH=VALUE, in order
  std::string name;
  std::string description;
  uint64_t seed = 1;
  int64_t replications = 1;
  Duration duration;
  Duration sample_interval;  // time-series sampling period (absent or 0: duration/500, at least 1m)
  std::vector<PoolSpec> pools;
  std::shared_ptr<const Topology> topology;  // provider → region → zone → pool graph of `pools`
  std::vector<RegionSpec> regions;           // `regions:` (docs/capacity.md)
  std::vector<FleetSpec> fleets;
  std::vector<ExpectSource> expect;
  std::vector<WorkloadSpec> workloads;   // `workloads:` (docs/workloads.md)
  CheckpointStoreSpec checkpoint_store;  // `checkpoint_store:`
  std::vector<ChaosSpec> chaos;          // the chaos: section (sim/scenario/chaos_spec.h, docs/chaos.md)
  std::vector<PolicySpec> policies;      // at most one per fleet, in the order written
  PolicyLimits policy_limits;
  K8sSpec kubernetes;  // `kubernetes:` (docs/kubernetes.md); enabled = false without it

  int pool_index(const std::string& name) const;
  int fleet_index(const std::string& name) const;
};

// The text of a file a scenario names (a Lua policy of `policies:`), by its path resolved against
// the scenario file's folder; nullopt if there is none. The compiler reads no file itself: whoever
// loads the scenario hands it a FileReader (read_text_file reads the disk).
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;
std::optional<std::string> read_text_file(const std::string& path);

struct LoadOptions {
  std::vector<std::pair<std::string, std::string>> overrides;  // --set PATH=VALUE
  // Where the named files come from. compile_scenario without one: a scenario that names a file
  // does not compile ("cannot read the policy file ..."); load_scenario reads the disk.
  FileReader read_file = nullptr;
};

// The loader: reads a scenario file and the files it names from disk (read_text_file, unless
// options.read_file is set), then compiles it. On failure the Status message holds one
// "FILE:LINE:COL: error: PATH: MESSAGE" line per problem (code kInvalidInput), or an I/O error
// (kIo) if the file cannot be read.
Result<CompiledScenario> load_scenario(const std::string& path, const LoadOptions& options = {});
// The compiler: the same from text (`file` names it in messages and is the folder the named files
// are resolved against); reads no file (their text comes from options.read_file).
Result<CompiledScenario> compile_scenario(const std::string& text, const std::string& file,
                                          const LoadOptions& options = {});

}  // namespace spotsim

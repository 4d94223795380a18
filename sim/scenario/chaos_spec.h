#pragma once
// The `chaos:` section of a scenario, compiled: what goes wrong, when, and where on the topology.
// Plain data (part of CompiledScenario); the models that apply it live in sim/chaos/*.cpp.
// Every key and default: docs/chaos.md.
//
//   chaos:
//     - kind: storm                      # what
//       name: zone-a-storm               # metrics: chaos.zone-a-storm.evicted, ...
//       at: 2d                           # when: at | every (+ jitter) | random: {rate}
//       scope: {zone: us-east-1a}        # where: provider/region/zone/instance_family/...
//       fraction: 60%                    # kind-specific keys
//       window: 10m
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/enum_table.h"
#include "sim/core/time.h"
#include "sim/scenario/limits.h"  // kMaxChaosOccurrences

namespace YAML {
class Node;
}

namespace spotsim {

class ParseContext;
struct CompiledScenario;

enum class ChaosKind : uint8_t {
  kStorm = 0,                    // a fraction of in-scope spot VMs evicted over a window
  kCliff = 1,                    // in-scope spot capacity drops to a level for a duration
  kPriceSpike = 2,               // spot price jumps (above fleets' max_price ⇒ eviction)
  kOnDemandExhaustion = 3,       // no on-demand capacity in scope (fallback fails)
  kApiThrottle = 4,              // launch API calls in scope limited to a rate
  kCheckpointStoreDegraded = 5,  // checkpoint store throughput cut
  kBootFailure = 6,              // new VMs fail to boot with a probability
  kNoticeLoss = 7,               // a fraction of notices never delivered
};
inline constexpr auto kChaosKinds = enum_table<ChaosKind>({
    {"storm", ChaosKind::kStorm},
    {"cliff", ChaosKind::kCliff},
    {"price_spike", ChaosKind::kPriceSpike},
    {"on_demand_exhaustion", ChaosKind::kOnDemandExhaustion},
    {"api_throttle", ChaosKind::kApiThrottle},
    {"checkpoint_store_degraded", ChaosKind::kCheckpointStoreDegraded},
    {"boot_failure", ChaosKind::kBootFailure},
    {"notice_loss", ChaosKind::kNoticeLoss},
});
constexpr int kChaosKindCount = static_cast<int>(kChaosKinds.size());
inline const char* chaos_kind_name(ChaosKind k) { return kChaosKinds.name(k); }

struct ChaosTiming {
  enum class Mode : uint8_t { kAt, kEvery, kRandom };
  Mode mode = Mode::kAt;
  Duration at;               // kAt: the instant
  Duration start;            // kEvery/kRandom: first possible occurrence (every: default = every)
  Duration every;            // kEvery: period
  Duration jitter;           // kEvery: each occurrence delayed by uniform [0, jitter)
  double rate_per_hour = 0;  // kRandom: Poisson rate
  Duration until;            // kEvery/kRandom: no occurrence at or after this (default: run end)
};

// Where an item acts, resolved on the topology at compile time.
struct ChaosScope {
  std::vector<char> pools;   // [pool index] 1 if in scope
  std::vector<char> fleets;  // [fleet index] 1 if in scope (all fleets unless `fleet:` given)
  double vm_fraction = 1;    // `vms: 30%`: each VM is in scope with this probability, drawn once per VM
  std::string text;          // "zone=us-east-1a, instance_family=m5" (empty: everything)
};

struct ChaosSpec {
  ChaosKind kind = ChaosKind::kStorm;
  std::string name;  // metric prefix chaos.<name>.; default: the item's index
  int line = 0;      // position of the item in the scenario file
  ChaosTiming timing;
  ChaosScope scope;
  std::optional<Duration> duration;  // effect window; nullopt = until the end of the run

  // storm
  double fraction = 1;             // of in-scope spot VMs alive at the occurrence
  Duration window;                 // notices spread uniformly over [t, t + window)
  std::optional<Duration> notice;  // override of the pools' notice; 0s = notice lost
  int64_t wave_count = 0;          // follow-up waves
  Duration wave_every;             // time between waves
  double wave_fraction = 0;        // fraction of in-scope spot VMs alive at each wave

  // cliff (spot capacity), on_demand_exhaustion (on-demand capacity; without level: none at all)
  bool has_level = false;
  bool level_is_fraction = true;  // level as a fraction of each pool's nominal capacity
  double level = 0;               // ... or an absolute number of VMs per pool
  Duration recovery;              // linear ramp back to nominal after the duration (10 steps)

  // price_spike
  bool price_is_multiplier = true;
  double price = 1;  // × list spot price, or $/h

  // api_throttle
  double launches_per_hour = 0;  // launch calls admitted in scope (token bucket)
  int64_t burst = 1;             // bucket size

  // checkpoint_store_degraded
  double throughput = 1;  // fraction of nominal throughput

  // boot_failure, notice_loss
  double probability = 0;
};

// Parses the `chaos:` list (`node`) of `sc` (pools and fleets already compiled) into sc.chaos.
void compile_chaos(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc);

}  // namespace spotsim

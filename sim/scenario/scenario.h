#pragma once
// A scenario file compiled into plain, immutable data (CompiledScenario). After compilation
// nothing looks at strings or YAML nodes in the hot loop: names became indices.
//
// Reference for every key: docs/scenario-reference.md.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/status.h"
#include "sim/chaos/spec.h"
#include "sim/core/time.h"
#include "sim/model/provider.h"
#include "sim/scenario/workload_spec.h"

namespace spotsim {

struct PoolSpec {
  std::string name;
  Provider provider = Provider::kAws;
  std::string region;
  std::string zone;
  std::string instance_type;
  double spot_price = 0;          // $/h
  double on_demand_price = 0;     // $/h
  int64_t capacity = 0;           // spot VMs this pool can give us at once
  double interruption_rate = 0;   // per VM-hour (exponential hazard)
  Duration notice;                // provider default unless overridden
  EvictionAction action = EvictionAction::kTerminate;
};

enum class ReplaceOn : uint8_t { kEviction, kNotice };

struct FleetSpec {
  std::string name;
  std::vector<uint32_t> pools;     // indices into CompiledScenario::pools, in preference order
  int64_t target = 0;              // VMs to keep running
  Duration boot_time;              // launch request → running
  ReplaceOn replace_on = ReplaceOn::kEviction;
  Duration retry_interval;         // after an insufficient-capacity error
  double max_price = 0;            // $/h this fleet pays at most for spot (0 = no limit: never
                                   // evicted for price); a price above it evicts (price_spike)
};

struct ExpectSource {
  std::string text;  // e.g. "cost.savings_pct.mean >= 50"
  int line = 0;      // 1-based position in the scenario file (0 if from elsewhere)
  int column = 0;
};

struct CompiledScenario {
  std::string file;          // path as given (for messages)
  std::string text;          // the full scenario text (recorded in outputs)
  std::vector<std::pair<std::string, std::string>> overrides;  // --set PATH=VALUE, in order
  std::string name;
  std::string description;
  uint64_t seed = 1;
  int64_t replications = 1;
  Duration duration;
  Duration sample_interval;  // time-series sampling period
  std::vector<PoolSpec> pools;
  std::vector<FleetSpec> fleets;
  std::vector<ExpectSource> expect;
  std::vector<WorkloadSpec> workloads;      // `workloads:` (docs/workloads.md)
  CheckpointStoreSpec checkpoint_store;     // `checkpoint_store:`
  std::vector<ChaosSpec> chaos;  // the chaos: section (sim/chaos/spec.h, docs/chaos.md)

  int pool_index(const std::string& name) const;
  int fleet_index(const std::string& name) const;
};

struct LoadOptions {
  std::vector<std::pair<std::string, std::string>> overrides;  // --set PATH=VALUE
};

// Reads, parses, validates and compiles a scenario file. On failure the Status message holds
// one "FILE:LINE:COL: error: PATH: MESSAGE" line per problem (code kInvalidInput), or an I/O
// error (kIo) if the file cannot be read.
Result<CompiledScenario> load_scenario(const std::string& path, const LoadOptions& options = {});
// The same, from text (`file` names it in messages).
Result<CompiledScenario> compile_scenario(const std::string& text, const std::string& file,
                                          const LoadOptions& options = {});

}  // namespace spotsim

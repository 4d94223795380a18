#pragma once
// The laws every replication obeys (docs/metrics.md, "Laws"): conservation of target VM-hours,
// bounds, VM-hours and cost adding up, evictions never more than what ran, a chaos item never
// evicting more than its scope held. Checked after every replication when RunOptions::check_laws
// is on (always in Debug builds, `spotsim run --check` in Release): a broken law stops the run
// with a message naming the law, the replication and the time.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/status.h"
#include "sim/model/metrics.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

class World;
class ChaosRuntime;

// Whether runs check the laws when the caller does not say: on in Debug builds.
#ifdef NDEBUG
inline constexpr bool kCheckLawsByDefault = false;
#else
inline constexpr bool kCheckLawsByDefault = true;
#endif

// Thrown by run_replication when a law is broken; run_scenario turns it into an internal error.
class LawViolation : public std::runtime_error {
 public:
  explicit LawViolation(const std::string& what) : std::runtime_error(what) {}
};

class LawChecker {
 public:
  // Resolves the metrics the laws read, once per run.
  LawChecker(const CompiledScenario& scenario, const std::vector<MetricDef>& metrics);

  // Every law broken by this replication's final state, one sentence each (empty: all hold).
  std::vector<std::string> check(const World& world, const ChaosRuntime& chaos,
                                 const std::vector<double>& values) const;

 private:
  struct FleetIdx {
    int availability, lost, spot_h, od_h, interruptions, launches, restarts, unrecovered, ttr, ttr_max, cost, savings,
        spot_share, cost_per_available, capacity_errors, rejection_rate, fallback_launches, fallback_rate,
        revocation_rate;
  };
  struct PoolIdx {
    int vm_hours, spot_h, od_h, cost, unrecovered, utilization;
  };
  struct DeadlineIdx {
    std::string name;
    double work_h;
    int work_od, work_spot, paid_od, paid_spot, misses;
  };
  const CompiledScenario& sc_;
  std::vector<FleetIdx> fleets_;
  std::vector<PoolIdx> pools_;
  std::vector<DeadlineIdx> deadlines_;
  int cost_total_, cost_spot_, cost_od_, cost_disk_;
  std::vector<int> nonnegative_;  // every $ and h metric
  std::vector<std::string> names_;
};

}  // namespace spotsim

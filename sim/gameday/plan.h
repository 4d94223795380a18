#pragma once
// A chaos-agent game-day plan (chaos-agent/plan/plan.h, docs/gameday.md) as the simulator reads it
// to predict the drill: its targets, its preemption notices (preempt and storm items: when, how
// many targets, how long a notice) and its `expect:` block (the tolerances `spotsim compare`
// checks). The agent reads the same file; it checks that `expect:` maps names to scalars and
// otherwise ignores it. Keys that only steer the agent (abort, blast_radius, controls, ...) are
// accepted and not used here; the agent validates them when it runs the plan.
//
// Errors: "FILE:LINE:COL: error: PATH: message" (Status kInvalidInput).
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "sim/core/time.h"
#include "sim/gameday/metrics.h"

namespace spotsim::gameday {

struct PlanNotice {
  Duration at;
  Duration notice;
  int targets = 0;    // how many of the plan's targets get this notice
  std::string where;  // "chaos[2].storm"
};

struct Tolerance {
  enum class Kind { kInterval, kAbsolute, kRelative };
  GamedayMetric metric = GamedayMetric::kNotices;
  Kind kind = Kind::kInterval;
  double value = 0;  // kAbsolute: max |observed − mean|; kRelative: max |observed − mean| / |mean|
  std::string text;  // as written
  int line = 0;      // in the plan
};

struct GamedayPlan {
  std::string file;
  std::string name;
  uint64_t seed = 1;
  int targets = 1;
  Duration max_duration;
  Duration duration;                // the drill's length (explicit or derived as the agent derives it)
  std::vector<PlanNotice> notices;  // sorted by `at`
  std::vector<Tolerance> expect;    // in the order written
};

Result<GamedayPlan> parse_gameday_plan(const std::string& text, const std::string& file);
Result<GamedayPlan> load_gameday_plan(const std::string& path);

// Parses one tolerance as written in `expect:` ("interval", "2", "25%"); "" on success, else why not.
std::string parse_tolerance(const std::string& text, Tolerance& out);

}  // namespace spotsim::gameday

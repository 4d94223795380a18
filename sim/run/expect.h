#pragma once
// `expect:` assertions: a small expression language over metric statistics across replications.
//
//   assertion  := or
//   or         := and ("or" and)*
//   and        := primary ("and" primary)*
//   primary    := "(" or ")" | comparison
//   comparison := METRIC "." STAT OP VALUE
//   STAT       := mean | p50 | p95 | p99 | min | max | stddev
//   OP         := < | <= | > | >= | == | !=
//   VALUE      := number | number% | $number | duration (5m, 2h30m, 90s, ...)
//
// Units on the right-hand side are converted to the metric's unit (docs/expect.md has the
// table): a duration becomes seconds for a seconds metric and hours for an hours metric; "50%"
// is 50 for a percent metric and 0.5 for a ratio metric; "$" only fits dollar metrics. A plain
// number is taken in the metric's own unit. Anything else is an error at validation time.
//
// Every error names FILE:LINE:COL of the offending token inside the scenario file and the
// assertion's index, e.g.
//   x.yaml:40:29: error: expect[1]: expected a comparison operator (<, <=, >, >=, ==, !=) after
//   "cost.savings_pct.mean", found "=>"
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sim/model/metrics.h"
#include "sim/run/runner.h"
#include "sim/run/stat.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

enum class CompareOp : uint8_t { kLt, kLe, kGt, kGe, kEq, kNe };

const char* compare_op_text(CompareOp op);
bool compare(double lhs, CompareOp op, double rhs);

struct Comparison {
  std::string metric;     // "fleet.web.time_to_reschedule"
  MetricKey key;          // the metric's key
  int metric_index = -1;  // into the metric definitions it was checked against
  MetricUnit unit = MetricUnit::kCount;
  ExpectStat stat = ExpectStat::kMean;
  CompareOp op = CompareOp::kLt;
  double value = 0;        // threshold in the metric's unit
  std::string value_text;  // as written: "5m", "50%", "$12"
};

// One assertion, parsed: comparisons combined by and/or (a flat node vector, root last).
struct Expectation {
  struct Node {
    enum Kind : uint8_t { kCompare, kAnd, kOr } kind = kCompare;
    int index = 0;  // kCompare: into comparisons; else the left node
    int right = 0;  // kAnd/kOr: the right node
  };
  std::string text;
  int line = 0;  // position of the assertion in the scenario file (0 if unknown)
  int column = 0;
  std::vector<Comparison> comparisons;
  std::vector<Node> nodes;
  int root = -1;
};

// A parse problem: `offset` is the 0-based character offset in the assertion text.
struct ExpectParseError {
  size_t offset = 0;
  std::string message;
};

// Parses one assertion against `metrics`. On failure returns false and fills `error`.
bool parse_expectation(std::string_view text, const std::vector<MetricDef>& metrics, Expectation& out,
                       ExpectParseError& error);

// Parses every `expect:` text of the scenario against `metrics` (use replication_metric_defs()).
// Errors (kInvalidInput): one "FILE:LINE:COL: error: expect[i]: message" line per bad assertion.
Result<std::vector<Expectation>> compile_expectations(const CompiledScenario& scenario,
                                                      const std::vector<MetricDef>& metrics);

// Evaluates compiled expectations over a finished run (stats and per-replication values).
// `scenario` supplies the file name and --set overrides for the reproduce command.
std::vector<ExpectationResult> evaluate_expectations(const std::vector<Expectation>& expectations,
                                                     const CompiledScenario& scenario, const RunResult& result);

// A shell command that runs only replication `replication` of `scenario` with `seed`.
std::string reproduce_command(const CompiledScenario& scenario, uint64_t seed, int64_t replication);

}  // namespace spotsim

// The expect: language: parsing (exact error texts and positions), units, evaluation.
#include <catch2/catch.hpp>

#include "sim/run/expect.h"

using namespace spotsim;

namespace {

MetricDef def(const char* text, MetricUnit unit) { return make_metric_def(*MetricKey::parse(text), unit, ""); }

std::vector<MetricDef> defs() {
  return {
      def("fleet.web.interruptions", MetricUnit::kCount), def("fleet.web.time_to_reschedule", MetricUnit::kSeconds),
      def("fleet.web.vm_hours_spot", MetricUnit::kHours), def("fleet.web.cost", MetricUnit::kDollars),
      def("cost.savings_pct", MetricUnit::kPercent),      def("pool.m5-1a.share", MetricUnit::kRatio),
  };
}

Expectation parse_ok(const std::string& text) {
  Expectation e;
  ExpectParseError err;
  INFO(text);
  const bool ok = parse_expectation(text, defs(), e, err);
  INFO(err.message);
  REQUIRE(ok);
  return e;
}

ExpectParseError parse_err(const std::string& text) {
  Expectation e;
  ExpectParseError err;
  INFO(text);
  REQUIRE_FALSE(parse_expectation(text, defs(), e, err));
  return err;
}

}  // namespace

TEST_CASE("expect: a comparison parses into metric, statistic, operator and value", "[expect]") {
  const Expectation e = parse_ok("cost.savings_pct.mean >= 50");
  REQUIRE(e.comparisons.size() == 1);
  const Comparison& c = e.comparisons[0];
  CHECK(c.metric == "cost.savings_pct");
  CHECK(c.metric_index == 4);
  CHECK(c.stat == ExpectStat::kMean);
  CHECK(c.op == CompareOp::kGe);
  CHECK(c.value == 50);
  CHECK(c.value_text == "50");
  const char* ops[] = {"<", "<=", ">", ">=", "==", "!="};
  for (int i = 0; i < 6; ++i) {
    CHECK(parse_ok(std::string("fleet.web.interruptions.max") + ops[i] + "0").comparisons[0].op ==
          static_cast<CompareOp>(i));
  }
  const char* stats[] = {"mean", "p50", "p95", "p99", "min", "max", "stddev"};
  for (int i = 0; i < 7; ++i) {
    CHECK(parse_ok(std::string("fleet.web.cost.") + stats[i] + " < 1").comparisons[0].stat ==
          static_cast<ExpectStat>(i));
  }
  // Names with dashes (pool names) and negative numbers.
  CHECK(parse_ok("pool.m5-1a.share.p95 > -1").comparisons[0].value == -1);
}

TEST_CASE("expect: units on the right-hand side convert to the metric's unit", "[expect]") {
  CHECK(parse_ok("fleet.web.time_to_reschedule.p95 < 5m").comparisons[0].value == 300);
  CHECK(parse_ok("fleet.web.time_to_reschedule.p95 < 2h30m").comparisons[0].value == 9000);
  CHECK(parse_ok("fleet.web.time_to_reschedule.p95 < 90").comparisons[0].value == 90);
  CHECK(parse_ok("fleet.web.vm_hours_spot.mean > 1d").comparisons[0].value == 24);
  CHECK(parse_ok("fleet.web.vm_hours_spot.mean > 90m").comparisons[0].value == 1.5);
  CHECK(parse_ok("cost.savings_pct.mean >= 50%").comparisons[0].value == 50);
  CHECK(parse_ok("pool.m5-1a.share.mean >= 50%").comparisons[0].value == 0.5);
  CHECK(parse_ok("fleet.web.cost.max < $12.5").comparisons[0].value == 12.5);
  CHECK(parse_ok("fleet.web.cost.max < 12.5").comparisons[0].value == 12.5);
}

TEST_CASE("expect: and binds tighter than or, parentheses group", "[expect]") {
  const Expectation e =
      parse_ok("fleet.web.cost.max < 1 or fleet.web.interruptions.max == 0 and cost.savings_pct.mean > 5");
  REQUIRE(e.comparisons.size() == 3);
  REQUIRE(e.nodes[static_cast<size_t>(e.root)].kind == Expectation::Node::kOr);
  const Expectation g =
      parse_ok("(fleet.web.cost.max < 1 or fleet.web.interruptions.max == 0) and cost.savings_pct.mean > 5");
  REQUIRE(g.nodes[static_cast<size_t>(g.root)].kind == Expectation::Node::kAnd);
}

TEST_CASE("expect: parse errors carry the offset and an exact message", "[expect]") {
  struct Case {
    const char* text;
    size_t offset;
    const char* message;
  };
  const Case cases[] = {
      {"", 0, "empty assertion; write e.g. \"cost.savings_pct.mean >= 50\""},
      {"cost.savings_pct.mean => 50", 22,
       "expected a comparison operator (<, <=, >, >=, ==, !=) after \"cost.savings_pct.mean\", found \"=>\""},
      {"cost.savings_pct.mean", 21,
       "expected a comparison operator (<, <=, >, >=, ==, !=) after \"cost.savings_pct.mean\", found the end of the "
       "assertion"},
      {"cost.savings_pct.mean = 50", 22,
       "expected a comparison operator (<, <=, >, >=, ==, !=) after \"cost.savings_pct.mean\", found \"=\""},
      {"cost.savings_pct >= 50", 0,
       "\"cost.savings_pct\" needs a statistic: write cost.savings_pct.mean (or .p50, .p95, .p99, .min, .max, "
       ".stddev)"},
      {"cost.savings_pct.p90 >= 50", 17,
       "unknown statistic \"p90\" (did you mean \"p50\"?) (use mean, p50, p95, p99, min, max or stddev)"},
      {"fleet.web.interuptions.max == 0", 0,
       "unknown metric \"fleet.web.interuptions\" (did you mean \"fleet.web.interruptions\"?); this scenario's metrics "
       "are: fleet.web.interruptions, fleet.web.time_to_reschedule, fleet.web.vm_hours_spot, fleet.web.cost, "
       "cost.savings_pct, pool.m5-1a.share"},
      {"cost.savings_pct.mean >=", 24,
       "expected a value after \">=\" (e.g. 50, 99.5%, $120 or 5m), found the end of the assertion"},
      {"fleet.web.cost.mean < 5m", 22, "a duration (\"5m\") cannot be compared with fleet.web.cost (in dollars)"},
      {"fleet.web.interruptions.max < 5%", 30,
       "a percentage (\"5%\") cannot be compared with fleet.web.interruptions (a count)"},
      {"cost.savings_pct.mean < $5", 24,
       "an amount of dollars (\"$5\") cannot be compared with cost.savings_pct (a percentage)"},
      {"cost.savings_pct.mean < 5x", 24,
       "cannot read the value \"5x\": write a number (50), a percentage (50%), dollars ($120) or a duration (5m, "
       "2h30m)"},
      {"cost.savings_pct.mean > 5 50", 26,
       "unexpected \"50\" after the comparison (combine comparisons with \"and\" or \"or\")"},
      {"cost.savings_pct.mean > 5 and", 29,
       "expected a metric statistic like \"fleet.web.availability_pct.mean\", found the end of the assertion"},
      {"(cost.savings_pct.mean > 5", 26,
       "expected \")\" to close the \"(\" at column 1 of the assertion, found the end of the assertion"},
      {"cost.savings_pct.mean > 5)", 25, "unmatched \")\""},
      {">= 50", 0, "expected a metric statistic like \"fleet.web.availability_pct.mean\", found \">=\""},
  };
  for (const Case& c : cases) {
    const ExpectParseError err = parse_err(c.text);
    CHECK(err.message == c.message);
    CHECK(err.offset == c.offset);
  }
}

TEST_CASE("expect: compile_expectations names FILE:LINE:COL of the bad token", "[expect]") {
  CompiledScenario sc;
  sc.file = "s.yaml";
  sc.text = "expect:\n  - cost.savings_pct.mean => 50\n  - \"fleet.web.cost.p90 < 3\"\n  - fleet.web.cost.max < 3\n";
  sc.expect = {
      {"cost.savings_pct.mean => 50", 2, 5}, {"fleet.web.cost.p90 < 3", 3, 5}, {"fleet.web.cost.max < 3", 4, 5}};
  auto r = compile_expectations(sc, defs());
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == StatusCode::kInvalidInput);
  CHECK(r.status().message() ==
        "s.yaml:2:27: error: expect[0]: expected a comparison operator (<, <=, >, >=, ==, !=) after "
        "\"cost.savings_pct.mean\", found \"=>\"\n"
        "s.yaml:3:21: error: expect[1]: unknown statistic \"p90\" (did you mean \"p50\"?) (use mean, p50, p95, p99, "
        "min, max or stddev)");

  // An assertion given with --set is located at the override.
  sc.overrides = {{"expect[2]", "fleet.web.cost.max << 3"}};
  sc.expect[0].text = "cost.savings_pct.mean >= 50";
  sc.expect[1].text = "fleet.web.cost.p50 < 3";
  sc.expect[2].text = "fleet.web.cost.max << 3";
  auto o = compile_expectations(sc, defs());
  REQUIRE_FALSE(o.is_ok());
  CHECK(o.status().message() ==
        "--set expect[2]=fleet.web.cost.max << 3: error: expect[2]: expected a comparison operator (<, <=, >, >=, ==, "
        "!=) after \"fleet.web.cost.max\", found \"<<\"");
}

TEST_CASE("expect: evaluation reports observed values, failing replications and a reproduce command", "[expect]") {
  CompiledScenario sc;
  sc.file = "scenarios/x.yaml";
  sc.overrides = {{"fleets.web.target", "4"}};
  RunResult r;
  r.seed = 7;
  r.metrics = defs();
  // Three replications; interruptions 0, 2, 0; savings 60, 40, 70.
  r.per_replication = {{0, 10, 1, 5, 60, 0}, {2, 20, 1, 6, 40, 0}, {0, 30, 1, 7, 70, 0}};
  r.replication_ids = {0, 1, 2};
  r.stats.resize(r.metrics.size());
  for (size_t m = 0; m < r.metrics.size(); ++m) {
    std::vector<double> col;
    for (const auto& rep : r.per_replication) col.push_back(rep[m]);
    r.stats[m] = compute_stats(col);
  }
  std::vector<Expectation> exps;
  for (const char* t :
       {"fleet.web.interruptions.max == 0", "cost.savings_pct.mean >= 50", "cost.savings_pct.mean >= 60%",
        "fleet.web.cost.stddev < $0.5", "fleet.web.interruptions.max == 0 or cost.savings_pct.min > 30"}) {
    exps.push_back(parse_ok(t));
  }
  const auto res = evaluate_expectations(exps, sc, r);
  REQUIRE(res.size() == 5);
  CHECK_FALSE(res[0].passed);
  CHECK(res[0].observed == 2);
  CHECK(res[0].failing_replications == std::vector<int64_t>{1});
  CHECK(
      res[0].explanation ==
      "observed fleet.web.interruptions.max = 2, expected == 0; 1 of 3 replications fail fleet.web.interruptions == 0 "
      "on their own: #1; reproduce #1 alone: spotsim run scenarios/x.yaml --seed 7 --replication 1 --set "
      "fleets.web.target=4");
  CHECK(res[1].passed);
  CHECK(res[1].observed == Approx(56.6666667));
  CHECK(res[1].explanation.empty());
  CHECK_FALSE(res[2].passed);
  CHECK(res[2].explanation ==
        "observed cost.savings_pct.mean = 56.6667%, expected >= 60%; 1 of 3 replications fail cost.savings_pct >= 60% "
        "on their own: #1; reproduce #1 alone: spotsim run scenarios/x.yaml --seed 7 --replication 1 --set "
        "fleets.web.target=4");
  CHECK_FALSE(res[3].passed);
  CHECK(res[3].explanation == "observed fleet.web.cost.stddev = $1, expected < $0.5");
  CHECK(res[4].passed);  // the or's right side holds
  CHECK(res[4].observed == 40);

  // Replications numbered from a --replication offset.
  r.per_replication = {{0, 10, 1, 5, 60, 0}, {0, 20, 1, 6, 40, 0}};
  r.replication_ids = {4, 5};
  r.stats[4] = compute_stats({60, 40});
  const auto mean = evaluate_expectations({parse_ok("cost.savings_pct.p50 > 55")}, sc, r);
  CHECK_FALSE(mean[0].passed);
  CHECK(mean[0].explanation ==
        "observed cost.savings_pct.p50 = 50%, expected > 55; 1 of 2 replications fail cost.savings_pct > 55 on their "
        "own: #5; reproduce #5 alone: spotsim run scenarios/x.yaml --seed 7 --replication 5 --set fleets.web.target=4");

  // A statistic that fails although every replication passes on its own.
  r.stats[0] = compute_stats({0, 2});
  r.per_replication = {{0, 10, 1, 5, 60, 0}, {2, 20, 1, 6, 40, 0}};
  const auto ne = evaluate_expectations({parse_ok("fleet.web.interruptions.mean != 1")}, sc, r);
  CHECK_FALSE(ne[0].passed);
  CHECK(ne[0].failing_replications.empty());
  CHECK(
      ne[0].explanation ==
      "observed fleet.web.interruptions.mean = 1, expected != 1; every replication meets fleet.web.interruptions != 1 "
      "on its own, the mean over 2 replications does not");
}

TEST_CASE("expect: reproduce_command quotes for the shell", "[expect]") {
  CompiledScenario sc;
  sc.file = "my scenarios/a b.yaml";
  sc.overrides = {{"expect[0]", "x.y.mean > 1"}};
  CHECK(reproduce_command(sc, 3, 2) ==
        "spotsim run 'my scenarios/a b.yaml' --seed 3 --replication 2 --set 'expect[0]=x.y.mean > 1'");
}

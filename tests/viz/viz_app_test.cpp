// viz/app pieces that need no window: the background runner of the live panel.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "sim/scenario/scenario.h"
#include "viz/app/app_state.h"
#include "viz/app/background_run.h"

using namespace spotsim;
using namespace spotsim::viz;

namespace {
const std::string kSmall = std::string(SPOTSIM_SOURCE_DIR) + "/tests/viz/data/viz-small.yaml";
}

TEST_CASE("a background run reports progress and delivers its result once", "[viz][app]") {
  LoadOptions lo;
  lo.overrides = {{"fleets.web.target", "30"}, {"replications", "3"}};
  Result<CompiledScenario> sc = load_scenario(kSmall, lo);
  REQUIRE(sc.is_ok());
  BackgroundRun run;
  std::atomic<int> calls{0};
  ModelRunOptions o;
  o.threads = 2;
  o.progress = [&](int64_t, int64_t) { ++calls; };
  run.start(std::move(sc).value(), o);
  run.wait();
  REQUIRE_FALSE(run.running());
  REQUIRE(run.progress() == 1.0f);
  REQUIRE(calls == 3);
  auto r = run.take();
  REQUIRE(r.has_value());
  REQUIRE(r->is_ok());
  REQUIRE((*r)->fleets[0].target == 30);
  REQUIRE_FALSE(run.take().has_value());
  // The views every panel reads can be derived from it.
  auto loaded = derive_views(std::move(*r).value());
  REQUIRE(loaded->stack.target_total == 30);
  REQUIRE_FALSE(loaded->cost.empty());
}

TEST_CASE("a cancelled background run says so", "[viz][app]") {
  LoadOptions lo;
  lo.overrides = {{"replications", "400"}};
  Result<CompiledScenario> sc = load_scenario(kSmall, lo);
  REQUIRE(sc.is_ok());
  BackgroundRun run;
  ModelRunOptions o;
  o.threads = 1;
  run.start(std::move(sc).value(), o);
  run.cancel();
  run.wait();
  auto r = run.take();
  REQUIRE(r.has_value());
  if (!r->is_ok()) REQUIRE(r->status().message() == "run cancelled");
}

TEST_CASE("starting a new background run replaces the one in flight", "[viz][app]") {
  Result<CompiledScenario> sc = load_scenario(kSmall);
  REQUIRE(sc.is_ok());
  BackgroundRun run;
  run.start(*sc);
  run.start(*sc);  // cancels and joins the first
  run.wait();
  auto r = run.take();
  REQUIRE(r.has_value());
  REQUIRE(r->is_ok());
}

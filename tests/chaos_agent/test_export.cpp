// --export: the plan as the clouds' own drills. The outputs are compared with fixtures written to
// the published shapes (tests/chaos_agent/export/); no cloud is called.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "chaos-agent/export/export.h"
#include "chaos-agent/fleet/fleet_plan.h"
#include "chaos-agent/plan/plan.h"

using namespace agent;
using namespace agent::exports;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(SPOTSIM_SOURCE_DIR) + "/tests/chaos_agent/export/" + name);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

plan::Plan load(const std::string& name) {
  auto p = plan::parse_plan(fixture(name), name);
  INFO((p ? "" : p.status().message()));
  REQUIRE(p);
  return p.value();
}

Options options() {
  Options o;
  o.role_arn = "arn:aws:iam::123456789012:role/chaos-agent-fis";
  o.tags = {{"spot-pool", "gpu"}};
  o.resource_group = "gameday-rg";
  o.zone = "us-central1-a";
  return o;
}

}  // namespace

TEST_CASE("export: an FIS experiment template in the published shape", "[chaos_agent][export]") {
  auto out = export_plan(load("plan.yaml"), Cloud::kFis, options());
  INFO((out ? "" : out.status().message()));
  REQUIRE(out);
  CHECK(out->text == fixture("fis.json"));
  // The plan's abort cannot run inside FIS: said, with its position.
  REQUIRE(out->warnings.size() == 1);
  CHECK(out->warnings[0].rfind("plan.yaml:12:3: warning: abort: FIS cannot run this health check", 0) == 0);
  // With an alarm the template stops on it, and nothing is said.
  Options o = options();
  o.stop_alarms = {"arn:aws:cloudwatch:us-east-1:123456789012:alarm:gameday-errors"};
  auto with_alarm = export_plan(load("plan.yaml"), Cloud::kFis, o);
  REQUIRE(with_alarm);
  CHECK(with_alarm->warnings.empty());
  CHECK(with_alarm->text.find("\"source\": \"aws:cloudwatch:alarm\",\n      \"value\": "
                              "\"arn:aws:cloudwatch:us-east-1:123456789012:alarm:gameday-errors\"") !=
        std::string::npos);
}

TEST_CASE("export: Azure and GCP scripts in the published command shapes", "[chaos_agent][export]") {
  auto az = export_plan(load("plan.yaml"), Cloud::kAzure, options());
  INFO((az ? "" : az.status().message()));
  REQUIRE(az);
  CHECK(az->text == fixture("azure.sh"));
  auto gcp = export_plan(load("plan.yaml"), Cloud::kGcp, options());
  INFO((gcp ? "" : gcp.status().message()));
  REQUIRE(gcp);
  CHECK(gcp->text == fixture("gcp.sh"));
}

TEST_CASE("export: items a cloud cannot express are refused, each with its position", "[chaos_agent][export]") {
  auto fis = export_plan(load("refused.yaml"), Cloud::kFis, options());
  REQUIRE_FALSE(fis);
  CHECK(fis.status().message() == fixture("refused.fis.txt").substr(0, fixture("refused.fis.txt").size() - 1));
  auto az = export_plan(load("refused.yaml"), Cloud::kAzure, options());
  REQUIRE_FALSE(az);
  CHECK(az.status().message().rfind("refused.yaml:1:1: error: targets: the plan drives only the local agent", 0) == 0);
}

TEST_CASE("export: required options are named by their flag", "[chaos_agent][export]") {
  const auto p = load("plan.yaml");
  Options o = options();
  o.role_arn.clear();
  CHECK(export_plan(p, Cloud::kFis, o).status().message().rfind("--export fis needs --role-arn ARN", 0) == 0);
  o = options();
  o.tags.clear();
  CHECK(export_plan(p, Cloud::kFis, o).status().message().rfind("--export fis needs --tag KEY=VALUE", 0) == 0);
  o = options();
  o.resource_group.clear();
  CHECK(export_plan(p, Cloud::kAzure, o).status().message().rfind("--export azure needs --resource-group G", 0) == 0);
  o = options();
  o.zone.clear();
  CHECK(export_plan(p, Cloud::kGcp, o).status().message().rfind("--export gcp needs --zone Z", 0) == 0);
  CHECK(parse_cloud("fis") == Cloud::kFis);
  CHECK_FALSE(parse_cloud("oracle"));
}

TEST_CASE("export: ISO 8601 durations and shell quoting", "[chaos_agent][export]") {
  CHECK(iso8601_duration(std::chrono::minutes(2)) == "PT2M");
  CHECK(iso8601_duration(std::chrono::seconds(150)) == "PT2M30S");
  CHECK(iso8601_duration(std::chrono::minutes(90)) == "PT1H30M");
  CHECK(iso8601_duration(std::chrono::hours(12)) == "PT12H");
  CHECK(iso8601_duration(Millis(0)) == "PT0S");
  CHECK_FALSE(iso8601_duration(Millis(1500)));
  CHECK(shell_quote("node-a") == "'node-a'");
  CHECK(shell_quote("it's; rm -rf /") == "'it'\\''s; rm -rf /'");
}

TEST_CASE("export: garbage plans never crash an exporter", "[chaos_agent][export]") {
  // Seeded byte mutations of the fixture plan: whatever parses is exported to every cloud, and
  // each answer is a template/script or a message naming the file or the flag.
  const std::string base = fixture("plan.yaml");
  const std::string alphabet = "0123456789:%-[]{}, \nsmhpreempt";
  uint64_t state = 1;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<size_t>(state >> 33);
  };
  int parsed = 0;
  for (int round = 0; round < 400; ++round) {
    std::string text = base;
    for (int k = 0, n = 1 + static_cast<int>(next() % 4); k < n; ++k)
      text[next() % text.size()] = alphabet[next() % alphabet.size()];
    auto p = plan::parse_plan(text, "fuzz.yaml");
    if (!p) continue;
    ++parsed;
    for (Cloud c : {Cloud::kFis, Cloud::kAzure, Cloud::kGcp}) {
      auto out = export_plan(p.value(), c, options());
      if (out) CHECK_FALSE(out->text.empty());
      else CHECK((out.status().message().rfind("fuzz.yaml", 0) == 0 || out.status().message().rfind("--", 0) == 0));
    }
  }
  CHECK(parsed > 20);  // the mutations still reach the exporters
}

namespace {
fleet::FleetPlan load_fleet(const std::string& name) {
  auto p = fleet::parse_fleet_plan(fixture(name), name);
  INFO((p ? "" : p.status().message()));
  REQUIRE(p);
  return p.value();
}
}  // namespace

TEST_CASE("export: a fleet plan to FIS - labels become resourceTags, a fraction PERCENT(n)", "[chaos_agent][export]") {
  const auto fp = load_fleet("fleet-plan.yaml");
  Options o = options();
  o.tags = {{"chaos-agent", "yes"}};
  // The windowed storm (chaos[2]) is refused; the rest is checked without it below.
  auto refused = export_fleet_plan(fp, Cloud::kFis, o);
  REQUIRE_FALSE(refused);
  CHECK(refused.status().message() ==
        "fleet-plan.yaml:11:5: error: chaos[2].storm: FIS starts an action's interruptions together; window: 3s cannot "
        "be expressed (write one item per time, or leave window: out)");
  auto no_window = fp;
  no_window.items.pop_back();
  auto out = export_fleet_plan(no_window, Cloud::kFis, o);
  INFO((out ? "" : out.status().message()));
  REQUIRE(out);
  CHECK(out->text == fixture("fleet-fis.json"));
  CHECK(out->warnings.empty());
  // Without --tag the labels alone name the instances; an item whose selection has no label
  // at all would pick from every Spot instance, and is refused.
  o.tags.clear();
  CHECK(export_fleet_plan(no_window, Cloud::kFis, o));
  auto unlabelled = no_window;
  unlabelled.select.clear();
  for (auto& it : unlabelled.items) it.select.clear();
  auto none = export_fleet_plan(unlabelled, Cloud::kFis, o);
  REQUIRE_FALSE(none);
  CHECK(none.status().message().find(
            "fleet-plan.yaml:9:5: error: chaos[0].storm: FIS would pick from every Spot instance") == 0);
}

TEST_CASE("export: a fleet plan to Azure and GCP - one command per VM the drill picks, at its time",
          "[chaos_agent][export]") {
  const auto fp = load_fleet("fleet-plan.yaml");
  auto az = export_fleet_plan(fp, Cloud::kAzure, options());
  INFO((az ? "" : az.status().message()));
  REQUIRE(az);
  CHECK(az->text == fixture("fleet-azure.sh"));
  auto gcp = export_fleet_plan(fp, Cloud::kGcp, options());
  INFO((gcp ? "" : gcp.status().message()));
  REQUIRE(gcp);
  CHECK(gcp->text == fixture("fleet-gcp.sh"));
  // The same VMs the drill picks: every picked target's name is in the script, no other.
  for (size_t i = 0; i < fp.targets.size(); ++i) {
    bool picked = false;
    for (const auto& it : fp.items)
      for (size_t k : it.picked) picked |= k == i;
    CHECK((az->text.find("--name '" + fp.targets[i].name + "'") != std::string::npos) == picked);
  }
}

TEST_CASE("export: a fleet plan's items FIS cannot express are refused with their positions", "[chaos_agent][export]") {
  auto out = export_fleet_plan(load_fleet("fleet-refused.yaml"), Cloud::kFis, options());
  REQUIRE_FALSE(out);
  CHECK(out.status().message() ==
        fixture("fleet-refused.fis.txt").substr(0, fixture("fleet-refused.fis.txt").size() - 1));
}

#include <catch2/catch.hpp>

#include "chaos-agent/imds/gcp.h"
#include "tests/chaos_agent/helpers.h"

using namespace agent;
using namespace agent::imds;
using boost::beast::http::verb;

namespace {
struct Gcp {
  FakeClock clock{test::t0()};
  ChaosState state{clock, std::chrono::hours(2), "vm"};
  GcpMetadata gcp{state, std::chrono::seconds(300)};
  Outcome get(const std::string& target, bool flavor = true, bool upstream = false) {
    auto r = flavor ? test::req(verb::get, target, {{"Metadata-Flavor", "Google"}}) : test::req(verb::get, target);
    return gcp.handle(r, *parse_target(target), upstream);
  }
};
}  // namespace

TEST_CASE("gcp: Metadata-Flavor is required and present on every answer", "[chaos_agent][gcp]") {
  Gcp g;
  auto o = g.get("/computeMetadata/v1/instance/preempted", false);
  CHECK(o.response.result_int() == 403);
  CHECK(o.response["Metadata-Flavor"] == "Google");
  CHECK(o.response.body().find("Missing Metadata-Flavor:Google header.") != std::string::npos);
  o = g.get("/computeMetadata/v1/instance/preempted");
  CHECK(o.response.result_int() == 200);
  CHECK(o.response.body() == "FALSE");
  CHECK(o.response["Metadata-Flavor"] == "Google");
  CHECK(o.response[boost::beast::http::field::content_type] == "application/text");
  CHECK(o.response[boost::beast::http::field::etag] == GcpMetadata::etag_of("preempted", "FALSE"));
  CHECK(g.get("/computeMetadata/v1/instance/maintenance-event").response.body() == "NONE");
  auto nf = g.get("/computeMetadata/v1/instance/nonexistent");
  CHECK(nf.response.result_int() == 404);
  CHECK(nf.response["Metadata-Flavor"] == "Google");
  auto dir = g.get("/computeMetadata/v1/instance/");
  CHECK(dir.response.result_int() == 200);
  CHECK(dir.response.body() ==
        "hostname\nid\nmachine-type\nmaintenance-event\nname\nnetwork-interfaces/\npreempted\nscheduling/\nzone\n");
  CHECK(g.get("/computeMetadata/v1/instance/", true, true).type == Outcome::Type::kForward);
  auto xff = test::req(verb::get, "/computeMetadata/v1/instance/preempted",
                       {{"Metadata-Flavor", "Google"}, {"X-Forwarded-For", "1.2.3.4"}});
  CHECK(g.gcp.handle(xff, *parse_target("/computeMetadata/v1/instance/preempted"), false).response.result_int() == 403);
}

TEST_CASE("gcp: preempted and maintenance-event follow injections - ETags follow values", "[chaos_agent][gcp]") {
  Gcp g;
  std::string etag_false(g.get("/computeMetadata/v1/instance/preempted").response[boost::beast::http::field::etag]);
  InjectRequest r;
  r.providers = static_cast<unsigned>(Provider::kGcp);
  auto inj = g.state.inject(r);
  auto o = g.get("/computeMetadata/v1/instance/preempted");
  CHECK(o.response.body() == "TRUE");
  CHECK(o.injection_id == inj->id);
  CHECK(std::string(o.response[boost::beast::http::field::etag]) != etag_false);
  CHECK(g.get("/computeMetadata/v1/instance/preempted?alt=json").response.body() == "true");
  InjectRequest m;
  m.kind = Kind::kMaintenance;
  m.providers = static_cast<unsigned>(Provider::kGcp);
  m.gcp_maintenance = "MIGRATE_ON_HOST_MAINTENANCE";
  (void)g.state.inject(m);
  CHECK(g.get("/computeMetadata/v1/instance/maintenance-event").response.body() == "MIGRATE_ON_HOST_MAINTENANCE");
  g.state.clear();
  o = g.get("/computeMetadata/v1/instance/preempted");
  CHECK(o.response.body() == "FALSE");
  CHECK(o.response[boost::beast::http::field::etag] == etag_false);
}

TEST_CASE("gcp: wait_for_change holds, last_etag that is stale answers at once, timeout_sec", "[chaos_agent][gcp]") {
  Gcp g;
  std::string etag = GcpMetadata::etag_of("preempted", "FALSE");
  auto o = g.get("/computeMetadata/v1/instance/preempted?wait_for_change=true");
  CHECK(o.type == Outcome::Type::kWait);
  CHECK(o.baseline_etag == etag);
  CHECK(o.wait_timeout == std::chrono::seconds(300));
  o = g.get("/computeMetadata/v1/instance/preempted?wait_for_change=true&timeout_sec=5&last_etag=" + etag);
  CHECK(o.type == Outcome::Type::kWait);
  CHECK(o.wait_timeout == std::chrono::seconds(5));
  o = g.get("/computeMetadata/v1/instance/preempted?wait_for_change=true&last_etag=0000000000000000");
  CHECK(o.type == Outcome::Type::kRespond);
  CHECK(o.response.body() == "FALSE");
  o = g.get("/computeMetadata/v1/instance/preempted?wait_for_change=true&timeout_sec=abc");
  CHECK(o.response.result_int() == 400);
  CHECK(g.get("/computeMetadata/v1/instance/preempted?wait_for_change=false").type == Outcome::Type::kRespond);
}

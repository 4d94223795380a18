#include <catch2/catch.hpp>

#include "chaos-agent/imds/router.h"
#include "tests/chaos_agent/helpers.h"

using namespace agent;
using namespace agent::imds;
using boost::beast::http::verb;

TEST_CASE("router: no open proxy: absolute-form, CONNECT and foreign Host are refused", "[chaos_agent][router]") {
  FakeClock clock(test::t0());
  ChaosState state(clock, std::chrono::hours(1), "vm");
  RouterOptions o;
  o.have_upstream = true;
  MetadataRouter router(state, clock, o);
  auto abs = router.route(test::req(verb::get, "http://evil.example/latest/meta-data/"));
  CHECK(abs.type == Outcome::Type::kRespond);
  CHECK(abs.response.result_int() == 400);
  CHECK(abs.response.body() == "chaos-agent: request target must be a path (origin-form); absolute URIs are refused\n");
  auto conn = router.route(test::req(verb::connect, "evil.example:443"));
  CHECK(conn.response.result_int() == 405);
  auto host = router.route(test::req(verb::get, "/latest/meta-data/instance-id", {{"Host", "evil.example"}}));
  CHECK(host.type == Outcome::Type::kRespond);
  CHECK(host.response.result_int() == 400);
  CHECK(host.response.body() ==
        "chaos-agent: Host 'evil.example' is not a metadata host (start the agent with --allow-host NAME to accept "
        "it)\n");
  for (const char* ok : {"169.254.169.254", "169.254.169.254:80", "metadata.google.internal", "metadata",
                         "127.0.0.1:8169", "localhost:8169", "[fd00:ec2::254]"}) {
    INFO(ok);
    CHECK(router.host_allowed(ok));
  }
  for (const char* bad : {"evil.example", "169.254.169.254@evil", "127.0.0.1:80/x", "127.0.0.1:abc", "1.2.3.4",
                          "metadata.google.internal.evil.example"}) {
    INFO(bad);
    CHECK(!router.host_allowed(bad));
  }
  auto fwd = router.route(test::req(verb::get, "/latest/meta-data/instance-id", {{"Host", "169.254.169.254"}}));
  CHECK(fwd.type == Outcome::Type::kForward);
}

TEST_CASE("router: providers not emulated pass through - nothing passes without an upstream", "[chaos_agent][router]") {
  FakeClock clock(test::t0());
  ChaosState state(clock, std::chrono::hours(1), "vm");
  RouterOptions o;
  o.providers = static_cast<unsigned>(Provider::kAws);
  o.have_upstream = true;
  MetadataRouter router(state, clock, o);
  CHECK(router.route(test::req(verb::get, "/computeMetadata/v1/instance/preempted")).type == Outcome::Type::kForward);
  CHECK(router.route(test::req(verb::get, "/latest/meta-data/spot/instance-action")).type == Outcome::Type::kRespond);
  RouterOptions none;
  MetadataRouter r2(state, clock, none);
  auto nf = r2.route(test::req(verb::get, "/favicon.ico"));
  CHECK(nf.response.result_int() == 404);
}

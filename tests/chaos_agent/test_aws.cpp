#include <catch2/catch.hpp>

#include "chaos-agent/imds/aws.h"
#include "tests/chaos_agent/helpers.h"

using namespace agent;
using namespace agent::imds;
using boost::beast::http::verb;

namespace {
struct Aws {
  FakeClock clock{test::t0()};
  ChaosState state{clock, std::chrono::hours(2), "vm"};
  AwsImds aws;
  explicit Aws(bool v2_only = false) : aws(state, clock, AwsOptions{v2_only}) {}
  Outcome get(const std::string& target, std::initializer_list<std::pair<std::string, std::string>> h = {},
              verb m = verb::get, bool upstream = false) {
    auto r = test::req(m, target, h);
    return aws.handle(r, *parse_target(target), upstream);
  }
  std::string token(int ttl = 21600) {
    auto o = get("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(ttl)}}, verb::put);
    REQUIRE(o.response.result_int() == 200);
    return o.response.body();
  }
};
const char* kXhtml404 =
    "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
    "\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
    " <head>\n"
    "  <title>404 - Not Found</title>\n"
    " </head>\n"
    " <body>\n"
    "  <h1>404 - Not Found</h1>\n"
    " </body>\n"
    "</html>\n";
// amazon-ec2-metadata-mock, pkg/server/httpserver.go (BadRequestResponse, UnauthorizedResponse),
// written with Go's http.Error, which appends a newline.
const char* kXhtml400 =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
    "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
    "   <head>\n"
    "      <title>400 - Bad Request</title>\n"
    "   </head>\n"
    "   <body>\n"
    "      <h1>400 - Bad Request</h1>\n"
    "   </body>\n"
    "</html>\n";
const char* kXhtml401 =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
    "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
    "   <head>\n"
    "      <title>401 - Unauthorized</title>\n"
    "   </head>\n"
    "   <body>\n"
    "      <h1>401 - Unauthorized</h1>\n"
    "   </body>\n"
    "</html>\n";
}  // namespace

TEST_CASE("aws: the 404, 400 and 401 pages are exactly the service's and its mock's", "[chaos_agent][aws]") {
  Aws a(true);
  auto nf = a.get("/latest/meta-data/spot/instance-action", {{"X-aws-ec2-metadata-token", a.token()}});
  CHECK(nf.response.result_int() == 404);
  CHECK(nf.response.body() == kXhtml404);
  for (const char* bad : {"0", "21601", "abc", ""}) {
    INFO(bad);
    auto b = a.get("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", bad}}, verb::put);
    CHECK(b.response.result_int() == 400);
    CHECK(b.response.body() == kXhtml400);
    CHECK(b.response[boost::beast::http::field::content_type] == "text/html");
  }
  CHECK(a.get("/latest/api/token", {}, verb::put).response.body() == kXhtml400);
  auto bad_token = a.get("/latest/meta-data/spot/instance-action", {{"X-aws-ec2-metadata-token", "bogus"}});
  CHECK(bad_token.response.result_int() == 401);
  CHECK(bad_token.response.body() == kXhtml401);
  std::string short_lived = a.token(1);
  a.clock.advance(std::chrono::seconds(1));
  auto expired = a.get("/latest/meta-data/events", {{"X-aws-ec2-metadata-token", short_lived}});
  CHECK(expired.response.result_int() == 401);
  CHECK(expired.response.body() == kXhtml401);
  auto no_token = a.get("/latest/meta-data/events");  // --imds-v2-only
  CHECK(no_token.response.result_int() == 401);
  CHECK(no_token.response.body() == kXhtml401);
}

TEST_CASE("aws: instance-action is a 404 XHTML page until a notice, then the exact JSON", "[chaos_agent][aws]") {
  Aws a;
  auto o = a.get("/latest/meta-data/spot/instance-action");
  CHECK(o.response.result_int() == 404);
  CHECK(o.response.body() == kXhtml404);
  CHECK(o.response[boost::beast::http::field::content_type] == "text/html");
  CHECK(o.response[boost::beast::http::field::connection] == "close");
  CHECK(o.chaos_read == Provider::kAws);
  CHECK(o.injection_id.empty());

  InjectRequest r;
  r.providers = static_cast<unsigned>(Provider::kAws);
  auto inj = a.state.inject(r);
  o = a.get("/latest/meta-data/spot/instance-action");
  CHECK(o.response.result_int() == 200);
  CHECK(o.response.body() == R"({"action":"terminate","time":"2026-11-23T18:02:00Z"})");
  CHECK(o.response[boost::beast::http::field::content_type] == "text/plain");
  CHECK(o.injection_id == inj->id);
  CHECK(a.get("/latest/meta-data/spot/termination-time").response.body() == "2026-11-23T18:02:00Z");
  CHECK(a.get("/latest/meta-data/spot").response.body() == "instance-action\ntermination-time");
  // Trailing slash and double slashes are the same path.
  CHECK(a.get("//latest/meta-data/spot/instance-action/").response.result_int() == 200);
  CHECK(a.get("/latest//meta-data//spot/").response.body() == "instance-action\ntermination-time");
  a.state.clear();
  CHECK(a.get("/latest/meta-data/spot/instance-action").response.result_int() == 404);
  CHECK(a.get("/latest/meta-data/spot").response.result_int() == 404);
}

TEST_CASE("aws: stop and hibernate notices have no termination-time", "[chaos_agent][aws]") {
  Aws a;
  InjectRequest r;
  r.aws_action = "hibernate";
  r.notice = std::chrono::seconds(90);
  (void)a.state.inject(r);
  CHECK(a.get("/latest/meta-data/spot/instance-action").response.body() ==
        R"({"action":"hibernate","time":"2026-11-23T18:01:30Z"})");
  CHECK(a.get("/latest/meta-data/spot/termination-time").response.result_int() == 404);
  CHECK(a.get("/latest/meta-data/spot").response.body() == "instance-action");
}

TEST_CASE("aws: rebalance recommendation and scheduled maintenance", "[chaos_agent][aws]") {
  Aws a;
  CHECK(a.get("/latest/meta-data/events/recommendations/rebalance").response.result_int() == 404);
  CHECK(a.get("/latest/meta-data/events/maintenance/scheduled").response.body() == "[]");
  InjectRequest rb;
  rb.kind = Kind::kRebalance;
  rb.providers = static_cast<unsigned>(Provider::kAws);
  (void)a.state.inject(rb);
  CHECK(a.get("/latest/meta-data/events/recommendations/rebalance").response.body() ==
        R"({"noticeTime":"2026-11-23T18:00:00Z"})");
  CHECK(a.get("/latest/meta-data/events").response.body() == "maintenance/\nrecommendations/");
  InjectRequest m;
  m.kind = Kind::kMaintenance;
  m.notice = std::chrono::minutes(15);
  auto inj = a.state.inject(m);
  std::string body = a.get("/latest/meta-data/events/maintenance/scheduled").response.body();
  CHECK(body ==
        "[\n\t{\n\t\t\"NotBefore\": \"23 Nov 2026 18:15:00 GMT\",\n\t\t\"Code\": \"system-reboot\",\n"
        "\t\t\"Description\": \"scheduled reboot\",\n\t\t\"EventId\": \"" +
            inj->aws_event_id +
            "\",\n\t\t\"NotAfter\": \"23 Nov 2026 20:15:00 GMT\",\n\t\t\"State\": \"active\"\n\t}\n]");
}

TEST_CASE("aws: IMDSv2 token PUT validates the TTL header exactly", "[chaos_agent][aws]") {
  Aws a;
  auto o = a.get("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, verb::put);
  CHECK(o.response.result_int() == 200);
  CHECK(o.response["X-aws-ec2-metadata-token-ttl-seconds"] == "21600");
  CHECK(o.response.body().size() == 58);
  for (const char* bad : {"0", "21601", "abc", "-1", "", "1.5"}) {
    INFO(bad);
    auto b = a.get("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", bad}}, verb::put);
    CHECK(b.response.result_int() == 400);
    CHECK(b.response.body().find("<title>400 - Bad Request</title>") != std::string::npos);
  }
  CHECK(a.get("/latest/api/token", {}, verb::put).response.result_int() == 400);
  CHECK(a.get("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "1"}}, verb::put).response.result_int() ==
        200);
  auto xff = a.get("/latest/api/token",
                   {{"X-aws-ec2-metadata-token-ttl-seconds", "60"}, {"X-Forwarded-For", "10.0.0.1"}}, verb::put);
  CHECK(xff.response.result_int() == 403);
  CHECK(xff.response.body().find("<title>403 - Forbidden</title>") != std::string::npos);
  auto get = a.get("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "60"}});
  CHECK(get.response.result_int() == 405);
  CHECK(get.response.body().find("<h1>405 - Method Not Allowed</h1>") != std::string::npos);
  CHECK(a.get("/latest/api/token/", {}, verb::post).response.result_int() == 405);
}

TEST_CASE("aws: a token expires once its whole elapsed seconds reach its TTL", "[chaos_agent][aws]") {
  Aws a;
  std::string tok = a.token(5);
  auto with = [&](const std::string& t) {
    return a.get("/latest/meta-data/spot/instance-action", {{"X-aws-ec2-metadata-token", t}}).response.result_int();
  };
  CHECK(with(tok) == 404);  // valid token, no notice
  a.clock.advance(std::chrono::milliseconds(4999));
  CHECK(with(tok) == 404);
  a.clock.advance(std::chrono::milliseconds(1));
  CHECK(with(tok) == 401);
  auto o = a.get("/latest/meta-data/spot/instance-action", {{"X-aws-ec2-metadata-token", "bogus"}});
  CHECK(o.response.result_int() == 401);
  CHECK(o.response.body().find("<title>401 - Unauthorized</title>") != std::string::npos);
}

TEST_CASE("aws: --imds-v2-only requires a token - v1 works otherwise", "[chaos_agent][aws]") {
  Aws v1;
  CHECK(v1.get("/latest/meta-data/events").response.result_int() == 200);
  Aws v2(true);
  CHECK(v2.get("/latest/meta-data/events").response.result_int() == 401);
  std::string tok = v2.token();
  CHECK(v2.get("/latest/meta-data/events", {{"X-aws-ec2-metadata-token", tok}}).response.result_int() == 200);
}

TEST_CASE("aws: other paths are forwarded when there is an upstream, 404 otherwise", "[chaos_agent][aws]") {
  Aws a;
  CHECK(a.get("/latest/meta-data/instance-id", {}, verb::get, true).type == Outcome::Type::kForward);
  CHECK(a.get("/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "60"}}, verb::put, true).type ==
        Outcome::Type::kForward);
  CHECK(a.get("/latest/meta-data/spot/instance-action", {}, verb::get, true).type == Outcome::Type::kRespond);
  CHECK(a.get("/latest/meta-data/instance-id").response.body() == "i-0123456789abcdef0");  // standalone identity
  CHECK(a.get("/latest/meta-data/iam/info").response.body() == kXhtml404);

  // Tokens minted by the real IMDS are learned from the forwarded answer.
  auto put = test::req(verb::put, "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "60"}});
  Response up{boost::beast::http::status::ok, 11};
  up.set("X-aws-ec2-metadata-token-ttl-seconds", "60");
  up.body() = "UPSTREAMTOKEN==";
  a.aws.on_upstream_response(put, *parse_target("/latest/api/token"), up);
  CHECK(a.aws.tokens().check("UPSTREAMTOKEN==") == TokenStore::Check::kValid);
  // The upstream's meta-data listing gains spot/ while a notice is live.
  (void)a.state.inject(InjectRequest{});
  auto md = test::req(verb::get, "/latest/meta-data/");
  Response listing{boost::beast::http::status::ok, 11};
  listing.body() = "ami-id\nhostname\ninstance-id";
  a.aws.on_upstream_response(md, *parse_target("/latest/meta-data/"), listing);
  CHECK(listing.body() == "ami-id\nevents/\nhostname\ninstance-id\nspot/");
}

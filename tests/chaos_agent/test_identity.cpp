// Standalone mode (--upstream none): the instance identity served for all three providers, the
// providers' own 404 answers everywhere else, and --identity FILE overrides.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "chaos-agent/imds/router.h"
#include "tests/chaos_agent/helpers.h"

using namespace agent;
using namespace agent::imds;
using boost::beast::http::verb;

namespace {
struct Standalone {
  FakeClock clock{test::t0()};
  ChaosState state{clock, std::chrono::hours(2), "spot-vm-7"};
  MetadataRouter router;
  explicit Standalone(RouterOptions o = {}) : router(state, clock, std::move(o)) {}
  Response get(const std::string& target, std::initializer_list<std::pair<std::string, std::string>> h = {}) {
    auto o = router.route(test::req(verb::get, target, h));
    REQUIRE(o.type == Outcome::Type::kRespond);
    return o.response;
  }
};
const std::pair<std::string, std::string> kGoogle{"Metadata-Flavor", "Google"};
const std::pair<std::string, std::string> kAzure{"Metadata", "true"};
}  // namespace

TEST_CASE("standalone: AWS instance identity, listings and the identity document", "[chaos_agent][identity]") {
  Standalone s;
  CHECK(s.get("/latest/meta-data/instance-id").body() == "i-0123456789abcdef0");
  CHECK(s.get("/latest/meta-data/instance-type").body() == "m5.xlarge");
  CHECK(s.get("/latest/meta-data/instance-life-cycle").body() == "spot");
  CHECK(s.get("/latest/meta-data/placement/availability-zone").body() == "us-east-1a");
  CHECK(s.get("/latest/meta-data/placement/availability-zone/").body() == "us-east-1a");  // botocore's form
  CHECK(s.get("//latest/meta-data/placement/region").body() == "us-east-1");              // the JS SDK's form
  CHECK(s.get("/latest/meta-data/local-ipv4").body() == "10.0.0.10");
  CHECK(s.get("/latest/meta-data/placement").body() == "availability-zone\navailability-zone-id\nregion");
  CHECK(s.get("/latest/meta-data/").body() ==
        "ami-id\nevents/\nhostname\ninstance-id\ninstance-life-cycle\ninstance-type\nlocal-hostname\nlocal-ipv4\nmac\n"
        "placement/");
  auto doc = nlohmann::json::parse(s.get("/latest/dynamic/instance-identity/document").body());
  CHECK(doc["instanceId"] == "i-0123456789abcdef0");
  CHECK(doc["region"] == "us-east-1");
  CHECK(doc["availabilityZone"] == "us-east-1a");
  CHECK(doc["accountId"] == "123456789012");
  CHECK(doc["pendingTime"] == "2026-11-23T18:00:00Z");
  auto r = s.get("/latest/meta-data/instance-id");
  CHECK(r[boost::beast::http::field::content_type] == "text/plain");
  CHECK(s.get("/").body() == "latest");
}

TEST_CASE("standalone: unknown paths get each provider's real 404", "[chaos_agent][identity]") {
  Standalone s;
  auto aws = s.get("/latest/meta-data/iam/security-credentials/");
  CHECK(aws.result_int() == 404);
  CHECK(aws.body() == AwsImds::error_page(404));
  CHECK(aws[boost::beast::http::field::content_type] == "text/html");
  CHECK(s.get("/favicon.ico").body() == AwsImds::error_page(404));
  auto gcp = s.get("/computeMetadata/v1/instance/attributes/kube-env", {kGoogle});
  CHECK(gcp.result_int() == 404);
  CHECK(gcp["Metadata-Flavor"] == "Google");
  CHECK(gcp.body() ==
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1</title>\n"
        "  <p><b>404.</b> <ins>That\xe2\x80\x99s an error.</ins>\n  <p>The requested URL <code>"
        "/computeMetadata/v1/instance/attributes/kube-env</code> was not found on this server.  "
        "<ins>That\xe2\x80\x99s all we know.</ins>\n");
  CHECK(s.get("/unknown", {kGoogle})["Metadata-Flavor"] == "Google");
  auto az_elem = s.get("/metadata/instance/compute/nosuchfield?api-version=2021-02-01", {kAzure});
  CHECK(az_elem.result_int() == 404);
  CHECK(az_elem.body() == R"({ "error": "Not found" })");
  auto az_cat = s.get("/metadata/identity/info?api-version=2018-02-01", {kAzure});
  CHECK(az_cat.result_int() == 404);
  CHECK(az_cat.body() == R"({"error":"Not Found"})");
  CHECK(az_cat[boost::beast::http::field::connection] == "close");
  // The agent's own plain-text 404 is gone.
  CHECK(s.get("/whatever").body().find("chaos-agent") == std::string::npos);
}

TEST_CASE("standalone: Azure /metadata/instance compute and network fields", "[chaos_agent][identity]") {
  Standalone s;
  auto doc = nlohmann::json::parse(s.get("/metadata/instance?api-version=2021-02-01", {kAzure}).body());
  const auto& c = doc["compute"];
  CHECK(c["name"] == "spot-vm-7");
  CHECK(c["location"] == "eastus");
  CHECK(c["vmSize"] == "Standard_D4s_v3");
  CHECK(c["zone"] == "1");
  CHECK(c["priority"] == "Spot");
  CHECK(c["vmId"] == "0f3c6b2e-9a1d-4c5e-8b7a-2d4f6e8a0c1b");
  CHECK(c["resourceId"] ==
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/chaos-agent-gameday/"
        "providers/Microsoft.Compute/virtualMachines/spot-vm-7");
  CHECK(doc["network"]["interface"][0]["ipv4"]["ipAddress"][0]["privateIpAddress"] == "10.0.0.10");
  auto loc = s.get("/metadata/instance/compute/location?api-version=2021-02-01&format=text", {kAzure});
  CHECK(loc.body() == "eastus");
  CHECK(loc[boost::beast::http::field::content_type] == "text/plain; charset=utf-8");
  CHECK(s.get("/metadata/instance/compute/vmSize?api-version=2021-02-01", {kAzure}).body() == "\"Standard_D4s_v3\"");
  CHECK(
      s.get("/metadata/instance/network/interface/0/macAddress?api-version=2021-02-01&format=text", {kAzure}).body() ==
      "000D3A000001");
  CHECK(nlohmann::json::parse(s.get("/metadata/instance/compute?api-version=2021-02-01", {kAzure}).body())["name"] ==
        "spot-vm-7");
}

TEST_CASE("standalone: GCP instance and project identity", "[chaos_agent][identity]") {
  Standalone s;
  CHECK(s.get("/computeMetadata/v1/instance/id", {kGoogle}).body() == "4520031799277581759");
  CHECK(s.get("/computeMetadata/v1/instance/name", {kGoogle}).body() == "spot-vm-7");
  CHECK(s.get("/computeMetadata/v1/instance/zone", {kGoogle}).body() == "projects/123456789012/zones/us-central1-a");
  CHECK(s.get("/computeMetadata/v1/instance/machine-type", {kGoogle}).body() ==
        "projects/123456789012/machineTypes/n2-standard-4");
  CHECK(s.get("/computeMetadata/v1/instance/hostname", {kGoogle}).body() == "spot-vm-7.c.chaos-agent-gameday.internal");
  CHECK(s.get("/computeMetadata/v1/instance/scheduling/preemptible", {kGoogle}).body() == "TRUE");
  CHECK(s.get("/computeMetadata/v1/project/project-id", {kGoogle}).body() == "chaos-agent-gameday");
  CHECK(s.get("/computeMetadata/v1/project/numeric-project-id", {kGoogle}).body() == "123456789012");
  CHECK(s.get("/computeMetadata/v1/instance/name?alt=json", {kGoogle}).body() == "\"spot-vm-7\"");
  auto r = s.get("/computeMetadata/v1/instance/zone", {kGoogle});
  CHECK(r["Metadata-Flavor"] == "Google");
  CHECK(r[boost::beast::http::field::etag] == GcpMetadata::etag_of("/computeMetadata/v1/instance/zone", r.body()));
  CHECK(s.get("/computeMetadata/v1/instance/id").result_int() == 403);  // still needs the header
  auto root = s.get("/", {kGoogle});
  CHECK(root.body() == "computeMetadata/\n");
  CHECK(root["Metadata-Flavor"] == "Google");
}

TEST_CASE("standalone: --identity FILE overrides the defaults; errors name the key", "[chaos_agent][identity]") {
  auto id = parse_identity(
      "aws: {instance-id: i-0abc, availability-zone: eu-west-1b}\n"
      "azure: {location: westeurope, vmSize: Standard_D2s_v5}\n"
      "gcp: {zone: europe-west4-a, project-id: drills}\n",
      "id.yaml");
  REQUIRE(id);
  RouterOptions o;
  o.identity = id.value();
  Standalone s(o);
  CHECK(s.get("/latest/meta-data/instance-id").body() == "i-0abc");
  CHECK(s.get("/latest/meta-data/placement/region").body() == "eu-west-1");  // derived from the zone
  CHECK(s.get("/latest/meta-data/placement/availability-zone-id").result_int() == 404);
  CHECK(s.get("/latest/meta-data/instance-type").body() == "m5.xlarge");  // default kept
  CHECK(s.get("/metadata/instance/compute/location?api-version=2021-02-01&format=text", {kAzure}).body() ==
        "westeurope");
  CHECK(s.get("/computeMetadata/v1/instance/zone", {kGoogle}).body() == "projects/123456789012/zones/europe-west4-a");
  CHECK(s.get("/computeMetadata/v1/project/project-id", {kGoogle}).body() == "drills");

  CHECK(parse_identity("aws: {instance-idd: x}\n", "id.yaml").status().message() ==
        "id.yaml:1:7: error: aws.instance-idd: unknown key (did you mean \"instance-id\"?); valid keys here: "
        "account-id, ami-id, availability-zone, availability-zone-id, hostname, instance-id, instance-life-cycle, "
        "instance-type, local-hostname, local-ipv4, mac, region");
  CHECK(parse_identity("oracle: {}\n", "id.yaml").status().message() ==
        "id.yaml:1:1: error: oracle: unknown key; valid keys here: aws, azure, gcp");
  CHECK(parse_identity("azure: {vmsize: Standard_D2s_v5}\n", "id.yaml").status().message() ==
        "id.yaml:1:9: error: azure.vmsize: unknown key (did you mean \"vmSize\"?); valid keys here: evictionPolicy, "
        "location, macAddress, osType, priority, privateIpAddress, resourceGroupName, subscriptionId, vmId, vmSize, "
        "zone");
  CHECK(parse_identity("gcp: {zone: }\n", "id.yaml").status().message() ==
        "id.yaml:1:13: error: gcp.zone: expected a non-empty string");
  CHECK(parse_identity("gcp: 3\n", "id.yaml").status().message() ==
        "id.yaml:1:6: error: gcp: expected a map of key: value, found a scalar");
  CHECK(parse_identity("gcp: {zone: \"\"}\n", "id.yaml").status().message() ==
        "id.yaml:1:13: error: gcp.zone: expected a non-empty string");
  CHECK(load_identity("/nonexistent/id.yaml").status().message() ==
        "/nonexistent/id.yaml: error: cannot read identity file: No such file or directory");

  // The agent: --identity only in standalone mode; file errors exit 2 through the flag name.
  std::string dir = test::temp_dir("identity");
  std::ofstream(dir + "/id.yaml") << "aws: {bogus: 1}\ngcp: {zone: \"\"}\n";
  AgentOptions ao;
  ao.listen = "127.0.0.1:0";
  ao.upstream = "none";
  ao.control = "unix:" + dir + "/c.sock";
  ao.state_file = dir + "/state.json";
  ao.handle_signals = false;
  ao.identity_file = dir + "/id.yaml";
  SystemClock clock;
  {
    Agent a(ao, clock);
    // Two mistakes, two lines, each with the flag and FILE:LINE:COL.
    const std::string got = a.start().message();
    CHECK(got.rfind("--identity: " + dir + "/id.yaml:1:7: error: aws.bogus: unknown key; valid keys here: ", 0) == 0);
    CHECK(got.find("\n--identity: " + dir + "/id.yaml:2:13: error: gcp.zone: expected a non-empty string") !=
          std::string::npos);
    CHECK(std::count(got.begin(), got.end(), '\n') == 1);
  }
  ao.upstream = "169.254.169.254:80";
  {
    Agent a(ao, clock);
    CHECK(a.start().message() ==
          "--identity: only used with --upstream none (with an upstream the real service answers these paths)");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("identity: a file with several mistakes reports every one, one line each", "[chaos_agent][identity]") {
  // Three mistakes in three places: a misspelt AWS key, an empty Azure value, a provider that is not one.
  auto id = parse_identity(
      "aws: {instance-idd: i-0abc, instance-type: m5.large}\n"
      "azure:\n"
      "  location: \"\"\n"
      "oracle: {shape: VM.Standard2.1}\n",
      "id.yaml");
  REQUIRE_FALSE(id);
  CHECK(id.status().code() == spotsim::StatusCode::kInvalidInput);
  const std::string got = id.status().message();
  CHECK(got ==
        "id.yaml:1:7: error: aws.instance-idd: unknown key (did you mean \"instance-id\"?); valid keys here: "
        "account-id, ami-id, availability-zone, availability-zone-id, hostname, instance-id, instance-life-cycle, "
        "instance-type, local-hostname, local-ipv4, mac, region\n"
        "id.yaml:3:13: error: azure.location: expected a non-empty string\n"
        "id.yaml:4:1: error: oracle: unknown key; valid keys here: aws, azure, gcp");
  CHECK(std::count(got.begin(), got.end(), '\n') == 2);
  // A repeated key is a mistake too (yaml-cpp would keep both), and a key must be a name.
  CHECK(parse_identity("gcp: {zone: a, zone: b}\n", "id.yaml").status().message() ==
        "id.yaml:1:16: error: gcp.zone: duplicate key \"zone\": already defined at line 1, column 7 (each key may "
        "appear once in a map: rename or remove one)");
  CHECK(parse_identity("aws: {[a]: b}\n", "id.yaml").status().message() ==
        "id.yaml:1:7: error: aws: expected a key name, found a list");
}

TEST_CASE("identity: garbage never crashes the reader, and every line of an error names the file",
          "[chaos_agent][identity]") {
  const std::string base =
      "aws: {instance-id: i-0abc, availability-zone: eu-west-1b, instance-type: m5.large}\n"
      "azure: {location: westeurope, vmSize: Standard_D2s_v5, zone: \"2\"}\n"
      "gcp:\n  zone: europe-west4-a\n  project-id: drills\n";
  REQUIRE(parse_identity(base, "fuzz.yaml"));
  uint64_t x = 11;
  int refused = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string s = base;
    for (int k = 0; k < 3; ++k) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      s[(x >> 33) % s.size()] = "{}[]:,-\"' \n%9az&*!|>"[(x >> 20) % 20];
    }
    auto id = parse_identity(s, "fuzz.yaml");
    if (id) continue;
    ++refused;
    std::istringstream lines(id.status().message());
    for (std::string line; std::getline(lines, line);) CHECK(line.rfind("fuzz.yaml:", 0) == 0);
  }
  CHECK(refused > 100);
}

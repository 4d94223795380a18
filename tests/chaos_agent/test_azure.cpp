#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "chaos-agent/imds/azure.h"
#include "tests/chaos_agent/helpers.h"

using namespace agent;
using namespace agent::imds;
using boost::beast::http::verb;

namespace {
struct Az {
  FakeClock clock{test::t0()};
  ChaosState state{clock, std::chrono::hours(2), "spot-vm-7"};
  AzureImds az{state};
  Outcome call(verb m, const std::string& target, std::initializer_list<std::pair<std::string, std::string>> h,
               const std::string& body = "") {
    auto r = test::req(m, target, h, body);
    return az.handle(r, *parse_target(target), false);
  }
  Outcome get(const std::string& v = "2020-07-01") {
    return call(verb::get, "/metadata/scheduledevents?api-version=" + v, {{"Metadata", "true"}});
  }
};
}  // namespace

TEST_CASE("azure: Metadata header and api-version are required, with the service's error bodies",
          "[chaos_agent][azure]") {
  Az a;
  auto o = a.call(verb::get, "/metadata/scheduledevents?api-version=2020-07-01", {});
  CHECK(o.response.result_int() == 400);
  CHECK(o.response.body() == R"({"error":"Bad request. Required metadata header not specified"})");
  CHECK(o.response[boost::beast::http::field::connection] == "close");
  CHECK(a.call(verb::get, "/metadata/scheduledevents?api-version=2020-07-01", {{"metadata", "TRUE"}})
            .response.result_int() == 200);
  CHECK(a.call(verb::get, "/metadata/scheduledevents?api-version=2020-07-01", {{"Metadata", "yes"}})
            .response.result_int() == 400);
  o = a.call(verb::get, "/metadata/scheduledevents", {{"Metadata", "true"}});
  CHECK(o.response.result_int() == 400);
  CHECK(
      o.response.body() ==
      R"({"error":"Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds","newest-versions":["2020-07-01","2019-08-01","2019-01-01"]})");
  o = a.get("2099-01-01");
  CHECK(o.response.result_int() == 400);
  CHECK(nlohmann::json::parse(o.response.body())["error"] ==
        "Bad request. api-version is invalid or was not specified in the request. For more information refer to "
        "aka.ms/azureimds");
  CHECK(a.get("2017-08-01").response.result_int() == 200);
  CHECK(a.call(verb::get, "/metadata/scheduledevents?api-version=2020-07-01",
               {{"Metadata", "true"}, {"X-Forwarded-For", "1.2.3.4"}})
            .response.result_int() == 400);
}

TEST_CASE("azure: the Scheduled Events document, incarnation and ack", "[chaos_agent][azure]") {
  Az a;
  auto o = a.get();
  CHECK(o.response.body() == R"({"DocumentIncarnation":1,"Events":[]})");
  CHECK(o.response[boost::beast::http::field::content_type] == "application/json; charset=utf-8");
  InjectRequest r;
  r.providers = static_cast<unsigned>(Provider::kAzure);
  r.notice = std::chrono::seconds(30);
  auto inj = a.state.inject(r);
  o = a.get();
  CHECK(o.injection_id == inj->id);
  CHECK(
      o.response.body() ==
      R"({"DocumentIncarnation":2,"Events":[{"EventId":")" + inj->azure_event_id +
          R"(","EventStatus":"Scheduled","EventType":"Preempt","ResourceType":"VirtualMachine","Resources":["spot-vm-7"],"NotBefore":"Mon, 23 Nov 2026 18:00:30 GMT","Description":"Virtual machine is being preempted [chaos-agent game day, injection )" +
          inj->id + R"(]","EventSource":"Platform","DurationInSeconds":-1}]})");
  // Older api-versions get the older, smaller event shape.
  auto old = nlohmann::json::parse(a.get("2017-08-01").response.body());
  CHECK(!old["Events"][0].contains("EventSource"));
  CHECK(old["Events"][0]["NotBefore"] == "Mon, 23 Nov 2026 18:00:30 GMT");

  // Ack, form-encoded content type with a JSON body (as Python requests' data= sends it).
  std::string body = R"({"StartRequests": [{"EventId": ")" + inj->azure_event_id + R"("}]})";
  auto ack = a.call(verb::post, "/metadata/scheduledevents?api-version=2020-07-01",
                    {{"Metadata", "true"}, {"Content-Type", "application/x-www-form-urlencoded"}}, body);
  CHECK(ack.response.result_int() == 200);
  CHECK(ack.response.body().empty());
  CHECK(a.az.last_acked() == std::vector<std::string>{inj->azure_event_id});
  auto doc = nlohmann::json::parse(a.get().response.body());
  CHECK(doc["DocumentIncarnation"] == 3);
  CHECK(doc["Events"][0]["EventStatus"] == "Started");
  CHECK(doc["Events"][0]["NotBefore"] == "");
  // A second ack changes nothing.
  (void)a.call(verb::post, "/metadata/scheduledevents?api-version=2020-07-01", {{"Metadata", "true"}}, body);
  CHECK(a.az.last_acked().empty());
  CHECK(nlohmann::json::parse(a.get().response.body())["DocumentIncarnation"] == 3);
  auto bad = a.call(verb::post, "/metadata/scheduledevents?api-version=2020-07-01", {{"Metadata", "true"}}, "nope");
  CHECK(bad.response.result_int() == 400);
  a.state.clear();
  CHECK(a.get().response.body() == R"({"DocumentIncarnation":4,"Events":[]})");
}

TEST_CASE("azure: maintenance event types and /metadata/instance without upstream", "[chaos_agent][azure]") {
  Az a;
  InjectRequest m;
  m.kind = Kind::kMaintenance;
  m.azure_event_type = "Freeze";
  m.notice = std::chrono::minutes(15);
  (void)a.state.inject(m);
  auto ev = nlohmann::json::parse(a.get().response.body())["Events"][0];
  CHECK(ev["EventType"] == "Freeze");
  CHECK(ev["DurationInSeconds"] == 5);
  auto inst = a.call(verb::get, "/metadata/instance?api-version=2021-02-01", {{"Metadata", "true"}});
  CHECK(nlohmann::json::parse(inst.response.body())["compute"]["name"] == "spot-vm-7");
  auto name =
      a.call(verb::get, "/metadata/instance/compute/name?api-version=2021-02-01&format=text", {{"Metadata", "true"}});
  CHECK(name.response.body() == "spot-vm-7");
  CHECK(a.call(verb::get, "/metadata/instance?api-version=2021-02-01", {}).response.result_int() == 400);
}

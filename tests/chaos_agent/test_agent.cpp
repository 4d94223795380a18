// The agent as a whole, in-process: upstream pass-through, control auth, dead-man expiry,
// deadline actions and drain time, metrics.
#include <catch2/catch.hpp>

#include <fstream>

#include "chaos-agent/core/process.h"
#include "chaos-agent/http/client.h"
#include "tests/chaos_agent/helpers.h"

using namespace agent;

namespace {
// A fake upstream metadata service on loopback that echoes what it received.
struct FakeUpstream {
  boost::asio::io_context io;
  agent::http::Server server{
      io, {}, [this](agent::http::Request&& req, const std::string&, agent::http::Respond respond) {
        ++requests;
        agent::http::Response r{req["X-aws-ec2-metadata-token"] == "BAD" ? boost::beast::http::status::unauthorized
                                                                         : boost::beast::http::status::ok,
                                11};
        r.set("X-Upstream", "yes");
        std::string host(req[boost::beast::http::field::host]);
        r.body() = std::string(req.method_string()) + " " + std::string(req.target()) + " host=" + host +
                   " xff=" + std::string(req["X-Forwarded-For"]);
        if (req.target() == "/latest/api/token") {
          r.set("X-aws-ec2-metadata-token-ttl-seconds", std::string(req["X-aws-ec2-metadata-token-ttl-seconds"]));
          r.body() = "REALTOKEN";
        }
        respond(std::move(r));
      }};
  std::thread thread;
  int requests = 0;
  FakeUpstream() {
    REQUIRE(server.listen_tcp("127.0.0.1", 0));
    thread = std::thread([this] { io.run(); });
  }
  ~FakeUpstream() {
    boost::asio::post(io, [this] {
      server.close();
      io.stop();
    });
    thread.join();
  }
  std::string addr() const { return "127.0.0.1:" + std::to_string(server.port()); }
};

agent::http::Response get(uint16_t port, const std::string& target,
                          std::initializer_list<std::pair<std::string, std::string>> h = {},
                          boost::beast::http::verb m = boost::beast::http::verb::get) {
  agent::http::Endpoint ep;
  ep.host = "127.0.0.1";
  ep.port = port;
  auto r = agent::http::request(ep, test::req(m, target, h), std::chrono::seconds(5));
  REQUIRE(r);
  return r.value();
}
}  // namespace

TEST_CASE("agent: everything else is passed through to the one upstream", "[chaos_agent][agent]") {
  FakeUpstream up;
  AgentOptions o;
  o.upstream = up.addr();
  test::RunningAgent agent(o);
  auto r = get(agent.port(), "/latest/meta-data/instance-id");
  CHECK(r.result_int() == 200);
  CHECK(r["X-Upstream"] == "yes");
  CHECK(r.body() == "GET /latest/meta-data/instance-id host=" + up.addr() + " xff=");
  r = get(agent.port(), "/computeMetadata/v1/instance/hostname",
          {{"Metadata-Flavor", "Google"}, {"Host", "metadata.google.internal"}});
  CHECK(r.body() == "GET /computeMetadata/v1/instance/hostname host=metadata.google.internal xff=");
  // The token is minted upstream and then accepted on the chaos paths.
  r = get(agent.port(), "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "300"}},
          boost::beast::http::verb::put);
  CHECK(r.body() == "REALTOKEN");
  agent.inject({{"kind", "preempt"}, {"provider", "aws"}});
  r = get(agent.port(), "/latest/meta-data/spot/instance-action", {{"X-aws-ec2-metadata-token", "REALTOKEN"}});
  CHECK(r.result_int() == 200);
  // A token minted by the real IMDS before the agent started is checked with it once.
  r = get(agent.port(), "/latest/meta-data/spot/instance-action", {{"X-aws-ec2-metadata-token", "OLDTOKEN"}});
  CHECK(r.result_int() == 200);
  r = get(agent.port(), "/latest/meta-data/spot/instance-action", {{"X-aws-ec2-metadata-token", "BAD"}});
  CHECK(r.result_int() == 401);
  int before = up.requests;
  (void)get(agent.port(), "/latest/meta-data/spot/instance-action");
  CHECK(up.requests == before);  // chaos paths never reach the upstream
  // Foreign Host names are refused, not forwarded.
  r = get(agent.port(), "/latest/meta-data/instance-id", {{"Host", "example.com"}});
  CHECK(r.result_int() == 400);
  CHECK(up.requests == before);
}

TEST_CASE("agent: an unreachable upstream answers 502", "[chaos_agent][agent]") {
  AgentOptions o;
  o.upstream = "127.0.0.1:1";
  test::RunningAgent agent(o);
  auto r = get(agent.port(), "/latest/meta-data/instance-id");
  CHECK(r.result_int() == 502);
}

TEST_CASE("agent: TCP control is loopback-only and needs the token file's bearer token", "[chaos_agent][agent]") {
  AgentOptions o;
  o.control = "127.0.0.1:0";
  test::RunningAgent agent(o);
  agent::http::Endpoint ep;
  ep.host = "127.0.0.1";
  ep.port = agent.agent().control_port();
  auto r = agent::http::request(ep, test::req(boost::beast::http::verb::get, "/v1/status"), std::chrono::seconds(5));
  CHECK(r->result_int() == 401);
  auto c = control::Client::connect("127.0.0.1:" + std::to_string(ep.port), agent.agent().options().token_file);
  REQUIRE(c);
  CHECK(c->get("/v1/status"));
  CHECK(c->get_text("/metrics")->find("chaos_agent_requests_total") != std::string::npos);

  AgentOptions bad;
  bad.control = "0.0.0.0:0";
  bad.upstream = "none";
  bad.listen = "127.0.0.1:0";
  SystemClock clock;
  Agent a(bad, clock);
  auto s = a.start();
  REQUIRE(!s);
  CHECK(s.message() == "--control: 0.0.0.0 is not a loopback address; the control endpoint is local only");
}

TEST_CASE("agent: control errors name the field", "[chaos_agent][agent]") {
  test::RunningAgent agent;
  auto r = agent.control().post("/v1/inject", {{"kind", "preempt"}, {"notice", "soon"}});
  REQUIRE(!r);
  CHECK(r.status().message() == "notice: expected a duration like 90s, 15m, 2h or 7d, found \"soon\"");
  // A JSON number is a bare number: refused as in a plan (is 120 seconds or minutes?).
  r = agent.control().post("/v1/inject", {{"kind", "preempt"}, {"ttl", 120}});
  REQUIRE(!r);
  CHECK(r.status().message() ==
        "ttl: duration \"120\" has no unit; write e.g. \"120s\" (units: us, ms, s, m, h, d, w)");
  r = agent.control().post("/v1/inject", {{"kind", "evict"}});
  CHECK(r.status().message() == "kind: expected preempt, rebalance or maintenance, got 'evict'");
}

TEST_CASE("agent: the dead-man switch expires injections by itself", "[chaos_agent][agent]") {
  AgentOptions o;
  o.max_duration = std::chrono::milliseconds(300);
  o.tick = std::chrono::milliseconds(20);
  test::RunningAgent agent(o);
  agent.inject({{"kind", "preempt"}, {"ttl", "1h"}});
  CHECK(agent.control().get("/v1/status")->at("injections").size() == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(agent.control().get("/v1/status")->at("injections").empty());
  CHECK(get(agent.port(), "/computeMetadata/v1/instance/preempted", {{"Metadata-Flavor", "Google"}}).body() == "FALSE");
  auto rep = agent.control().get("/v1/report");
  CHECK(rep->at("injections")[0]["ended"]["how"] == "expire");
}

TEST_CASE("agent: at the deadline SIGTERM the workload - drain time is measured", "[chaos_agent][agent]") {
  auto pid = spawn({"sleep", "30"});
  REQUIRE(pid);
  AgentOptions o;
  o.tick = std::chrono::milliseconds(20);
  o.at_deadline = parse_action("sigterm:" + std::to_string(pid.value()), false).value();
  std::string dir = test::temp_dir("deadline");
  o.audit_path = dir + "/audit.jsonl";
  test::RunningAgent agent(o);
  agent.inject({{"kind", "preempt"}, {"provider", "aws"}, {"notice", "200ms"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  CHECK(!process_alive(pid.value()));
  auto rep = agent.control().get("/v1/report");
  const auto& inj = rep->at("injections")[0];
  REQUIRE(inj["drain_time_s"].is_number());
  CHECK(inj["drain_time_s"].get<double>() >= 0.2);
  auto events = read_audit_file(dir + "/audit.jsonl");
  bool action = false;
  for (const auto& e : events.value())
    if (e["event"] == "action") action = e["result"] == "sent SIGTERM to pid " + std::to_string(pid.value());
  CHECK(action);
  std::filesystem::remove_all(dir);
}

TEST_CASE("agent: shutdown needs --allow-shutdown - actions parse with clear errors", "[chaos_agent][agent]") {
  CHECK(parse_action("shutdown", false).status().message() ==
        "--at-deadline shutdown: refusing to power off this machine without --allow-shutdown");
  CHECK(parse_action("shutdown", true));
  CHECK(parse_action("sigterm:abc", false).status().message() ==
        "--at-deadline: 'abc' is not a process id (> 1) (expected none, sigterm:PID, sigterm:pidfile:PATH, "
        "systemctl-stop:UNIT, exec:COMMAND or shutdown)");
  CHECK(parse_action("exec:touch /tmp/x", false)->type == EvictionAction::Type::kCommand);
  CHECK(parse_workload("unit:my.service")->arg == "my.service");
}

TEST_CASE("agent: an Azure ack brings the deadline forward and runs the action", "[chaos_agent][agent]") {
  std::string dir = test::temp_dir("ack");
  AgentOptions o;
  o.tick = std::chrono::milliseconds(20);
  o.at_deadline = parse_action("exec:touch " + dir + "/evicted", false).value();
  test::RunningAgent agent(o);
  auto inj = agent.inject({{"kind", "preempt"}, {"provider", "azure"}, {"notice", "10m"}});
  std::string id = inj["azure_event_id"];
  auto r = get(agent.port(), "/metadata/scheduledevents?api-version=2020-07-01", {{"Metadata", "true"}});
  agent::http::Endpoint ep;
  ep.host = "127.0.0.1";
  ep.port = agent.port();
  auto post = test::req(boost::beast::http::verb::post, "/metadata/scheduledevents?api-version=2020-07-01",
                        {{"Metadata", "true"}}, R"({"StartRequests":[{"EventId":")" + id + R"("}]})");
  auto ack = agent::http::request(ep, post, std::chrono::seconds(5));
  INFO((ack ? "" : ack.status().message()));
  REQUIRE(ack);
  CHECK(ack->result_int() == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(std::filesystem::exists(dir + "/evicted"));
  auto rep = agent.control().get("/v1/report");
  CHECK(rep->at("injections")[0]["ack_latency_s"].is_number());
  std::filesystem::remove_all(dir);
}

TEST_CASE("agent: a failed second serve on the same TCP control port leaves the first agent's token alone",
          "[chaos_agent][agent]") {
  AgentOptions o;
  o.control = "127.0.0.1:0";
  test::RunningAgent a(o);
  const std::string token_file = a.agent().options().token_file;
  std::string before;
  std::getline(std::ifstream(token_file), before);
  REQUIRE(before.size() == 48);
  const std::string control = "127.0.0.1:" + std::to_string(a.agent().control_port());

  AgentOptions second;
  second.listen = "127.0.0.1:0";
  second.upstream = "none";
  second.control = control;
  second.token_file = token_file;
  second.state_file = a.dir() + "/second-state.json";
  second.handle_signals = false;
  SystemClock clock;
  {
    Agent b(second, clock);
    auto s = b.start();
    REQUIRE(!s);
    CHECK(s.message() == "--control: cannot listen on 127.0.0.1:" + std::to_string(a.agent().control_port()) +
                             ": Address already in use");
  }
  std::string after;
  std::getline(std::ifstream(token_file), after);
  CHECK(after == before);
  auto c = control::Client::connect(control, token_file);
  REQUIRE(c);
  CHECK(c->get("/v1/status"));  // status/clear against the first agent still work
  CHECK(c->post("/v1/clear", {{"reason", "test"}}));
  CHECK(!std::filesystem::exists(token_file + ".tmp." + std::to_string(::getpid())));
}

TEST_CASE("agent: a second serve on the same unix control socket fails and leaves the first one's socket",
          "[chaos_agent][agent]") {
  test::RunningAgent a;
  const std::string control = a.agent().options().control;
  AgentOptions second;
  second.listen = "127.0.0.1:0";
  second.upstream = "none";
  second.control = control;
  second.state_file = a.dir() + "/second-state.json";
  second.handle_signals = false;
  SystemClock clock;
  {
    Agent b(second, clock);
    auto s = b.start();
    REQUIRE(!s);
    CHECK(s.message() == "--control: cannot listen on " + control +
                             ": another process is listening on it (another chaos-agent?); refusing to replace it");
  }
  CHECK(a.control().get("/v1/status"));
}

TEST_CASE("agent: a workload already gone at the notice reports \"process not running\", not a drain time",
          "[chaos_agent][agent]") {
  auto pid = spawn({"true"});
  REQUIRE(pid);
  for (int i = 0; i < 200 && process_alive(pid.value()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(!process_alive(pid.value()));
  AgentOptions o;
  o.tick = std::chrono::milliseconds(20);
  o.at_deadline = parse_action("sigterm:" + std::to_string(pid.value()), false).value();
  std::string dir = test::temp_dir("gone");
  o.audit_path = dir + "/audit.jsonl";
  test::RunningAgent agent(o);
  auto inj = agent.inject({{"kind", "preempt"}, {"provider", "aws"}, {"notice", "100ms"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto rep = agent.control().get("/v1/report");
  const auto& row = rep->at("injections")[0];
  CHECK(row["drain_time_s"].is_null());
  CHECK(row["drain_status"] == "process not running");
  CHECK(rep->at("summary")["drain_time_s"].is_null());
  CHECK(rep->at("summary")["drain_process_not_running"] == 1);
  std::string text = format_report(rep.value());
  CHECK(text.find(" process not running ") != std::string::npos);
  CHECK(text.find("drain not timed: process not running at the notice: 1\n") != std::string::npos);
  bool event = false;
  auto log = read_audit_file(dir + "/audit.jsonl");
  REQUIRE(log);
  for (const auto& e : log.value())
    if (e["event"] == "workload_not_running")
      event = e["injection"] == inj["injection"] && e["workload"] == "pid:" + std::to_string(pid.value()) &&
              e["detail"] == "process " + std::to_string(pid.value()) + " is not running";
  CHECK(event);
  std::filesystem::remove_all(dir);
}

TEST_CASE("agent: expiries name their cause - a --ttl is not the dead-man switch", "[chaos_agent][agent]") {
  AgentOptions o;
  o.tick = std::chrono::milliseconds(20);
  std::string dir = test::temp_dir("ttl");
  o.audit_path = dir + "/audit.jsonl";
  {
    test::RunningAgent agent(o);
    agent.inject({{"kind", "preempt"}, {"provider", "gcp"}, {"ttl", "300ms"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    auto rep = agent.control().get("/v1/report");
    CHECK(rep->at("injections")[0]["ended"]["how"] == "expire");
    CHECK(rep->at("injections")[0]["ended"]["cause"] == "ttl");
  }
  std::vector<nlohmann::json> expires;
  auto log = read_audit_file(dir + "/audit.jsonl");
  REQUIRE(log);
  for (const auto& e : log.value())
    if (e["event"] == "expire") expires.push_back(e);
  REQUIRE(expires.size() == 1);
  CHECK(expires[0]["cause"] == "ttl");
  CHECK(expires[0]["reason"] == "ttl: the injection's ttl of 300ms ran out");
  std::filesystem::remove_all(dir);
}

TEST_CASE("agent: an Azure notice under 30s is refused unless allow_unrealistic, which is audited",
          "[chaos_agent][agent]") {
  std::string dir = test::temp_dir("unreal");
  AgentOptions o;
  o.audit_path = dir + "/audit.jsonl";
  {
    test::RunningAgent agent(o);
    auto r = agent.control().post("/v1/inject", {{"kind", "preempt"}, {"provider", "azure"}, {"notice", "10s"}});
    REQUIRE(!r);
    CHECK(r.status().message() ==
          "notice: Azure Scheduled Events give Preempt at least 30s of notice, got 10s "
          "(a shorter notice is accepted only with --allow-unrealistic)");
    CHECK(agent.control().get("/v1/status")->at("injections").empty());
    agent.inject({{"kind", "preempt"}, {"provider", "azure"}, {"notice", "10s"}, {"allow_unrealistic", true}});
  }
  int injects = 0;
  auto log = read_audit_file(dir + "/audit.jsonl");
  REQUIRE(log);
  for (const auto& e : log.value()) {
    if (e["event"] != "inject") continue;
    ++injects;
    CHECK(e["unrealistic"] ==
          "Azure Scheduled Events give Preempt at least 30s of notice, got 10s (accepted with --allow-unrealistic)");
  }
  CHECK(injects == 1);
  std::filesystem::remove_all(dir);
}

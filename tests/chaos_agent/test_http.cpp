// Byte-level HTTP robustness of the metadata listener: pipelining, malformed and oversized
// requests, slowloris, connection close on errors, thousands of concurrent long-polls.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include "tests/chaos_agent/helpers.h"

using namespace agent;

namespace {
const std::string kPreempted =
    "GET /computeMetadata/v1/instance/preempted HTTP/1.1\r\nHost: metadata.google.internal\r\n"
    "Metadata-Flavor: Google\r\n\r\n";
int count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("http: pipelined requests are answered in order on one connection", "[chaos_agent][http]") {
  test::RunningAgent agent;
  test::RawClient c(agent.port());
  REQUIRE(c.send(kPreempted + kPreempted + kPreempted));
  std::string out = c.read_responses(3);
  CHECK(count(out, "HTTP/1.1 200 OK\r\n") == 3);
  CHECK(count(out, "\r\n\r\nFALSE") == 3);
  CHECK(!c.closed());
}

TEST_CASE("http: every 4xx closes the connection (AWS JS SDK would hang otherwise)", "[chaos_agent][http]") {
  test::RunningAgent agent;
  test::RawClient c(agent.port());
  REQUIRE(c.send("GET //latest/meta-data/spot/instance-action HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n" + kPreempted));
  std::string out = c.read_all();
  CHECK(out.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
  CHECK(out.find("Connection: close\r\n") != std::string::npos);
  CHECK(count(out, "HTTP/1.1") == 1);  // the pipelined second request is not answered
  CHECK(c.closed());
}

TEST_CASE("http: malformed requests get 400 and a close", "[chaos_agent][http]") {
  test::RunningAgent agent;
  for (const char* bad : {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                          "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                          "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n"}) {
    INFO(bad);
    test::RawClient c(agent.port());
    REQUIRE(c.send(bad));
    std::string out = c.read_all();
    CHECK(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(c.closed());
  }
  test::RawClient abs(agent.port());
  REQUIRE(abs.send("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n"));
  CHECK(abs.read_all().rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
  test::RawClient conn(agent.port());
  REQUIRE(conn.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
  CHECK(conn.read_all().rfind("HTTP/1.1 4", 0) == 0);
}

TEST_CASE("http: oversized headers get 431, oversized bodies 413", "[chaos_agent][http]") {
  AgentOptions o;
  o.limits.header_limit = 4096;
  o.limits.body_limit = 1024;
  test::RunningAgent agent(o);
  test::RawClient h(agent.port());
  REQUIRE(h.send("GET / HTTP/1.1\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n"));
  CHECK(h.read_all().rfind("HTTP/1.1 431 ", 0) == 0);
  CHECK(h.closed());
  test::RawClient b(agent.port());
  REQUIRE(
      b.send("POST /metadata/scheduledevents?api-version=2020-07-01 HTTP/1.1\r\nMetadata: true\r\n"
             "Content-Length: 100000\r\n\r\n" +
             std::string(2000, 'x')));
  CHECK(b.read_all().rfind("HTTP/1.1 413 ", 0) == 0);
  CHECK(b.closed());
}

TEST_CASE("http: a slowloris client is disconnected after the read timeout", "[chaos_agent][http]") {
  AgentOptions o;
  o.limits.read_timeout = std::chrono::milliseconds(300);
  o.limits.idle_timeout = std::chrono::milliseconds(500);
  test::RunningAgent agent(o);
  test::RawClient slow(agent.port());
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(slow.send("GET /computeMetadata/v1/instance/preempted HTTP/1.1\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  slow.send("Metadata-Flavor: Go");  // trickle
  std::string out = slow.read_all(std::chrono::milliseconds(3000));
  CHECK(out.empty());
  CHECK(slow.closed());
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(2500));
  // An idle keep-alive connection is closed too.
  test::RawClient idle(agent.port());
  REQUIRE(idle.send(kPreempted));
  CHECK(idle.read_responses(1).find("FALSE") != std::string::npos);
  idle.read_all(std::chrono::milliseconds(2000));
  CHECK(idle.closed());
}

TEST_CASE("http: 2000 concurrent GCP wait_for_change long-polls are all woken by one injection",
          "[chaos_agent][http]") {
  constexpr int kClients = 2000;
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 2 * kClients + 200 && rl.rlim_max > rl.rlim_cur) {  // raise the soft limit if allowed
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 2 * kClients + 200);
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur < 2 * kClients + 200) {
    WARN("skipped: RLIMIT_NOFILE " << rl.rlim_cur << " is below " << 2 * kClients + 200);
    return;
  }
  test::RunningAgent agent;
  std::vector<std::unique_ptr<test::RawClient>> clients;
  const std::string wait =
      "GET /computeMetadata/v1/instance/preempted?wait_for_change=true&timeout_sec=60 HTTP/1.1\r\n"
      "Host: metadata.google.internal\r\nMetadata-Flavor: Google\r\n\r\n";
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<test::RawClient>(agent.port()));
    REQUIRE(clients.back()->send(wait));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int held = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    held = agent.control().get("/v1/status")->at("longpolls").get<int>();
    if (held == kClients) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(held == kClients);
  agent.inject({{"kind", "preempt"}, {"provider", "gcp"}, {"notice", "30s"}});
  int woken = 0;
  for (auto& c : clients) {
    std::string out = c->read_responses(1, std::chrono::milliseconds(10000));
    if (out.rfind("HTTP/1.1 200 OK", 0) == 0 && out.find("\r\n\r\nTRUE") != std::string::npos) ++woken;
  }
  CHECK(woken == kClients);
  CHECK(agent.control().get("/v1/status")->at("longpolls") == 0);
  auto report = agent.control().get("/v1/report");
  CHECK(report->at("injections")[0]["reads"] == kClients);
}

TEST_CASE("http: a long-poll ends with the current value when timeout_sec elapses", "[chaos_agent][http]") {
  test::RunningAgent agent;
  test::RawClient c(agent.port());
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(
      c.send("GET /computeMetadata/v1/instance/preempted?wait_for_change=true&timeout_sec=1 HTTP/1.1\r\n"
             "Metadata-Flavor: Google\r\n\r\n"));
  std::string out = c.read_responses(1, std::chrono::milliseconds(5000));
  auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(out.find("\r\n\r\nFALSE") != std::string::npos);
  CHECK(waited >= std::chrono::milliseconds(900));
}

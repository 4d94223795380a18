// bench_agent: p50/p99/p99.9 latency of metadata GETs at a fixed request rate (open loop:
// latency counts from each request's scheduled time, so queueing is not hidden), on loopback,
// against (a) chaos-agent serving a live notice and (b) a plain static Beast HTTP server
// returning the same bytes. Prints both and the ratio.
//
//   bench_agent [--rate 5000] [--seconds 5] [--connections 64]
#include <algorithm>
#include <utility>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "chaos-agent/agent.h"
#include "chaos-agent/control/control_api.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kBody = R"({"action":"terminate","time":"2026-11-23T18:02:00Z"})";

// ---- baseline: the smallest reasonable static Beast server ---------------------------------
class StaticSession : public std::enable_shared_from_this<StaticSession> {
 public:
  explicit StaticSession(tcp::socket s) : stream_(std::move(s)) {}
  void start() { read(); }

 private:
  void read() {
    req_ = {};
    bhttp::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      auto res = std::make_shared<bhttp::response<bhttp::string_body>>(bhttp::status::ok, self->req_.version());
      res->set(bhttp::field::content_type, "text/plain");
      res->set(bhttp::field::server, "EC2ws");
      res->keep_alive(self->req_.keep_alive());
      res->body() = kBody;
      res->prepare_payload();
      bhttp::async_write(self->stream_, *res, [self, res](beast::error_code ec, size_t) {
        if (!ec) self->read();
      });
    });
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  bhttp::request<bhttp::string_body> req_;
};

void static_accept(tcp::acceptor& acc) {
  acc.async_accept([&acc](beast::error_code ec, tcp::socket s) {
    if (ec) return;
    std::make_shared<StaticSession>(std::move(s))->start();
    static_accept(acc);
  });
}

// ---- open-loop load generator ---------------------------------------------------------------
struct Conn : std::enable_shared_from_this<Conn> {
  explicit Conn(asio::io_context& io) : stream(io) {}
  beast::tcp_stream stream;
  beast::flat_buffer buf;
  bhttp::request<bhttp::empty_body> req;
  bhttp::response<bhttp::string_body> res;
  std::deque<Clock::time_point> due;  // scheduled send times not yet answered
  bool busy = false;
  std::vector<double>* lat = nullptr;
  int* errors = nullptr;
  int* done = nullptr;

  void kick() {
    if (busy || due.empty()) return;
    busy = true;
    bhttp::async_write(stream, req, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->fail();
      self->res = {};
      bhttp::async_read(self->stream, self->buf, self->res, [self](beast::error_code ec, size_t) {
        if (ec) return self->fail();
        // Same shape for both servers; the agent's notice time differs from the static copy.
        if (self->res.result_int() != 200 || self->res.body().rfind(R"({"action":"terminate","time":")", 0) != 0)
          ++*self->errors;
        auto t = self->due.front();
        self->due.pop_front();
        self->lat->push_back(std::chrono::duration<double>(Clock::now() - t).count());
        ++*self->done;
        self->busy = false;
        self->kick();
      });
    });
  }
  void fail() {
    *errors += static_cast<int>(due.size());
    *done += static_cast<int>(due.size());
    due.clear();
    busy = false;
  }
};

struct Result {
  double p50, p99, p999, max, rate;
  int errors;
};

Result run_load(uint16_t port, const std::string& target, std::vector<std::pair<std::string, std::string>> headers,
                int rate, double seconds, int connections) {
  asio::io_context io;
  std::vector<double> lat;
  lat.reserve(static_cast<size_t>(rate * seconds) + 16);
  int errors = 0, done = 0;
  std::vector<std::shared_ptr<Conn>> conns;
  for (int i = 0; i < connections; ++i) {
    auto c = std::make_shared<Conn>(io);
    c->stream.socket().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    c->stream.socket().set_option(tcp::no_delay(true));
    c->req = {bhttp::verb::get, target, 11};
    c->req.set(bhttp::field::host, "169.254.169.254");
    for (auto& [k, v] : headers) c->req.set(k, v);
    c->req.keep_alive(true);
    c->lat = &lat;
    c->errors = &errors;
    c->done = &done;
    conns.push_back(c);
  }
  const long total = static_cast<long>(rate * seconds);
  const auto interval = std::chrono::nanoseconds(1000000000L / rate);
  asio::steady_timer timer(io);
  auto start = Clock::now();
  long sent = 0;
  std::function<void()> tick = [&] {
    auto now = Clock::now();
    while (sent < total && start + interval * sent <= now) {
      auto& c = conns[static_cast<size_t>(sent % connections)];
      c->due.push_back(start + interval * sent);
      c->kick();
      ++sent;
    }
    if (sent < total) {
      timer.expires_at(start + interval * sent);
      timer.async_wait([&](beast::error_code) { tick(); });
    }
  };
  tick();
  // Run until every request is answered (or failed).
  while (done < total) {
    io.run_for(std::chrono::milliseconds(100));
    if (Clock::now() - start > std::chrono::duration<double>(seconds * 3 + 10)) break;
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) { return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, static_cast<size_t>(p * static_cast<double>(lat.size())))]; };
  return {pct(0.5), pct(0.99), pct(0.999), lat.empty() ? 0 : lat.back(), static_cast<double>(done) / elapsed,
          errors + static_cast<int>(total - static_cast<long>(lat.size()))};
}

void print(const char* name, const Result& r) {
  std::printf("%-28s p50 %8.1f us   p99 %8.1f us   p99.9 %8.1f us   max %8.1f us   %7.0f req/s   errors %d\n", name,
              r.p50 * 1e6, r.p99 * 1e6, r.p999 * 1e6, r.max * 1e6, r.rate, r.errors);
}

}  // namespace

int main(int argc, char** argv) {
  int rate = 5000, connections = 64;
  double seconds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--rate") rate = std::stoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stod(argv[i + 1]);
    else if (a == "--connections") connections = std::stoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--rate N] [--seconds S] [--connections C]\n", argv[0]);
      return 2;
    }
  }
  // The agent, on its own thread, serving a live AWS notice.
  chaos::SystemClock clock;
  chaos::AgentOptions o;
  o.listen = "127.0.0.1:0";
  o.upstream = "none";
  char dir[] = "/tmp/chaos-agent-bench-XXXXXX";
  o.control = std::string("unix:") + ::mkdtemp(dir) + "/control.sock";
  o.state_file = std::string(dir) + "/state.json";
  o.handle_signals = false;
  chaos::Agent agent(o, clock);
  if (auto s = agent.start(); !s) {
    std::fprintf(stderr, "bench_agent: %s\n", s.error().c_str());
    return 3;
  }
  std::thread agent_thread([&] { agent.run(); });
  chaos::control::Client ctl(chaos::http::parse_endpoint(o.control, "c").value(), "");
  auto inj = ctl.post("/v1/inject", {{"kind", "preempt"}, {"provider", "aws"}, {"notice", "120s"}});
  if (!inj) {
    std::fprintf(stderr, "bench_agent: %s\n", inj.error().c_str());
    return 3;
  }
  // The baseline, on its own thread.
  asio::io_context base_io;
  tcp::acceptor acc(base_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  static_accept(acc);
  std::thread base_thread([&] { base_io.run(); });
  uint16_t base_port = acc.local_endpoint().port();

  std::printf("bench_agent: GET /latest/meta-data/spot/instance-action, %d req/s for %.0f s over %d keep-alive "
              "connections, open loop, loopback\n", rate, seconds, connections);
  // Warm-up both, then measure the baseline and the agent, then the baseline again.
  (void)run_load(base_port, "/latest/meta-data/spot/instance-action", {}, rate, 0.5, connections);
  (void)run_load(agent.metadata_port(), "/latest/meta-data/spot/instance-action", {}, rate, 0.5, connections);
  Result b1 = run_load(base_port, "/latest/meta-data/spot/instance-action", {}, rate, seconds, connections);
  Result a = run_load(agent.metadata_port(), "/latest/meta-data/spot/instance-action", {}, rate, seconds, connections);
  Result b2 = run_load(base_port, "/latest/meta-data/spot/instance-action", {}, rate, seconds, connections);
  print("static Beast server (1st)", b1);
  print("chaos-agent", a);
  print("static Beast server (2nd)", b2);
  double base_p99 = std::min(b1.p99, b2.p99);
  double base_p50 = std::min(b1.p50, b2.p50);
  std::printf("ratio chaos-agent / static: p50 %.2fx, p99 %.2fx (baseline = the better of its two runs)\n",
              a.p50 / base_p50, a.p99 / base_p99);

  agent.stop("bench done");
  agent_thread.join();
  acc.close();
  base_io.stop();
  base_thread.join();
  std::string cleanup = std::string("rm -rf ") + dir;
  return std::system(cleanup.c_str()) == 0 ? 0 : 0;
}

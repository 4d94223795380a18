// bench_agent: latency of metadata GETs at fixed request rates on loopback, chaos-agent side by
// side with a plain static Beast HTTP server returning the same bytes, in the same run.
//
// The load generator is open loop: request i is due at start + i/rate whatever happened before,
// and its latency counts from that due time, so queueing (in the server or in the generator) is
// never hidden. It is a single thread on epoll + timerfd with raw non-blocking sockets, a
// prebuilt request and a minimal response parser, so its own cost per request is small; its
// floor is what it measures against the static server. It also reports its send lag (actual
// send time - due time): a large lag means the generator, not the server, is the limit.
//
// Servers (each on its own thread, idle while another is measured):
//   static         the smallest reasonable Beast server answering the same body
//   agent          chaos-agent with a live AWS notice, audit log in memory only
//   agent+audit    the same with --audit FILE (a JSON line per read, written by the writer thread)
// For each rate the three are measured in turn, `--repeat` times, and the medians are printed,
// with the CPU time the server side spent per request (process CPU minus the generator thread).
//
//   bench_agent [--rates 1000,2000,5000] [--seconds 3] [--repeat 3] [--connections 64] [--realtime]
//
// --realtime runs every thread of the benchmark (generator, servers, audit writer) under
// SCHED_FIFO priority 1, when permitted: on a machine shared with other work this separates the
// servers' own latency from waiting for a CPU behind unrelated processes. The kernel's RT
// throttling (95% by default) still leaves time to everything else. Off by default.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
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

const std::string kTarget = "/latest/meta-data/spot/instance-action";
const std::string kBody = R"({"action":"terminate","time":"2026-11-23T18:02:00Z"})";
const std::string kBodyPrefix = R"({"action":"terminate","time":")";

// ---- baseline: the smallest reasonable static Beast server ---------------------------------
class StaticSession : public std::enable_shared_from_this<StaticSession> {
 public:
  explicit StaticSession(tcp::socket s) : stream_(std::move(s)) {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }
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
      bhttp::async_write(self->stream_, *res, [self, res](beast::error_code write_ec, size_t) {
        if (!write_ec) self->read();
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
double cpu_seconds(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Conn {
  int fd = -1;
  std::deque<Clock::time_point> due;  // requests due but not answered (front is in flight if busy)
  bool busy = false;
  std::string in;
};

struct Result {
  double p50 = 0, p99 = 0, p999 = 0, max = 0, rate = 0;
  double lag_p99 = 0;           // generator: send time - due time
  double server_cpu_us = 0;     // server-side CPU per request
  double generator_cpu_us = 0;  // generator CPU per request
  long errors = 0;
};

double pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Parses complete responses at the front of c.in; returns false on a malformed one.
bool take_response(Conn& c, bool& complete, bool& ok) {
  complete = false;
  size_t end = c.in.find("\r\n\r\n");
  if (end == std::string::npos) return c.in.size() < 65536;
  size_t len = 0;
  bool have_len = false;
  for (size_t pos = c.in.find("\r\n"); pos != std::string::npos && pos < end; pos = c.in.find("\r\n", pos + 2)) {
    static const char kCl[] = "content-length:";
    if (c.in.size() >= pos + 2 + sizeof kCl - 1 && strncasecmp(c.in.data() + pos + 2, kCl, sizeof kCl - 1) == 0) {
      len = std::strtoul(c.in.c_str() + pos + 2 + sizeof kCl - 1, nullptr, 10);
      have_len = true;
    }
  }
  if (!have_len) return false;
  if (c.in.size() < end + 4 + len) return true;
  ok = c.in.compare(0, 12, "HTTP/1.1 200") == 0 && c.in.compare(end + 4, kBodyPrefix.size(), kBodyPrefix) == 0;
  c.in.erase(0, end + 4 + len);
  complete = true;
  return true;
}

Result run_load(uint16_t port, int rate, double seconds, int connections) {
  const std::string request =
      "GET " + kTarget + " HTTP/1.1\r\nHost: 169.254.169.254\r\nUser-Agent: bench_agent\r\n\r\n";
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_event tev{};
  tev.events = EPOLLIN;
  tev.data.u64 = ~0ULL;
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);
  std::vector<Conn> conns(static_cast<size_t>(connections));
  for (size_t i = 0; i < conns.size(); ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      std::perror("bench_agent: connect");
      std::exit(3);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    conns[i].fd = fd;
  }
  const long total = static_cast<long>(rate * seconds);
  const auto interval = std::chrono::nanoseconds(1000000000L / rate);
  std::vector<double> lat, lag;
  lat.reserve(static_cast<size_t>(total));
  lag.reserve(static_cast<size_t>(total));
  long errors = 0, done = 0, sent = 0;

  auto send_front = [&](Conn& c) {
    c.busy = true;
    lag.push_back(std::chrono::duration<double>(Clock::now() - c.due.front()).count());
    ssize_t n = ::send(c.fd, request.data(), request.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(request.size())) {
      errors += static_cast<long>(c.due.size());
      done += static_cast<long>(c.due.size());
      c.due.clear();
      c.busy = false;
    }
  };
  auto arm = [&](Clock::time_point t) {
    itimerspec its{};
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    its.it_value.tv_sec = ns / 1000000000;
    its.it_value.tv_nsec = ns % 1000000000;
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, nullptr);
  };

  pthread_t self = pthread_self();
  clockid_t gen_clock;
  pthread_getcpuclockid(self, &gen_clock);
  double cpu0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID), gen0 = cpu_seconds(gen_clock);
  const auto start = Clock::now() + std::chrono::milliseconds(1);
  arm(start);
  const auto give_up =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds * 3 + 10));
  char buf[65536];
  epoll_event events[128];
  while (done < total && Clock::now() < give_up) {
    int n = epoll_wait(ep, events, 128, 100);
    for (int k = 0; k < n; ++k) {
      if (events[k].data.u64 == ~0ULL) {
        uint64_t expirations;
        (void)!::read(tfd, &expirations, sizeof expirations);
        auto now = Clock::now();
        while (sent < total && start + interval * sent <= now) {
          Conn& c = conns[static_cast<size_t>(sent % connections)];
          c.due.push_back(start + interval * sent);
          if (!c.busy) send_front(c);
          ++sent;
        }
        if (sent < total) arm(start + interval * sent);
        continue;
      }
      Conn& c = conns[events[k].data.u64];
      for (;;) {
        ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
        if (r > 0) {
          c.in.append(buf, static_cast<size_t>(r));
          if (static_cast<size_t>(r) < sizeof buf) break;
          continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r < 0 && errno == EINTR) continue;
        errors += static_cast<long>(c.due.size());  // closed or failed
        done += static_cast<long>(c.due.size());
        c.due.clear();
        c.busy = false;
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        break;
      }
      for (;;) {
        bool complete = false, ok = false;
        if (!take_response(c, complete, ok)) {
          errors += static_cast<long>(c.due.size());
          done += static_cast<long>(c.due.size());
          c.due.clear();
          c.busy = false;
          break;
        }
        if (!complete || c.due.empty()) break;
        auto now = Clock::now();
        lat.push_back(std::chrono::duration<double>(now - c.due.front()).count());
        if (!ok) ++errors;
        c.due.pop_front();
        c.busy = false;
        ++done;
        if (!c.due.empty()) send_front(c);
      }
    }
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  double cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0, gen = cpu_seconds(gen_clock) - gen0;
  for (auto& c : conns) ::close(c.fd);
  ::close(tfd);
  ::close(ep);
  std::sort(lat.begin(), lat.end());
  std::sort(lag.begin(), lag.end());
  Result r;
  r.p50 = pct(lat, 0.5);
  r.p99 = pct(lat, 0.99);
  r.p999 = pct(lat, 0.999);
  r.max = lat.empty() ? 0 : lat.back();
  r.rate = static_cast<double>(done) / elapsed;
  r.lag_p99 = pct(lag, 0.99);
  double answered = std::max<double>(1, static_cast<double>(lat.size()));
  r.server_cpu_us = (cpu - gen) / answered * 1e6;
  r.generator_cpu_us = gen / answered * 1e6;
  r.errors = errors + (total - static_cast<long>(lat.size()));
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct Server {
  const char* name;
  uint16_t port;
  std::vector<Result> runs;
};

void print_row(int rate, const Server& s) {
  auto med = [&](double Result::*f) {
    std::vector<double> v;
    for (const auto& r : s.runs) v.push_back(r.*f);
    return median(v);
  };
  std::vector<double> p99s;
  long errors = 0;
  for (const auto& r : s.runs) {
    p99s.push_back(r.p99 * 1e6);
    errors += r.errors;
  }
  std::ostringstream all;
  for (size_t i = 0; i < p99s.size(); ++i) all << (i ? "," : "") << static_cast<long>(p99s[i]);
  std::printf("%6d  %-12s %9.0f %9.0f %9.0f %9.0f   %7.0f  %8.1f %8.1f %9.0f  %5ld  [%s]\n", rate, s.name,
              med(&Result::p50) * 1e6, med(&Result::p99) * 1e6, med(&Result::p999) * 1e6, med(&Result::max) * 1e6,
              med(&Result::rate), med(&Result::server_cpu_us), med(&Result::generator_cpu_us),
              med(&Result::lag_p99) * 1e6, errors, all.str().c_str());
}

struct AgentUnderTest {
  std::string dir;
  agent::SystemClock clock;
  std::unique_ptr<agent::Agent> agent;
  std::thread thread;

  explicit AgentUnderTest(bool audit_file) {
    char tmpl[] = "/tmp/chaos-agent-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    agent::AgentOptions o;
    o.listen = "127.0.0.1:0";
    o.upstream = "none";
    o.control = "unix:" + dir + "/control.sock";
    o.state_file = dir + "/state.json";
    o.handle_signals = false;
    if (audit_file) o.audit_path = dir + "/audit.jsonl";
    agent = std::make_unique<agent::Agent>(o, clock);
    if (auto s = agent->start(); !s) {
      std::fprintf(stderr, "bench_agent: %s\n", s.message().c_str());
      std::exit(3);
    }
    thread = std::thread([this] { agent->run(); });
    agent::control::Client ctl(agent::http::parse_endpoint(o.control, "c").value(), "");
    auto inj = ctl.post("/v1/inject", {{"kind", "preempt"}, {"provider", "aws"}, {"notice", "120s"}});
    if (!inj) {
      std::fprintf(stderr, "bench_agent: %s\n", inj.status().message().c_str());
      std::exit(3);
    }
  }
  ~AgentUnderTest() {
    agent->stop("bench done");
    thread.join();
    agent.reset();
    std::filesystem::remove_all(dir);
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> rates = {1000, 2000, 5000};
  int connections = 64, repeat = 3;
  double seconds = 3;
  bool realtime = false;
  for (int i = 1; i < argc; i += 2) {
    if (std::string(argv[i]) != "--realtime" && i + 1 >= argc) {
      std::fprintf(stderr,
                   "usage: %s [--rates 1000,2000,5000] [--seconds S] [--repeat N] [--connections C] [--realtime]\n",
                   argv[0]);
      return 2;
    }
    std::string a = argv[i];
    if (a == "--rate" || a == "--rates") {
      rates.clear();
      std::stringstream ss(argv[i + 1]);
      for (std::string x; std::getline(ss, x, ',');) rates.push_back(std::stoi(x));
    } else if (a == "--seconds") {
      seconds = std::stod(argv[i + 1]);
    } else if (a == "--connections") {
      connections = std::stoi(argv[i + 1]);
    } else if (a == "--repeat") {
      repeat = std::stoi(argv[i + 1]);
    } else if (a == "--realtime") {
      realtime = true;
      --i;  // a flag without a value
    } else {
      std::fprintf(stderr, "usage: %s [--rates 1000,2000,5000] [--seconds S] [--repeat N] [--connections C]\n",
                   argv[0]);
      return 2;
    }
  }
  if (rates.empty() || repeat < 1 || connections < 1 || seconds <= 0) {
    std::fprintf(stderr,
                 "usage: %s [--rates 1000,2000,5000] [--seconds S] [--repeat N] [--connections C] [--realtime]\n",
                 argv[0]);
    return 2;
  }
  std::string scheduling = "normal scheduling (SCHED_OTHER)";
  if (realtime) {  // before any thread starts: they all inherit it
    sched_param sp{};
    sp.sched_priority = 1;
    if (sched_setscheduler(0, SCHED_FIFO, &sp) == 0) scheduling = "SCHED_FIFO priority 1 (--realtime)";
    else scheduling = std::string("--realtime refused (") + std::strerror(errno) + "), normal scheduling";
  }

  AgentUnderTest agent(false), agent_audit(true);
  asio::io_context base_io;
  tcp::acceptor acc(base_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  static_accept(acc);
  std::thread base_thread([&] { base_io.run(); });

  std::printf(
      "bench_agent: GET %s with a live notice, open loop over %d keep-alive loopback connections, "
      "%.0f s per run, %d run(s) per server and rate, medians; %u CPUs; %s\n",
      kTarget.c_str(), connections, seconds, repeat, std::thread::hardware_concurrency(), scheduling.c_str());
  std::printf("%6s  %-12s %9s %9s %9s %9s   %7s  %8s %8s %9s  %5s  %s\n", "rate", "server", "p50_us", "p99_us",
              "p99.9_us", "max_us", "req/s", "srv_cpu", "gen_cpu", "lag99_us", "errs", "p99 of each run (us)");
  for (int rate : rates) {
    std::vector<Server> servers = {{"static", acc.local_endpoint().port(), {}},
                                   {"agent", agent.agent->metadata_port(), {}},
                                   {"agent+audit", agent_audit.agent->metadata_port(), {}}};
    for (auto& s : servers) (void)run_load(s.port, rate, 0.3, connections);  // warm-up
    for (int k = 0; k < repeat; ++k)
      for (auto& s : servers) s.runs.push_back(run_load(s.port, rate, seconds, connections));
    for (const auto& s : servers) print_row(rate, s);
    std::fflush(stdout);
  }
  std::printf(
      "srv_cpu / gen_cpu: CPU microseconds per request spent by the servers' threads / by the generator.\n"
      "lag99: p99 of (send time - due time) in the generator; latencies count from the due time.\n");

  acc.close();
  base_io.stop();
  base_thread.join();
  return 0;
}

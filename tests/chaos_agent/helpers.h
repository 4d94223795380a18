// Test helpers: requests built in one line, an in-process agent on its own thread, and a raw
// loopback socket client for byte-level HTTP tests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "chaos-agent/agent.h"
#include "chaos-agent/control/control_api.h"
#include "chaos-agent/imds/common.h"

namespace test {

inline agent::imds::Request req(boost::beast::http::verb method, const std::string& target,
                                std::initializer_list<std::pair<std::string, std::string>> headers = {},
                                const std::string& body = "") {
  agent::imds::Request r{method, target, 11};
  for (const auto& [k, v] : headers) r.set(k, v);
  r.body() = body;
  r.prepare_payload();
  return r;
}

inline agent::WallTime t0() {
  return agent::WallTime(std::chrono::seconds(1795456800));  // 2026-11-23T18:00:00Z
}

inline std::string temp_dir(const std::string& tag) {
  std::string tmpl = "/tmp/chaos-agent-" + tag + "-XXXXXX";
  std::string dir = ::mkdtemp(tmpl.data());
  return dir;
}

// An agent running on a background thread with --upstream none (unless set) on an ephemeral port.
class RunningAgent {
 public:
  explicit RunningAgent(agent::AgentOptions o = {}, const agent::Clock* clock = nullptr)
      : dir_(temp_dir("agent")), clock_(clock ? clock : &system_clock_) {
    o.listen = o.listen == "127.0.0.1:8169" ? "127.0.0.1:0" : o.listen;
    if (o.control == "unix:/run/chaos-agent/control.sock") o.control = "unix:" + dir_ + "/control.sock";
    if (o.upstream == "169.254.169.254:80") o.upstream = "none";
    o.state_file = dir_ + "/state.json";
    o.handle_signals = false;
    if (o.vm_name.empty()) o.vm_name = "test-vm";
    agent_ = std::make_unique<agent::Agent>(o, *clock_);
    auto s = agent_->start();
    if (!s) throw std::runtime_error(s.message());
    thread_ = std::thread([this] { agent_->run(); });
  }
  ~RunningAgent() {
    agent_->stop("test done");
    thread_.join();
    agent_.reset();
    std::filesystem::remove_all(dir_);
  }
  uint16_t port() const { return agent_->metadata_port(); }
  agent::control::Client control() const {
    return agent::control::Client(agent::http::parse_endpoint(agent_->options().control, "c").value(), "");
  }
  nlohmann::json inject(const nlohmann::json& body) {
    auto r = control().post("/v1/inject", body);
    if (!r) throw std::runtime_error(r.status().message());
    return r.value();
  }
  void clear() { (void)control().post("/v1/clear", {{"reason", "test"}}); }
  const std::string& dir() const { return dir_; }
  agent::Agent& agent() { return *agent_; }

 private:
  std::string dir_;
  agent::SystemClock system_clock_;
  const agent::Clock* clock_;
  std::unique_ptr<agent::Agent> agent_;
  std::thread thread_;
};

// A blocking loopback TCP client speaking raw bytes.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect");
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool send(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads until the peer closes or `timeout` passes without data. closed() tells which.
  std::string read_all(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    std::string out;
    char buf[65536];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (r <= 0) {
        closed_ = false;
        return out;
      }
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        return out;
      }
      out.append(buf, static_cast<size_t>(n));
    }
  }
  // Reads until `n` complete HTTP responses (by Content-Length) arrived.
  std::string read_responses(int n, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    std::string out;
    char buf[65536];
    auto count = [&] {
      int c = 0;
      size_t pos = 0;
      for (;;) {
        size_t h = out.find("\r\n\r\n", pos);
        if (h == std::string::npos) return c;
        size_t cl = out.find("Content-Length: ", pos);
        size_t len = 0;
        if (cl != std::string::npos && cl < h) len = std::stoul(out.substr(cl + 16));
        if (out.size() < h + 4 + len) return c;
        pos = h + 4 + len;
        ++c;
      }
    };
    while (count() < n) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) break;
      ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
      if (r <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(r));
    }
    return out;
  }
  bool closed() const { return closed_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

}  // namespace test

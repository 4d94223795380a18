// A small HTTP/1.1 server on Boost.Beast for the metadata and control listeners.
//
// Promises: one request at a time per connection (pipelined requests are answered in order);
// a request must arrive completely within read_timeout once its first byte is in (slowloris
// connections are closed); idle keep-alive connections close after idle_timeout; header and
// body limits answer 431 / 413; malformed requests answer 400; every answer >= 400 closes the
// connection (some metadata clients hang otherwise). Answers may be given later (long-polls).
// Single-threaded: everything runs on the io_context's thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>

#include "chaos-agent/core/clock.h"
#include "common/status.h"

namespace agent::http {

namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

struct ServerLimits {
  size_t header_limit = 8 * 1024;  // bytes of request line + headers -> 431 beyond
  size_t body_limit = 64 * 1024;   // bytes of body -> 413 beyond
  Millis read_timeout{10000};      // from a request's first byte to its last
  Millis idle_timeout{60000};      // keep-alive connection waiting for its next request
  Millis write_timeout{10000};
  size_t max_connections = 10000;  // beyond: 503 and close
};

// Must be called exactly once per request; may be called later from the io_context thread.
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request&& req, const std::string& peer, Respond respond)>;
// Called after each answer is written: status and seconds from request read to answer written.
using Observer = std::function<void(unsigned status, double seconds)>;

class Server {
 public:
  Server(boost::asio::io_context& io, ServerLimits limits, Handler handler, Observer observer = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // host must be an IP literal; port 0 picks a free port (see port()).
  spotsim::Status listen_tcp(const std::string& host, uint16_t port);
  // Creates a unix stream socket at path (an existing socket file is replaced) with `mode`.
  spotsim::Status listen_unix(const std::string& path, mode_t mode);
  uint16_t port() const { return port_; }
  // Stops accepting. Connections already open finish their current exchange.
  void close();
  size_t connections() const;

  struct Core;

 private:
  std::shared_ptr<Core> core_;
  uint16_t port_ = 0;
  std::string unix_path_;
};

// "HOST:PORT" (IPv4 literal, or [IPv6]) -> host, port. Errors mention `flag`.
spotsim::Result<std::pair<std::string, uint16_t>> parse_host_port(const std::string& s, const std::string& flag);

}  // namespace agent::http

// Forwards requests to the one real metadata service (--upstream). Never anywhere else: the
// destination is fixed at construction, the request target is origin-form (checked by the
// router), and the Host header is rewritten when the client addressed the agent itself.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "chaos-agent/http/server.h"

namespace agent::http {

struct UpstreamOptions {
  std::string host;  // IP literal
  uint16_t port = 80;
  Millis connect_timeout{2000};
  Millis timeout{10000};              // whole exchange, for ordinary requests
  Millis long_poll_timeout{3700000};  // requests carrying wait_for_change=true
  size_t body_limit = 16 * 1024 * 1024;
  int socket_mark = 0;  // SO_MARK on upstream sockets (intercept exemption), 0 = none
};

class Upstream {
 public:
  Upstream(boost::asio::io_context& io, UpstreamOptions options);
  // Calls done exactly once, on the io_context thread.
  void forward(const Request& req, std::function<void(spotsim::Result<Response>)> done);
  const UpstreamOptions& options() const { return options_; }

 private:
  boost::asio::io_context& io_;
  UpstreamOptions options_;
};

}  // namespace agent::http

// Blocking HTTP client for the CLI (control requests, health checks) over a unix socket or
// loopback TCP. Not used on the agent's event loop.
#pragma once

#include <string>

#include "chaos-agent/http/server.h"

namespace agent::http {

struct Endpoint {
  bool is_unix = false;
  std::string path;  // unix
  std::string host;  // tcp
  uint16_t port = 0;
  std::string to_string() const;
};

// "unix:/run/chaos-agent/control.sock" or "127.0.0.1:8170". Errors mention `flag`.
spotsim::Result<Endpoint> parse_endpoint(const std::string& s, const std::string& flag);
// "http://127.0.0.1:8080/healthz" -> endpoint + target. Loopback hosts only.
spotsim::Result<std::pair<Endpoint, std::string>> parse_loopback_url(const std::string& url, const std::string& field);

// Percent-encoding of a query parameter's value (RFC 3986 unreserved characters stay).
std::string url_encode(const std::string& s);

spotsim::Result<Response> request(const Endpoint& ep, Request req, Millis timeout);

}  // namespace agent::http

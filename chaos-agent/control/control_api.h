// The control protocol: HTTP+JSON on a unix socket (default) or loopback TCP with a bearer
// token. Used by `chaos-agent inject|clear|status|gameday` and by anything local.
//
//   POST /v1/inject  {"kind":"preempt","provider":"aws","notice":"120s","action":"terminate",
//                     "ttl":"30m","azure_event_type":"Preempt","gcp_event":"...","source":"cli",
//                     "run":"<plan run id>","allow_unrealistic":false}
//   POST /v1/clear   {"reason":"..."}          POST /v1/abort {"reason":"..."}
//   GET  /v1/status  GET /v1/report[?run=ID]   GET /metrics (Prometheus text)
#pragma once

#include <nlohmann/json.hpp>

#include "chaos-agent/core/chaos_state.h"
#include "chaos-agent/http/client.h"

namespace agent::control {

// Field errors name the field: `notice: expected a duration like 90s, 15m, 2h or 7d, found "soon"`.
spotsim::Result<InjectRequest> inject_request_from_json(const nlohmann::json& j);
nlohmann::json inject_request_to_json(const InjectRequest& r);

// A client bound to one agent's control endpoint.
class Client {
 public:
  // token: bearer token for TCP endpoints ("" for unix sockets).
  Client(http::Endpoint endpoint, std::string token, Millis timeout = Millis(10000));
  // Reads the token file for TCP endpoints. Errors name --token-file.
  static spotsim::Result<Client> connect(const std::string& endpoint_spec, const std::string& token_file);

  spotsim::Result<nlohmann::json> get(const std::string& path);
  spotsim::Result<std::string> get_text(const std::string& path);
  spotsim::Result<nlohmann::json> post(const std::string& path, const nlohmann::json& body);
  const http::Endpoint& endpoint() const { return endpoint_; }

 private:
  spotsim::Result<http::Response> call(http::Request req);
  http::Endpoint endpoint_;
  std::string token_;
  Millis timeout_;
};

}  // namespace agent::control

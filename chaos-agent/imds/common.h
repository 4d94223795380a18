// Shared types for the per-provider endpoint emulations. A provider handler is a pure function
// of (request, chaos state, clock): no sockets, so every status code, header and body is unit
// tested directly. The HTTP layer turns an Outcome into bytes, a forward, or a held long-poll.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>

#include "chaos-agent/core/chaos_state.h"
#include "chaos-agent/core/clock.h"

namespace agent::imds {

namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

// An origin-form request target split into a normalized path and decoded query parameters.
struct Target {
  std::string raw;   // as received, forwarded unchanged
  std::string path;  // runs of '/' collapsed, trailing '/' removed (except for "/")
  bool trailing_slash = false;
  std::map<std::string, std::string> query;  // last value wins; keys and values %-decoded
};
// nullopt unless `raw` is origin-form ("/..."); absolute-form, authority-form (CONNECT) and
// "*" are rejected by the router before any provider sees them.
std::optional<Target> parse_target(std::string_view raw);
std::string percent_decode(std::string_view s, bool plus_is_space);

// What a provider decided.
struct Outcome {
  enum class Type { kRespond, kForward, kWait };
  Type type = Type::kRespond;
  Response response;  // kRespond
  // Bookkeeping for the audit log: set when the request was a read of a chaos path.
  std::optional<Provider> chaos_read;
  std::string injection_id;  // the injection whose notice this answer showed, if any
  // kWait (GCP wait_for_change): hold until the value's ETag differs from baseline_etag, or
  // until timeout, then answer with the current value.
  std::string wait_key;
  std::string baseline_etag;
  Millis wait_timeout{0};
};

inline Outcome respond(Response r) {
  Outcome o;
  o.response = std::move(r);
  return o;
}
inline Outcome forward() {
  Outcome o;
  o.type = Outcome::Type::kForward;
  return o;
}

// Header value or "" (case-insensitive name).
std::string header(const Request& req, std::string_view name);
bool has_header(const Request& req, std::string_view name);
bool iequals(std::string_view a, std::string_view b);

}  // namespace agent::imds

#include "chaos-agent/control/control_api.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "chaos-agent/core/time_format.h"

namespace agent::control {

using spotsim::Result;
using spotsim::Status;
namespace {
Result<Millis> duration_field(const nlohmann::json& j, const char* name, Millis def) {
  if (!j.contains(name) || j[name].is_null()) return def;
  const auto& v = j[name];
  if (v.is_number() || v.is_string()) {
    // A JSON number is a bare number: refused as in a plan or a scenario file (is 90 seconds or
    // minutes?); only 0 stands alone.
    const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    auto d = parse_duration(text);
    if (!d) return Status::invalid(std::string(name) + ": " + bad_duration_message(text));
    return *d;
  }
  return Status::invalid(std::string(name) + ": expected a duration like 90s, 15m, 2h or 7d");
}
Result<std::string> string_field(const nlohmann::json& j, const char* name, const std::string& def) {
  if (!j.contains(name) || j[name].is_null()) return def;
  if (!j[name].is_string()) return Status::invalid(std::string(name) + ": expected a string");
  return j[name].get<std::string>();
}
}  // namespace

Result<InjectRequest> inject_request_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return Status::invalid("expected a JSON object");
  InjectRequest r;
  auto kind = string_field(j, "kind", "preempt");
  if (!kind) return kind.status();
  auto k = parse_kind(kind.value());
  if (!k) return Status::invalid("kind: expected preempt, rebalance or maintenance, got '" + kind.value() + "'");
  r.kind = *k;
  auto prov = string_field(j, "provider", "all");
  if (!prov) return prov.status();
  auto p = parse_providers(prov.value());
  if (!p) return Status::invalid("provider: expected aws, azure, gcp or all, got '" + prov.value() + "'");
  r.providers = *p;
  Millis default_notice = r.kind == Kind::kMaintenance ? Millis(15 * 60 * 1000) : Millis(120000);
  auto notice = duration_field(j, "notice", default_notice);
  if (!notice) return notice.status();
  r.notice = notice.value();
  auto ttl = duration_field(j, "ttl", Millis(0));
  if (!ttl) return ttl.status();
  r.ttl = ttl.value();
  auto action = string_field(j, "action", "terminate");
  if (!action) return action.status();
  r.aws_action = action.value();
  auto az = string_field(j, "azure_event_type", "");
  if (!az) return az.status();
  r.azure_event_type = az.value();
  auto gcp = string_field(j, "gcp_event", "TERMINATE_ON_HOST_MAINTENANCE");
  if (!gcp) return gcp.status();
  r.gcp_maintenance = gcp.value();
  auto src = string_field(j, "source", "control");
  if (!src) return src.status();
  r.source = src.value();
  auto run = string_field(j, "run", "");
  if (!run) return run.status();
  r.run = run.value();
  if (j.contains("allow_unrealistic") && !j["allow_unrealistic"].is_null()) {
    if (!j["allow_unrealistic"].is_boolean()) return Status::invalid("allow_unrealistic: expected true or false");
    r.allow_unrealistic = j["allow_unrealistic"].get<bool>();
  }
  return r;
}

nlohmann::json inject_request_to_json(const InjectRequest& r) {
  nlohmann::json j = {{"kind", kind_name(r.kind)},           {"provider", providers_to_string(r.providers)},
                      {"notice", format_duration(r.notice)}, {"action", r.aws_action},
                      {"gcp_event", r.gcp_maintenance},      {"source", r.source}};
  if (r.ttl.count() > 0) j["ttl"] = format_duration(r.ttl);
  if (!r.azure_event_type.empty()) j["azure_event_type"] = r.azure_event_type;
  if (!r.run.empty()) j["run"] = r.run;
  if (r.allow_unrealistic) j["allow_unrealistic"] = true;
  return j;
}

Client::Client(http::Endpoint endpoint, std::string token, Millis timeout)
    : endpoint_(std::move(endpoint)), token_(std::move(token)), timeout_(timeout) {}

Result<Client> Client::connect(const std::string& spec, const std::string& token_file) {
  auto ep = http::parse_endpoint(spec, "--control");
  if (!ep) return ep.status();
  std::string token;
  if (!ep->is_unix) {
    std::ifstream in(token_file);
    if (!in)
      return Status::io("--token-file: cannot read '" + token_file + "': " + std::strerror(errno) +
                        " (the agent writes it when --control is ADDR:PORT)");
    std::getline(in, token);
  }
  return Client(ep.value(), token);
}

Result<http::Response> Client::call(http::Request req) {
  if (!token_.empty()) req.set(http::bhttp::field::authorization, "Bearer " + token_);
  auto r = http::request(endpoint_, std::move(req), timeout_);
  if (!r)
    return Status::io("cannot reach chaos-agent at " + endpoint_.to_string() + ": " + r.status().message() +
                      " (is `chaos-agent serve` running with this --control?)");
  return r;
}

namespace {
Result<nlohmann::json> as_json(Result<http::Response> r) {
  if (!r) return r.status();
  auto j = nlohmann::json::parse(r->body(), nullptr, false);
  if (j.is_discarded())
    return Status::io("agent answered " + std::to_string(r->result_int()) + " with a non-JSON body");
  if (r->result_int() >= 400)
    return Status::invalid(j.value("error", "agent answered " + std::to_string(r->result_int())));
  return j;
}
}  // namespace

Result<nlohmann::json> Client::get(const std::string& path) {
  http::Request req{http::bhttp::verb::get, path, 11};
  return as_json(call(std::move(req)));
}

Result<std::string> Client::get_text(const std::string& path) {
  http::Request req{http::bhttp::verb::get, path, 11};
  auto r = call(std::move(req));
  if (!r) return r.status();
  if (r->result_int() >= 400)
    return Status::invalid("agent answered " + std::to_string(r->result_int()) + ": " + r->body());
  return r->body();
}

Result<nlohmann::json> Client::post(const std::string& path, const nlohmann::json& body) {
  http::Request req{http::bhttp::verb::post, path, 11};
  req.set(http::bhttp::field::content_type, "application/json");
  req.body() = body.dump();
  return as_json(call(std::move(req)));
}

}  // namespace agent::control

#include "chaos-agent/imds/gcp.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace agent::imds {

GcpMetadata::GcpMetadata(ChaosState& state, Millis max_wait, std::map<std::string, std::string> identity)
    : state_(state), max_wait_(max_wait), identity_(std::move(identity)) {}

Response GcpMetadata::not_found(const Request& req, const std::string& path) const {
  return error(req, 404, "The requested URL <code>" + path + "</code> was not found on this server.");
}

Response GcpMetadata::ok(const Request& req, const std::string& key, std::string body) const {
  Response r{bhttp::status::ok, req.version()};
  r.set("Metadata-Flavor", "Google");
  r.set(bhttp::field::content_type, "application/text");
  r.set(bhttp::field::server, "Metadata Server for VM");
  r.set(bhttp::field::etag, etag_of(key, body));
  r.set("X-XSS-Protection", "0");
  r.set("X-Frame-Options", "SAMEORIGIN");
  r.body() = std::move(body);
  return r;
}

std::optional<std::string> GcpMetadata::identity(const std::string& path, bool json_alt) const {
  static const std::string kV1 = "/computeMetadata/v1";
  auto id = [&](const char* k) { return identity_.count(k) ? identity_.at(k) : std::string(); };
  auto leaf = [&](const std::string& v, bool number = false) {
    return json_alt && !number ? nlohmann::json(v).dump() : v;
  };
  const std::string& name = state_.vm_name();
  const std::string project_num = id("numeric-project-id");
  if (path == "/computeMetadata") return std::string("v1/\n");
  if (path == kV1) return std::string("instance/\nproject/\n");
  if (path == kV1 + "/instance")
    return std::string(
        "hostname\nid\nmachine-type\nmaintenance-event\nname\nnetwork-interfaces/\npreempted\n"
        "scheduling/\nzone\n");
  if (path == kV1 + "/instance/id") return leaf(id("id"), true);
  if (path == kV1 + "/instance/name") return leaf(name);
  if (path == kV1 + "/instance/hostname") return leaf(name + ".c." + id("project-id") + ".internal");
  if (path == kV1 + "/instance/zone") return leaf("projects/" + project_num + "/zones/" + id("zone"));
  if (path == kV1 + "/instance/machine-type")
    return leaf("projects/" + project_num + "/machineTypes/" + id("machine-type"));
  if (path == kV1 + "/instance/scheduling") return std::string("automatic-restart\non-host-maintenance\npreemptible\n");
  if (path == kV1 + "/instance/scheduling/automatic-restart") return leaf("FALSE");
  if (path == kV1 + "/instance/scheduling/on-host-maintenance") return leaf("TERMINATE");
  if (path == kV1 + "/instance/scheduling/preemptible") return leaf(id("preemptible"));
  if (path == kV1 + "/instance/network-interfaces") return std::string("0/\n");
  if (path == kV1 + "/instance/network-interfaces/0") return std::string("ip\n");
  if (path == kV1 + "/instance/network-interfaces/0/ip") return leaf(id("ip"));
  if (path == kV1 + "/project") return std::string("numeric-project-id\nproject-id\n");
  if (path == kV1 + "/project/project-id") return leaf(id("project-id"));
  if (path == kV1 + "/project/numeric-project-id") return leaf(project_num, true);
  return std::nullopt;
}

bool GcpMetadata::owns(const Target& t) {
  return t.path == "/computeMetadata" || t.path.rfind("/computeMetadata/", 0) == 0;
}

std::string GcpMetadata::etag_of(const std::string& key, const std::string& value) {
  // Content-derived, like the real server: the same value always has the same ETag.
  uint64_t h = 1469598103934665603ull;
  for (char c : key + "\n" + value) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

GcpMetadata::Value GcpMetadata::current(const std::string& key) const {
  Value v;
  if (key == "preempted") {
    const Injection* inj = state_.active(Kind::kPreempt, Provider::kGcp);
    v.text = inj ? "TRUE" : "FALSE";
    if (inj) v.injection_id = inj->id;
  } else {
    const Injection* inj = state_.active(Kind::kMaintenance, Provider::kGcp);
    v.text = inj ? inj->req.gcp_maintenance : "NONE";
    if (inj) v.injection_id = inj->id;
  }
  v.etag = etag_of(key, v.text);
  return v;
}

Response GcpMetadata::answer(const Request& req, const std::string& key, bool json_alt) const {
  Value v = current(key);
  Response r{bhttp::status::ok, req.version()};
  r.set("Metadata-Flavor", "Google");
  r.set(bhttp::field::content_type, json_alt ? "application/json" : "application/text");
  r.set(bhttp::field::etag, v.etag);
  r.set(bhttp::field::server, "Metadata Server for VM");
  r.set("X-XSS-Protection", "0");
  r.set("X-Frame-Options", "SAMEORIGIN");
  if (json_alt) {
    r.body() = key == "preempted" ? (v.text == "TRUE" ? "true" : "false") : nlohmann::json(v.text).dump();
  } else {
    r.body() = v.text;
  }
  return r;
}

Response GcpMetadata::error(const Request& req, unsigned status, const std::string& detail) const {
  Response r{static_cast<bhttp::status>(status), req.version()};
  r.set("Metadata-Flavor", "Google");
  r.set(bhttp::field::content_type, "text/html; charset=UTF-8");
  r.set(bhttp::field::server, "Metadata Server for VM");
  r.set(bhttp::field::connection, "close");
  r.keep_alive(false);
  const char* title = status == 403   ? "Forbidden"
                      : status == 400 ? "Bad Request"
                      : status == 405 ? "Method Not Allowed"
                                      : "Not Found";
  r.body() = "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error " + std::to_string(status) +
             " (" + title + ")!!1</title>\n  <p><b>" + std::to_string(status) +
             ".</b> <ins>That\xe2\x80\x99s an error.</ins>\n  <p>" + detail +
             "  <ins>That\xe2\x80\x99s all we know.</ins>\n";
  return r;
}

Outcome GcpMetadata::handle(const Request& req, const Target& t, bool have_upstream) {
  static const std::string kInstance = "/computeMetadata/v1/instance";
  std::string key;
  if (t.path == kInstance + "/preempted") key = "preempted";
  else if (t.path == kInstance + "/maintenance-event") key = "maintenance-event";

  Outcome o;
  if (!key.empty()) o.chaos_read = Provider::kGcp;
  if (has_header(req, "X-Forwarded-For")) {
    o.response = error(req, 403, "Request rejected: X-Forwarded-For header is not allowed.");
    return o;
  }
  if (header(req, "Metadata-Flavor") != "Google") {
    o.response = error(req, 403,
                       "Your client does not have permission to get URL <code>" + t.path +
                           "</code> from this server. Missing Metadata-Flavor:Google header.");
    return o;
  }
  if (key.empty()) {
    if (have_upstream) return forward();
    bool json_alt = t.query.count("alt") && t.query.at("alt") == "json";
    if (auto body = identity(t.path, json_alt)) {
      o.response = ok(req, t.path, std::move(*body));
      return o;
    }
    o.response = not_found(req, t.path);
    return o;
  }
  if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
    o.response = error(req, 405, "Method not allowed.");
    return o;
  }
  bool json_alt = t.query.count("alt") && t.query.at("alt") == "json";
  Value v = current(key);
  auto wfc = t.query.find("wait_for_change");
  if (wfc != t.query.end() && wfc->second == "true") {
    Millis timeout = max_wait_;
    if (auto ts = t.query.find("timeout_sec"); ts != t.query.end()) {
      const std::string& s = ts->second;
      bool digits = !s.empty() && s.size() <= 7 && s.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stol(s) < 1) {
        o.response = error(req, 400, "timeout_sec must be a positive integer.");
        return o;
      }
      timeout = std::min<Millis>(std::chrono::seconds(std::stol(s)), max_wait_);
    }
    auto le = t.query.find("last_etag");
    std::string baseline = le != t.query.end() && !le->second.empty() ? le->second : v.etag;
    if (baseline == v.etag) {
      o.type = Outcome::Type::kWait;
      o.wait_key = key;
      o.baseline_etag = baseline;
      o.wait_timeout = timeout;
      return o;
    }
  }
  o.injection_id = v.injection_id;
  o.response = answer(req, key, json_alt);
  return o;
}

}  // namespace agent::imds

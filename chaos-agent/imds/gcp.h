// GCP metadata server: instance/preempted and instance/maintenance-event, with ETags and
// wait_for_change long-polls. Every answer carries Metadata-Flavor: Google. Without an upstream
// the instance identity is served too (instance/id, name, hostname, zone, machine-type,
// scheduling/*, network-interfaces/0/ip, project/project-id, project/numeric-project-id, and the
// directory listings), and any other path is the server's 404 page.
#pragma once

#include <optional>
#include <string>

#include "chaos-agent/imds/common.h"
#include "chaos-agent/imds/identity.h"

namespace agent::imds {

class GcpMetadata {
 public:
  // max_wait caps a wait_for_change without timeout_sec (the connection is not held forever).
  GcpMetadata(ChaosState& state, Millis max_wait,
              std::map<std::string, std::string> identity = InstanceIdentity::defaults().gcp);

  static bool owns(const Target& t);
  // REQUIRES: owns(t).
  Outcome handle(const Request& req, const Target& t, bool have_upstream);

  // Current value of a chaos key ("preempted" or "maintenance-event") and its ETag.
  struct Value {
    std::string text;
    std::string etag;
    std::string injection_id;  // the injection making it non-default, if any
  };
  Value current(const std::string& key) const;
  // The 200 answer for a chaos key as of now (used when a held long-poll completes).
  Response answer(const Request& req, const std::string& key, bool json_alt) const;

  static std::string etag_of(const std::string& key, const std::string& value);

  // The server's 404 page for `path` (Metadata-Flavor: Google, Connection: close).
  Response not_found(const Request& req, const std::string& path) const;

 private:
  Response error(const Request& req, unsigned status, const std::string& detail) const;
  Response ok(const Request& req, const std::string& key, std::string body) const;
  // Standalone identity value or listing for `path`; nullopt when `path` is not one.
  std::optional<std::string> identity(const std::string& path, bool json_alt) const;

  ChaosState& state_;
  Millis max_wait_;
  std::map<std::string, std::string> identity_;
};

}  // namespace agent::imds

// Azure Instance Metadata Service: Scheduled Events (GET document, POST StartRequests ack) and,
// without an upstream, /metadata/instance (compute and network, from the instance identity;
// compute.name is the VM name used in Resources), any field of it by path
// (/metadata/instance/compute/location?format=text), and the service's 404 answers elsewhere.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "chaos-agent/imds/common.h"
#include "chaos-agent/imds/identity.h"

namespace agent::imds {

class AzureImds {
 public:
  explicit AzureImds(ChaosState& state,
                     std::map<std::string, std::string> identity = InstanceIdentity::defaults().azure);

  static bool owns(const Target& t);
  // REQUIRES: owns(t). Acks are applied to `state` here; Outcome::injection_id names the
  // injection acknowledged (for a POST) or shown (for a GET).
  Outcome handle(const Request& req, const Target& t, bool have_upstream);

  // Event ids acknowledged by the last handle() call (for the audit log).
  const std::vector<std::string>& last_acked() const { return last_acked_; }

  static bool valid_scheduled_events_version(const std::string& v);

  // The 404 answers of the service: {"error":"Not Found"} for an unknown /metadata/... category,
  // { "error": "Not found" } for an unknown element under /metadata/instance.
  Response not_found(const Request& req, bool under_instance) const;
  // The /metadata/instance document as served without an upstream.
  nlohmann::ordered_json instance_document() const;

 private:
  Response json(const Request& req, unsigned status, std::string body) const;
  Response bad_request(const Request& req, const std::string& message, bool versions) const;
  std::string document(const std::string& api_version) const;

  ChaosState& state_;
  std::map<std::string, std::string> identity_;
  std::vector<std::string> last_acked_;
};

}  // namespace agent::imds

// Azure Instance Metadata Service: Scheduled Events (GET document, POST StartRequests ack) and,
// without an upstream, a minimal /metadata/instance whose compute.name matches Resources.
#pragma once

#include <string>

#include "chaos-agent/imds/common.h"

namespace chaos::imds {

class AzureImds {
 public:
  explicit AzureImds(ChaosState& state);

  static bool owns(const Target& t);
  // REQUIRES: owns(t). Acks are applied to `state` here; Outcome::injection_id names the
  // injection acknowledged (for a POST) or shown (for a GET).
  Outcome handle(const Request& req, const Target& t, bool have_upstream);

  // Event ids acknowledged by the last handle() call (for the audit log).
  const std::vector<std::string>& last_acked() const { return last_acked_; }

  static bool valid_scheduled_events_version(const std::string& v);

 private:
  Response json(const Request& req, unsigned status, std::string body) const;
  Response bad_request(const Request& req, const std::string& message, bool versions) const;
  std::string document(const std::string& api_version) const;

  ChaosState& state_;
  std::vector<std::string> last_acked_;
};

}  // namespace chaos::imds

// GCP metadata server: instance/preempted and instance/maintenance-event, with ETags and
// wait_for_change long-polls. Every answer carries Metadata-Flavor: Google.
#pragma once

#include <optional>
#include <string>

#include "chaos-agent/imds/common.h"

namespace chaos::imds {

class GcpMetadata {
 public:
  // max_wait caps a wait_for_change without timeout_sec (the connection is not held forever).
  GcpMetadata(ChaosState& state, Millis max_wait);

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

 private:
  Response error(const Request& req, unsigned status, const std::string& detail) const;

  ChaosState& state_;
  Millis max_wait_;
};

}  // namespace chaos::imds

// AWS EC2 Instance Metadata Service (IMDSv1 + IMDSv2) emulation of the spot / events paths.
//
// Owns: PUT /latest/api/token, and under /latest/meta-data: spot, spot/instance-action,
// spot/termination-time, events, events/recommendations, events/recommendations/rebalance,
// events/maintenance, events/maintenance/scheduled. Everything else under /latest is forwarded
// to the real IMDS; without an upstream the instance identity (instance-id, instance-type,
// placement/*, local-ipv4, ..., dynamic/instance-identity/document) is served and any other
// path is the service's 404 page.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "chaos-agent/imds/common.h"
#include "chaos-agent/imds/identity.h"

namespace agent::imds {

// IMDSv2 session tokens. A token expires once its whole elapsed seconds reach its TTL.
class TokenStore {
 public:
  explicit TokenStore(const Clock& clock, size_t capacity = 100000);
  // Mints a fresh random token valid for ttl_seconds (REQUIRES: 1..21600).
  std::string mint(int ttl_seconds);
  // Records a token minted by the real IMDS (seen in a forwarded PUT response).
  void remember(const std::string& token, int ttl_seconds);
  enum class Check { kValid, kExpired, kUnknown };
  Check check(const std::string& token) const;
  size_t size() const { return tokens_.size(); }

 private:
  void prune();
  struct Entry {
    WallTime issued;
    int ttl;
  };
  const Clock& clock_;
  size_t capacity_;
  std::unordered_map<std::string, Entry> tokens_;
};

struct AwsOptions {
  bool v2_only = false;  // --imds-v2-only: requests without a token get 401
  // Standalone mode (no upstream): the instance identity served under meta-data/ and
  // dynamic/instance-identity/document (InstanceIdentity::aws keys).
  std::map<std::string, std::string> identity = InstanceIdentity::defaults().aws;
};

class AwsImds {
 public:
  AwsImds(ChaosState& state, const Clock& clock, AwsOptions options);

  static bool owns(const Target& t);
  // REQUIRES: owns(t).
  Outcome handle(const Request& req, const Target& t, bool have_upstream);
  // Post-processes a forwarded answer: learns upstream tokens, adds spot/ and events/ to the
  // meta-data listing while a notice is live.
  void on_upstream_response(const Request& req, const Target& t, Response& res);

  TokenStore& tokens() { return tokens_; }

  // The exact XHTML error page: 404 (and 403, 405) in the real IMDS's layout, e.g. error_page(404)
  // has <title>404 - Not Found</title>; 400 and 401 byte for byte as AWS's own metadata mock
  // (amazon-ec2-metadata-mock) serves them.
  static std::string error_page(unsigned status);
  // The 404 answer (XHTML page, Connection: close).
  Response not_found(const Request& req) const { return error(req, 404); }

 private:
  Response text(const Request& req, std::string body) const;
  Response error(const Request& req, unsigned status) const;
  // nullopt when the token (or its absence) is acceptable; else the 401 response.
  std::optional<Response> check_token(const Request& req) const;
  Outcome handle_token(const Request& req, bool have_upstream);
  std::optional<Outcome> handle_chaos(const Request& req, const Target& t);
  // Standalone identity paths; nullopt when `t` is not one.
  std::optional<Response> identity(const Request& req, const Target& t) const;

  ChaosState& state_;
  const Clock& clock_;
  AwsOptions options_;
  TokenStore tokens_;
  WallTime started_;  // pendingTime in the identity document
  struct SpotCache {  // spot/instance-action for one notice
    std::string id;
    WallTime deadline{};
    std::string action, body, last_modified;
  } spot_cache_;
};

}  // namespace agent::imds

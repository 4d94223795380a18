// MetadataRouter: the front door of the metadata listener. Rejects what a metadata service must
// never act on (absolute-form or authority-form targets, CONNECT, foreign Host names) so the
// agent can never be used as an open proxy, then dispatches to the provider emulations.
#pragma once

#include <string>
#include <vector>

#include "chaos-agent/imds/aws.h"
#include "chaos-agent/imds/azure.h"
#include "chaos-agent/imds/gcp.h"

namespace agent::imds {

struct RouterOptions {
  ProviderSet providers = kAllProviders;  // providers emulated; the others pass through
  bool have_upstream = false;
  std::vector<std::string> extra_hosts;  // --allow-host: more Host names accepted
  AwsOptions aws;                        // its identity is replaced by identity.aws
  Millis gcp_max_wait{300000};
  InstanceIdentity identity = InstanceIdentity::defaults();  // served without an upstream
};

class MetadataRouter {
 public:
  MetadataRouter(ChaosState& state, const Clock& clock, RouterOptions options);

  // Decides what to do with one request. Never forwards a request that failed the checks.
  Outcome route(const Request& req);
  // Lets the owning provider adjust a forwarded answer.
  void on_upstream_response(const Request& req, Response& res);

  // True when `host` (a Host header value, port optional) names a metadata service, loopback,
  // or an --allow-host entry.
  bool host_allowed(const std::string& host) const;

  AwsImds& aws() { return aws_; }
  AzureImds& azure() { return azure_; }
  GcpMetadata& gcp() { return gcp_; }
  const RouterOptions& options() const { return options_; }

 private:
  Response reject(const Request& req, unsigned status, const std::string& why) const;
  // Without an upstream, a path no emulated provider answers: the owning provider's 404 (by path
  // prefix, else by the request's Metadata-Flavor / Metadata header, else AWS's), or the root
  // listing for "/".
  Response standalone(const Request& req, const Target& t) const;

  RouterOptions options_;
  AwsImds aws_;
  AzureImds azure_;
  GcpMetadata gcp_;
};

}  // namespace agent::imds

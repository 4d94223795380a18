#include "chaos-agent/imds/router.h"

#include <algorithm>

namespace agent::imds {

namespace {
AwsOptions with_identity(AwsOptions o, const std::map<std::string, std::string>& identity) {
  o.identity = identity;
  return o;
}
}  // namespace

MetadataRouter::MetadataRouter(ChaosState& state, const Clock& clock, RouterOptions options)
    : options_(std::move(options)),
      aws_(state, clock, with_identity(options_.aws, options_.identity.aws)),
      azure_(state, options_.identity.azure),
      gcp_(state, options_.gcp_max_wait, options_.identity.gcp) {}

Response MetadataRouter::standalone(const Request& req, const Target& t) const {
  auto emulated = [&](Provider p) { return has(options_.providers, p); };
  bool google = has_header(req, "Metadata-Flavor");
  bool azure = has_header(req, "Metadata");
  if (t.path == "/") {
    Response r{bhttp::status::ok, req.version()};
    if (google && emulated(Provider::kGcp)) {
      r.set("Metadata-Flavor", "Google");
      r.set(bhttp::field::content_type, "application/text");
      r.set(bhttp::field::server, "Metadata Server for VM");
      r.body() = "computeMetadata/\n";
      return r;
    }
    if (!google && !azure && emulated(Provider::kAws)) {
      r.set(bhttp::field::content_type, "text/plain");
      r.set(bhttp::field::server, "EC2ws");
      r.body() = "latest";
      return r;
    }
  }
  if (AwsImds::owns(t)) return aws_.not_found(req);
  if (AzureImds::owns(t)) return azure_.not_found(req, false);
  if (GcpMetadata::owns(t) || google) return gcp_.not_found(req, t.path);
  if (azure) return azure_.not_found(req, false);
  return aws_.not_found(req);
}

Response MetadataRouter::reject(const Request& req, unsigned status, const std::string& why) const {
  Response r{static_cast<bhttp::status>(status), req.version()};
  r.set(bhttp::field::content_type, "text/plain");
  r.set(bhttp::field::connection, "close");
  r.keep_alive(false);
  r.body() = "chaos-agent: " + why + "\n";
  return r;
}

bool MetadataRouter::host_allowed(const std::string& raw) const {
  std::string host = raw;
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host.find_first_of("@/\\ \t,") != std::string::npos) return false;
  // Strip the port: "[v6]:port" or "name:port".
  if (!host.empty() && host[0] == '[') {
    size_t close = host.find(']');
    if (close == std::string::npos) return false;
    std::string rest = host.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || rest.find_first_not_of("0123456789", 1) != std::string::npos)) return false;
    host = host.substr(0, close + 1);
  } else if (size_t colon = host.find(':'); colon != std::string::npos) {
    if (host.find_first_not_of("0123456789", colon + 1) != std::string::npos) return false;
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.pop_back();
  static const char* kMetadataHosts[] = {"169.254.169.254", "metadata.google.internal",  "metadata",
                                         "localhost",       "[fd00:ec2::254]",           "[::1]",
                                         "instance-data",   "instance-data.ec2.internal"};
  if (std::find(std::begin(kMetadataHosts), std::end(kMetadataHosts), host) != std::end(kMetadataHosts)) return true;
  if (host.rfind("127.", 0) == 0 && host.find_first_not_of("0123456789.") == std::string::npos) return true;
  return std::find(options_.extra_hosts.begin(), options_.extra_hosts.end(), host) != options_.extra_hosts.end();
}

Outcome MetadataRouter::route(const Request& req) {
  if (req.method() == bhttp::verb::connect)
    return respond(reject(req, 405, "CONNECT is not supported: this is a metadata service, not a proxy"));
  std::string raw(req.target());
  auto target = parse_target(raw);
  if (!target)
    return respond(reject(req, 400, "request target must be a path (origin-form); absolute URIs are refused"));
  if (req.count(bhttp::field::host) > 1) return respond(reject(req, 400, "more than one Host header"));
  if (auto h = req.find(bhttp::field::host); h != req.end() && !host_allowed(std::string(h->value())))
    return respond(reject(req, 400,
                          "Host '" + std::string(h->value()) +
                              "' is not a metadata host (start the agent with --allow-host NAME to accept it)"));
  bool up = options_.have_upstream;
  auto emulated = [&](Provider p) { return has(options_.providers, p); };
  if (AwsImds::owns(*target) && emulated(Provider::kAws)) return aws_.handle(req, *target, up);
  if (AzureImds::owns(*target) && emulated(Provider::kAzure)) return azure_.handle(req, *target, up);
  if (GcpMetadata::owns(*target) && emulated(Provider::kGcp)) return gcp_.handle(req, *target, up);
  if (up) return forward();
  return respond(standalone(req, *target));
}

void MetadataRouter::on_upstream_response(const Request& req, Response& res) {
  auto target = parse_target(std::string(req.target()));
  if (!target) return;
  if (AwsImds::owns(*target) && has(options_.providers, Provider::kAws)) aws_.on_upstream_response(req, *target, res);
}

}  // namespace agent::imds

#include "chaos-agent/imds/identity.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/text.h"
#include "common/yaml_reader.h"

namespace agent::imds {
using spotsim::ParseContext;
using spotsim::Result;
using spotsim::Status;

InstanceIdentity InstanceIdentity::defaults() {
  InstanceIdentity id;
  id.aws = {{"instance-id", "i-0123456789abcdef0"},
            {"instance-type", "m5.xlarge"},
            {"instance-life-cycle", "spot"},
            {"ami-id", "ami-0123456789abcdef0"},
            {"availability-zone", "us-east-1a"},
            {"availability-zone-id", "use1-az1"},
            {"region", "us-east-1"},
            {"local-ipv4", "10.0.0.10"},
            {"local-hostname", "ip-10-0-0-10.ec2.internal"},
            {"hostname", "ip-10-0-0-10.ec2.internal"},
            {"mac", "0e:00:00:00:00:01"},
            {"account-id", "123456789012"}};
  id.azure = {{"location", "eastus"},
              {"vmSize", "Standard_D4s_v3"},
              {"zone", "1"},
              {"vmId", "0f3c6b2e-9a1d-4c5e-8b7a-2d4f6e8a0c1b"},
              {"subscriptionId", "00000000-0000-0000-0000-000000000000"},
              {"resourceGroupName", "chaos-agent-gameday"},
              {"priority", "Spot"},
              {"evictionPolicy", "Deallocate"},
              {"osType", "Linux"},
              {"privateIpAddress", "10.0.0.10"},
              {"macAddress", "000D3A000001"}};
  id.gcp = {{"id", "4520031799277581759"},
            {"zone", "us-central1-a"},
            {"machine-type", "n2-standard-4"},
            {"project-id", "chaos-agent-gameday"},
            {"numeric-project-id", "123456789012"},
            {"ip", "10.128.0.10"},
            {"preemptible", "TRUE"}};
  return id;
}

namespace {
// One provider's section: keys are that provider's own names (the defaults' keys), each with a
// non-empty string. Every mistake is reported; `given` collects the keys set.
void read_section(ParseContext& ctx, const YAML::Node& node, const std::string& name,
                  std::map<std::string, std::string>& target, std::set<std::string>& given) {
  if (!node.IsMap()) {
    ctx.error(node, name, "expected a mapping of keys to values");
    return;
  }
  std::vector<std::string> keys;
  for (const auto& kv : target) keys.push_back(kv.first);
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      ctx.error(kv.first, name, "expected a key name, found a map or a list");
      continue;
    }
    const std::string& key = kv.first.Scalar();
    const std::string path = name + "." + key;
    if (!target.count(key)) {
      ctx.error(kv.first, path, "unknown key (expected one of: " + spotsim::join_names(keys) + ")");
    } else if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
      ctx.error(kv.second, path, "expected a non-empty string");
    } else {
      target[key] = kv.second.Scalar();
      given.insert(key);
    }
  }
}
}  // namespace

// common's collecting reader (parse_yaml, ParseContext): a file with several mistakes reports
// every one, one line each, FILE:LINE:COL: error: PATH: message.
Result<InstanceIdentity> parse_identity(const std::string& text, const std::string& file) {
  InstanceIdentity id = InstanceIdentity::defaults();
  ParseContext ctx(file);
  const YAML::Node root = spotsim::parse_yaml(ctx, text);
  if (!ctx.ok()) return ctx.status();
  if (root.IsNull()) return id;
  if (!root.IsMap()) {
    ctx.error(root, "", "expected a mapping with aws, azure and/or gcp");
    return ctx.status();
  }
  std::set<std::string> aws_given, ignored;
  for (const auto& section : root) {
    const std::string name = section.first.IsScalar() ? section.first.Scalar() : "";
    if (name == "aws") read_section(ctx, section.second, name, id.aws, aws_given);
    else if (name == "azure") read_section(ctx, section.second, name, id.azure, ignored);
    else if (name == "gcp") read_section(ctx, section.second, name, id.gcp, ignored);
    else ctx.error(section.first, name, "unknown key (expected one of: aws, azure, gcp)");
  }
  if (!ctx.ok()) return ctx.status();
  // A zone given without its region: the region is the zone without its letter (us-west-2b).
  if (aws_given.count("availability-zone") && !aws_given.count("region")) {
    std::string z = id.aws["availability-zone"];
    id.aws["region"] =
        z.size() > 1 && std::isalpha(static_cast<unsigned char>(z.back())) ? z.substr(0, z.size() - 1) : z;
  }
  if (aws_given.count("availability-zone") && !aws_given.count("availability-zone-id"))
    id.aws.erase("availability-zone-id");
  return id;
}

Result<InstanceIdentity> load_identity(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::io(path + ": error: cannot read identity file: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_identity(ss.str(), path);
}

}  // namespace agent::imds

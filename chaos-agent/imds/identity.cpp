#include "chaos-agent/imds/identity.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace agent::imds {
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
Status error_at(const std::string& file, const YAML::Mark& m, const std::string& path, const std::string& msg) {
  int line = m.line >= 0 ? m.line + 1 : 1;
  int col = m.column >= 0 ? m.column + 1 : 1;
  return Status::invalid(file + ":" + std::to_string(line) + ":" + std::to_string(col) +
                         ": error: " + (path.empty() ? "" : path + ": ") + msg);
}
}  // namespace

Result<InstanceIdentity> parse_identity(const std::string& text, const std::string& file) {
  InstanceIdentity id = InstanceIdentity::defaults();
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return error_at(file, e.mark, "", e.msg);
  }
  if (root.IsNull()) return id;
  if (!root.IsMap()) return error_at(file, root.Mark(), "", "expected a mapping with aws, azure and/or gcp");
  bool aws_zone = false, aws_region = false, aws_zone_id = false;
  for (const auto& section : root) {
    std::string name = section.first.as<std::string>();
    std::map<std::string, std::string>* target = name == "aws"     ? &id.aws
                                                 : name == "azure" ? &id.azure
                                                 : name == "gcp"   ? &id.gcp
                                                                   : nullptr;
    if (!target) return error_at(file, section.first.Mark(), name, "unknown key (expected one of: aws, azure, gcp)");
    if (!section.second.IsMap())
      return error_at(file, section.second.Mark(), name, "expected a mapping of keys to values");
    for (const auto& kv : section.second) {
      std::string key = kv.first.as<std::string>();
      if (!target->count(key)) {
        std::string list;
        for (const auto& [k, v] : *target) list += (list.empty() ? "" : ", ") + k;
        return error_at(file, kv.first.Mark(), name + "." + key, "unknown key (expected one of: " + list + ")");
      }
      if (!kv.second.IsScalar() || kv.second.as<std::string>().empty())
        return error_at(file, kv.second.Mark(), name + "." + key, "expected a non-empty string");
      (*target)[key] = kv.second.as<std::string>();
      if (name == "aws") {
        aws_zone |= key == "availability-zone";
        aws_region |= key == "region";
        aws_zone_id |= key == "availability-zone-id";
      }
    }
  }
  // A zone given without its region: the region is the zone without its letter (us-west-2b).
  if (aws_zone && !aws_region) {
    std::string z = id.aws["availability-zone"];
    id.aws["region"] =
        z.size() > 1 && std::isalpha(static_cast<unsigned char>(z.back())) ? z.substr(0, z.size() - 1) : z;
  }
  if (aws_zone && !aws_zone_id) id.aws.erase("availability-zone-id");
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

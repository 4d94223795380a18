#include "chaos-agent/imds/identity.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

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
using spotsim::MapReader;

// One provider's section: a map over that provider's own key names (the defaults' keys), each a
// non-empty string, read in file order; finish() reports the other keys with a did-you-mean.
// `given` collects the keys set.
void read_section(MapReader& top, const std::string& name, std::map<std::string, std::string>& target,
                  std::set<std::string>& given) {
  MapReader section(top.ctx(), top.get(name), name);    // not a map: reported, and read as empty
  for (const auto& kv : target) section.get(kv.first);  // the valid keys, for finish()
  if (section.node().IsMap()) {
    for (const auto& kv : section.node()) {
      const auto known = target.find(kv.first.IsScalar() ? kv.first.Scalar() : "");
      if (known == target.end()) continue;  // finish() reports it
      if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
        top.ctx().error(kv.second, section.child_path(known->first), "expected a non-empty string");
        continue;
      }
      known->second = kv.second.Scalar();
      given.insert(known->first);
    }
  }
  section.finish();
}
}  // namespace

// common's collecting reader (parse_yaml, ParseContext, MapReader): a file with several mistakes
// reports every one, one line each, FILE:LINE:COL: error: PATH: message; an unknown key is
// reported as everywhere else, with a did-you-mean and the valid keys.
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
  MapReader top(ctx, root, "");
  std::set<std::string> aws_given, ignored;
  for (const auto& section : root) {
    const std::string name = section.first.IsScalar() ? section.first.Scalar() : "";
    if (name == "aws") read_section(top, name, id.aws, aws_given);
    else if (name == "azure") read_section(top, name, id.azure, ignored);
    else if (name == "gcp") read_section(top, name, id.gcp, ignored);
  }
  for (const char* name : {"aws", "azure", "gcp"}) top.get(name);
  top.finish();
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

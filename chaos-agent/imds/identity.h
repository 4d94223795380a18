// InstanceIdentity: what a VM learns about itself from its metadata service (instance id, type,
// zone, region, project...). In standalone mode (--upstream none: a laptop or CI, no cloud) the
// agent serves this small identity so termination handlers and SDKs, which read it at start and
// give up without it, run unchanged. Documented defaults; `--identity FILE` overrides any of them.
//
//   aws:   {instance-id: i-0123456789abcdef0, instance-type: m5.xlarge, availability-zone: us-east-1a}
//   azure: {location: eastus, vmSize: Standard_D4s_v3, zone: "1"}
//   gcp:   {id: "4520031799277581759", zone: us-central1-a, machine-type: n2-standard-4,
//           project-id: chaos-agent-gameday}
//
// Keys are the providers' own names (AWS meta-data paths without placement/, Azure compute and
// network field names, GCP metadata keys). The VM name (Azure compute.name, GCP instance/name)
// is --vm-name.
#pragma once

#include <map>
#include <string>

#include "common/status.h"

namespace agent::imds {

struct InstanceIdentity {
  std::map<std::string, std::string> aws, azure, gcp;

  // The documented defaults (docs/chaos-agent.md, "Standalone mode").
  static InstanceIdentity defaults();
};

// The defaults overlaid with a YAML (or JSON) file. When the file sets an AWS availability-zone
// but no region, the region is the zone without its letter ("eu-west-1b" -> "eu-west-1") and the
// default zone id is dropped. Errors are "FILE:LINE:COL: error: PATH: message" and name the
// accepted keys.
spotsim::Result<InstanceIdentity> load_identity(const std::string& path);
spotsim::Result<InstanceIdentity> parse_identity(const std::string& text, const std::string& file);

}  // namespace agent::imds

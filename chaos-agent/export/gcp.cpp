// GCP: a shell script of `gcloud compute instances simulate-maintenance-event VM... --zone Z`,
// one call per item with the VMs it selects (the same seeded pick the drill makes), at the
// item's time. A Spot VM's host maintenance policy is always TERMINATE, so the simulated event
// stops it as a preemption would (its maintenance-event key reads TERMINATE_ON_HOST_MAINTENANCE).
#include "chaos-agent/core/time_format.h"
#include "chaos-agent/export/export.h"

namespace agent::exports {

using spotsim::Result;
using spotsim::Status;
namespace {

constexpr Millis kGcpPreemptNotice{30000};

bool expressible(const plan::Item& item, Refusals& refusals) {
  if (item.type != plan::Item::Type::kMaintenance) {
    if (!item.notice_given || item.inject.notice == kGcpPreemptNotice) return true;
    refusals.add(item, "GCP gives a Spot VM the platform's own notice (30s); notice " +
                           format_duration(item.inject.notice) + " cannot be chosen (remove notice: or write 30s)");
    return false;
  }
  if (item.inject.gcp_maintenance != "TERMINATE_ON_HOST_MAINTENANCE") {
    refusals.add(item,
                 "the simulated event follows each VM's own onHostMaintenance policy and Spot VMs always "
                 "TERMINATE; gcp_event " +
                     item.inject.gcp_maintenance + " cannot be chosen");
    return false;
  }
  if (item.notice_given) {
    refusals.add(item, "a simulated maintenance event gives the platform's own notice; notice " +
                           format_duration(item.inject.notice) + " cannot be chosen (remove notice:)");
    return false;
  }
  return true;
}

std::string commands(const plan::Item& item) {
  std::string out = "gcloud compute instances simulate-maintenance-event";
  for (const auto& vm : item.selected) out += " " + shell_quote(vm);
  return out + " --zone \"$ZONE\"\n";
}

}  // namespace

Result<Output> export_gcp(const plan::Plan& plan, const Options& options) {
  if (options.zone.empty()) return Status::invalid("--export gcp needs --zone Z: the zone of the plan's VMs");
  ScriptCloud cloud;
  cloud.provider = Provider::kGcp;
  cloud.flag = "gcp";
  cloud.name = "GCP";
  cloud.what =
      "GCP: gcloud compute instances simulate-maintenance-event on the selected Spot VMs "
      "(onHostMaintenance TERMINATE), at each item's time.";
  cloud.variables = "ZONE=${ZONE:-" + shell_quote(options.zone) + "}\n";
  cloud.expressible = expressible;
  cloud.commands = commands;
  return export_script(plan, cloud);
}

}  // namespace agent::exports

// Azure: a shell script of `az vm simulate-eviction --resource-group G --name VM`, one call per
// VM an item selects (the same seeded pick the drill makes), at the item's time, in parallel.
// The platform then posts a Preempt Scheduled Event and evicts the Spot VM.
#include "chaos-agent/core/time_format.h"
#include "chaos-agent/export/export.h"

namespace agent::exports {

using spotsim::Result;
using spotsim::Status;
namespace {

constexpr Millis kAzureNotice{30000};

bool expressible(const plan::Item& item, Refusals& refusals) {
  if (item.type == plan::Item::Type::kMaintenance) {
    refusals.add(item,
                 "Azure maintenance events (Reboot, Redeploy, Freeze) cannot be triggered on demand; "
                 "simulate-eviction evicts a Spot VM");
    return false;
  }
  if (item.notice_given && item.inject.notice != kAzureNotice) {
    refusals.add(item, "simulate-eviction gives the platform's own notice (a Preempt event 30s ahead); notice " +
                           format_duration(item.inject.notice) + " cannot be chosen (remove notice: or write 30s)");
    return false;
  }
  return true;
}

std::string commands(const plan::Item& item) {
  std::string out;
  for (const auto& vm : item.selected)
    out += "az vm simulate-eviction --resource-group \"$RESOURCE_GROUP\" --name " + shell_quote(vm) + " &\n";
  return out + "wait\n";
}

}  // namespace

Result<Output> export_azure(const plan::Plan& plan, const Options& options) {
  if (options.resource_group.empty())
    return Status::invalid("--export azure needs --resource-group G: the resource group of the plan's VMs");
  ScriptCloud cloud;
  cloud.provider = Provider::kAzure;
  cloud.flag = "azure";
  cloud.name = "Azure";
  cloud.what = "Azure: az vm simulate-eviction per selected Spot VM, at each item's time.";
  cloud.variables = "RESOURCE_GROUP=${RESOURCE_GROUP:-" + shell_quote(options.resource_group) + "}\n";
  cloud.expressible = expressible;
  cloud.commands = commands;
  return export_script(plan, cloud);
}

}  // namespace agent::exports

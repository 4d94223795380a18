// Exports a game-day plan to the clouds' own drills, which evict for real:
//   fis    an AWS Fault Injection Service experiment template (JSON for
//          `aws fis create-experiment-template --cli-input-json file://T.json`)
//   azure  a shell script of `az vm simulate-eviction` calls, one per selected Spot VM
//   gcp    a shell script of `gcloud compute instances simulate-maintenance-event` calls
// Nothing is contacted. An item a cloud cannot express is refused with its position
// ("FILE:LINE:COL: error: chaos[2].storm: ..."); every refusal is reported, and nothing is
// written. docs/gameday.md ("Export to the clouds' drills") lists what each cloud refuses.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "chaos-agent/fleet/fleet_plan.h"
#include "chaos-agent/plan/plan.h"

namespace agent::exports {

enum class Cloud { kFis, kAzure, kGcp };
std::optional<Cloud> parse_cloud(std::string_view name);  // "fis", "azure", "gcp"

// fis, fleet plans: what an item's label selection says to FIS (export_fleet_plan).
struct ItemScope {
  std::map<std::string, std::string> tags;  // resourceTags: --tag and the select: labels
  size_t population = 0;                    // targets the item's selection holds (ALL when all)
  std::vector<std::string> refusals;        // what tags cannot say about it
};

struct Options {
  // fis
  std::string role_arn;                     // the IAM role FIS assumes (required)
  std::map<std::string, std::string> tags;  // resourceTags that pick the fleet's instances (required)
  std::vector<std::string> stop_alarms;     // CloudWatch alarm ARNs; none: stopConditions "none"
  // azure
  std::string resource_group;  // every plan target is a VM in it (required)
  // gcp
  std::string zone;  // every plan target is an instance in it (required)
  // fis: set by export_fleet_plan; empty for a plan of named targets (--tag, all of them).
  std::function<ItemScope(const plan::Item&)> item_scope;
};

struct Output {
  std::string text;                   // the JSON template or the script
  std::vector<std::string> warnings;  // for stderr: what the export leaves out
};

// Error: the refusals, one per line. A missing required option is named by its flag.
spotsim::Result<Output> export_plan(const plan::Plan& plan, Cloud cloud, const Options& options);

// A fleet plan (targets by label, chaos-agent/fleet/): export/fleet_export.cpp.
spotsim::Result<Output> export_fleet_plan(const fleet::FleetPlan& plan, Cloud cloud, const Options& options);

spotsim::Result<Output> export_fis(const plan::Plan& plan, const Options& options);    // export/fis.cpp
spotsim::Result<Output> export_azure(const plan::Plan& plan, const Options& options);  // export/azure.cpp
spotsim::Result<Output> export_gcp(const plan::Plan& plan, const Options& options);    // export/gcp.cpp

// ---- shared by the exporters (export/export.cpp) ---------------------------------------

// Collects refusals as "FILE:LINE:COL: error: WHERE: message", listed in file order.
class Refusals {
 public:
  explicit Refusals(const plan::Plan& plan) : plan_(plan) {}
  void add(const plan::Item& item, const std::string& message);
  void add_plan(const std::string& path, const std::string& message);  // at the top of the file
  bool empty() const { return lines_.empty(); }
  std::string text() const;

 private:
  const plan::Plan& plan_;
  std::vector<std::pair<plan::Position, std::string>> lines_;
};

// The items of a plan meant for `cloud`'s provider, in time order. Clears are left out; a
// clear that would withdraw a pending notice is refused (a real eviction cannot be withdrawn),
// as is a rebalance (no cloud drills one on its own).
std::vector<const plan::Item*> items_for(const plan::Plan& plan, Provider provider, const char* cloud,
                                         Refusals& refusals);

// "PT2M", "PT90S", "PT1H30M"; nullopt unless whole seconds.
std::optional<std::string> iso8601_duration(Millis d);
// 'text' for sh, with ' escaped.
std::string shell_quote(const std::string& text);
// A cloud whose drill is a shell script: at each item's time, the commands that evict the VMs
// the item selects (the plan's own, seeded pick). Every plan target's name is a VM's name.
struct ScriptCloud {
  Provider provider = Provider::kAws;
  std::string flag;       // "azure": for messages
  std::string name;       // "Azure"
  std::string what;       // one comment line saying what the script does
  std::string variables;  // sh assignments at the top, e.g. ZONE=${ZONE:-'...'}
  // False, with a refusal, when the cloud cannot drill the item.
  std::function<bool(const plan::Item&, Refusals&)> expressible;
  // The command lines for one item.
  std::function<std::string(const plan::Item&)> commands;
};
spotsim::Result<Output> export_script(const plan::Plan& plan, const ScriptCloud& cloud);

}  // namespace agent::exports

// AWS Fault Injection Service experiment template (the CreateExperimentTemplate request body,
// for `aws fis create-experiment-template --cli-input-json file://T.json`). Field names and
// limits from the FIS API reference and actions reference:
//   targets.NAME       {resourceType: aws:ec2:spot-instance, resourceTags, filters, selectionMode}
//   actions.NAME       {actionId, description, parameters, targets: {SpotInstances: NAME}, startAfter}
//   aws:ec2:send-spot-instance-interruptions  durationBeforeInterruption: ISO 8601, 2 to 15 minutes
//   aws:fis:wait                              duration: ISO 8601, 1 minute to 12 hours
//   stopConditions     [{source: aws:cloudwatch:alarm, value: ARN}] or [{source: none}]
// An item at T+t > 0 becomes a wait of t and the interruption started after it.
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "chaos-agent/core/time_format.h"
#include "chaos-agent/export/export.h"

namespace agent::exports {

using spotsim::Result;
using spotsim::Status;
namespace {

using nlohmann::json;

constexpr Millis kMinNotice{2 * 60 * 1000}, kMaxNotice{15 * 60 * 1000};
constexpr Millis kMinWait{60 * 1000}, kMaxWait{12 * 3600 * 1000};

// selectionMode for an item: the plan's seeded pick cannot be named to FIS, so a storm becomes
// PERCENT(n) of the tagged instances, an item on every target ALL, and with a blast radius
// count (blast_radius.max_targets) the plan's own count, COUNT(n), so FIS never hits more.
std::optional<std::string> selection_mode(const plan::Plan& plan, const plan::Item& item, size_t population,
                                          Refusals& refusals) {
  if (plan.max_targets > 0) return "COUNT(" + std::to_string(item.selected.size()) + ")";
  if (item.type == plan::Item::Type::kStorm) {
    const double pct = item.fraction * 100.0;
    if (std::abs(pct - std::round(pct)) > 1e-9) {
      std::ostringstream msg;
      msg << "FIS selects a whole percentage, PERCENT(n); fraction " << pct
          << "% is not one (or set blast_radius.max_targets to export COUNT(n))";
      refusals.add(item, msg.str());
      return std::nullopt;
    }
    return "PERCENT(" + std::to_string(static_cast<int>(std::round(pct))) + ")";
  }
  if (item.selected.size() != population) {
    refusals.add(item,
                 "FIS picks instances by tag, not by name: targets: cannot be exported (use a storm's "
                 "fraction, or one experiment per tag with --tag)");
    return std::nullopt;
  }
  return std::string("ALL");
}

// The interruption action of one item (and its wait), or refusals.
void add_item(const plan::Plan& plan, const plan::Item& item, const std::string& name, json& tmpl,
              const json& target_base, size_t population, Refusals& refusals) {
  bool ok = true;
  if (item.type == plan::Item::Type::kMaintenance) {
    refusals.add(item, "FIS has no EC2 scheduled-maintenance action (only spot interruptions)");
    return;
  }
  if (item.inject.aws_action != "terminate") {
    refusals.add(item, "FIS interrupts with each instance's own interruption behavior; action: " +
                           item.inject.aws_action + " cannot be chosen per drill");
    ok = false;
  }
  auto notice = iso8601_duration(item.inject.notice);
  if (item.inject.notice < kMinNotice || item.inject.notice > kMaxNotice || !notice) {
    refusals.add(item, "FIS durationBeforeInterruption is 2 to 15 minutes in whole seconds, got notice " +
                           format_duration(item.inject.notice));
    ok = false;
  }
  auto wait = iso8601_duration(item.at);
  if (item.at.count() > 0 && (item.at < kMinWait || item.at > kMaxWait || !wait)) {
    refusals.add(item, "FIS waits (aws:fis:wait) are 1 minute to 12 hours in whole seconds, got at: " +
                           format_duration(item.at) + " (use 0s or at least 1m)");
    ok = false;
  }
  auto mode = selection_mode(plan, item, population, refusals);
  if (!ok || !mode) return;
  json target = target_base;
  target["selectionMode"] = *mode;
  tmpl["targets"][name] = target;
  json action = {{"actionId", "aws:ec2:send-spot-instance-interruptions"},
                 {"description", item.where + " at T+" + format_duration(item.at) + " (" + plan.file + ":" +
                                     std::to_string(item.position.line) + ")"},
                 {"parameters", {{"durationBeforeInterruption", *notice}}},
                 {"targets", {{"SpotInstances", name}}}};
  if (item.at.count() > 0) {
    tmpl["actions"]["wait-" + name] = {{"actionId", "aws:fis:wait"},
                                       {"description", "until T+" + format_duration(item.at)},
                                       {"parameters", {{"duration", *wait}}}};
    action["startAfter"] = json::array({"wait-" + name});
  }
  tmpl["actions"][name] = action;
}

}  // namespace

Result<Output> export_fis(const plan::Plan& plan, const Options& options) {
  if (options.role_arn.empty())
    return Status::invalid(
        "--export fis needs --role-arn ARN: the IAM role FIS assumes to interrupt instances "
        "(ec2:SendSpotInstanceInterruptions, ec2:DescribeInstances)");
  if (options.tags.empty() && !options.item_scope)
    return Status::invalid(
        "--export fis needs --tag KEY=VALUE naming the fleet's instances; without one FIS would "
        "pick from every Spot instance in the account and region");
  Refusals refusals(plan);
  Output out;
  json tmpl = {{"description", "chaos-agent game-day plan " + plan.name + " (" + plan.file + ")"},
               {"targets", json::object()},
               {"actions", json::object()},
               {"roleArn", options.role_arn},
               {"tags", {{"Name", plan.name}, {"chaos-agent-plan", plan.file}}}};
  json target_base = {{"resourceType", "aws:ec2:spot-instance"},
                      {"resourceTags", options.tags},
                      {"filters", json::array({{{"path", "State.Name"}, {"values", {"running"}}}})}};
  const auto items = items_for(plan, Provider::kAws, "AWS FIS", refusals);
  for (const plan::Item* item : items) {
    const std::string where = item->where;
    json base = target_base;
    size_t population = plan.targets.size();
    if (options.item_scope) {  // a fleet plan: the item's own tags
      ItemScope scope = options.item_scope(*item);
      for (const auto& r : scope.refusals) refusals.add(*item, r);
      if (!scope.refusals.empty()) continue;
      if (scope.tags.empty()) {
        refusals.add(*item,
                     "FIS would pick from every Spot instance in the account: give --tag KEY=VALUE or "
                     "select: by label");
        continue;
      }
      base["resourceTags"] = scope.tags;
      population = scope.population;
    }
    add_item(plan, *item, "chaos-" + where.substr(6, where.find(']') - 6), tmpl, base, population, refusals);
  }
  if (!refusals.empty()) return Status::invalid(refusals.text());
  if (tmpl["actions"].empty()) return Status::invalid(plan.file + ": error: nothing in the plan is for aws");
  json stops = json::array();
  for (const auto& arn : options.stop_alarms) stops.push_back({{"source", "aws:cloudwatch:alarm"}, {"value", arn}});
  if (stops.empty()) stops.push_back({{"source", "none"}});
  tmpl["stopConditions"] = stops;
  if (plan.abort_position && options.stop_alarms.empty())
    out.warnings.push_back(plan.file + ":" + std::to_string(plan.abort_position->line) + ":" +
                           std::to_string(plan.abort_position->column) +
                           ": warning: abort: FIS cannot run this health check or command; the template has no "
                           "stop condition (give --stop-alarm ARN of a CloudWatch alarm watching the same thing)");
  out.text = tmpl.dump(2) + "\n";
  return out;
}

}  // namespace agent::exports

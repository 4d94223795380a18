#include "chaos-agent/export/export.h"

#include <algorithm>
#include <sstream>

#include "chaos-agent/core/time_format.h"

namespace agent::exports {
using spotsim::Result;
using spotsim::Status;

std::optional<Cloud> parse_cloud(std::string_view name) {
  if (name == "fis") return Cloud::kFis;
  if (name == "azure") return Cloud::kAzure;
  if (name == "gcp") return Cloud::kGcp;
  return std::nullopt;
}

Result<Output> export_plan(const plan::Plan& plan, Cloud cloud, const Options& options) {
  switch (cloud) {
    case Cloud::kFis: return export_fis(plan, options);
    case Cloud::kAzure: return export_azure(plan, options);
    case Cloud::kGcp: return export_gcp(plan, options);
  }
  return Status::internal("unknown cloud");
}

void Refusals::add(const plan::Item& item, const std::string& message) {
  lines_.emplace_back(item.position, plan_.file + ":" + std::to_string(item.position.line) + ":" +
                                         std::to_string(item.position.column) + ": error: " + item.where + ": " +
                                         message);
}

void Refusals::add_plan(const std::string& path, const std::string& message) {
  lines_.emplace_back(plan::Position{}, plan_.file + ":1:1: error: " + path + ": " + message);
}

std::string Refusals::text() const {
  auto sorted = lines_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
  });
  std::string out;
  for (const auto& [pos, line] : sorted) out += (out.empty() ? "" : "\n") + line;
  return out;
}

std::vector<const plan::Item*> items_for(const plan::Plan& plan, Provider provider, const char* cloud,
                                         Refusals& refusals) {
  std::vector<const plan::Item*> out;
  for (const auto& item : plan.items) {
    if (item.type == plan::Item::Type::kClear) {
      for (const plan::Item* earlier : out) {
        const Millis deadline = earlier->at + earlier->inject.notice;
        if (earlier->at <= item.at && item.at < deadline)
          refusals.add(item, "a real eviction cannot be withdrawn: this clear at " + format_duration(item.at) +
                                 " would cancel " + earlier->where + "'s notice before its deadline at " +
                                 format_duration(deadline) + " (move the clear after it, or leave it out)");
      }
      continue;
    }
    if (!has(item.inject.providers, provider)) continue;
    if (item.type == plan::Item::Type::kRebalance) {
      refusals.add(item, std::string(cloud) + " has no drill for a rebalance recommendation alone" +
                             (provider == Provider::kAws ? " (a preempt with a notice over 2m sends one first)" : ""));
      continue;
    }
    out.push_back(&item);
  }
  return out;
}

std::optional<std::string> iso8601_duration(Millis d) {
  if (d.count() < 0 || d.count() % 1000 != 0) return std::nullopt;
  long long s = d.count() / 1000;
  std::string out = "PT";
  if (s == 0) return out + "0S";
  if (s >= 3600) out += std::to_string(s / 3600) + "H";
  if (s % 3600 >= 60) out += std::to_string(s % 3600 / 60) + "M";
  if (s % 60) out += std::to_string(s % 60) + "S";
  return out;
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

namespace {

// The script's top: what it does, T+0, and wait_until (sleeps until T+SECONDS).
std::string script_header(const plan::Plan& plan, const ScriptCloud& cloud) {
  std::ostringstream o;
  o << "#!/bin/sh\n"
    << "# Game-day plan " << plan.name << " (" << plan.file << ") exported by chaos-agent gameday --export "
    << cloud.flag << ".\n"
    << "# " << cloud.what << "\n"
    << "# These are REAL evictions, not chaos-agent's fake notices. T+0 is when this script starts.\n"
    << "set -eu\n"
    << cloud.variables << "start=$(date +%s)\n"
    << "wait_until() {\n"
    << "  left=$((start + $1 - $(date +%s)))\n"
    << "  if [ \"$left\" -gt 0 ]; then sleep \"$left\"; fi\n"
    << "}\n";
  return o.str();
}

// "# chaos[0].storm at T+5m (plan.yaml:12:5): 2 of 4 VM(s)\nwait_until 300\n"
std::string script_step(const plan::Plan& plan, const plan::Item& item) {
  std::ostringstream o;
  o << "\n# " << item.where << " at T+" << format_duration(item.at) << " (" << plan.file << ":" << item.position.line
    << ":" << item.position.column << "): " << item.selected.size() << " of " << plan.targets.size() << " VM(s)\n"
    << "wait_until " << item.at.count() / 1000 << "\n";
  return o.str();
}

}  // namespace

Result<Output> export_script(const plan::Plan& plan, const ScriptCloud& cloud) {
  Refusals refusals(plan);
  // A plan without targets: drives the local agent only; there is no VM to name.
  if (plan.targets.size() == 1 && plan.targets[0].name == "local" && plan.targets[0].control == kDefaultControl)
    refusals.add_plan("targets", "the plan drives only the local agent; for --export " + cloud.flag +
                                     " list each VM as a target (its name is the VM's name)");
  std::string body;
  for (const plan::Item* item : items_for(plan, cloud.provider, cloud.name.c_str(), refusals)) {
    if (!cloud.expressible(*item, refusals)) continue;
    body += script_step(plan, *item) + cloud.commands(*item);
  }
  if (!refusals.empty()) return Status::invalid(refusals.text());
  if (body.empty()) return Status::invalid(plan.file + ": error: nothing in the plan is for " + cloud.flag);
  Output out;
  out.text = script_header(plan, cloud) + body;
  return out;
}

}  // namespace agent::exports

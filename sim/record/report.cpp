#include "sim/record/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace spotsim {

const char* const kSpotsimVersion = SPOTSIM_VERSION;  // project(VERSION) in CMakeLists.txt

namespace {

nlohmann::json stats_json(const MetricStats& s) {
  auto clean = [](double v) { return std::isfinite(v) ? v : 0.0; };
  return nlohmann::json{{"mean", clean(s.mean)}, {"stddev", clean(s.stddev)}, {"min", clean(s.min)},
                        {"p50", clean(s.p50)},   {"p95", clean(s.p95)},       {"p99", clean(s.p99)},
                        {"max", clean(s.max)}};
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string human_seconds(double s) {
  if (s < 120) return fmt("%.0f s", s);
  if (s < 7200) return fmt("%.1f min", s / 60);
  return fmt("%.1f h", s / 3600);
}

}  // namespace

nlohmann::json run_to_json(const CompiledScenario& sc, const RunResult& r) {
  nlohmann::json j;
  j["spotsim"] = kSpotsimVersion;
  j["scenario"] = sc.name;
  j["seed"] = r.seed;
  j["replications"] = r.completed;
  if (r.cancelled) {
    j["cancelled"] = true;
    j["replications_requested"] = r.replications;
  }
  j["events"] = r.events;
  j["wall_seconds"] = r.wall_seconds;
  j["threads"] = r.threads;
  nlohmann::json metrics = nlohmann::json::object();
  for (size_t i = 0; i < r.metrics.size(); ++i) metrics[r.metrics[i].name] = stats_json(r.stats[i]);
  j["metrics"] = metrics;
  nlohmann::json units = nlohmann::json::object();
  for (const auto& m : r.metrics) units[m.name] = metric_unit_name(m.unit);
  j["units"] = units;
  // Every replication's value of every metric: replication_ids[i] is the replication number of
  // per_replication[metric][i] (what `spotsim run --replication K` reproduces alone).
  j["replication_ids"] = r.replication_ids;
  nlohmann::json per = nlohmann::json::object();
  for (size_t m = 0; m < r.metrics.size(); ++m) {
    nlohmann::json col = nlohmann::json::array();
    for (const auto& rep : r.per_replication) col.push_back(m < rep.size() && std::isfinite(rep[m]) ? rep[m] : 0.0);
    per[r.metrics[m].name] = col;
  }
  j["per_replication"] = per;
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& e : r.expectations) {
    nlohmann::json o{{"text", e.text}, {"passed", e.passed}, {"observed", e.observed}};
    if (!e.passed && !e.explanation.empty()) o["explanation"] = e.explanation;
    ex.push_back(o);
  }
  j["expectations"] = ex;
  return j;
}

namespace {

// The rows of a fleet's section, in order: label, the fleet's metric, printf format of mean and
// p95, and whether the row is shown only when it happened (its max over replications is > 0).
struct FleetRow {
  const char* label;
  const char* metric;
  const char* format;
  bool only_if_happened;
};
constexpr FleetRow kFleetRows[] = {
    {"interruptions", "interruptions", "%8.1f", false},
    {"replacements", "replacements", "%8.1f", false},
    {"capacity errors on launch", "capacity_errors", "%8.1f", false},
    // Why launches were refused, shown only for the causes that happened.
    {"  refused: no spot capacity", "rejections_insufficient_spot", "%8.1f", true},
    {"  refused: no on-demand capacity", "rejections_insufficient_on_demand", "%8.1f", true},
    {"  refused: on-demand vCPU quota", "rejections_quota", "%8.1f", true},
    {"  refused: launch API throttled", "rejections_throttled", "%8.1f", true},
    {"  refused: spot price above max", "rejections_price", "%8.1f", true},
    {"time to reschedule, mean (s)", "time_to_reschedule", "%8.1f", false},
    {"time to reschedule, p95 (s)", "time_to_reschedule_p95", "%8.1f", false},
    {"lost and never back (VMs at the end)", "unrecovered", "%8.1f", true},
    {"availability (% of target VM-hours)", "availability_pct", "%8.2f", false},
    {"lost VM-hours (target not running)", "lost_vm_hours", "%8.1f", false},
    {"spot VM-hours", "vm_hours_spot", "%8.1f", false},
    {"on-demand VM-hours", "vm_hours_on_demand", "%8.1f", false},
    {"cost ($)", "cost", "%8.2f", false},
    {"cost per available VM-hour ($)", "cost_per_available_vm_hour", "%8.3f", false},
};
// Other metrics of each fleet the text report reads (the savings and reschedule lines).
constexpr const char* kFleetSummaryMetrics[] = {"cost_all_on_demand", "vm_hours_needed", "unrecovered_open"};
constexpr const char* kCostSummaryMetrics[] = {"total", "all_on_demand", "savings_pct"};

}  // namespace

std::vector<MetricKey> report_metric_keys(const CompiledScenario& sc) {
  std::vector<MetricKey> keys;
  for (const char* m : kCostSummaryMetrics) keys.push_back(run_metric(MetricGroup::kCost, m));
  for (const auto& f : sc.fleets) {
    const MetricOwner p{MetricGroup::kFleet, f.name};
    for (const FleetRow& row : kFleetRows) keys.push_back(p + row.metric);
    for (const char* m : kFleetSummaryMetrics) keys.push_back(p + m);
  }
  return keys;
}

std::string run_to_text(const CompiledScenario& sc, const RunResult& r) {
  std::ostringstream os;
  auto stat = [&](const MetricKey& key) -> const MetricStats* {
    const int i = r.metric_index(key);
    return i < 0 ? nullptr : &r.stats[static_cast<size_t>(i)];
  };
  os << "scenario " << sc.name << ": " << r.completed << " replications of " << format_duration(sc.duration)
     << ", seed " << r.seed << " (" << r.events << " events, " << fmt("%.2f", r.wall_seconds) << " s on " << r.threads
     << " threads)\n";
  if (r.cancelled)
    os << "  INTERRUPTED: only " << r.completed << " of " << r.replications << " replications finished\n";
  os << "\n";
  for (const auto& f : sc.fleets) {
    const MetricOwner p{MetricGroup::kFleet, f.name};
    if (f.scale_to_zero) {  // its target follows the jobs (docs/fleets.md, "Scale to zero")
      std::string head = "fleet " + f.name + " (up to " + std::to_string(f.target) + " VMs, scales to zero)";
      head.append(head.size() < 46 ? 46 - head.size() : 2, ' ');
      os << head << "mean      p95\n";
    } else {
      os << "fleet " << f.name << " (target " << f.target << " VMs)                     mean      p95\n";
    }
    for (const FleetRow& row : kFleetRows) {
      const MetricStats* s = stat(p + row.metric);
      if (!s || (row.only_if_happened && !(s->max > 0))) continue;
      char buf[160];
      std::snprintf(buf, sizeof buf, "  %-38s", row.label);
      os << buf << fmt(row.format, s->mean) << "  " << fmt(row.format, s->p95) << "\n";
    }
    os << "\n";
  }
  // Workloads (and Kubernetes deployments): every workload.<name>.* metric, grouped by name, in
  // the order the model registered them.
  for (const auto& w : metric_owners(r.metrics, MetricGroup::kWorkload)) {
    const MetricOwner p{MetricGroup::kWorkload, w};
    os << "workload " << w << std::string(w.size() < 35 ? 35 - w.size() : 0, ' ') << "           mean       p95\n";
    for (size_t i = 0; i < r.metrics.size(); ++i) {
      const auto& d = r.metrics[i];
      if (!p.owns(d.key)) continue;
      std::string label = d.key.name;
      if (d.unit != MetricUnit::kCount && d.unit != MetricUnit::kRatio) {
        label += std::string(" (") + metric_unit_name(d.unit) + ")";
      }
      char buf[200];
      std::snprintf(buf, sizeof buf, "  %-40s%10.2f%10.2f\n", label.c_str(), r.stats[i].mean, r.stats[i].p95);
      os << buf;
    }
    os << "\n";
  }
  // Regions with shared limits (quota, launch rate, shared spot capacity): one line each.
  for (const auto& reg : metric_owners(r.metrics, MetricGroup::kRegion)) {
    const MetricOwner p{MetricGroup::kRegion, reg};
    os << "region " << reg << " (mean per replication):";
    for (size_t i = 0; i < r.metrics.size(); ++i) {
      if (!p.owns(r.metrics[i].key)) continue;
      os << "  " << r.metrics[i].key.name << " " << fmt("%.1f", r.stats[i].mean);
    }
    os << "\n\n";
  }
  const MetricStats* total = stat(run_metric(MetricGroup::kCost, kCostSummaryMetrics[0]));
  const MetricStats* all_od = stat(run_metric(MetricGroup::kCost, kCostSummaryMetrics[1]));
  const MetricStats* savings = stat(run_metric(MetricGroup::kCost, kCostSummaryMetrics[2]));
  if (total && all_od && savings) {
    os << "cost: $" << fmt("%.2f", total->mean) << " per run vs $" << fmt("%.2f", all_od->mean)
       << " all on-demand: " << fmt("%.1f", savings->mean) << "% saved (replications range "
       << fmt("%.1f", savings->min) << "%.." << fmt("%.1f", savings->max) << "%)\n";
    // Savings compare with a fleet that was always there: say when this one was not.
    for (const auto& f : sc.fleets) {
      const MetricOwner p{MetricGroup::kFleet, f.name};
      const MetricStats* avail = stat(p + "availability_pct");
      const MetricStats* per_h = stat(p + "cost_per_available_vm_hour");
      const MetricStats* od = stat(p + kFleetSummaryMetrics[0]);
      const MetricStats* needed = stat(p + kFleetSummaryMetrics[1]);
      if (!avail || !per_h || !od || !needed || avail->mean >= 99.0) continue;
      os << "  but fleet " << f.name << " was there for only " << fmt("%.1f", avail->mean)
         << "% of its target VM-hours (all on-demand: 100%); per VM-hour it was there it cost $"
         << fmt("%.3f", per_h->mean);
      if (needed->mean > 0) os << " (on-demand: $" << fmt("%.3f", od->mean / needed->mean) << ")";
      os << "\n";
    }
  }
  for (const auto& f : sc.fleets) {
    const MetricOwner p{MetricGroup::kFleet, f.name};
    const MetricStats* ttr = stat(p + "time_to_reschedule_p95");
    const MetricStats* intr = stat(p + "interruptions");
    const int ui = r.metric_index(p + "unrecovered");
    const int oi = r.metric_index(p + kFleetSummaryMetrics[2]);
    // Replications where VMs were lost for good: their time to reschedule is only a lower bound.
    int64_t dead_reps = 0;
    double dead_vms = 0, dead_since_s = 0;
    if (ui >= 0 && oi >= 0) {
      for (const auto& rep : r.per_replication) {
        if (rep[static_cast<size_t>(ui)] <= 0) continue;
        ++dead_reps;
        dead_vms += rep[static_cast<size_t>(ui)];
        dead_since_s += sc.duration.to_seconds() - rep[static_cast<size_t>(oi)];
      }
    }
    if (dead_reps > 0) {
      const double n = static_cast<double>(dead_reps);
      os << "fleet " << f.name << ": " << fmt("%.0f", dead_vms / n) << " VMs lost (the first at "
         << format_duration(Duration::seconds(std::round(dead_since_s / n))) << " into the run) never came back";
      if (dead_reps < static_cast<int64_t>(r.per_replication.size())) {
        os << ", in " << dead_reps << " of " << r.per_replication.size() << " replications (mean over those)";
      }
      os << "; time to reschedule counts them up to the end of the run, so it is a lower bound\n";
    } else if (ttr && intr) {
      os << "fleet " << f.name << ": " << fmt("%.0f", intr->mean) << " interruptions per run; a lost VM is back in "
         << human_seconds(stat(p + "time_to_reschedule")->mean) << " on average, " << human_seconds(ttr->mean)
         << " at p95\n";
    }
  }
  if (!sc.chaos.empty()) {
    // One line per chaos item: what, where, and the means of its chaos.<name>.* metrics.
    os << "\nchaos (mean per replication):\n";
    for (const ChaosSpec& c : sc.chaos) {
      os << "  " << c.name << ": " << chaos_kind_name(c.kind);
      if (!c.scope.text.empty()) os << " [" << c.scope.text << "]";
      const MetricOwner item{MetricGroup::kChaos, c.name};
      for (size_t i = 0; i < r.metrics.size(); ++i) {
        if (!item.owns(r.metrics[i].key)) continue;
        os << "  " << r.metrics[i].key.name << " " << fmt("%.1f", r.stats[i].mean);
      }
      os << "\n";
    }
  }
  if (!r.expectations.empty()) {
    int failed = 0;
    os << "\nexpectations:\n";
    for (const auto& e : r.expectations) {
      os << "  " << (e.passed ? "PASS" : "FAIL") << "  " << e.text << "   (observed " << fmt("%g", e.observed) << ")\n";
      if (!e.passed) {
        ++failed;
        if (!e.explanation.empty()) os << "        " << e.explanation << "\n";
      }
    }
    os << "  " << (r.expectations.size() - static_cast<size_t>(failed)) << " passed, " << failed << " failed\n";
  }
  return os.str();
}

}  // namespace spotsim

#include "sim/run/laws.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/chaos/runtime.h"
#include "sim/model/world.h"

namespace spotsim {
namespace {

bool close(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max({1.0, std::fabs(a), std::fabs(b)}); }
bool at_most(double a, double b) { return a <= b || close(a, b); }

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

LawChecker::LawChecker(const CompiledScenario& scenario, const std::vector<MetricDef>& metrics) : sc_(scenario) {
  auto idx = [&](const MetricKey& key) { return find_metric(metrics, key); };
  for (const FleetSpec& f : scenario.fleets) {
    const MetricOwner p{MetricGroup::kFleet, f.name};
    fleets_.push_back(FleetIdx{idx(p + "availability_pct"), idx(p + "lost_vm_hours"), idx(p + "vm_hours_spot"),
                               idx(p + "vm_hours_on_demand"), idx(p + "interruptions"), idx(p + "launches"),
                               idx(p + "restarts"), idx(p + "unrecovered"), idx(p + "time_to_reschedule"),
                               idx(p + "time_to_reschedule_max"), idx(p + "cost"), idx(p + "savings_pct"),
                               idx(p + "spot_share_pct"), idx(p + "cost_per_available_vm_hour"),
                               idx(p + "capacity_errors"), idx(p + "rejection_rate_pct"), idx(p + "fallback_launches"),
                               idx(p + "fallback_rate_pct"), idx(p + "revocation_rate")});
  }
  for (const PoolSpec& pl : scenario.pools) {
    const MetricOwner p{MetricGroup::kPool, pl.name};
    pools_.push_back(PoolIdx{idx(p + "vm_hours"), idx(p + "vm_hours_spot"), idx(p + "vm_hours_on_demand"),
                             idx(p + "cost"), idx(p + "unrecovered"), idx(p + "spot_utilization_pct")});
  }
  for (const WorkloadSpec& w : scenario.workloads) {
    if (w.kind != WorkloadKind::kDeadlineJob) continue;
    const MetricOwner p{MetricGroup::kWorkload, w.name};
    deadlines_.push_back(DeadlineIdx{w.name, w.deadline.work.to_hours(), idx(p + "work_hours_on_demand"),
                                     idx(p + "work_hours_spot"), idx(p + "on_demand_hours"), idx(p + "spot_hours"),
                                     idx(p + "deadline_misses")});
  }
  cost_total_ = idx(run_metric(MetricGroup::kCost, "total"));
  cost_spot_ = idx(run_metric(MetricGroup::kCost, "spot"));
  cost_od_ = idx(run_metric(MetricGroup::kCost, "on_demand"));
  cost_disk_ = idx(run_metric(MetricGroup::kCost, "disk"));
  for (size_t i = 0; i < metrics.size(); ++i) {
    const MetricUnit u = metrics[i].unit;
    if (u == MetricUnit::kDollars || u == MetricUnit::kHours || u == MetricUnit::kCount || u == MetricUnit::kSeconds) {
      nonnegative_.push_back(static_cast<int>(i));
    }
    names_.push_back(metrics[i].name);
  }
}

std::vector<std::string> LawChecker::check(const World& world, const ChaosRuntime& chaos,
                                           const std::vector<double>& values) const {
  std::vector<std::string> broken;
  auto v = [&](int i) {
    return i >= 0 && static_cast<size_t>(i) < values.size() ? values[static_cast<size_t>(i)] : 0.0;
  };
  auto fail = [&](const std::string& law, const std::string& detail) { broken.push_back(law + ": " + detail); };

  for (int i : nonnegative_) {
    if (v(i) < -1e-9 || !std::isfinite(v(i)))
      fail("no negative or non-finite amounts", names_[static_cast<size_t>(i)] + " = " + num(v(i)));
  }
  const double duration_s = sc_.duration.to_seconds();
  double fleets_vm_h = 0, fleets_cost = 0, fleets_unrecovered = 0;
  for (size_t fi = 0; fi < fleets_.size() && fi < world.fleets().size(); ++fi) {
    const FleetIdx& m = fleets_[fi];
    const FleetState& f = world.fleets()[fi];
    const std::string who = "fleet " + sc_.fleets[fi].name;
    const double target_h = f.target_vm_us / 3.6e9, served_h = f.served_vm_us / 3.6e9,
                 running_h = f.running_vm_us / 3.6e9;
    if (v(m.availability) < -1e-9 || !at_most(v(m.availability), 100.0)) {
      fail("availability is in [0, 100]", who + ": availability_pct = " + num(v(m.availability)));
    }
    if (!at_most(served_h, target_h) || !close(served_h + v(m.lost), target_h)) {
      fail("∫min(running, target) + lost = ∫target",
           who + ": " + num(served_h) + " + " + num(v(m.lost)) + " VM-h vs " + num(target_h) + " VM-h");
    }
    if (!at_most(served_h, running_h)) {
      fail("∫min(running, target) ≤ ∫running", who + ": " + num(served_h) + " > " + num(running_h) + " VM-h");
    }
    if (!close(v(m.spot_h) + v(m.od_h), running_h)) {
      fail("VM-hours by purchase type sum to the total", who + ": spot " + num(v(m.spot_h)) + " + on-demand " +
                                                             num(v(m.od_h)) + " ≠ running " + num(running_h) + " VM-h");
    }
    const double ran = static_cast<double>(sc_.fleets[fi].target) + v(m.launches) + v(m.restarts);
    if (v(m.interruptions) > ran) {
      fail("evictions ≤ VMs that were running",
           who + ": " + num(v(m.interruptions)) + " interruptions of at most " + num(ran) + " VMs");
    }
    if (m.unrecovered >= 0 && v(m.unrecovered) > v(m.interruptions)) {
      fail("unrecovered ≤ interruptions", who + ": " + num(v(m.unrecovered)) + " > " + num(v(m.interruptions)));
    }
    if (!at_most(v(m.ttr), v(m.ttr_max)) || !at_most(v(m.ttr_max), duration_s)) {
      fail("0 ≤ time_to_reschedule ≤ time_to_reschedule_max ≤ duration",
           who + ": " + num(v(m.ttr)) + " s, max " + num(v(m.ttr_max)) + " s, run " + num(duration_s) + " s");
    }
    if (!at_most(v(m.savings), 100.0)) fail("savings_pct ≤ 100", who + ": " + num(v(m.savings)));
    if (v(m.spot_share) < -1e-9 || !at_most(v(m.spot_share), 100.0)) {
      fail("spot_share_pct is in [0, 100]", who + ": " + num(v(m.spot_share)));
    }
    // Rates are the ratios of the counts they are defined by (docs/metrics.md), 0 without a base.
    const auto ratio_law = [&](const char* law, double rate, double count, double base, double scale) {
      const double want = base > 0 ? scale * count / base : 0.0;
      if (!close(rate, want)) fail(law, who + ": " + num(rate) + ", its counts give " + num(want));
    };
    ratio_law("rejection_rate_pct = 100 × capacity_errors / (capacity_errors + launches)", v(m.rejection_rate),
              v(m.capacity_errors), v(m.capacity_errors) + v(m.launches), 100.0);
    ratio_law("fallback_rate_pct = 100 × fallback_launches / launches", v(m.fallback_rate), v(m.fallback_launches),
              v(m.launches), 100.0);
    ratio_law("revocation_rate = interruptions / vm_hours_spot", v(m.revocation_rate), v(m.interruptions), v(m.spot_h),
              1.0);
    fleets_vm_h += v(m.spot_h) + v(m.od_h);
    fleets_cost += v(m.cost);
    fleets_unrecovered += v(m.unrecovered);
  }
  double pools_vm_h = 0, pools_unrecovered = 0;
  for (size_t pi = 0; pi < pools_.size(); ++pi) {
    const PoolIdx& m = pools_[pi];
    const std::string who = "pool " + sc_.pools[pi].name;
    if (!close(v(m.spot_h) + v(m.od_h), v(m.vm_hours))) {
      fail("VM-hours by purchase type sum to the total", who + ": spot " + num(v(m.spot_h)) + " + on-demand " +
                                                             num(v(m.od_h)) + " ≠ " + num(v(m.vm_hours)) + " VM-h");
    }
    if (v(m.utilization) < -1e-9 || !at_most(v(m.utilization), 100.0)) {
      fail("spot_utilization_pct is in [0, 100]", who + ": " + num(v(m.utilization)));
    }
    pools_vm_h += v(m.vm_hours);
    pools_unrecovered += v(m.unrecovered);
  }
  if (!close(pools_vm_h, fleets_vm_h)) {
    fail("VM-hours of the pools sum to those of the fleets", num(pools_vm_h) + " vs " + num(fleets_vm_h) + " VM-h");
  }
  if (!close(pools_unrecovered, fleets_unrecovered)) {
    fail("unrecovered VMs of the pools sum to those of the fleets",
         num(pools_unrecovered) + " vs " + num(fleets_unrecovered));
  }
  if (!close(v(cost_total_), v(cost_spot_) + v(cost_od_) + v(cost_disk_))) {
    fail("cost.total = cost.spot + cost.on_demand + cost.disk",
         num(v(cost_total_)) + " vs " + num(v(cost_spot_)) + " + " + num(v(cost_od_)) + " + " + num(v(cost_disk_)));
  }
  if (!close(v(cost_total_), fleets_cost)) {
    fail("the fleets' costs sum to cost.total", num(fleets_cost) + " vs " + num(v(cost_total_)));
  }
  for (const DeadlineIdx& d : deadlines_) {
    if (d.work_od < 0 || d.work_spot < 0) continue;
    const std::string who = "deadline job " + d.name;
    const double work = v(d.work_od) + v(d.work_spot);
    if (!at_most(work, d.work_h) || (v(d.misses) == 0 && !close(work, d.work_h))) {
      fail("a deadline job's work hours sum to its work when it finishes (never more)",
           who + ": " + num(v(d.work_od)) + " + " + num(v(d.work_spot)) + " h of work, work " + num(d.work_h) + " h");
    }
    if (!at_most(v(d.work_od), v(d.paid_od)) || !at_most(v(d.work_spot), v(d.paid_spot))) {
      fail("paid hours ≥ work hours on each kind", who);
    }
  }
  for (const std::string& c : chaos.violations()) broken.push_back(c);
  return broken;
}

}  // namespace spotsim

#include "sim/record/sweep_report.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "sim/record/report.h"

namespace spotsim {

namespace {

double clean(double v) { return std::isfinite(v) ? v : 0.0; }

nlohmann::json stats_json(const MetricStats& s) {
  return nlohmann::json{{"mean", clean(s.mean)}, {"stddev", clean(s.stddev)}, {"min", clean(s.min)},
                        {"p50", clean(s.p50)},   {"p95", clean(s.p95)},       {"p99", clean(s.p99)},
                        {"max", clean(s.max)}};
}

std::string num(double v) {
  char buf[64];
  const double a = std::fabs(v);
  if (a != 0 && (a >= 1e6 || a < 1e-2)) {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  }
  return buf;
}

}  // namespace

nlohmann::json sweep_to_json(const SweepPlan& plan, const SweepResult& r, const ParetoSpec* pareto,
                             const std::vector<ParetoPoint>* front) {
  nlohmann::json j;
  j["spotsim"] = kSpotsimVersion;
  j["scenario"] = plan.base.name;
  j["seed"] = plan.seed;
  nlohmann::json params = nlohmann::json::array();
  for (const auto& a : plan.axes) params.push_back({{"path", a.path}, {"values", a.values}});
  j["parameters"] = params;
  j["points_total"] = plan.points.size();
  j["points_completed"] = r.points_completed;
  j["replications_total"] = r.items;
  j["replications_completed"] = r.items_completed;
  if (r.cancelled) j["cancelled"] = true;
  j["events"] = r.events;
  j["wall_seconds"] = r.wall_seconds;
  j["threads"] = r.threads;
  j["processes"] = r.processes;
  nlohmann::json units = nlohmann::json::object();
  for (const auto& m : plan.metrics) units[m.name] = metric_unit_name(m.unit);
  j["units"] = units;
  nlohmann::json points = nlohmann::json::array();
  for (size_t p = 0; p < r.points.size(); ++p) {
    const SweepPointResult& pr = r.points[p];
    nlohmann::json o;
    o["index"] = p;
    nlohmann::json ov = nlohmann::json::object();
    for (const auto& [k, v] : pr.overrides) ov[k] = v;
    o["overrides"] = ov;
    o["replications"] = pr.replications;
    o["completed"] = pr.completed;
    o["events"] = pr.events;
    nlohmann::json metrics = nlohmann::json::object();
    if (pr.complete()) {
      for (size_t m = 0; m < plan.metrics.size(); ++m) metrics[plan.metrics[m].name] = stats_json(pr.stats[m]);
    }
    o["metrics"] = metrics;
    points.push_back(o);
  }
  j["points"] = points;
  if (pareto && front) {
    nlohmann::json f = nlohmann::json::array();
    for (const auto& x : *front) f.push_back({{"point", x.point}, {"a", clean(x.a)}, {"b", clean(x.b)}});
    j["pareto"] = {{"metric_a", pareto->metric_a},
                   {"metric_b", pareto->metric_b},
                   {"stat_a", expect_stat_name(pareto->stat_a)},
                   {"stat_b", expect_stat_name(pareto->stat_b)},
                   {"goal_a", pareto->maximize_a ? "max" : "min"},
                   {"goal_b", pareto->maximize_b ? "max" : "min"},
                   {"front", f}};
  }
  return j;
}

std::string sweep_to_text(const SweepPlan& plan, const SweepResult& r, const ParetoSpec* pareto,
                          const std::vector<ParetoPoint>* front) {
  std::ostringstream os;
  os << "sweep " << plan.base.name << ": " << plan.points.size() << " points × replications = " << r.items
     << " runs, seed " << plan.seed << " (" << r.events << " events, " << num(r.wall_seconds) << " s on " << r.processes
     << (r.processes == 1 ? " process × " : " processes × ") << r.threads << " threads)\n";
  if (r.cancelled) {
    os << "  INTERRUPTED: " << r.points_completed << " of " << plan.points.size() << " points complete ("
       << r.items_completed << " of " << r.items << " runs)\n";
  }
  // Columns: the parameters, then the Pareto metrics (or cost.total and cost.savings_pct).
  std::vector<std::pair<int, ExpectStat>> cols;
  if (pareto) {
    cols = {{pareto->index_a, pareto->stat_a}, {pareto->index_b, pareto->stat_b}};
  } else {
    for (const char* name : {"total", "savings_pct"}) {
      const int m = find_metric(plan.metrics, run_metric(MetricGroup::kCost, name));
      if (m >= 0) cols.emplace_back(m, ExpectStat::kMean);
    }
  }
  os << "\n  point";
  for (const auto& a : plan.axes) os << "  " << a.path;
  for (const auto& [c, st] : cols)
    os << "  " << plan.metrics[static_cast<size_t>(c)].name << "." << expect_stat_name(st);
  os << "\n";
  for (size_t p = 0; p < r.points.size(); ++p) {
    const SweepPointResult& pr = r.points[p];
    char idx[32];
    std::snprintf(idx, sizeof idx, "  %5zu", p);
    os << idx;
    for (size_t k = 0; k < pr.overrides.size(); ++k) {
      const std::string& v = pr.overrides[k].second;
      os << "  " << v
         << std::string(plan.axes[k].path.size() > v.size() ? plan.axes[k].path.size() - v.size() : 0, ' ');
    }
    for (const auto& [c, st] : cols) {
      if (!pr.complete()) {
        os << "  (not run)";
        break;
      }
      os << "  " << num(stat_value(pr.stats[static_cast<size_t>(c)], st));
    }
    os << "\n";
  }
  if (pareto && front) {
    // The statistic is named only when it is not the mean (the default), so the usual report is unchanged.
    auto label = [](const std::string& m, ExpectStat st) {
      return st == ExpectStat::kMean ? m : m + "." + expect_stat_name(st);
    };
    const std::string la = label(pareto->metric_a, pareto->stat_a), lb = label(pareto->metric_b, pareto->stat_b);
    os << "\nPareto front (" << (pareto->maximize_a ? "max " : "min ") << la << ", "
       << (pareto->maximize_b ? "max " : "min ") << lb << "): " << front->size() << " point"
       << (front->size() == 1 ? "" : "s") << "\n";
    for (const auto& x : *front) {
      os << "  point " << x.point << ":";
      for (const auto& [k, v] : r.points[static_cast<size_t>(x.point)].overrides) os << " " << k << "=" << v;
      os << "  →  " << la << " " << num(x.a) << ", " << lb << " " << num(x.b) << "\n";
    }
  }
  return os.str();
}

}  // namespace spotsim

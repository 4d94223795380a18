#include "sim/run/sweep.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "sim/run/runner.h"

namespace spotsim {

Result<GridAxis> parse_grid_arg(const std::string& arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::invalid("--grid " + arg + ": expected PATH=V1,V2,..., e.g. --grid fleets.web.target=20,40,60");
  }
  GridAxis axis;
  axis.path = arg.substr(0, eq);
  const std::string rest = arg.substr(eq + 1);
  size_t start = 0;
  for (;;) {
    const size_t comma = rest.find(',', start);
    std::string v = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (v.empty()) {
      return Status::invalid("--grid " + arg + ": empty value; separate values with single commas, e.g. " + axis.path +
                             "=1,2,3");
    }
    axis.values.push_back(std::move(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return axis;
}

std::vector<Overrides> grid_points(const std::vector<GridAxis>& axes) {
  std::vector<Overrides> out(1);
  for (const auto& axis : axes) {
    std::vector<Overrides> next;
    next.reserve(out.size() * axis.values.size());
    for (const auto& prefix : out) {
      for (const auto& v : axis.values) {
        Overrides p = prefix;
        p.emplace_back(axis.path, v);
        next.push_back(std::move(p));
      }
    }
    out = std::move(next);
  }
  return out;
}

std::pair<int64_t, int64_t> SweepPlan::item(int64_t index) const {
  // first_item is ascending: binary search for the point holding `index`.
  const auto it = std::upper_bound(first_item.begin(), first_item.end(), index);
  const int64_t point = static_cast<int64_t>(it - first_item.begin()) - 1;
  return {point, index - first_item[static_cast<size_t>(point)]};
}

namespace {
std::string describe(const Overrides& o) {
  std::string s;
  for (const auto& [k, v] : o) s += (s.empty() ? "" : ", ") + k + "=" + v;
  return s;
}
}  // namespace

Result<SweepPlan> plan_sweep(const std::string& path, const Overrides& sets, const std::vector<GridAxis>& axes,
                             const SweepOptions& options) {
  if (axes.empty()) return Status::invalid("spotsim sweep: error: give at least one --grid PATH=V1,V2,...");
  for (size_t i = 0; i < axes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (axes[i].path == axes[j].path) {
        return Status::invalid("--grid " + axes[i].path + ": given twice; list every value in one --grid");
      }
    }
  }
  SweepPlan plan;
  ASSIGN_OR_RETURN(plan.base, load_scenario(path, LoadOptions{sets}));
  plan.axes = axes;
  plan.points = grid_points(axes);
  plan.seed = options.seed.value_or(plan.base.seed);
  plan.metrics = replication_metric_defs(plan.base);
  plan.scenarios.reserve(plan.points.size());
  // Grid points compile the base text again: the policy files the base read are not read again
  // (a point that names another file reads it).
  const FileReader files = [&plan](const std::string& p) -> std::optional<std::string> {
    for (const PolicySpec& ps : plan.base.policies) {
      if (ps.path == p) return ps.source;
    }
    return read_text_file(p);
  };
  for (size_t i = 0; i < plan.points.size(); ++i) {
    Overrides all = sets;
    all.insert(all.end(), plan.points[i].begin(), plan.points[i].end());
    auto sc = compile_scenario(plan.base.text, plan.base.file, LoadOptions{all, files});
    if (!sc) {
      return sc.status().with_prefix("grid point " + std::to_string(i) + " (" + describe(plan.points[i]) + "): ");
    }
    const std::vector<MetricDef> defs = replication_metric_defs(*sc);
    bool same = defs.size() == plan.metrics.size();
    for (size_t m = 0; same && m < defs.size(); ++m) same = defs[m].key == plan.metrics[m].key;
    if (!same) {
      return Status::invalid("grid point " + std::to_string(i) + " (" + describe(plan.points[i]) +
                             "): error: changes the set of metrics (e.g. renames a pool or fleet); sweep only "
                             "parameters that keep the scenario's structure");
    }
    const int64_t reps = options.replications.value_or(sc->replications);
    if (reps < 1) return Status::invalid("--replications must be at least 1");
    plan.first_item.push_back(plan.items);
    plan.replications.push_back(reps);
    plan.items += reps;
    plan.scenarios.push_back(std::move(*sc));
  }
  return plan;
}

std::vector<double> run_sweep_item(const SweepPlan& plan, int64_t item, uint64_t* events) {
  const auto [point, rep] = plan.item(item);
  return run_replication(plan.scenarios[static_cast<size_t>(point)], plan.seed, rep, nullptr, events);
}

SweepResult assemble_sweep(const SweepPlan& plan, std::vector<std::vector<double>> values,
                           const std::vector<uint64_t>& events, const std::vector<char>& done) {
  SweepResult r;
  r.items = plan.items;
  r.points.resize(plan.points.size());
  for (size_t p = 0; p < plan.points.size(); ++p) {
    SweepPointResult& pr = r.points[p];
    pr.overrides = plan.points[p];
    pr.replications = plan.replications[p];
    const int64_t first = plan.first_item[p];
    for (int64_t k = 0; k < pr.replications; ++k) {
      const size_t i = static_cast<size_t>(first + k);
      if (!done[i]) continue;
      ++pr.completed;
      ++r.items_completed;
      pr.events += events[i];
    }
    r.events += pr.events;
    if (!pr.complete()) continue;
    ++r.points_completed;
    for (int64_t k = 0; k < pr.replications; ++k) {
      pr.per_replication.push_back(std::move(values[static_cast<size_t>(first + k)]));
      pr.replication_index.push_back(k);
    }
    pr.stats.resize(plan.metrics.size());
    std::vector<double> column(pr.per_replication.size());
    for (size_t m = 0; m < plan.metrics.size(); ++m) {
      for (size_t k = 0; k < column.size(); ++k) column[k] = pr.per_replication[k][m];
      pr.stats[m] = compute_stats(column);
    }
  }
  r.cancelled = r.items_completed < r.items;
  return r;
}

SweepResult run_sweep(const SweepPlan& plan, const SweepOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const size_t n = static_cast<size_t>(plan.items);
  std::vector<std::vector<double>> values(n);
  std::vector<uint64_t> events(n, 0);
  std::vector<char> done(n, 0);
  int threads = options.threads > 0 ? options.threads : default_thread_count();
  threads = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, plan.items)));
  std::atomic<int64_t> next{0}, finished{0};
  auto worker = [&]() {
    for (;;) {
      if (options.cancel && options.cancel->load()) return;
      const int64_t i = next.fetch_add(1);
      if (i >= plan.items) return;
      values[static_cast<size_t>(i)] = run_sweep_item(plan, i, &events[static_cast<size_t>(i)]);
      done[static_cast<size_t>(i)] = 1;
      const int64_t f = finished.fetch_add(1) + 1;
      if (options.progress) options.progress(f, plan.items);
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  SweepResult r = assemble_sweep(plan, std::move(values), events, done);
  r.threads = threads;
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

Result<ParetoSpec> parse_pareto(const std::string& arg, const std::vector<MetricDef>& metrics) {
  const size_t comma = arg.find(',');
  if (comma == std::string::npos || arg.find(',', comma + 1) != std::string::npos) {
    return Status::invalid("--pareto " + arg +
                           ": expected two metrics METRIC_A,METRIC_B (prefix max: to maximise one), e.g. "
                           "--pareto cost.total,fleet.web.time_to_reschedule_p95");
  }
  ParetoSpec spec;
  auto one = [&](std::string name, std::string* out, bool* maximize, int* index, ExpectStat* stat) -> Status {
    if (name.rfind("max:", 0) == 0) {
      *maximize = true;
      name = name.substr(4);
    } else if (name.rfind("min:", 0) == 0) {
      name = name.substr(4);
    }
    // A metric's full name wins; otherwise METRIC.STAT, the form `expect:` uses.
    if (int i = find_metric(metrics, name); i >= 0) {
      *out = name;
      *index = i;
      return Status::ok();
    }
    if (const MetricStatText parts = split_metric_statistic(name); parts.has_statistic) {
      for (ExpectStat s : {ExpectStat::kMean, ExpectStat::kP50, ExpectStat::kP95, ExpectStat::kP99, ExpectStat::kMin,
                           ExpectStat::kMax, ExpectStat::kStddev}) {
        if (parts.statistic != expect_stat_name(s)) continue;
        if (int i = find_metric(metrics, parts.metric); i >= 0) {
          *out = std::string(parts.metric);
          *index = i;
          *stat = s;
          return Status::ok();
        }
      }
    }
    std::string hint;
    size_t best = std::string::npos;
    for (const auto& m : metrics) {
      // The metric sharing the longest prefix is the most likely intended one.
      size_t k = 0;
      while (k < m.name.size() && k < name.size() && m.name[k] == name[k]) ++k;
      if (best == std::string::npos || k > best) {
        best = k;
        hint = m.name;
      }
    }
    return Status::invalid("--pareto: unknown metric \"" + name + "\"" +
                           (hint.empty() ? std::string() : "; did you mean \"" + hint + "\"?") +
                           " (metric names: docs/metrics.md, or the keys of --json)");
  };
  RETURN_IF_ERROR(one(arg.substr(0, comma), &spec.metric_a, &spec.maximize_a, &spec.index_a, &spec.stat_a));
  RETURN_IF_ERROR(one(arg.substr(comma + 1), &spec.metric_b, &spec.maximize_b, &spec.index_b, &spec.stat_b));
  return spec;
}

std::vector<ParetoPoint> pareto_front(const SweepResult& result, const ParetoSpec& spec) {
  std::vector<ParetoPoint> cand;
  for (size_t p = 0; p < result.points.size(); ++p) {
    const auto& pr = result.points[p];
    if (!pr.complete()) continue;
    cand.push_back(ParetoPoint{static_cast<int64_t>(p),
                               stat_value(pr.stats[static_cast<size_t>(spec.index_a)], spec.stat_a),
                               stat_value(pr.stats[static_cast<size_t>(spec.index_b)], spec.stat_b)});
  }
  // Compare in "smaller is better" space.
  auto ka = [&](const ParetoPoint& x) { return spec.maximize_a ? -x.a : x.a; };
  auto kb = [&](const ParetoPoint& x) { return spec.maximize_b ? -x.b : x.b; };
  std::vector<ParetoPoint> front;
  for (const auto& x : cand) {
    bool dominated = false;
    for (const auto& y : cand) {
      if (ka(y) <= ka(x) && kb(y) <= kb(x) && (ka(y) < ka(x) || kb(y) < kb(x))) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(x);
  }
  std::sort(front.begin(), front.end(), [&](const ParetoPoint& x, const ParetoPoint& y) {
    if (ka(x) != ka(y)) return ka(x) < ka(y);
    return x.point < y.point;
  });
  return front;
}

}  // namespace spotsim

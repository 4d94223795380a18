#include "sim/gameday/predict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "sim/core/rng.h"
#include "sim/gameday/input.h"
#include "sim/run/runner.h"

namespace spotsim::gameday {
namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kNoticeLossName = "gameday_notice_loss";

std::string item_name(size_t k) { return "gameday_" + std::to_string(k); }

std::string ms_text(Duration d) { return std::to_string((d.us + 500) / 1000) + "ms"; }

double round6(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return std::strtod(buf, nullptr);
}

size_t idx(GamedayMetric m) { return static_cast<size_t>(m); }

// Whether an override touches what predict replaces (it would name a key that is gone).
bool dropped_override(const std::string& path) {
  auto starts = [&](const char* p) { return path.rfind(p, 0) == 0; };
  if (starts("chaos") || starts("expect") || starts("duration")) return true;
  if (starts("pools."))
    return path.find(".interruption") != std::string::npos || path.find(".rebalance") != std::string::npos;
  return false;
}

// The scenario as the drill runs it (see predict.h).
Result<std::string> drill_scenario(const CompiledScenario& sc, const std::string& fleet, const GamedayPlan& plan,
                                   const std::optional<Calibration>& cal, Duration horizon) {
  YAML::Node root;
  try {
    root = YAML::Load(sc.text);
  } catch (const YAML::Exception& e) {
    return Status::internal("predict: the scenario text no longer parses: " + e.msg);
  }
  root.remove("expect");
  root.remove("chaos");
  root["duration"] = ms_text(plan.duration + horizon);
  if (root["pools"].IsMap())
    for (auto kv : root["pools"]) {
      YAML::Node pool = kv.second;
      if (!pool.IsMap()) continue;
      pool.remove("interruption");
      pool.remove("rebalance");
    }
  YAML::Node f = root["fleets"][fleet];
  if (f["scaling"])
    return Status::invalid(sc.file + ": error: fleets." + fleet +
                           ": predict drills a fleet of fixed size (one VM per plan"
                           " target); this fleet has scaling:");
  f["target"] = plan.targets;
  YAML::Node chaos(YAML::NodeType::Sequence);
  for (size_t k = 0; k < plan.notices.size(); ++k) {
    const PlanNotice& pn = plan.notices[k];
    YAML::Node item;
    item["kind"] = "storm";
    item["name"] = item_name(k);
    item["at"] = ms_text(pn.at);
    // A simulated storm picks among the VMs not already under notice; the agent picks among all
    // targets. So the fraction is of the VMs still free then (earlier notices not yet run out).
    int busy = 0;
    for (size_t j = 0; j < k; ++j)
      if (plan.notices[j].at + plan.notices[j].notice >= pn.at) busy += plan.notices[j].targets;
    const int free_vms = std::max(1, plan.targets - busy);
    char frac[40];
    std::snprintf(frac, sizeof frac, "%.9g",
                  std::min(1.0, static_cast<double>(pn.targets) / static_cast<double>(free_vms)));
    item["fraction"] = std::string(frac);
    item["notice"] = ms_text(pn.notice);
    item["scope"]["fleets"].push_back(fleet);
    chaos.push_back(item);
  }
  if (cal && cal->never_detected > 0) {
    YAML::Node item;
    item["kind"] = "notice_loss";
    item["name"] = kNoticeLossName;
    item["at"] = "0s";
    char p[40];
    std::snprintf(p, sizeof p, "%.9g", cal->never_detected);
    item["probability"] = std::string(p);
    item["scope"]["fleets"].push_back(fleet);
    chaos.push_back(item);
  }
  root["chaos"] = chaos;
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

}  // namespace

std::pair<double, double> central_95(const std::vector<double>& v) {
  const double last = static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(0.025 * last));
  const size_t hi = static_cast<size_t>(std::ceil(0.975 * last));
  return {v[lo], v[std::min(hi, v.size() - 1)]};
}

Result<Prediction> predict(const std::string& scenario_path, const GamedayPlan& plan,
                           const std::optional<Calibration>& cal, const std::string& calibration_path,
                           const PredictOptions& options) {
  LoadOptions lo;
  lo.overrides = options.overrides;
  CompiledScenario sc;
  ASSIGN_OR_RETURN(sc, load_checked_scenario(scenario_path, lo));
  std::string fleet = options.fleet;
  if (fleet.empty()) {
    if (sc.fleets.size() != 1) {
      std::string names;
      for (const auto& fs : sc.fleets) names += (names.empty() ? "" : ", ") + fs.name;
      return Status::invalid(scenario_path + ": error: the scenario has " + std::to_string(sc.fleets.size()) +
                             " fleets (" + names + "); say which one the drill's targets are with --fleet NAME");
    }
    fleet = sc.fleets[0].name;
  } else if (sc.fleet_index(fleet) < 0) {
    std::string names;
    for (const auto& fs : sc.fleets) names += (names.empty() ? "" : ", ") + fs.name;
    return Status::invalid("--fleet: the scenario has no fleet \"" + fleet + "\" (its fleets: " + names + ")");
  }
  std::string text;
  ASSIGN_OR_RETURN(text, drill_scenario(sc, fleet, plan, cal, options.horizon));
  LoadOptions drill_lo;
  drill_lo.read_file = read_text_file;  // the files the scenario names (Lua policies), as the loader read them
  for (const auto& o : options.overrides)
    if (!dropped_override(o.first)) drill_lo.overrides.push_back(o);
  CompiledScenario drill;
  {
    auto c = compile_scenario(text, scenario_path, drill_lo);
    if (!c.is_ok())
      return Status::invalid(plan.file + ": error: the plan cannot be drilled on " + scenario_path + " (fleet " +
                             fleet + "): " + c.status().message());
    drill = std::move(c).value();
  }
  RunOptions ro;
  ro.threads = options.threads;
  ro.seed = options.seed;
  ro.replications = options.replications;
  ro.check_expectations = false;
  RunResult rr;
  ASSIGN_OR_RETURN(rr, run_scenario(drill, ro));

  std::vector<int> item_metric;
  for (size_t k = 0; k < plan.notices.size(); ++k)
    item_metric.push_back(rr.metric_index("chaos." + item_name(k) + ".evicted"));
  const int lost_metric = rr.metric_index(std::string("chaos.") + kNoticeLossName + ".notices_lost");
  const int ttr_metric = rr.metric_index("fleet." + fleet + ".time_to_reschedule");
  const int evicted_metric = rr.metric_index("fleet." + fleet + ".interruptions");
  const int lost_vmh_metric = rr.metric_index("fleet." + fleet + ".lost_vm_hours");
  for (int m : item_metric)
    if (m < 0) return Status::internal("predict: the simulator gave no storm count for a plan item");

  std::array<std::vector<double>, kGamedayMetricCount> values;
  const bool drains = cal && (cal->drain.kind != SecondsDist::Kind::kNone || cal->never_drained > 0);
  for (size_t i = 0; i < rr.per_replication.size(); ++i) {
    const std::vector<double>& row = rr.per_replication[i];
    std::vector<double> notice_s;  // one entry per notice the simulator delivered
    for (size_t k = 0; k < plan.notices.size(); ++k) {
      const auto n = static_cast<int64_t>(std::llround(row[static_cast<size_t>(item_metric[k])]));
      for (int64_t j = 0; j < n; ++j) notice_s.push_back(plan.notices[k].notice.to_seconds());
    }
    values[idx(GamedayMetric::kNotices)].push_back(static_cast<double>(notice_s.size()));
    if (ttr_metric >= 0 && evicted_metric >= 0 && row[static_cast<size_t>(evicted_metric)] > 0)
      values[idx(GamedayMetric::kTimeToReplacement)].push_back(row[static_cast<size_t>(ttr_metric)]);
    if (lost_vmh_metric >= 0)
      values[idx(GamedayMetric::kLostVmHours)].push_back(row[static_cast<size_t>(lost_vmh_metric)]);
    if (!cal) continue;
    Rng rng = Rng::stream(rr.seed, static_cast<uint64_t>(rr.replication_ids[i]), "gameday.notice_handling");
    // Which notices were lost: as many as the simulator's notice_loss item lost, chosen uniformly.
    int64_t lost = lost_metric >= 0 ? std::llround(row[static_cast<size_t>(lost_metric)]) : 0;
    lost = std::clamp<int64_t>(lost, 0, static_cast<int64_t>(notice_s.size()));
    for (int64_t j = 0; j < lost; ++j) {
      const size_t pick = static_cast<size_t>(j) + rng.below(notice_s.size() - static_cast<size_t>(j));
      std::swap(notice_s[static_cast<size_t>(j)], notice_s[pick]);
    }
    double det_sum = 0, drain_sum = 0, drained = 0, drains_n = 0;
    const size_t detected = notice_s.size() - static_cast<size_t>(lost);
    for (size_t j = static_cast<size_t>(lost); j < notice_s.size(); ++j) {
      det_sum += cal->detection.draw(rng);
      if (!drains || rng.bernoulli(cal->never_drained) || cal->drain.kind == SecondsDist::Kind::kNone) continue;
      const double d = cal->drain.draw(rng);
      drain_sum += d;
      drains_n += 1;
      if (d <= notice_s[j]) drained += 1;
    }
    values[idx(GamedayMetric::kDetected)].push_back(static_cast<double>(detected));
    if (detected > 0)
      values[idx(GamedayMetric::kDetectionLatencyMean)].push_back(det_sum / static_cast<double>(detected));
    if (drains) {
      values[idx(GamedayMetric::kDrainedInTime)].push_back(drained);
      values[idx(GamedayMetric::kNotDrained)].push_back(static_cast<double>(notice_s.size()) - drained);
      if (drains_n > 0) values[idx(GamedayMetric::kDrainTimeMean)].push_back(drain_sum / drains_n);
    }
  }

  Prediction p;
  p.scenario = scenario_path;
  p.plan = plan.file;
  p.plan_name = plan.name;
  p.calibration = cal ? calibration_path : "";
  p.fleet = fleet;
  p.targets = plan.targets;
  p.seed = rr.seed;
  p.replications = rr.completed;
  p.expect = plan.expect;
  for (const auto& info : kGamedayMetrics) {
    std::vector<double>& v = values[idx(info.metric)];
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    MetricPrediction mp;
    mp.metric = info.metric;
    mp.samples = static_cast<int64_t>(v.size());
    double sum = 0;
    for (double x : v) sum += x;
    mp.mean = round6(sum / static_cast<double>(v.size()));
    const auto [a, b] = central_95(v);
    mp.lo = round6(a);
    mp.hi = round6(b);
    p.metrics.push_back(mp);
  }
  return p;
}

std::string prediction_json(const Prediction& p) {
  ojson j;
  j["spotsim_prediction"] = 1;
  j["scenario"] = p.scenario;
  j["plan"] = p.plan;
  j["plan_name"] = p.plan_name;
  j["calibration"] = p.calibration.empty() ? ojson(nullptr) : ojson(p.calibration);
  j["fleet"] = p.fleet;
  j["targets"] = p.targets;
  j["seed"] = p.seed;
  j["replications"] = p.replications;
  j["interval"] = "central 95% of replications (2.5th to 97.5th percentile, nearest rank)";
  ojson ex = ojson::array();
  for (const auto& t : p.expect)
    ex.push_back(
        {{"metric", std::string(kGamedayMetrics[idx(t.metric)].name)}, {"tolerance", t.text}, {"line", t.line}});
  j["expect"] = ex;
  ojson ms = ojson::object();
  for (const auto& m : p.metrics) {
    const auto& info = kGamedayMetrics[idx(m.metric)];
    ms[std::string(info.name)] = {
        {"unit", std::string(info.unit)}, {"mean", m.mean}, {"lo", m.lo}, {"hi", m.hi}, {"samples", m.samples},
        {"observable", info.observable}};
  }
  j["metrics"] = ms;
  return j.dump(2) + "\n";
}

Result<Prediction> parse_prediction(const std::string& text, const std::string& file) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&](const std::string& path, const std::string& what) {
    return Status::invalid(file + ": error: " + path + ": " + what + " (is this a file spotsim predict wrote?)");
  };
  if (j.is_discarded() || !j.is_object()) return bad("(document)", "not a JSON object");
  if (!j.contains("spotsim_prediction") || j["spotsim_prediction"] != 1) return bad("spotsim_prediction", "expected 1");
  Prediction p;
  for (const char* k : {"scenario", "plan", "plan_name", "fleet"}) {
    if (!j.contains(k) || !j[k].is_string()) return bad(k, "expected a string");
  }
  p.scenario = j["scenario"].get<std::string>();
  p.plan = j["plan"].get<std::string>();
  p.plan_name = j["plan_name"].get<std::string>();
  p.fleet = j["fleet"].get<std::string>();
  if (j.contains("calibration") && j["calibration"].is_string()) p.calibration = j["calibration"].get<std::string>();
  for (const char* k : {"targets", "seed", "replications"})
    if (!j.contains(k) || !j[k].is_number_integer() || j[k].get<int64_t>() < 0)
      return bad(k, "expected a whole number");
  p.targets = j["targets"].get<int>();
  p.seed = j["seed"].get<uint64_t>();
  p.replications = j["replications"].get<int64_t>();
  if (!j.contains("expect") || !j["expect"].is_array()) return bad("expect", "expected a list");
  for (size_t i = 0; i < j["expect"].size(); ++i) {
    const auto& e = j["expect"][i];
    const std::string path = "expect[" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("metric") || !e["metric"].is_string() || !e.contains("tolerance") ||
        !e["tolerance"].is_string() || !e.contains("line") || !e["line"].is_number_integer())
      return bad(path, "expected {metric, tolerance, line}");
    const GamedayMetricInfo* m = find_gameday_metric(e["metric"].get<std::string>());
    if (!m || !m->observable) return bad(path + ".metric", "unknown metric '" + e["metric"].get<std::string>() + "'");
    Tolerance t;
    t.metric = m->metric;
    t.line = e["line"].get<int>();
    const std::string why = parse_tolerance(e["tolerance"].get<std::string>(), t);
    if (!why.empty()) return bad(path + ".tolerance", why);
    p.expect.push_back(t);
  }
  if (!j.contains("metrics") || !j["metrics"].is_object()) return bad("metrics", "expected an object");
  for (const auto& info : kGamedayMetrics) {
    const std::string name(info.name);
    if (!j["metrics"].contains(name)) continue;
    const auto& m = j["metrics"][name];
    const std::string path = "metrics." + name;
    if (!m.is_object()) return bad(path, "expected an object");
    MetricPrediction mp;
    mp.metric = info.metric;
    for (const char* k : {"mean", "lo", "hi"})
      if (!m.contains(k) || !m[k].is_number()) return bad(path + "." + k, "expected a number");
    if (!m.contains("samples") || !m["samples"].is_number_integer())
      return bad(path + ".samples", "expected a whole number");
    mp.mean = m["mean"].get<double>();
    mp.lo = m["lo"].get<double>();
    mp.hi = m["hi"].get<double>();
    mp.samples = m["samples"].get<int64_t>();
    if (!(mp.lo <= mp.hi)) return bad(path, "lo is above hi");
    p.metrics.push_back(mp);
  }
  for (const auto& [k, v] : j["metrics"].items())
    if (!find_gameday_metric(k)) return bad("metrics." + k, "unknown metric");
  return p;
}

Result<Prediction> load_prediction(const std::string& path) {
  std::string text;
  ASSIGN_OR_RETURN(text, read_input(path, "prediction"));
  return parse_prediction(text, path);
}

}  // namespace spotsim::gameday

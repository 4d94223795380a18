#include "sim/gameday/compare.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

namespace spotsim::gameday {
namespace {

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string tolerance_phrase(const Tolerance& t) {
  switch (t.kind) {
    case Tolerance::Kind::kInterval: return "inside the predicted interval";
    case Tolerance::Kind::kAbsolute: return "within " + num(t.value) + " of the predicted mean";
    case Tolerance::Kind::kRelative: return "within " + num(t.value * 100) + "% of the predicted mean";
  }
  return "";
}

}  // namespace

Comparison compare(const Prediction& p, const AuditData& audit) {
  Comparison c;
  const Observed obs = observe(audit);
  c.notices = static_cast<int>(audit.notices.size());
  c.audit_files = audit.files.size();
  for (const auto& info : kGamedayMetrics) {
    ComparedMetric row;
    row.metric = info.metric;
    for (const auto& m : p.metrics)
      if (m.metric == info.metric) row.predicted = m;
    if (info.observable) row.observed = obs[static_cast<size_t>(info.metric)];
    if (row.predicted && row.observed)
      row.inside = *row.observed >= row.predicted->lo && *row.observed <= row.predicted->hi;
    for (const auto& t : p.expect)
      if (t.metric == info.metric) row.tolerance = t;
    if (row.tolerance) {
      ++c.checked;
      const Tolerance& t = *row.tolerance;
      const std::string name(info.name);
      if (!row.observed) {
        row.exceeded = true;
        row.explanation =
            name + " was not observed: " +
            (c.notices == 0
                 ? std::string("the audit holds no preemption notice")
                 : std::string("no notice had a watched workload (chaos-agent --workload) or none was detected"));
      } else if (!row.predicted) {
        row.exceeded = true;
        row.explanation = name + " was not predicted (predict needs --calibration for notice handling)";
      } else {
        const double d = std::fabs(*row.observed - row.predicted->mean);
        bool ok = true;
        switch (t.kind) {
          case Tolerance::Kind::kInterval: ok = *row.inside; break;
          case Tolerance::Kind::kAbsolute: ok = d <= t.value + 1e-9; break;
          case Tolerance::Kind::kRelative: ok = d <= t.value * std::fabs(row.predicted->mean) + 1e-9; break;
        }
        if (!ok) {
          row.exceeded = true;
          row.explanation = name + ": observed " + num(*row.observed) + ", predicted mean " + num(row.predicted->mean) +
                            " [" + num(row.predicted->lo) + ", " + num(row.predicted->hi) + "]; the plan (" + p.plan +
                            ":" + std::to_string(t.line) + ") expects it " + tolerance_phrase(t);
        }
      }
      if (row.exceeded) ++c.exceeded;
    }
    c.rows.push_back(row);
  }
  return c;
}

std::string comparison_text(const Prediction& p, const Comparison& c) {
  std::ostringstream o;
  o << "game day " << p.plan_name << ": predicted by " << p.scenario << " (fleet " << p.fleet << ", " << p.targets
    << " targets, " << p.replications << " replications, seed " << p.seed << ") vs " << c.audit_files
    << " audit log(s) with " << c.notices << " notice(s)\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-26s %10s  %-21s %9s  %-6s  %-10s  %s\n", "metric", "predicted", "interval (95%)",
                "observed", "inside", "tolerance", "result");
  o << line;
  for (const auto& r : c.rows) {
    const auto& info = kGamedayMetrics[static_cast<size_t>(r.metric)];
    const std::string pred = r.predicted ? num(r.predicted->mean) : "-";
    const std::string iv = r.predicted ? "[" + num(r.predicted->lo) + ", " + num(r.predicted->hi) + "]" : "-";
    const std::string ob = r.observed ? num(*r.observed) : "-";
    const std::string in = r.inside ? (*r.inside ? "yes" : "no") : "-";
    const std::string tol = r.tolerance ? r.tolerance->text : "-";
    std::string result;
    if (r.tolerance) result = r.exceeded ? "EXCEEDED" : "ok";
    else if (!info.observable) result = "predicted only (a drill evicts nothing)";
    else if (!r.observed) result = "not observed";
    else if (!r.predicted) result = "not predicted";
    std::snprintf(line, sizeof line, "%-26s %10s  %-21s %9s  %-6s  %-10s  %s", std::string(info.name).c_str(),
                  pred.c_str(), iv.c_str(), ob.c_str(), in.c_str(), tol.c_str(), result.c_str());
    std::string s = line;
    while (!s.empty() && s.back() == ' ') s.pop_back();
    o << s << "\n";
  }
  for (const auto& r : c.rows)
    if (r.exceeded) o << "exceeded: " << r.explanation << "\n";
  o << "tolerances: " << c.checked << " checked, " << c.exceeded << " exceeded\n";
  return o.str();
}

std::string comparison_json(const Prediction& p, const Comparison& c) {
  nlohmann::ordered_json j;
  j["plan"] = p.plan;
  j["plan_name"] = p.plan_name;
  j["scenario"] = p.scenario;
  j["notices_observed"] = c.notices;
  nlohmann::ordered_json rows = nlohmann::ordered_json::object();
  for (const auto& r : c.rows) {
    nlohmann::ordered_json x;
    x["predicted"] =
        r.predicted
            ? nlohmann::ordered_json{{"mean", r.predicted->mean}, {"lo", r.predicted->lo}, {"hi", r.predicted->hi}}
            : nlohmann::ordered_json(nullptr);
    x["observed"] = r.observed ? nlohmann::ordered_json(*r.observed) : nlohmann::ordered_json(nullptr);
    x["inside"] = r.inside ? nlohmann::ordered_json(*r.inside) : nlohmann::ordered_json(nullptr);
    x["tolerance"] = r.tolerance ? nlohmann::ordered_json(r.tolerance->text) : nlohmann::ordered_json(nullptr);
    x["exceeded"] = r.exceeded;
    if (r.exceeded) x["explanation"] = r.explanation;
    rows[std::string(kGamedayMetrics[static_cast<size_t>(r.metric)].name)] = x;
  }
  j["metrics"] = rows;
  j["checked"] = c.checked;
  j["exceeded"] = c.exceeded;
  return j.dump(2) + "\n";
}

JunitSuite comparison_junit(const Prediction& p, const Comparison& c) {
  JunitSuite s;
  s.file = p.plan;
  s.name = "gameday " + p.plan_name;
  s.seed = p.seed;
  s.replications = p.replications;
  for (const auto& r : c.rows) {
    if (!r.tolerance) continue;
    ExpectationResult e;
    e.text = std::string(kGamedayMetrics[static_cast<size_t>(r.metric)].name) + ": " + r.tolerance->text;
    e.passed = !r.exceeded;
    e.observed = r.observed.value_or(0);
    e.explanation = r.explanation;
    e.line = r.tolerance->line;
    s.expectations.push_back(e);
  }
  return s;
}

}  // namespace spotsim::gameday

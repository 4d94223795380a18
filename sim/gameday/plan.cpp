#include "sim/gameday/plan.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <yaml-cpp/yaml.h>

#include "sim/gameday/input.h"
#include "common/plan_items.h"
#include "common/text.h"
#include "common/units.h"

namespace spotsim::gameday {
namespace {

// The top-level keys chaos-agent accepts (chaos-agent/plan/plan.cpp), plus expect.
const std::vector<std::string> kTopKeys = {"name",         "provider", "max_duration", "duration", "seed",  "targets",
                                           "blast_radius", "abort",    "chaos",        "report",   "expect"};

class Reader : public YamlErrors {
 public:
  using YamlErrors::YamlErrors;
  Result<Duration> duration(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) return error(n, path, "expected a duration like 120s, 5m, 2h");
    const std::string s = n.Scalar();
    auto d = parse_duration(s);
    if (!d.is_ok()) return error(n, path, d.status().message());
    if (d.value().us < 0) return error(n, path, "must not be negative, found '" + s + "'");
    return d.value();
  }
  Result<double> fraction(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) return error(n, path, "expected a fraction like 0.5 or 50%");
    auto f = parse_fraction(n.Scalar());
    if (!f.is_ok()) return error(n, path, f.status().message());
    if (f.value() <= 0 || f.value() > 1)
      return error(n, path, "must be greater than 0 and at most 1 (100%), found '" + n.Scalar() + "'");
    return f.value();
  }
};

const std::vector<std::string> kActions = {"preempt", "storm", "rebalance", "maintenance", "clear"};

bool is_action(const std::string& k) { return std::find(kActions.begin(), kActions.end(), k) != kActions.end(); }

// The keys of a map: those `allowed`, the others reported by MapReader::finish() with a
// did-you-mean (a map that is not one is reported too). Reading goes on.
void check_keys(ParseContext& ctx, const YAML::Node& map, const std::string& path,
                const std::vector<std::string>& allowed) {
  MapReader m(ctx, map, path);
  for (const auto& k : allowed) m.get(k);
  m.finish();
}

}  // namespace

std::string parse_tolerance(const std::string& text, Tolerance& out) {
  out.text = text;
  if (text == "interval") {
    out.kind = Tolerance::Kind::kInterval;
    return "";
  }
  std::string num = text;
  const bool pct = !num.empty() && num.back() == '%';
  if (pct) num.pop_back();
  auto v = parse_number(num);
  if (num.empty() || !v.is_ok() || v.value() < 0)
    return "expected interval (inside the prediction's interval), a number (largest |observed - predicted mean|) "
           "or a percentage like 25% (of the predicted mean), found '" +
           text + "'";
  out.kind = pct ? Tolerance::Kind::kRelative : Tolerance::Kind::kAbsolute;
  out.value = pct ? v.value() / 100.0 : v.value();
  return "";
}

Result<GamedayPlan> parse_gameday_plan(const std::string& text, const std::string& file) {
  ParseContext ctx(file);
  Reader r(ctx);
  YAML::Node root;
  ASSIGN_OR_RETURN(root, load_yaml(r, text));
  if (!root.IsMap()) return r.error(root, "", "a game-day plan is a mapping with max_duration and chaos");
  check_keys(ctx, root, "", kTopKeys);
  GamedayPlan p;
  p.file = file;
  if (root["name"]) {
    if (!root["name"].IsScalar()) return r.error(root["name"], "name", "expected a string");
    p.name = root["name"].Scalar();
  } else {
    const size_t slash = file.rfind('/');
    p.name = file.substr(slash == std::string::npos ? 0 : slash + 1);
  }
  if (!root["max_duration"])
    return r.error(root, "max_duration", "required: the plan's dead-man limit, e.g. max_duration: 30m");
  ASSIGN_OR_RETURN(p.max_duration, r.duration(root["max_duration"], "max_duration"));
  if (p.max_duration.us <= 0) return r.error(root["max_duration"], "max_duration", "must be greater than 0");
  if (root["seed"]) {
    const YAML::Node& s = root["seed"];
    const std::string v = s.IsScalar() ? s.Scalar() : "";
    if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos)
      return r.error(s, "seed", "expected a whole number, found '" + v + "'");
    p.seed = std::stoull(v);
  }
  std::set<std::string> names;
  if (root["targets"]) {
    const YAML::Node& ts = root["targets"];
    if (!ts.IsSequence() || ts.size() == 0)
      return r.error(ts, "targets", "expected a non-empty list of {name, control}");
    for (size_t i = 0; i < ts.size(); ++i) {
      const std::string path = "targets[" + std::to_string(i) + "]";
      check_keys(ctx, ts[i], path, {"name", "control", "token_file"});
      if (!ts[i].IsMap()) continue;
      if (!ts[i]["name"] || !ts[i]["name"].IsScalar()) return r.error(ts[i], path + ".name", "required: a string");
      if (!names.insert(ts[i]["name"].Scalar()).second)
        return r.error(ts[i]["name"], path + ".name", "duplicate target name '" + ts[i]["name"].Scalar() + "'");
    }
    p.targets = static_cast<int>(ts.size());
  } else {
    names.insert("local");
  }
  const YAML::Node& chaos = root["chaos"];
  if (!chaos) return r.error(root, "chaos", "required: a list of items such as {at: 1m, preempt: {notice: 120s}}");
  if (!chaos.IsSequence() || chaos.size() == 0) return r.error(chaos, "chaos", "expected a non-empty list of items");
  Duration derived;
  for (size_t i = 0; i < chaos.size(); ++i) {
    const std::string path = "chaos[" + std::to_string(i) + "]";
    const YAML::Node& node = chaos[i];
    if (!node.IsMap()) return r.error(node, path, "expected a mapping like {at: 1m, preempt: {notice: 120s}}");
    std::string action;
    const bool flat = node["kind"].IsDefined();
    if (flat) {
      action = node["kind"].IsScalar() ? node["kind"].Scalar() : "";
      if (!is_action(action))
        return r.error(node["kind"], path + ".kind",
                       "expected one of: " + join_names(kActions) + ", found '" + action + "'");
    } else {
      // As chaos-agent's plan reader words it: the item's keys are at and one action.
      bool unknown = false;
      for (const auto& kv : node) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
        if (key == "at") continue;
        if (!is_action(key)) {
          std::vector<std::string> keys = kActions;
          keys.push_back("at");
          ctx.error_at(
              kv.first.Mark(), path + "." + key,
              "unknown key" + did_you_mean(key, keys) + "; valid keys here: at and one of: " + join_names(kActions));
          unknown = true;
          continue;
        }
        if (!action.empty()) return r.error(node, path, "one action per item, found " + action + " and " + key);
        action = key;
      }
      if (unknown) continue;  // reported; the other items are still read
      if (action.empty()) return r.error(node, path, "expected one of: " + join_names(kActions));
    }
    if (!node["at"]) return r.error(node, path + ".at", "required: when this happens, e.g. at: 5m");
    PlanNotice pn;
    ASSIGN_OR_RETURN(pn.at, r.duration(node["at"], path + ".at"));
    if (pn.at >= p.max_duration)
      return r.error(node["at"], path + ".at",
                     node["at"].Scalar() + " is not before max_duration " + root["max_duration"].Scalar());
    pn.where = flat ? path : path + "." + action;
    const YAML::Node body = flat ? node : node[action];
    if (!body.IsNull() && !body.IsMap()) return r.error(body, pn.where, "expected a mapping (or {})");
    if (body.IsMap()) {  // the keys chaos-agent takes for this action (common/plan_items.h), no other
      std::vector<std::string> keys = plan_action_keys(action);
      if (flat) keys.insert(keys.begin(), {"kind", "at", "name"});  // as chaos-agent reads the flat form
      check_keys(ctx, body, pn.where, keys);
    }
    auto field = [&](const char* k) { return body.IsMap() ? body[k] : YAML::Node(); };
    if (action == "clear") {
      derived = std::max(derived, pn.at);
      continue;
    }
    pn.notice = action == "maintenance" ? Duration::minutes(15) : Duration::seconds(120);
    if (field("notice")) {
      ASSIGN_OR_RETURN(pn.notice, r.duration(field("notice"), pn.where + ".notice"));
    }
    derived = std::max(derived, pn.at + pn.notice);                  // as the agent derives a plan's duration
    if (action == "rebalance" || action == "maintenance") continue;  // not preemption notices
    if (action == "storm") {
      if (!field("fraction"))
        return r.error(body.IsMap() ? body : node, pn.where + ".fraction",
                       "required: the fraction of targets hit, e.g. fraction: 30%");
      double f = 0;
      ASSIGN_OR_RETURN(f, r.fraction(field("fraction"), pn.where + ".fraction"));
      const int n = std::max(1, p.targets);
      pn.targets = std::min(n, static_cast<int>(std::ceil(f * static_cast<double>(n) - 1e-9)));  // as the agent picks
    } else if (const YAML::Node ts = field("targets")) {
      if (!ts.IsSequence() || ts.size() == 0)
        return r.error(ts, pn.where + ".targets", "expected a non-empty list of target names");
      std::set<std::string> seen;
      for (size_t k = 0; k < ts.size(); ++k) {
        const std::string name = ts[k].IsScalar() ? ts[k].Scalar() : "";
        if (!names.count(name))
          return r.error(ts[k], pn.where + ".targets[" + std::to_string(k) + "]",
                         "no target named '" + name + "' in targets");
        seen.insert(name);
      }
      pn.targets = static_cast<int>(seen.size());
    } else {
      pn.targets = p.targets;
    }
    p.notices.push_back(pn);
  }
  std::stable_sort(p.notices.begin(), p.notices.end(),
                   [](const PlanNotice& a, const PlanNotice& b) { return a.at < b.at; });
  p.duration = std::min(derived + Duration::seconds(30), p.max_duration);
  if (root["duration"]) {
    ASSIGN_OR_RETURN(p.duration, r.duration(root["duration"], "duration"));
    if (p.duration > p.max_duration)
      return r.error(root["duration"], "duration",
                     root["duration"].Scalar() + " is longer than max_duration " + root["max_duration"].Scalar());
  }
  if (const YAML::Node& ex = root["expect"]) {
    if (!ex.IsMap())
      return r.error(ex, "expect",
                     "expected a mapping of metric: tolerance, e.g. {notices: 0, drained_in_time: interval}");
    std::vector<std::string> observed;
    for (const auto& info : kGamedayMetrics)
      if (info.observable) observed.emplace_back(info.name);
    for (const auto& kv : ex) {  // every mistake here is reported
      const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      const GamedayMetricInfo* m = find_gameday_metric(name);
      if (!m || !m->observable) {
        ctx.error_at(kv.first.Mark(), "expect." + name,
                     (m ? "a drill does not observe this metric (the simulator predicts it)"
                        : "unknown metric" + did_you_mean(name, observed)) +
                         "; a drill observes: " + join_names(observed));
        continue;
      }
      Tolerance t;
      t.metric = m->metric;
      t.line = kv.second.Mark().line + 1;
      const std::string why =
          kv.second.IsScalar() ? parse_tolerance(kv.second.Scalar(), t) : parse_tolerance(YAML::Dump(kv.second), t);
      if (!why.empty()) ctx.error(kv.second, "expect." + name, why);
      else p.expect.push_back(t);
    }
  }
  if (!ctx.ok()) return ctx.status();  // the unknown keys, when nothing else stopped the reading
  if (p.notices.empty())
    return r.error(chaos, "chaos", "has no preempt or storm item: there is no preemption notice to predict");
  return p;
}

Result<GamedayPlan> load_gameday_plan(const std::string& path) {
  std::string text;
  ASSIGN_OR_RETURN(text, read_input(path, "plan"));
  return parse_gameday_plan(text, path);
}

}  // namespace spotsim::gameday

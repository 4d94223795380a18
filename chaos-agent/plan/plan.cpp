#include "chaos-agent/plan/plan.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/asio/ip/address.hpp>
#include <yaml-cpp/yaml.h>

#include "chaos-agent/core/time_format.h"
#include "chaos-agent/http/client.h"
#include "chaos-agent/plan/plan_reader.h"

namespace agent::plan {

using spotsim::Result;
using spotsim::Status;
namespace {

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t seeded_hash(uint64_t seed, const std::string& name) {
  uint64_t h = mix(seed);
  for (char c : name) h = mix(h ^ static_cast<unsigned char>(c));
  return h;
}

std::vector<std::string> storm_selection(const std::vector<Target>& targets, double fraction, uint64_t seed) {
  std::vector<std::pair<uint64_t, std::string>> order;
  for (const auto& t : targets) order.emplace_back(seeded_hash(seed, t.name), t.name);
  std::sort(order.begin(), order.end());
  size_t n = static_cast<size_t>(std::ceil(fraction * static_cast<double>(targets.size()) - 1e-9));
  n = std::min(n, order.size());
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(order[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// Reads a plan section by section with common's MapReader: every mistake is reported (one line
// each, in the order the sections are read), not only the first. A check that needs an earlier
// value (an item's `at` against max_duration, the blast radius against the targets) is made only
// when that value was read cleanly, so one mistake is not reported again as another.
class PlanParser {
 public:
  explicit PlanParser(const std::string& file) : ctx_(file) { p_.file = file; }

  Result<Plan> parse(const std::string& text) {
    const YAML::Node root = spotsim::parse_yaml(ctx_, text);
    if (!ctx_.ok()) return ctx_.status();
    if (!root.IsMap()) {
      ctx_.error(root, "", "a game-day plan is a mapping with max_duration and chaos");
      return ctx_.status();
    }
    MapReader top(ctx_, root, "");
    header(top);
    targets(top);
    blast_radius(top);
    abort(top);
    items(top);
    Millis derived{0};
    for (const auto& it : p_.items)
      derived = std::max(derived, it.at + (it.type == Item::Type::kClear ? Millis(0) : it.inject.notice));
    read_plan_duration(top, derived + Millis(30000), p_.max_duration, max_known_, p_.duration);
    expect(top);
    top.finish();
    if (!ctx_.ok()) return ctx_.status();
    return std::move(p_);
  }

 private:
  size_t errors() const { return ctx_.diagnostics().size(); }

  // name, provider, max_duration, seed, report.
  void header(MapReader& top) {
    p_.name = plan_name(top, p_.file);
    read_providers(top, "provider", p_.provider);
    max_known_ = read_max_duration(top, p_.max_duration);
    int64_t seed = 0;
    if (top.integer("seed", seed, false, 0)) p_.seed = static_cast<uint64_t>(seed);
    top.str("report", p_.report_path);
  }

  void targets(MapReader& top) {
    const YAML::Node ts = top.value("targets");
    if (!ts) {
      p_.targets.push_back(Target{"local", kDefaultControl, ""});
      target_names_.insert("local");
      return;
    }
    if (!ts.IsSequence() || ts.size() == 0) {
      ctx_.error(ts, "targets", "expected a non-empty list of {name, control}");
      return;
    }
    for (size_t i = 0; i < ts.size(); ++i) target(ts[i], "targets[" + std::to_string(i) + "]");
  }

  // One {name, control, token_file}.
  void target(const YAML::Node& node, const std::string& path) {
    MapReader t(ctx_, node, path);
    Target tg;
    if (t.str("name", tg.name, true) && !target_names_.insert(tg.name).second)
      ctx_.error(t.get("name"), path + ".name", "duplicate target name '" + tg.name + "'");
    std::string control;
    if (t.str("control", control)) {
      auto ep = http::parse_endpoint(control, "control");
      if (!ep)
        ctx_.error(t.get("control"), path + ".control",
                   "expected unix:/PATH or 127.0.0.1:PORT, found '" + control + "'");
      else if (!ep->is_unix && !boost::asio::ip::make_address(ep->host).is_loopback())
        ctx_.error(t.get("control"), path + ".control", "control endpoints are local only (unix socket or loopback)");
      else tg.control = control;
    }
    t.str("token_file", tg.token_file);
    t.finish();
    p_.targets.push_back(std::move(tg));
  }

  void blast_radius(MapReader& top) {
    auto b = top.section("blast_radius");
    if (!b) return;
    read_share(*b, "max_fraction", p_.max_fraction);
    int64_t v = 0;
    if (b->integer("max_targets", v, false, 1, 1'000'000)) p_.max_targets = static_cast<int>(v);
    b->finish();
  }

  void abort(MapReader& top) {
    auto a = top.section("abort");
    if (!a) return;
    p_.abort_position = position_of(a->node().Mark());
    read_millis(*a, "interval", p_.abort_interval);
    read_health_check(*a, p_.health);
    a->str("command", p_.abort_command);
    a->finish();
  }

  // The chaos list, in document order (checking the blast radius as targets accumulate), then
  // sorted by `at`.
  void items(MapReader& top) {
    const YAML::Node chaos = top.value("chaos");
    if (!chaos) {
      ctx_.error(top.node(), "chaos", "required: a list of items such as {at: 1m, preempt: {notice: 120s}}");
      return;
    }
    if (!chaos.IsSequence() || chaos.size() == 0) {
      ctx_.error(chaos, "chaos", "expected a non-empty list of items");
      return;
    }
    // The blast radius counts targets: only on a plan whose header, targets and limits read cleanly.
    const bool count_radius = ctx_.ok();
    for (size_t i = 0; i < chaos.size(); ++i) {
      auto it = item(chaos[i], i);
      if (!it) continue;
      if (count_radius) within_blast_radius(*it, chaos[i]);
      p_.items.push_back(std::move(*it));
    }
    std::stable_sort(p_.items.begin(), p_.items.end(), [](const Item& a, const Item& b) { return a.at < b.at; });
  }

  // One item; nullopt (with its mistakes reported) when it does not read cleanly.
  std::optional<Item> item(const YAML::Node& node, size_t i) {
    const size_t before = errors();
    auto head = read_item_head(ctx_, node, i, p_.max_duration, max_known_);
    if (!head) return std::nullopt;
    Item item;
    item.type = head->type;
    item.where = head->where;
    item.at = head->at;
    item.position = position_of(node.Mark());
    MapReader b = body_reader(ctx_, *head);
    read_inject_fields(b, item.type, p_.provider, node, item.inject, item.notice_given);
    selection(item, b, head->anchor(), i);
    b.finish();
    if (errors() != before) return std::nullopt;
    // Dead-man: each injection expires by itself when the plan's max_duration is reached.
    item.inject.ttl = p_.max_duration - item.at;
    item.inject.source = "plan:" + p_.name;
    return item;
  }

  // The targets an item acts on: a storm's seeded fraction, the listed targets, or all of them.
  void selection(Item& item, MapReader& b, const YAML::Node& at, size_t i) {
    if (item.type == Item::Type::kStorm) {
      if (!b.has("fraction")) {
        b.get("fraction");
        ctx_.error(at, item.where + ".fraction", "required: the fraction of targets hit, e.g. fraction: 30%");
      } else if (read_share(b, "fraction", item.fraction)) {
        item.selected = storm_selection(p_.targets, item.fraction, p_.seed + i);
      }
      return;
    }
    if (item.type == Item::Type::kClear) return;
    const YAML::Node n = b.value("targets");
    if (!n) {
      for (const auto& t : p_.targets) item.selected.push_back(t.name);
      return;
    }
    if (!n.IsSequence() || n.size() == 0) {
      ctx_.error(n, item.where + ".targets", "expected a non-empty list of target names");
      return;
    }
    for (size_t k = 0; k < n.size(); ++k) {
      const std::string where = item.where + ".targets[" + std::to_string(k) + "]";
      if (!n[k].IsScalar()) {
        ctx_.error(n[k], where, "expected a target name");
      } else if (!target_names_.count(n[k].Scalar())) {
        ctx_.error(n[k], where, "no target named '" + n[k].Scalar() + "' in targets");
      } else {
        item.selected.push_back(n[k].Scalar());
      }
    }
  }

  // The targets reached by all items so far stay within blast_radius (reported once, at the
  // first item that goes beyond it).
  void within_blast_radius(const Item& item, const YAML::Node& node) {
    const size_t n_targets = p_.targets.size();
    size_t allowed = static_cast<size_t>(std::floor(p_.max_fraction * static_cast<double>(n_targets) + 1e-9));
    if (p_.max_targets > 0) allowed = std::min(allowed, static_cast<size_t>(p_.max_targets));
    for (const auto& name : item.selected) reached_.insert(name);
    if (reached_.size() <= allowed || radius_reported_) return;
    radius_reported_ = true;
    std::ostringstream msg;
    msg << "would reach " << reached_.size() << " of " << n_targets << " targets, beyond the blast radius of "
        << allowed << " (blast_radius: max_fraction " << p_.max_fraction;
    if (p_.max_targets > 0) msg << ", max_targets " << p_.max_targets;
    msg << ")";
    ctx_.error(node, item.where, msg.str());
  }

  // expect: tolerances for `spotsim compare` (docs/gameday-loop.md). The agent checks the shape
  // (metric names to scalars) and otherwise ignores it; spotsim checks the rest.
  void expect(MapReader& top) {
    const YAML::Node ex = top.value("expect");
    if (!ex) return;
    if (!ex.IsMap()) {
      ctx_.error(ex, "expect", "expected a mapping of metric: tolerance, e.g. {notices: 0, drained_in_time: interval}");
      return;
    }
    for (const auto& kv : ex)
      if (!kv.second.IsScalar())
        ctx_.error(kv.second, "expect." + kv.first.as<std::string>(""),
                   "expected a tolerance: interval, a number or a percentage like 25%");
  }

  ParseContext ctx_;
  Plan p_;
  bool max_known_ = false;  // max_duration read cleanly
  std::set<std::string> target_names_;
  std::set<std::string> reached_;
  bool radius_reported_ = false;
};

}  // namespace

Result<Plan> parse_plan(const std::string& text, const std::string& file) { return PlanParser(file).parse(text); }

Result<Plan> load_plan(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::io(path + ": error: cannot read plan: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_plan(ss.str(), path);
}

std::string describe(const Plan& p) {
  std::ostringstream o;
  o << "plan " << p.name << " (" << p.file << ")\n";
  o << "  targets: " << p.targets.size() << " (";
  for (size_t i = 0; i < p.targets.size(); ++i)
    o << (i ? ", " : "") << p.targets[i].name << " " << p.targets[i].control;
  o << ")\n";
  o << "  dead-man: every injection expires by itself " << format_duration(p.max_duration)
    << " after the start; the drill ends after " << format_duration(p.duration) << " (clear + report)\n";
  o << "  blast radius: max_fraction " << p.max_fraction;
  if (p.max_targets > 0) o << ", max_targets " << p.max_targets;
  o << "\n";
  if (!p.health.url.empty())
    o << "  abort: health check " << p.health.url << " every " << format_duration(p.health.interval) << ", "
      << p.health.failures << " consecutive failure(s) clear everything\n";
  if (!p.abort_command.empty()) o << "  abort: command `" << p.abort_command << "` failing clears everything\n";
  if (p.health.url.empty() && p.abort_command.empty()) o << "  abort: no abort condition (Ctrl-C clears everything)\n";
  o << "timeline:\n";
  for (const auto& it : p.items) {
    o << "  T+" << format_duration(it.at) << "  " << kItemTypes.name(it.type);
    if (it.type == Item::Type::kClear) {
      o << "  all targets\n";
      continue;
    }
    o << "  provider " << providers_to_string(it.inject.providers);
    if (it.type != Item::Type::kRebalance) o << ", notice " << format_duration(it.inject.notice);
    if (it.inject.kind == Kind::kPreempt) o << ", action " << it.inject.aws_action;
    if (it.type == Item::Type::kStorm) o << ", fraction " << it.fraction;
    o << " -> ";
    for (size_t k = 0; k < it.selected.size(); ++k) o << (k ? ", " : "") << it.selected[k];
    o << "\n";
  }
  o << "  T+" << format_duration(p.duration) << "  end: clear all targets, collect reports\n";
  return o.str();
}

}  // namespace agent::plan

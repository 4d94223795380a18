#include "sim/gameday/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "sim/gameday/input.h"
#include "common/units.h"

namespace spotsim::gameday {
namespace {

std::string secs_text(double s) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3fs", s);
  return buf;
}
std::string num_text(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
std::string pct_text(double f) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f%%", f * 100.0);
  return buf;
}

// Nearest-rank percentile of sorted samples (as chaos-agent's report computes p50/p90).
double percentile(const std::vector<double>& v, double p) {
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

SecondsDist fit_dist(const std::vector<double>& v, Fit fit) {
  SecondsDist d;
  if (v.empty()) return d;
  if (v.size() == 1) {
    d.kind = SecondsDist::Kind::kFixed;
    d.value = v[0];
    return d;
  }
  const bool positive = v.front() > 0;
  if (fit == Fit::kEmpirical || !positive) {
    d.kind = SecondsDist::Kind::kEmpirical;
    d.samples = v;
    return d;
  }
  double mu = 0;
  for (double x : v) mu += std::log(x);
  mu /= static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (std::log(x) - mu) * (std::log(x) - mu);
  d.kind = SecondsDist::Kind::kLognormal;
  d.median = std::exp(mu);
  d.sigma = std::sqrt(ss / static_cast<double>(v.size()));
  return d;
}

std::string dist_yaml(const SecondsDist& d) {
  switch (d.kind) {
    case SecondsDist::Kind::kNone: return "null";
    case SecondsDist::Kind::kFixed: return secs_text(d.value);
    case SecondsDist::Kind::kLognormal:
      return "{lognormal: {median: " + secs_text(d.median) + ", sigma: " + num_text(d.sigma, 4) + "}}";
    case SecondsDist::Kind::kEmpirical: {
      std::string s = "{empirical: [";
      for (size_t i = 0; i < d.samples.size(); ++i) s += (i ? ", " : "") + secs_text(d.samples[i]);
      return s + "]}";
    }
  }
  return "null";
}

std::string samples_comment(const std::vector<double>& v) {
  if (v.empty()) return "no sample";
  std::string s = "n=" + std::to_string(v.size()) + ", p50 " + secs_text(percentile(v, 0.5)) + ", p90 " +
                  secs_text(percentile(v, 0.9)) + ", max " + secs_text(v.back());
  return s;
}

class Reader : public YamlErrors {
 public:
  using YamlErrors::YamlErrors;
  Result<double> seconds(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) return error(n, path, "expected a duration like 1.5s");
    auto d = parse_duration(n.Scalar());
    if (!d.is_ok()) return error(n, path, d.status().message());
    if (d.value().us < 0) return error(n, path, "must not be negative");
    return d.value().to_seconds();
  }
  Result<double> fraction(const YAML::Node& n, const std::string& path) const {
    if (!n.IsScalar()) return error(n, path, "expected a fraction like 5% or 0.05");
    auto f = parse_fraction(n.Scalar());
    if (!f.is_ok()) return error(n, path, f.status().message());
    if (f.value() < 0 || f.value() > 1) return error(n, path, "must be between 0% and 100%");
    return f.value();
  }
  Result<SecondsDist> dist(const YAML::Node& n, const std::string& path) const {
    SecondsDist d;
    if (!n || n.IsNull()) return d;
    if (n.IsScalar()) {
      d.kind = SecondsDist::Kind::kFixed;
      ASSIGN_OR_RETURN(d.value, seconds(n, path));
      return d;
    }
    if (!n.IsMap() || n.size() != 1)
      return error(n, path, "expected null, a duration, {lognormal: {median, sigma}} or {empirical: [durations]}");
    if (const YAML::Node ln = n["lognormal"]) {
      if (!ln.IsMap() || !ln["median"] || !ln["sigma"] || ln.size() != 2)
        return error(ln, path + ".lognormal", "expected {median: DURATION, sigma: NUMBER}");
      d.kind = SecondsDist::Kind::kLognormal;
      ASSIGN_OR_RETURN(d.median, seconds(ln["median"], path + ".lognormal.median"));
      if (d.median <= 0) return error(ln["median"], path + ".lognormal.median", "must be greater than 0");
      auto s = ln["sigma"].IsScalar() ? parse_number(ln["sigma"].Scalar()) : Result<double>(Status::invalid("x"));
      if (!s.is_ok() || s.value() < 0 || s.value() > 10)
        return error(ln["sigma"], path + ".lognormal.sigma", "expected a number from 0 to 10");
      d.sigma = s.value();
      return d;
    }
    if (const YAML::Node em = n["empirical"]) {
      if (!em.IsSequence() || em.size() == 0)
        return error(em, path + ".empirical", "expected a non-empty list of durations");
      d.kind = SecondsDist::Kind::kEmpirical;
      for (size_t i = 0; i < em.size(); ++i) {
        double v = 0;
        ASSIGN_OR_RETURN(v, seconds(em[i], path + ".empirical[" + std::to_string(i) + "]"));
        d.samples.push_back(v);
      }
      std::sort(d.samples.begin(), d.samples.end());
      return d;
    }
    return error(n, path, "expected {lognormal: {median, sigma}} or {empirical: [durations]}");
  }
};

}  // namespace

double SecondsDist::draw(Rng& rng) const {
  switch (kind) {
    case Kind::kNone: return 0;
    case Kind::kFixed: return value;
    case Kind::kLognormal: return rng.lognormal(std::log(median), sigma);
    case Kind::kEmpirical: return samples[rng.below(samples.size())];
  }
  return 0;
}

Result<Calibration> calibrate_gameday(const AuditData& audit, Fit fit) {
  Calibration c;
  c.sources = audit.files;
  if (audit.notices.empty())
    return Status::invalid(
        "calibrate --gameday: the audit log(s) hold no preemption notice (inject events of kind preempt)"
        " for this run; nothing to calibrate");
  int drained_never = 0, watched_detected = 0;
  bool same_notice = true;
  for (const auto& n : audit.notices) {
    ++c.notices;
    if (c.run.empty()) c.run = n.run;
    if (n.notice_s != audit.notices.front().notice_s) same_notice = false;
    if (n.detection_s) {
      ++c.detected;
      c.detection_samples.push_back(*n.detection_s);
    }
    if (n.ack_s) c.ack_samples.push_back(*n.ack_s);
    if (!n.watched || n.not_running) continue;
    ++c.watched;
    if (n.drain_s) {
      ++c.drained_any;
      c.drain_samples.push_back(*n.drain_s);
    } else if (n.detection_s) {
      ++drained_never;
    }
    if (n.detection_s) ++watched_detected;
  }
  if (same_notice) c.notice_s = audit.notices.front().notice_s;
  for (auto* v : {&c.detection_samples, &c.drain_samples, &c.ack_samples}) std::sort(v->begin(), v->end());
  c.detection = fit_dist(c.detection_samples, fit);
  c.drain = fit_dist(c.drain_samples, fit);
  c.ack = fit_dist(c.ack_samples, fit);
  c.never_detected = static_cast<double>(c.notices - c.detected) / static_cast<double>(c.notices);
  c.never_drained =
      watched_detected > 0 ? static_cast<double>(drained_never) / static_cast<double>(watched_detected) : 0;
  return c;
}

std::string calibration_yaml(const Calibration& c) {
  std::ostringstream o;
  o << "# Notice handling measured on a game day, by spotsim calibrate --gameday\n";
  o << "# (docs/gameday-loop.md). Source:";
  for (const auto& s : c.sources) o << " " << s;
  o << "\n";
  if (!c.run.empty()) o << "# game-day run: " << c.run << "\n";
  o << "# sample: " << c.notices << " preemption notice(s), " << c.detected << " detected, " << c.watched
    << " with a watched workload, " << c.drained_any << " timed drain(s)\n";
  o << "# fit: lognormal by maximum likelihood on the logs of the samples; one sample: that value;\n";
  o << "# --fit empirical: the samples themselves, drawn uniformly\n";
  o << "notice_handling:\n";
  o << "  notices: " << c.notices << "\n";
  if (c.notice_s) o << "  notice: " << secs_text(*c.notice_s) << "                 # the notice length drilled\n";
  o << "  detection_latency: " << dist_yaml(c.detection) << "   # notice -> first client read that saw it; "
    << samples_comment(c.detection_samples) << "\n";
  o << "  never_detected: " << pct_text(c.never_detected) << "   # " << (c.notices - c.detected) << " of " << c.notices
    << " notices were never read by a client\n";
  o << "  drain_time: " << dist_yaml(c.drain) << "   # notice -> watched workload exit; "
    << samples_comment(c.drain_samples) << "\n";
  o << "  never_drained: " << pct_text(c.never_drained)
    << "   # of detected notices with a watched workload, the share whose workload never exited\n";
  o << "  ack_latency: " << dist_yaml(c.ack) << "   # notice -> Azure acknowledgement; "
    << samples_comment(c.ack_samples) << "\n";
  // The scenario keys (docs/gameday.md "Feeding the figures to spotsim").
  o << "# The scenario keys these figures set (docs/gameday-loop.md):\n";
  o << "scenario:\n";
  const double p90_det = c.detection_samples.empty() ? 0 : percentile(c.detection_samples, 0.9);
  if (c.notice_s) {
    const double usable = std::max(0.0, *c.notice_s - p90_det);
    o << "  notice: " << secs_text(usable) << "   # pools' and storm items' notice: drilled notice "
      << secs_text(*c.notice_s) << " - p90 detection latency " << secs_text(p90_det) << "\n";
    if (c.watched > 0) {
      const double p90_drain = c.drain_samples.empty() ? 0 : percentile(c.drain_samples, 0.9);
      const bool fits = !c.drain_samples.empty() && p90_drain <= usable;
      const bool drains = c.never_drained == 0 && fits;
      o << "  drain: " << (drains ? "true" : "false") << "   # service workloads' drain: ";
      if (c.never_drained > 0) o << pct_text(c.never_drained) << " of the watched workloads never drained";
      else if (c.drain_samples.empty()) o << "no drain was timed";
      else
        o << "p90 drain time " << secs_text(p90_drain) << (fits ? " fits in" : " is longer than")
          << " the usable notice";
      o << "\n";
    }
  } else {
    o << "  # notice: the drill's notices differ in length; usable notice = notice - p90 detection latency "
      << secs_text(p90_det) << "\n";
  }
  o << "  notice_loss: " << pct_text(c.never_detected)
    << "   # chaos item {kind: notice_loss, probability}: never_detected\n";
  return o.str();
}

Result<Calibration> parse_calibration(const std::string& text, const std::string& file) {
  ParseContext ctx(file);
  Reader r(ctx);
  YAML::Node root;
  ASSIGN_OR_RETURN(root, load_yaml(r, text));
  if (root.IsMap()) {  // the unknown keys, every one, with a did-you-mean
    MapReader top(ctx, root, "");
    top.get("notice_handling");
    top.get("scenario");
    top.finish();
    if (root["notice_handling"].IsMap()) {
      MapReader keys(ctx, root["notice_handling"], "notice_handling");
      for (const char* k :
           {"notices", "notice", "detection_latency", "never_detected", "drain_time", "never_drained", "ack_latency"})
        keys.get(k);
      keys.finish();
    }
  }
  if (!root.IsMap() || !root["notice_handling"])
    return r.error(root, "notice_handling",
                   "required: a calibration has a notice_handling: block (spotsim calibrate --gameday writes one)");
  const YAML::Node nh = root["notice_handling"];
  if (!nh.IsMap()) return r.error(nh, "notice_handling", "expected a mapping");
  Calibration c;
  c.sources.push_back(file);
  if (nh["notices"]) {
    auto v = nh["notices"].IsScalar() ? parse_number(nh["notices"].Scalar()) : Result<double>(Status::invalid("x"));
    if (!v.is_ok() || v.value() < 0 || v.value() != std::floor(v.value()) || v.value() > 1e9)
      return r.error(nh["notices"], "notice_handling.notices", "expected a whole number");
    c.notices = static_cast<int>(v.value());
  }
  if (nh["notice"]) {
    double v = 0;
    ASSIGN_OR_RETURN(v, r.seconds(nh["notice"], "notice_handling.notice"));
    c.notice_s = v;
  }
  ASSIGN_OR_RETURN(c.detection, r.dist(nh["detection_latency"], "notice_handling.detection_latency"));
  ASSIGN_OR_RETURN(c.drain, r.dist(nh["drain_time"], "notice_handling.drain_time"));
  ASSIGN_OR_RETURN(c.ack, r.dist(nh["ack_latency"], "notice_handling.ack_latency"));
  if (nh["never_detected"]) {
    ASSIGN_OR_RETURN(c.never_detected, r.fraction(nh["never_detected"], "notice_handling.never_detected"));
  }
  if (nh["never_drained"]) {
    ASSIGN_OR_RETURN(c.never_drained, r.fraction(nh["never_drained"], "notice_handling.never_drained"));
  }
  if (c.detection.kind == SecondsDist::Kind::kNone && c.never_detected < 1)
    return r.error(nh, "notice_handling.detection_latency",
                   "required unless never_detected is 100%: how long clients take to see a notice");
  if (!ctx.ok()) return ctx.status();
  return c;
}

Result<Calibration> load_calibration(const std::string& path) {
  std::string text;
  ASSIGN_OR_RETURN(text, read_input(path, "calibration"));
  return parse_calibration(text, path);
}

}  // namespace spotsim::gameday

#include "sim/scenario/dist_reader.h"

#include <cmath>

namespace spotsim {
namespace {

constexpr double kZ95 = 1.6448536269514722;  // standard normal 95th percentile

// `dist:` of a distribution's long form.
constexpr auto kDistKinds = enum_table<DurationDist::Kind>({{"fixed", DurationDist::Kind::kFixed},
                                                            {"exponential", DurationDist::Kind::kExponential},
                                                            {"uniform", DurationDist::Kind::kUniform},
                                                            {"lognormal", DurationDist::Kind::kLognormal}});

bool check_positive(ParseContext& ctx, const YAML::Node& at, const std::string& path, double v, bool positive) {
  if (positive ? v <= 0 : v < 0) {
    ctx.error(at, path, positive ? "must be longer than 0s" : "must not be negative");
    return false;
  }
  return true;
}

// {dist: ..., ...}: the long form (also used by workloads: `work:`).
bool read_long_form(ParseContext& ctx, const YAML::Node& n, const std::string& path, DurationDist& out, bool positive) {
  MapReader dr(ctx, n, path);
  DurationDist::Kind kind = DurationDist::Kind::kFixed;
  // With an unknown dist the other keys cannot be judged.
  if (!dr.choice("dist", kind, kDistKinds, true)) return false;
  Duration a{0}, b{0};
  double sigma = 0;
  DurationDist d;
  bool ok = true;
  switch (kind) {
    case DurationDist::Kind::kFixed:
      ok = dr.duration("value", a, true);
      d = DurationDist{kind, a.to_seconds(), 0};
      break;
    case DurationDist::Kind::kExponential:
      ok = dr.duration("mean", a, true);
      d = DurationDist{kind, a.to_seconds(), 0};
      break;
    case DurationDist::Kind::kUniform:
      ok = dr.duration("min", a, true) & dr.duration("max", b, true);
      if (ok && b < a) {
        ctx.error(n, path, "max must not be less than min");
        ok = false;
      }
      d = DurationDist{kind, a.to_seconds(), b.to_seconds()};
      break;
    case DurationDist::Kind::kLognormal:
      ok = dr.duration("median", a, true) & dr.number("sigma", sigma, true, 0, 10);
      d = DurationDist{kind, a.to_seconds(), sigma};
      break;
  }
  if (ok && kind != DurationDist::Kind::kUniform && d.a <= 0 && positive) {
    ctx.error(n, path, "must be longer than 0s");
    ok = false;
  }
  dr.finish();
  if (ok) out = d;
  return ok;
}

}  // namespace

bool read_duration_dist(MapReader& r, const std::string& key, DurationDist& out, bool required, bool positive) {
  const YAML::Node n = required ? r.required(key) : r.value(key);
  ParseContext& ctx = r.ctx();
  const std::string path = r.child_path(key);
  if (!n) return false;
  if (n.IsScalar()) {
    auto d = read_duration(ctx, n, path);
    if (!d || !check_positive(ctx, n, path, d->to_seconds(), positive)) return false;
    out = DurationDist{DurationDist::Kind::kFixed, d->to_seconds(), 0};
    return true;
  }
  if (!n.IsMap()) {
    ctx.error(n, path,
              "expected a duration like 90s, or a distribution like {uniform: [60s, 120s]} or "
              "{lognormal: {median: 90s, p95: 4m}}");
    return false;
  }
  const YAML::Node& cn = n;  // const: lookups never add keys
  if (cn["dist"].IsDefined()) return read_long_form(ctx, n, path, out, positive);
  if (n.size() != 1) {
    ctx.error(n, path,
              "expected one distribution: {uniform: [MIN, MAX]}, {lognormal: {median: M, p95: P}}, "
              "{lognormal: {median: M, sigma: S}} or {exponential: {mean: M}}");
    return false;
  }
  const YAML::Node key_node = n.begin()->first;
  const YAML::Node v = n.begin()->second;
  const std::string kind = key_node.as<std::string>("");
  const std::string vpath = path + "." + kind;
  if (kind == "uniform") {
    if (!v.IsSequence() || v.size() != 2) {
      ctx.error(v, vpath, "expected [MIN, MAX], e.g. [60s, 120s]");
      return false;
    }
    auto lo = read_duration(ctx, v[0], vpath + "[0]");
    auto hi = read_duration(ctx, v[1], vpath + "[1]");
    if (!lo || !hi) return false;
    if (!check_positive(ctx, v[0], vpath + "[0]", lo->to_seconds(), false)) return false;
    if (*hi < *lo) {
      ctx.error(v, vpath, "the maximum must not be less than the minimum");
      return false;
    }
    if (positive && hi->us <= 0) {
      ctx.error(v, vpath, "must be longer than 0s");
      return false;
    }
    out = DurationDist{DurationDist::Kind::kUniform, lo->to_seconds(), hi->to_seconds()};
    return true;
  }
  if (kind == "lognormal") {
    MapReader lr(ctx, v, vpath);
    Duration median{0}, p95{0};
    double sigma = 0;
    const bool has_p95 = lr.has("p95"), has_sigma = lr.has("sigma");
    bool ok = lr.duration("median", median, true);
    if (has_p95 == has_sigma) {
      ctx.error(v, vpath, "give exactly one of p95 (a duration above the median) or sigma (a number)");
      ok = false;
    }
    if (has_p95) ok = lr.duration("p95", p95, true) && ok;
    if (has_sigma) ok = lr.number("sigma", sigma, true, 0, 10) && ok;
    lr.finish();
    if (!ok) return false;
    if (median.us <= 0) {
      ctx.error(v, vpath + ".median", "must be longer than 0s");
      return false;
    }
    if (has_p95) {
      if (p95 <= median) {
        ctx.error(v, vpath + ".p95", "must be longer than the median");
        return false;
      }
      sigma = std::log(p95.to_seconds() / median.to_seconds()) / kZ95;
    }
    out = DurationDist{DurationDist::Kind::kLognormal, median.to_seconds(), sigma};
    return true;
  }
  if (kind == "exponential") {
    MapReader er(ctx, v, vpath);
    Duration mean{0};
    const bool ok = er.duration("mean", mean, true);
    er.finish();
    if (!ok) return false;
    if (mean.us <= 0) {
      ctx.error(v, vpath + ".mean", "must be longer than 0s");
      return false;
    }
    out = DurationDist{DurationDist::Kind::kExponential, mean.to_seconds(), 0};
    return true;
  }
  ctx.error(key_node, vpath, "unknown distribution; expected uniform, lognormal or exponential (or a plain duration)");
  return false;
}

}  // namespace spotsim

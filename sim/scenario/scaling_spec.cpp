#include "sim/scenario/scaling_spec.h"

#include <cctype>

#include <yaml-cpp/yaml.h>

#include "sim/scenario/limits.h"
#include "sim/scenario/scenario.h"
#include "common/units.h"
#include "common/yaml_reader.h"

namespace spotsim {
namespace {

constexpr auto kTrackedMetrics = enum_table<TrackedMetric>(
    {{"utilization", TrackedMetric::kUtilization}, {"queue_depth", TrackedMetric::kQueueDepth}});
// `warm_pool: {state:}` (WarmPoolSpec::running).
constexpr auto kWarmPoolStates = enum_table<bool>({{"stopped", false}, {"running", true}});

// "HH:MM" (00:00 .. 23:59) → microseconds since midnight.
bool parse_time_of_day(const std::string& s, int64_t& out_us) {
  if (s.size() != 5 || s[2] != ':') return false;
  for (size_t i : {0, 1, 3, 4}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return false;
  out_us = Duration::hours(h).us + Duration::minutes(m).us;
  return true;
}

void compile_schedule(ParseContext& ctx, const YAML::Node& node, const std::string& path, ScalingSpec& s) {
  if (!node.IsSequence() || node.size() == 0) {
    ctx.error(node, path, "expected a non-empty list of {at: DURATION, target: N} or {daily: \"HH:MM\", target: N}");
    return;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    MapReader r(ctx, node[i], p);
    ScheduledTarget t;
    const bool has_at = r.has("at"), has_daily = r.has("daily");
    if (has_at == has_daily) {
      ctx.error(node[i], p,
                has_at ? "give either at: (once, since the start) or daily: (every day), not both"
                       : "missing the time: at: DURATION (since the start) or daily: \"HH:MM\"");
    }
    Duration at;
    if (has_at && r.duration("at", at)) {
      if (at.us < 0) ctx.error(r.get("at"), r.child_path("at"), "must be 0s or later");
      t.at_us = at.us;
    }
    std::string daily;
    if (has_daily && r.str("daily", daily)) {
      if (!parse_time_of_day(daily, t.at_us)) {
        ctx.error(r.get("daily"), r.child_path("daily"),
                  "expected a time of day \"HH:MM\" (00:00 to 23:59), found \"" + daily + "\"");
      }
      t.daily = true;
    }
    r.integer("target", t.target, true, 0, kMaxVms);
    r.get("at");
    r.get("daily");
    r.finish();
    s.schedule.push_back(t);
  }
}

void compile_tracking(ParseContext& ctx, const YAML::Node& node, const std::string& path, ScalingSpec& s,
                      int64_t& target, bool target_given, const YAML::Node& target_node,
                      const std::string& target_path) {
  MapReader r(ctx, node, path);
  TargetTrackingSpec& t = s.tracking;
  const bool has_metric = r.choice("metric", t.metric, kTrackedMetrics, true);
  r.str("workload", t.workload, true);
  const YAML::Node tv = r.required(
      "target_value", "the metric value to hold: a percentage like 60% for utilization, jobs per VM for queue_depth");
  if (!tv) {
    // missing: required() reported it
  } else if (!tv.IsScalar()) {
    ctx.error(tv, r.child_path("target_value"), "expected a percentage like 60% or a number");
  } else if (has_metric && t.metric == TrackedMetric::kUtilization) {
    const std::string v = tv.Scalar();
    auto f = parse_fraction(v);
    if (v.empty() || v.back() != '%') {
      ctx.error(tv, r.child_path("target_value"), "expected a percentage like 60% (utilization), found " + v);
    } else if (!f) {
      ctx.error(tv, r.child_path("target_value"), f.status().message());
    } else if (*f <= 0) {
      ctx.error(tv, r.child_path("target_value"), "must be above 0%");
    } else {
      t.target_value = *f;
    }
  } else if (has_metric && t.metric == TrackedMetric::kQueueDepth) {
    auto n = parse_number(tv.Scalar());
    if (!n || *n <= 0) {
      ctx.error(tv, r.child_path("target_value"),
                "expected a number of queued jobs per VM above 0 (queue_depth), found " + tv.Scalar());
    } else {
      t.target_value = *n;
    }
  }
  const bool min_ok = r.integer("min", t.min, true, 0, kMaxVms);
  const bool max_ok = r.integer("max", t.max, true, 1, kMaxVms);
  if (min_ok && max_ok && t.min > t.max) {
    ctx.error(r.get("max"), r.child_path("max"),
              "must be at least min (" + std::to_string(t.min) + "), found " + std::to_string(t.max));
  }
  auto positive = [&](const char* key, Duration& d) {
    if (r.duration(key, d) && d.us < 0) ctx.error(r.get(key), r.child_path(key), "must be 0s or longer");
  };
  positive("scale_out_cooldown", t.scale_out_cooldown);
  positive("scale_in_cooldown", t.scale_in_cooldown);
  positive("stabilization_window", t.stabilization_window);
  if (r.duration("interval", t.interval) && t.interval.us <= 0) {
    ctx.error(r.get("interval"), r.child_path("interval"), "must be longer than 0s");
  }
  r.fraction("tolerance", t.tolerance);
  r.finish();
  if (!min_ok || !max_ok || t.min > t.max) return;
  if (!target_given) {
    target = t.min;
  } else if (target < t.min || target > t.max) {
    ctx.error(target_node, target_path,
              "the initial target " + std::to_string(target) + " is outside target tracking's min..max (" +
                  std::to_string(t.min) + ".." + std::to_string(t.max) + ")");
  }
}

}  // namespace

int64_t schedule_target_at_start(const std::vector<ScheduledTarget>& schedule, int64_t fallback) {
  int64_t t = fallback;
  for (const ScheduledTarget& e : schedule) {
    if (e.at_us == 0) t = e.target;
  }
  return t;
}

void compile_scaling(MapReader& fr, ScalingSpec& s, WarmPoolSpec& warm, int64_t& target, bool target_given) {
  ParseContext& ctx = fr.ctx();
  if (auto r = fr.section("scaling")) {
    const YAML::Node& node = r->node();
    const std::string& path = r->path();
    const bool sched = r->has("schedule"), track = r->has("target_tracking");
    if (sched && track) {
      ctx.error(node, path, "give either schedule: or target_tracking:, not both");
    } else if (!sched && !track && node.IsMap()) {
      ctx.error(node, path,
                "expected schedule: [{at: 2h, target: 10}, ...] or target_tracking: {metric: ..., workload: ..., "
                "target_value: ..., min: ..., max: ...}");
    }
    if (sched) {
      s.kind = ScalingKind::kSchedule;
      compile_schedule(ctx, r->get("schedule"), r->child_path("schedule"), s);
      if (!target_given) target = schedule_target_at_start(s.schedule, 0);
    } else if (track) {
      s.kind = ScalingKind::kTargetTracking;
      compile_tracking(ctx, r->get("target_tracking"), r->child_path("target_tracking"), s, target, target_given,
                       fr.get("target"), fr.child_path("target"));
    }
    r->get("schedule");
    r->get("target_tracking");
    r->finish();
  }
  if (auto r = fr.section("warm_pool")) {
    r->integer("size", warm.size, true, 0, kMaxVms);
    r->choice("state", warm.running, kWarmPoolStates);
    // The default resume time depends on the state: a running instance only joins the fleet.
    warm.resume_time = warm.running ? Duration::seconds(10) : Duration::seconds(30);
    if (r->duration("resume_time", warm.resume_time) && warm.resume_time.us < 0) {
      ctx.error(r->get("resume_time"), r->child_path("resume_time"), "must be 0s or longer");
    }
    r->money("disk_cost", warm.disk_cost_per_hour);
    r->finish();
  }
}

void resolve_scaling(ParseContext& ctx, const YAML::Node& fleets, CompiledScenario& sc) {
  std::vector<std::string> names;
  for (const auto& w : sc.workloads) names.push_back(w.name);
  for (FleetSpec& f : sc.fleets) {
    if (f.scaling.kind != ScalingKind::kTargetTracking) continue;
    TargetTrackingSpec& t = f.scaling.tracking;
    const std::string path = "fleets." + f.name + ".scaling.target_tracking.workload";
    YAML::Node at;
    at.reset(fleets);
    for (const char* key : {f.name.c_str(), "scaling", "target_tracking", "workload"}) {
      if (!at.IsMap() || !at[key].IsDefined()) break;
      const YAML::Node child = at[key];
      at.reset(child);
    }
    int idx = -1;
    for (size_t i = 0; i < sc.workloads.size(); ++i) {
      if (sc.workloads[i].name == t.workload) idx = static_cast<int>(i);
    }
    if (idx < 0) {
      ctx.error(at, path,
                "no workload named \"" + t.workload + "\"" + did_you_mean(t.workload, names) +
                    (names.empty() ? " (the scenario has no workloads:)" : ""));
      continue;
    }
    const WorkloadSpec& w = sc.workloads[static_cast<size_t>(idx)];
    uint32_t wfleet = 0;
    switch (w.kind) {
      case WorkloadKind::kBatch: wfleet = w.batch.fleet; break;
      case WorkloadKind::kPipeline: wfleet = w.pipeline.fleet; break;
      case WorkloadKind::kService: wfleet = w.service.fleet; break;
      case WorkloadKind::kDeadlineJob:
        ctx.error(at, path,
                  "workload \"" + t.workload +
                      "\" is a deadline_job, which reports no load; track a batch, pipeline or service workload");
        continue;
    }
    if (w.kind == WorkloadKind::kService && t.metric == TrackedMetric::kQueueDepth) {
      ctx.error(at, path, "workload \"" + t.workload + "\" is a service, which has no queue; use metric: utilization");
      continue;
    }
    (void)wfleet;  // tracking another fleet's workload is allowed (e.g. a fleet sized on a queue)
    t.workload_index = static_cast<uint32_t>(idx);
  }
}

}  // namespace spotsim

namespace spotsim {
namespace {

// The node of `fleets.<fleet>.<key>` (for error positions), or the fleet's own node without it.
YAML::Node fleet_key_node(const YAML::Node& fleets, const std::string& fleet, const char* key) {
  YAML::Node at;
  at.reset(fleets);
  for (const char* k : {fleet.c_str(), key}) {
    if (!at.IsMap() || !at[k].IsDefined()) break;
    const YAML::Node child = at[k];
    at.reset(child);
  }
  return at;
}

}  // namespace

void compile_scale_to_zero(MapReader& r, FleetSpec& f) {
  f.scale_to_zero_given = r.boolean("scale_to_zero", f.scale_to_zero);
  if (r.duration("scale_down_delay", f.scale_down_delay) && f.scale_down_delay.us < 0) {
    r.ctx().error(r.get("scale_down_delay"), r.child_path("scale_down_delay"), "must be 0s or longer");
  }
}

void resolve_scale_to_zero(ParseContext& ctx, const YAML::Node& fleets, CompiledScenario& sc) {
  for (uint32_t fi = 0; fi < sc.fleets.size(); ++fi) {
    FleetSpec& f = sc.fleets[fi];
    // Why this fleet cannot follow its jobs down to zero ("" if it can).
    std::string why;
    std::vector<std::string> jobs;
    for (const WorkloadSpec& w : sc.workloads) {
      if (w.kind == WorkloadKind::kService && w.service.fleet == fi && why.empty()) {
        why = "the service workload \"" + w.name + "\" runs on this fleet (a service needs its VMs between requests)";
      }
      if ((w.kind == WorkloadKind::kBatch && w.batch.fleet == fi) ||
          (w.kind == WorkloadKind::kPipeline && w.pipeline.fleet == fi)) {
        jobs.push_back(w.name);
      }
    }
    if (why.empty() && sc.kubernetes.enabled) {
      for (const K8sNodePoolSpec& np : sc.kubernetes.node_pools) {
        if (np.fleet == fi) {
          why = "it is the Kubernetes node pool \"" + np.name + "\" (the cluster autoscaler sets its target)";
          break;
        }
      }
    }
    if (why.empty() && f.scaling.kind != ScalingKind::kFixed) {
      why = "it has scaling: (which sets the target; use one or the other)";
    }
    if (why.empty() && jobs.empty()) why = "no batch or pipeline workload runs on this fleet";
    if (why.empty() && jobs.size() > 1) {
      why = "workloads \"" + jobs[0] + "\" and \"" + jobs[1] +
            "\" both run on this fleet (one fleet carries one workload)";
    }
    const std::string path = "fleets." + f.name + ".";
    if (!f.scale_to_zero_given) {
      f.scale_to_zero = why.empty();
    } else if (f.scale_to_zero && !why.empty()) {
      ctx.error(fleet_key_node(fleets, f.name, "scale_to_zero"), path + "scale_to_zero",
                "cannot scale to zero: " + why);
    }
    if (f.scale_down_delay.us > 0 && !f.scale_to_zero) {
      ctx.error(fleet_key_node(fleets, f.name, "scale_down_delay"), path + "scale_down_delay",
                "only applies to a fleet that scales to zero; this one does not: " +
                    (why.empty() ? std::string("scale_to_zero: false") : why));
    }
  }
}

}  // namespace spotsim

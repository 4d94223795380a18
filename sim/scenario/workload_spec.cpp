#include "sim/scenario/workload_spec.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>
#include <yaml-cpp/yaml.h>

#include "sim/scenario/limits.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/dist_reader.h"
#include "sim/scenario/trace_file.h"
#include "common/units.h"
#include "common/yaml_reader.h"

namespace spotsim {

size_t deadline_window_steps(const DeadlineJobSpec& s) {
  if (s.trace_step.us <= 0 || s.deadline.us <= 0) return 0;
  return static_cast<size_t>((s.deadline.us + s.trace_step.us - 1) / s.trace_step.us);
}

double DurationDist::sample(Rng& rng) const {
  switch (kind) {
    case Kind::kFixed: return a;
    case Kind::kExponential: return rng.exponential(1.0 / a);
    case Kind::kUniform: return rng.uniform(a, b);
    case Kind::kLognormal: return rng.lognormal(std::log(a), b);
  }
  return a;
}

double DurationDist::mean() const {
  switch (kind) {
    case Kind::kFixed:
    case Kind::kExponential: return a;
    case Kind::kUniform: return 0.5 * (a + b);
    case Kind::kLognormal: return a * std::exp(0.5 * b * b);
  }
  return a;
}

namespace {

constexpr auto kQueueDisciplines =
    enum_table<QueueDiscipline>({{"fifo", QueueDiscipline::kFifo}, {"priority", QueueDiscipline::kPriority}});
// `placement:` (JobSpec::same_zone): whether all VMs of a job's gang must be in one zone.
constexpr auto kPlacements = enum_table<bool>({{"any", false}, {"same_zone", true}});
// `random_start:` of a deadline job: a boolean in YAML's spellings, or fit.
constexpr auto kTraceStarts = enum_table<TraceStart>({{"true", TraceStart::kWrap},
                                                      {"false", TraceStart::kOff},
                                                      {"fit", TraceStart::kFit},
                                                      {"yes", TraceStart::kWrap},
                                                      {"on", TraceStart::kWrap},
                                                      {"no", TraceStart::kOff},
                                                      {"off", TraceStart::kOff}});

Result<double> parse_scaled(const std::string& text, const std::string& what, const std::string& suffix) {
  std::string s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
  if (!suffix.empty()) {
    if (s.size() < suffix.size() || s.compare(s.size() - suffix.size(), suffix.size(), suffix) != 0) {
      return Status::invalid("expected " + what + ", found \"" + text + "\"");
    }
    s.resize(s.size() - suffix.size());
  }
  size_t u = s.size();
  while (u > 0 && std::isalpha(static_cast<unsigned char>(s[u - 1]))) --u;
  const std::string unit = s.substr(u);
  auto num = parse_number(s.substr(0, u));
  if (!num || *num < 0) return Status::invalid("expected " + what + ", found \"" + text + "\"");
  static const std::pair<const char*, double> kUnits[] = {
      {"", 1},      {"B", 1},        {"KB", 1e3},        {"MB", 1e6},           {"GB", 1e9},
      {"TB", 1e12}, {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}};
  for (const auto& [name, scale] : kUnits) {
    if (unit == name) return *num * scale;
  }
  return Status::invalid("unknown size unit \"" + unit + "\" in \"" + text +
                         "\" (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)");
}

}  // namespace

Result<double> parse_bytes(const std::string& text) { return parse_scaled(text, "a size like 20GB", ""); }
Result<double> parse_bytes_per_second(const std::string& text) {
  return parse_scaled(text, "a throughput like 1GB/s", "/s");
}

namespace {

std::string resolve_path(const CompiledScenario& sc, const std::string& p) { return resolve_scenario_path(sc.file, p); }

// Reads a CSV (or JSON, sim/scenario/trace_file.h) into rows of numbers.
bool read_csv(const ParseContext& ctx, const std::string& path, std::vector<std::vector<double>>& rows,
              std::string& error) {
  TraceTable t;
  if (!read_trace_table(ctx, path, t, error)) return false;
  rows = std::move(t.rows);
  return true;
}

void read_dist(MapReader& r, const std::string& key, DurationDist& out, bool required) {
  read_duration_dist(r, key, out, required, /*positive=*/true);
}

void read_arrivals(MapReader& r, const std::string& key, ArrivalSpec& a, const CompiledScenario& sc,
                   bool with_trace_work) {
  ParseContext& ctx = r.ctx();
  auto section = r.section(key);
  if (!section) {
    a.kind = ArrivalKind::kOnce;
    a.count = 1;
    return;
  }
  MapReader& ar = *section;
  const YAML::Node& n = ar.node();
  const std::string& path = ar.path();
  const bool has_every = ar.has("every"), has_rate = ar.has("rate"), has_at = ar.has("at"), has_trace = ar.has("trace");
  const int kinds = int(has_every) + int(has_rate) + int(has_at) + int(has_trace);
  if (kinds > 1) ctx.error(n, path, "give only one of every, rate, at or trace");
  ar.duration("start", a.start);
  ar.integer("count", a.count, false, 1);
  if (has_every) {
    a.kind = ArrivalKind::kInterval;
    ar.duration("every", a.interval);
    if (a.interval.us <= 0) ctx.error(ar.get("every"), ar.child_path("every"), "must be longer than 0s");
  } else {
    ar.get("every");
  }
  if (has_rate) {
    a.kind = ArrivalKind::kPoisson;
    if (ar.rate("rate", a.rate_per_hour) && a.rate_per_hour <= 0) {
      ctx.error(ar.get("rate"), ar.child_path("rate"), "must be more than 0");
    }
  } else {
    ar.get("rate");
  }
  YAML::Node at = ar.get("at");
  if (has_at) {
    a.kind = ArrivalKind::kSchedule;
    if (!at.IsSequence() || at.size() == 0) {
      ctx.error(at, ar.child_path("at"), "expected a non-empty list of times like [0, 2h, 1d]");
    } else {
      for (size_t i = 0; i < at.size(); ++i) {
        if (auto d = read_duration(ctx, at[i], ar.child_path("at") + "[" + std::to_string(i) + "]"))
          a.at_us.push_back(d->us);
      }
      std::sort(a.at_us.begin(), a.at_us.end());
    }
  }
  std::string trace;
  if (ar.str("trace", trace)) {
    a.kind = ArrivalKind::kTrace;
    std::vector<std::vector<double>> rows;
    std::string err;
    if (!read_csv(ctx, resolve_path(sc, trace), rows, err)) {
      ctx.error(ar.get("trace"), ar.child_path("trace"), err);
    } else {
      for (const auto& row : rows) {
        if (row.size() < (with_trace_work ? 2u : 1u) || row[0] < 0) {
          ctx.error(
              ar.get("trace"), ar.child_path("trace"),
              "each row must be: arrival_seconds" + std::string(with_trace_work ? ",work_seconds[,priority]" : ""));
          break;
        }
        TraceJob j;
        j.at_us = static_cast<int64_t>(row[0] * 1e6);
        j.work_s = row.size() > 1 ? row[1] : 0;
        j.priority = row.size() > 2 ? static_cast<int32_t>(row[2]) : 0;
        a.trace.push_back(j);
      }
      std::stable_sort(a.trace.begin(), a.trace.end(),
                       [](const TraceJob& x, const TraceJob& y) { return x.at_us < y.at_us; });
    }
  }
  if (kinds == 0) {
    a.kind = ArrivalKind::kOnce;
    if (a.count < 0) a.count = 1;
  }
  ar.finish();
}

void read_job(ParseContext& ctx, const YAML::Node& n, const std::string& path, JobSpec& j, bool work_required) {
  MapReader r(ctx, n, path);
  read_dist(r, "work", j.work, work_required);
  r.integer("parallelism", j.parallelism, false, 1, kMaxParallelism);
  if (auto cr = r.section("checkpoint")) {
    cr->duration("interval", j.checkpoint_interval);
    cr->duration("write_time", j.checkpoint_write);
    cr->duration("restore_time", j.restore);
    std::string size;
    if (cr->str("size", size)) {
      auto b = parse_bytes(size);
      if (!b) ctx.error(cr->get("size"), cr->child_path("size"), b.status().message());
      else j.checkpoint_bytes = *b;
    }
    cr->boolean("on_notice", j.checkpoint_on_notice);
    if (j.checkpoint_interval.us < 0 || j.checkpoint_write.us < 0 || j.restore.us < 0) {
      ctx.error(cr->node(), cr->path(), "durations must not be negative");
    }
    cr->finish();
  }
  r.integer("retries", j.retries, false, -1, kMaxRetries);
  r.duration("backoff", j.backoff);
  r.number("backoff_factor", j.backoff_factor, false, 1.0, 100.0);
  r.duration("backoff_max", j.backoff_max);
  r.boolean("idempotent", j.idempotent);
  r.duration("commit_time", j.commit_time);
  r.duration("deadline", j.deadline);
  int64_t prio = 0;
  if (r.integer("priority", prio, false, -kMaxJobPriority, kMaxJobPriority)) j.priority = static_cast<int32_t>(prio);
  r.finish();
}

bool read_fleet(MapReader& r, const CompiledScenario& sc, uint32_t& out) {
  std::string fleet;
  if (!r.str("fleet", fleet, true)) return false;
  const int idx = sc.fleet_index(fleet);
  if (idx < 0) {
    std::vector<std::string> names;
    for (const auto& f : sc.fleets) names.push_back(f.name);
    r.ctx().error(r.get("fleet"), r.child_path("fleet"),
                  "no fleet named \"" + fleet + "\"" + did_you_mean(fleet, names));
    return false;
  }
  out = static_cast<uint32_t>(idx);
  return true;
}

void compile_batch(MapReader& r, const CompiledScenario& sc, WorkloadSpec& w) {
  read_fleet(r, sc, w.batch.fleet);
  read_arrivals(r, "arrivals", w.batch.arrivals, sc, true);
  r.choice("queue", w.batch.queue, kQueueDisciplines);
  bool same_zone = false;
  r.choice("placement", same_zone, kPlacements);
  // A trace may give each job's work; then `job:` is optional.
  const bool trace_work = w.batch.arrivals.kind == ArrivalKind::kTrace;
  const YAML::Node job =
      trace_work ? r.value("job") : r.required("job", "describe the jobs: work, parallelism, checkpoint, ...");
  if (job) read_job(r.ctx(), job, r.child_path("job"), w.batch.job, !trace_work);
  w.batch.job.same_zone = same_zone;
}

void compile_service(MapReader& r, const CompiledScenario& sc, WorkloadSpec& w) {
  ServiceSpec& s = w.service;
  ParseContext& ctx = r.ctx();
  read_fleet(r, sc, s.fleet);
  const int kinds = int(r.has("rate")) + int(r.has("daily")) + int(r.has("trace"));
  if (kinds != 1)
    ctx.error(r.node(), r.path(), "give exactly one of rate, daily or trace (the request rate over time)");
  double per_hour = 0;
  if (r.rate("rate", per_hour)) {
    s.rate_kind = ServiceSpec::RateKind::kConstant;
    s.rate = per_hour / 3600.0;
  }
  if (auto dr = r.section("daily")) {
    s.rate_kind = ServiceSpec::RateKind::kDaily;
    if (dr->rate("peak", per_hour, true)) s.daily_peak = per_hour / 3600.0;
    if (dr->rate("trough", per_hour, true)) s.daily_trough = per_hour / 3600.0;
    dr->duration("peak_at", s.peak_at);
    if (s.daily_trough > s.daily_peak) ctx.error(dr->node(), dr->path(), "trough must not exceed peak");
    s.rate = 0.5 * (s.daily_peak + s.daily_trough);
    dr->finish();
  }
  std::string trace;
  if (r.str("trace", trace)) {
    s.rate_kind = ServiceSpec::RateKind::kTrace;
    std::vector<std::vector<double>> rows;
    std::string err;
    if (!read_csv(ctx, resolve_path(sc, trace), rows, err)) {
      ctx.error(r.get("trace"), r.child_path("trace"), err);
    } else {
      for (const auto& row : rows) {
        if (row.size() < 2 || row[0] < 0 || row[1] < 0) {
          ctx.error(r.get("trace"), r.child_path("trace"), "each row must be: seconds,requests_per_second");
          break;
        }
        s.trace.push_back(RatePoint{static_cast<int64_t>(row[0] * 1e6), row[1]});
      }
      std::stable_sort(s.trace.begin(), s.trace.end(),
                       [](const RatePoint& a, const RatePoint& b) { return a.at_us < b.at_us; });
    }
  }
  if (r.rate("capacity", per_hour, true)) {
    s.capacity = per_hour / 3600.0;
    if (s.capacity <= 0) ctx.error(r.get("capacity"), r.child_path("capacity"), "must be more than 0");
  }
  r.duration("warmup", s.warmup);
  r.boolean("drain", s.drain);
  r.duration("step", s.step);
  if (s.step.us <= 0) ctx.error(r.get("step"), r.child_path("step"), "must be longer than 0s");
  if (auto sr = r.required_section("slo", "e.g. slo: {latency: 200ms, target: 99.9%, window: 30d}")) {
    sr->duration("latency", s.slo_latency, true);
    if (sr->fraction("target", s.slo_target, true) && (s.slo_target <= 0 || s.slo_target >= 1)) {
      ctx.error(sr->get("target"), sr->child_path("target"), "must be between 0% and 100% (exclusive)");
    }
    sr->duration("window", s.budget_window);
    if (s.budget_window.us <= 0) ctx.error(sr->get("window"), sr->child_path("window"), "must be longer than 0s");
    sr->finish();
  }
}

void compile_deadline(MapReader& r, const CompiledScenario& sc, WorkloadSpec& w) {
  DeadlineJobSpec& d = w.deadline;
  ParseContext& ctx = r.ctx();
  if (r.str("trace", d.trace_file, true)) {
    std::vector<std::vector<double>> rows;
    std::string err;
    if (!read_csv(ctx, resolve_path(sc, d.trace_file), rows, err)) {
      ctx.error(r.get("trace"), r.child_path("trace"), err);
    } else if (rows.size() < 2) {
      ctx.error(r.get("trace"), r.child_path("trace"),
                "an availability trace needs at least two rows (seconds,available)");
    } else {
      const double step = rows[1][0] - rows[0][0];
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        if (row.size() < 2 || (row[1] != 0 && row[1] != 1) ||
            std::fabs(row[0] - rows[0][0] - step * static_cast<double>(i)) > 1e-6 * std::max(1.0, step)) {
          ctx.error(r.get("trace"), r.child_path("trace"),
                    "row " + std::to_string(i + 1) + ": each row must be seconds,available (0 or 1) at a fixed step");
          break;
        }
        d.available.push_back(static_cast<uint8_t>(row[1]));
      }
      if (step <= 0) ctx.error(r.get("trace"), r.child_path("trace"), "times must increase");
      d.trace_step = Duration::seconds(step);
    }
  }
  r.duration("work", d.work, true);
  r.duration("deadline", d.deadline, true);
  r.duration("switch_delay", d.switch_delay);
  if (d.work.us <= 0) ctx.error(r.get("work"), r.child_path("work"), "must be longer than 0s");
  if (d.deadline.us > 0 && d.deadline < d.work) {
    ctx.error(r.get("deadline"), r.child_path("deadline"), "is shorter than work: no policy can meet it");
  }
  r.choice("policy", d.policy, kDeadlinePolicies);
  std::string start;
  if (r.str("random_start", start)) {
    if (const auto v = kTraceStarts.find(start)) {
      d.random_start = *v;
    } else {
      ctx.error(r.get("random_start"), r.child_path("random_start"),
                "expected true, false or fit, found \"" + start + "\"");
    }
  }
  // `fit` draws only windows that hold the whole deadline: the trace must be at least that long.
  const size_t window = deadline_window_steps(d);
  if (d.random_start == TraceStart::kFit && !d.available.empty() && d.available.size() < window) {
    ctx.error(r.get("random_start"), r.child_path("random_start"),
              "fit needs a trace at least as long as the deadline window (" + format_duration(d.deadline) + " = " +
                  std::to_string(window) + " steps of " + format_duration(d.trace_step) + "); the trace has " +
                  std::to_string(d.available.size()) + " steps (" +
                  format_duration(d.trace_step * static_cast<int64_t>(d.available.size())) +
                  "). Use a longer trace, or random_start: true (windows wrap around the end)");
  }
  std::string pool;
  const bool has_pool = r.str("pool", pool);
  if (has_pool) {
    const int idx = sc.pool_index(pool);
    if (idx < 0) {
      std::vector<std::string> names;
      for (const auto& p : sc.pools) names.push_back(p.name);
      ctx.error(r.get("pool"), r.child_path("pool"), "no pool named \"" + pool + "\"" + did_you_mean(pool, names));
    } else {
      d.spot_price = sc.pools[static_cast<size_t>(idx)].spot_price;
      d.on_demand_price = sc.pools[static_cast<size_t>(idx)].on_demand_price;
    }
  }
  r.money("spot_price", d.spot_price, !has_pool);
  r.money("on_demand_price", d.on_demand_price, !has_pool);
}

void compile_pipeline(MapReader& r, const CompiledScenario& sc, WorkloadSpec& w) {
  PipelineSpec& p = w.pipeline;
  ParseContext& ctx = r.ctx();
  read_fleet(r, sc, p.fleet);
  read_arrivals(r, "runs", p.runs, sc, false);
  r.choice("queue", p.queue, kQueueDisciplines);
  bool same_zone = false;
  r.choice("placement", same_zone, kPlacements);
  const YAML::Node stages = r.required("stages", "a map of stage name → {jobs, job, after}");
  if (!stages) return;
  if (!stages.IsMap() || stages.size() == 0) {
    ctx.error(stages, r.child_path("stages"), "expected a map of stage name → {jobs, job, after}");
    return;
  }
  std::vector<StageSpec> raw;
  std::vector<std::vector<std::string>> after_names;
  std::vector<YAML::Node> after_nodes;
  for (auto it = stages.begin(); it != stages.end(); ++it) {
    StageSpec st;
    st.name = it->first.as<std::string>("");
    const std::string path = r.child_path("stages") + "." + st.name;
    MapReader sr(ctx, it->second, path);
    sr.integer("jobs", st.jobs, false, 1, kMaxStageJobs);
    if (const YAML::Node job = sr.required("job")) read_job(ctx, job, sr.child_path("job"), st.job, true);
    std::vector<std::string> after;
    sr.string_list("after", after);
    after_nodes.push_back(sr.get("after"));
    sr.finish();
    raw.push_back(std::move(st));
    after_names.push_back(std::move(after));
  }
  std::vector<std::string> names;
  for (const auto& s : raw) names.push_back(s.name);
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph g(raw.size());
  bool ok = true;
  for (size_t i = 0; i < raw.size(); ++i) {
    for (const auto& a : after_names[i]) {
      const auto f = std::find(names.begin(), names.end(), a);
      if (f == names.end()) {
        ctx.error(after_nodes[i], r.child_path("stages") + "." + raw[i].name + ".after",
                  "no stage named \"" + a + "\"" + did_you_mean(a, names));
        ok = false;
        continue;
      }
      const size_t up = static_cast<size_t>(f - names.begin());
      boost::add_edge(up, i, g);
      raw[i].after.push_back(static_cast<uint32_t>(up));
    }
  }
  if (!ok) return;
  std::vector<size_t> order;
  try {
    boost::topological_sort(g, std::back_inserter(order));
  } catch (const boost::not_a_dag&) {
    ctx.error(stages, r.child_path("stages"), "the stages' `after` links form a cycle; a pipeline must be a DAG");
    return;
  }
  std::reverse(order.begin(), order.end());  // upstream first
  std::vector<uint32_t> new_index(raw.size());
  for (size_t k = 0; k < order.size(); ++k) new_index[order[k]] = static_cast<uint32_t>(k);
  for (size_t k = 0; k < order.size(); ++k) {
    StageSpec st = raw[order[k]];
    for (auto& a : st.after) a = new_index[a];
    st.job.same_zone = same_zone;
    p.stages.push_back(std::move(st));
  }
}

}  // namespace

void compile_checkpoint_store(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc) {
  MapReader r(ctx, node, "checkpoint_store");
  std::string tp;
  if (r.str("throughput", tp, true)) {
    auto v = parse_bytes_per_second(tp);
    if (!v) ctx.error(r.get("throughput"), r.child_path("throughput"), v.status().message());
    else if (*v <= 0) ctx.error(r.get("throughput"), r.child_path("throughput"), "must be more than 0B/s");
    else {
      sc.checkpoint_store.bytes_per_second = *v;
      sc.checkpoint_store.configured = true;
    }
  }
  r.finish();
}

void compile_workloads(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc) {
  if (!node.IsMap() || node.size() == 0) {
    ctx.error(node, "workloads",
              "expected a map of workload name → workload (type: batch, service, deadline_job or pipeline)");
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    WorkloadSpec w;
    w.name = it->first.as<std::string>("");
    MapReader r(ctx, it->second, "workloads." + w.name);
    if (!r.choice("type", w.kind, kWorkloadKinds, true)) continue;
    switch (w.kind) {
      case WorkloadKind::kBatch: compile_batch(r, sc, w); break;
      case WorkloadKind::kService: compile_service(r, sc, w); break;
      case WorkloadKind::kDeadlineJob: compile_deadline(r, sc, w); break;
      case WorkloadKind::kPipeline: compile_pipeline(r, sc, w); break;
    }
    r.finish();
    sc.workloads.push_back(std::move(w));
  }
}

}  // namespace spotsim

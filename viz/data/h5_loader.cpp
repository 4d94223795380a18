#include "viz/data/h5_loader.h"

#include <cmath>
#include <unordered_set>
#include <utility>

#include "sim/record/hdf5_reader.h"
#include "sim/record/schema.h"
#include "sim/scenario/chaos_spec.h"
#include "sim/scenario/scenario.h"
#include "viz/data/memory_recorder.h"

namespace spotsim::viz {
namespace {

double or_neg(double v) { return std::isnan(v) ? -1.0 : v; }
uint16_t idx16(uint16_t v) { return v == schema::kNone16 ? kNoIndex16 : v; }

// Pools and fleets: the full details come from compiling the recorded scenario text with its
// overrides; if that fails (a file from another version), the names alone. Workloads are named
// by the file (/meta/workloads), their kinds by the scenario; event kinds by /meta/event_kinds.
// Returns the compiled scenario's chaos kinds (by item) for files without /chaos/kinds.
Status read_topology(const RunFile& f, RunModel& m, std::vector<std::string>* chaos_kinds) {
  ASSIGN_OR_RETURN(std::vector<std::string> pools, read_string_table(f, schema::kMetaPools));
  ASSIGN_OR_RETURN(std::vector<std::string> fleets, read_string_table(f, schema::kMetaFleets));
  std::vector<std::string> workloads;
  if (has_path(f, schema::kMetaWorkloads)) {
    ASSIGN_OR_RETURN(workloads, read_string_table(f, schema::kMetaWorkloads));
  }
  if (has_path(f, schema::kMetaEventKinds)) {
    ASSIGN_OR_RETURN(m.event_kinds, read_string_table(f, schema::kMetaEventKinds));
  }
  ASSIGN_OR_RETURN(m.scenario_text, read_string(f, schema::kMetaScenarioText));
  ASSIGN_OR_RETURN(std::vector<std::string> overrides, read_string_table(f, schema::kMetaOverrides));
  LoadOptions lo;
  lo.read_file = read_text_file;  // Lua policies named by the recorded scenario, as when it ran
  for (const std::string& o : overrides) {
    const size_t eq = o.find('=');
    if (eq != std::string::npos) lo.overrides.emplace_back(o.substr(0, eq), o.substr(eq + 1));
  }
  Result<CompiledScenario> sc = compile_scenario(m.scenario_text, f.path + ":/meta/scenario_text", lo);
  std::vector<WorkloadInfo> known;
  if (sc) {
    known = workload_infos(*sc);
    for (const auto& c : sc->chaos) chaos_kinds->push_back(chaos_kind_name(c.kind));
  }
  for (const std::string& w : workloads) {
    WorkloadInfo wi{w, ""};
    for (const WorkloadInfo& k : known) {
      if (k.name == w) wi.kind = k.kind;
    }
    m.workloads.push_back(std::move(wi));
  }
  if (sc && sc->pools.size() == pools.size() && sc->fleets.size() == fleets.size()) {
    RunModel sk = model_skeleton(*sc);
    m.pools = std::move(sk.pools);
    m.fleets = std::move(sk.fleets);
    return Status::ok();
  }
  for (const std::string& p : pools) m.pools.push_back(PoolInfo{p, "", "", "", "", 0, 0});
  for (const std::string& fl : fleets) m.fleets.push_back(FleetInfo{fl, 0, {}});
  return Status::ok();
}

// Row `row` of every /timeseries/<group>/<name>/<metric> [R][T] dataset.
Status read_timeseries(const RunFile& f, size_t row, RunModel& m) {
  if (!has_path(f, schema::kTimeseriesTime)) return Status::ok();
  ASSIGN_OR_RETURN(DoubleArray time, read_doubles(f, schema::kTimeseriesTime));
  for (const char* group : {schema::kTsGroupFleet, schema::kTsGroupPool, schema::kTsGroupWorkload}) {
    const std::string gpath = std::string(schema::kTimeseries) + "/" + group;
    if (!has_path(f, gpath)) continue;
    ASSIGN_OR_RETURN(std::vector<std::string> names, list_group(f, gpath));
    for (const std::string& name : names) {
      ASSIGN_OR_RETURN(std::vector<std::string> metrics, list_group(f, gpath + "/" + name));
      for (const std::string& metric : metrics) {
        ASSIGN_OR_RETURN(DoubleArray a, read_doubles(f, gpath + "/" + name + "/" + metric));
        if (a.dims.size() != 2 || a.dims[1] != time.values.size() || row >= a.dims[0]) continue;
        Series s;
        s.group = std::string(group) + "/" + name;
        s.metric = metric;
        s.t = time.values;
        s.v.assign(a.values.begin() + static_cast<std::ptrdiff_t>(row * a.dims[1]),
                   a.values.begin() + static_cast<std::ptrdiff_t>((row + 1) * a.dims[1]));
        m.series.push_back(std::move(s));
      }
    }
  }
  return Status::ok();
}

// Fallback VMs are the ones whose launch event says so (detail 2).
void mark_fallback_vms(RunModel& m) {
  std::unordered_set<uint32_t> fallback;
  const EventTable& e = m.events;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e.kind[i] == kEvLaunch && e.detail[i] == kLaunchFallback) fallback.insert(e.vm[i]);
  }
  for (VmLifetime& v : m.vms) v.fallback = fallback.count(v.serial) != 0;
}

// Files written before pools had running_spot / running_on_demand series and without VM
// lifetimes: spot VMs held per pool (booting included) stand in for the spot layers.
void approximate_running_from_in_use(RunModel& m) {
  if (!m.vms.empty()) return;  // exact layers come from the lifetimes
  for (const PoolInfo& p : m.pools) {
    const std::string g = std::string(schema::kTsGroupPool) + "/" + p.name;
    if (m.find_series(g, schema::kTsRunningSpot)) return;  // a current file: nothing to do
  }
  for (const PoolInfo& p : m.pools) {
    const std::string g = std::string(schema::kTsGroupPool) + "/" + p.name;
    if (const Series* in_use = m.find_series(g, schema::kTsInUse)) {
      Series s = *in_use;
      s.metric = schema::kTsRunningSpot;
      m.series.push_back(std::move(s));
    }
  }
}

Status read_tables(const RunFile& f, uint32_t rep, RunModel& m, const std::vector<std::string>& scenario_chaos_kinds) {
  if (has_path(f, schema::kEvents)) {
    ASSIGN_OR_RETURN(std::vector<schema::EventRecord> ev, read_events(f));
    size_t n = 0;
    for (const auto& e : ev) n += e.replication == rep;
    m.events.reserve(n);
    for (const auto& e : ev) {
      if (e.replication != rep) continue;
      m.events.push(e.time, e.kind, e.vm == schema::kNone32 ? kNoIndex32 : e.vm, idx16(e.pool), idx16(e.fleet),
                    e.detail);
    }
  }
  if (has_path(f, schema::kVms)) {
    ASSIGN_OR_RETURN(std::vector<schema::VmRecord> vms, read_vms(f));
    for (const auto& v : vms) {
      if (v.replication != rep) continue;
      VmLifetime l;
      l.serial = v.vm;
      l.pool = idx16(v.pool);
      l.fleet = idx16(v.fleet);
      l.purchase = v.purchase == 1 ? Purchase::kOnDemand : Purchase::kSpot;
      l.evicted = v.evicted != 0;
      // /vms has no fallback member: the launch event says so (detail 2), when events were kept.
      l.fallback = false;
      l.launch = or_neg(v.launch);
      l.running = or_neg(v.running);
      l.notice = or_neg(v.notice);
      l.end = or_neg(v.end);
      m.vms.push_back(l);
    }
    mark_fallback_vms(m);
  }
  if (has_path(f, schema::kJobs)) {
    ASSIGN_OR_RETURN(std::vector<schema::JobRecord> jobs, read_jobs(f));
    for (const auto& j : jobs) {
      if (j.replication != rep) continue;
      JobRecord r;
      r.id = j.job;
      r.workload = idx16(j.workload);
      r.submit = or_neg(j.submit);
      r.vm = j.vm == schema::kNone32 ? kNoIndex32 : j.vm;
      r.start = or_neg(j.start);
      r.last_start = or_neg(j.last_start);
      r.finish = or_neg(j.finish);
      r.lost_work_s = j.lost_work;
      r.evictions = j.evictions;
      m.jobs.push_back(r);
    }
  }
  if (has_path(f, schema::kJobRuns)) {
    ASSIGN_OR_RETURN(std::vector<schema::JobRunRecord> runs, read_job_runs(f));
    for (const auto& r : runs) {
      if (r.replication == rep) m.job_runs.push_back(job_run_from_record(r));
    }
  }
  if (has_path(f, schema::kChaosIntervals) && has_path(f, schema::kChaosNames)) {
    ASSIGN_OR_RETURN(std::vector<std::string> names, read_string_table(f, schema::kChaosNames));
    // The kind each item has in the file; files without /chaos/kinds: the recorded scenario's.
    std::vector<std::string> kinds = scenario_chaos_kinds;
    if (has_path(f, schema::kChaosKinds)) {
      ASSIGN_OR_RETURN(kinds, read_string_table(f, schema::kChaosKinds));
    }
    ASSIGN_OR_RETURN(std::vector<schema::ChaosIntervalRecord> iv, read_chaos_intervals(f));
    for (const auto& c : iv) {
      if (c.replication != rep) continue;
      Interval i;
      i.label = c.chaos < names.size() ? names[c.chaos] : "chaos " + std::to_string(c.chaos);
      i.kind = c.chaos < kinds.size() ? kinds[c.chaos] : "";  // unknown: drawn as "chaos", never guessed
      i.start = c.start;
      i.end = c.end;
      m.intervals.push_back(std::move(i));
    }
  }
  return Status::ok();
}

void copy_metrics(const std::vector<spotsim::MetricSummary>& in, RunModel& m) {
  for (const auto& s : in) {
    viz::MetricSummary o;
    o.key = MetricKey::parse(s.name);
    o.name = s.name;
    o.unit = s.unit;
    o.mean = s.mean, o.stddev = s.stddev, o.min = s.min, o.p50 = s.p50, o.p95 = s.p95, o.p99 = s.p99, o.max = s.max;
    o.n = s.n;
    m.metrics.push_back(std::move(o));
  }
}

Status read_sweep(const RunFile& f, RunModel& m) {
  SweepTable& sw = m.sweep;
  ASSIGN_OR_RETURN(sw.params, read_string_table(f, schema::kSweepParameters));
  ASSIGN_OR_RETURN(sw.metrics, read_string_table(f, schema::kSweepMetrics));
  ASSIGN_OR_RETURN(std::vector<std::string> points, read_string_table(f, schema::kSweepPoints));
  ASSIGN_OR_RETURN(DoubleArray table, read_doubles(f, schema::kSweepTable));
  const size_t np = sw.params.size(), nm = sw.metrics.size();
  if (np == 0 || points.size() % np != 0) {
    return Status::invalid(f.path + ": error: " + schema::kSweepPoints + " does not have one column per parameter");
  }
  const size_t n = points.size() / np;
  if (table.dims.size() != 3 || table.dims[0] != n || table.dims[1] != nm || table.dims[2] < 1) {
    return Status::invalid(f.path + ": error: " + schema::kSweepTable + " is not [points][metrics][stats]");
  }
  const size_t ns = table.dims[2];
  for (size_t i = 0; i < n; ++i) {
    sw.values.emplace_back(points.begin() + static_cast<std::ptrdiff_t>(i * np),
                           points.begin() + static_cast<std::ptrdiff_t>((i + 1) * np));
    std::vector<double> means(nm);
    for (size_t k = 0; k < nm; ++k) means[k] = table.values[(i * nm + k) * ns];  // stat 0 = mean
    sw.means.push_back(std::move(means));
  }
  // The --pareto pair, if the sweep was run with one.
  if (has_path(f, schema::kSweepPareto)) {
    auto a = read_string_attribute(f, schema::kSweepPareto, schema::kAttrMetricA);
    auto b = read_string_attribute(f, schema::kSweepPareto, schema::kAttrMetricB);
    auto ga = read_string_attribute(f, schema::kSweepPareto, schema::kAttrGoalA);
    auto gb = read_string_attribute(f, schema::kSweepPareto, schema::kAttrGoalB);
    if (a && b) {
      sw.pareto_a = *a;
      sw.pareto_b = *b;
      sw.maximize_a = ga && *ga == "max";
      sw.maximize_b = gb && *gb == "max";
    }
  }
  // The first point's summary stands in for the run-level metrics.
  if (has_path(f, std::string(schema::kRuns) + "/0/" + schema::kSummary)) {
    ASSIGN_OR_RETURN(auto ms, read_metric_summary(f, std::string(schema::kRuns) + "/0/" + schema::kSummary));
    copy_metrics(ms, m);
  }
  return Status::ok();
}

}  // namespace

Result<RunModel> load_run_file(const std::string& path, int64_t replication) {
  ASSIGN_OR_RETURN(RunFile f, open_run_file(path));
  RunModel m;
  m.source = path;
  ASSIGN_OR_RETURN(m.scenario_name, read_string_attribute(f, schema::kMeta, schema::kAttrScenarioName));
  ASSIGN_OR_RETURN(int64_t seed, read_int_attribute(f, schema::kMeta, schema::kAttrSeed));
  m.seed = static_cast<uint64_t>(seed);
  ASSIGN_OR_RETURN(m.replications, read_int_attribute(f, schema::kMeta, schema::kAttrReplicationsCompleted));
  ASSIGN_OR_RETURN(m.duration_s, read_double_attribute(f, schema::kMeta, schema::kAttrDurationS));
  ASSIGN_OR_RETURN(m.record_level, read_string_attribute(f, schema::kMeta, schema::kAttrRecordLevel));
  std::vector<std::string> chaos_kinds;
  RETURN_IF_ERROR(read_topology(f, m, &chaos_kinds));
  if (f.kind == schema::kFileKindSweep) {
    RETURN_IF_ERROR(read_sweep(f, m));
    return m;
  }
  ASSIGN_OR_RETURN(auto ms, read_metric_summary(f));
  copy_metrics(ms, m);
  // The replication shown: its row in the per-replication datasets.
  size_t row = 0;
  if (has_path(f, "/summary/replications")) {
    ASSIGN_OR_RETURN(std::vector<int64_t> reps, read_ints(f, "/summary/replications"));
    bool found = reps.empty() && replication == 0;
    for (size_t i = 0; i < reps.size(); ++i) {
      if (reps[i] == replication) row = i, found = true;
    }
    if (!found) {
      return Status::invalid(path + ": error: replication " + std::to_string(replication) +
                             " is not in the file (it has " + std::to_string(reps.size()) + ")");
    }
  }
  m.shown_replication = replication;
  RETURN_IF_ERROR(read_timeseries(f, row, m));
  RETURN_IF_ERROR(read_tables(f, static_cast<uint32_t>(replication), m, chaos_kinds));
  approximate_running_from_in_use(m);
  return m;
}

}  // namespace spotsim::viz

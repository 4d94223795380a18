#include "viz/data/memory_recorder.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/chaos/runtime.h"
#include "sim/record/job_rows.h"
#include "sim/run/runner.h"
#include "sim/scenario/provider.h"

namespace spotsim::viz {
namespace {

// Records one replication into a RunModel: every ModelEvent, VM lifetimes (serials are dense
// from 0, so a serial is an index), running VMs per pool × purchase (and fallback) and each
// fleet's running VMs and target at each sample — the series an HDF5 file has.
class ModelRecorder : public RunObserver {
 public:
  ModelRecorder(const CompiledScenario& sc, const std::vector<MetricDef>& metrics) {
    const size_t np = sc.pools.size();
    running_.resize(np * kPerPool);
    for (size_t p = 0; p < np; ++p) {
      const std::string g = std::string(schema::kTsGroupPool) + "/" + sc.pools[p].name;
      running_[p * kPerPool] = Series{g, schema::kTsRunningSpot, {}, {}};
      running_[p * kPerPool + 1] = Series{g, schema::kTsRunningOnDemand, {}, {}};
      running_[p * kPerPool + 2] = Series{g, schema::kTsRunningFallback, {}, {}};
    }
    fleet_running_.resize(sc.fleets.size());
    fleet_target_.resize(sc.fleets.size());
    for (size_t f = 0; f < sc.fleets.size(); ++f) {
      const std::string g = std::string(schema::kTsGroupFleet) + "/" + sc.fleets[f].name;
      fleet_running_[f] = Series{g, schema::kTsRunning, {}, {}};
      fleet_target_[f] = Series{g, schema::kTsTarget, {}, {}};
    }
    end_s_ = sc.duration.to_seconds();
    for (const auto& c : sc.chaos) chaos_names_.push_back(c.name);
    // Every workload count metric ("workload.<name>.<metric>") as a series of its value so far, as
    // the HDF5 recorder does for counters: cumulative counts (jobs submitted, completed, ...).
    for (size_t i = 0; i < metrics.size(); ++i) {
      const MetricDef& d = metrics[i];
      if (d.unit != MetricUnit::kCount || d.key.group != MetricGroup::kWorkload) continue;
      workload_ids_.push_back(static_cast<uint32_t>(i));
      workload_.push_back(Series{std::string(schema::kTsGroupWorkload) + "/" + d.key.owner, d.key.name, {}, {}});
    }
  }

  bool wants_events() const override { return true; }
  bool wants_frames() const override { return true; }

  void on_event(const ModelEvent& e) override {
    const double t = e.time.to_seconds();
    events_.push(t, static_cast<uint8_t>(e.kind), e.vm, e.pool, e.fleet, e.detail);
    if (e.vm == kNoIndex32) return;
    if (e.vm >= vms_.size()) vms_.resize(e.vm + 1);
    VmLifetime& v = vms_[e.vm];
    v.serial = e.vm;
    v.pool = e.pool;
    v.fleet = e.fleet;
    switch (e.kind) {
      case ModelEventKind::kLaunch:
        v.launch = t;
        v.purchase = e.purchase == spotsim::Purchase::kOnDemand ? Purchase::kOnDemand : Purchase::kSpot;
        v.fallback = e.detail == kLaunchFallback;
        break;
      case ModelEventKind::kRunning: v.running = t; break;
      case ModelEventKind::kNotice: v.notice = t; break;
      case ModelEventKind::kEviction:
        v.end = t;
        v.evicted = true;
        break;
      case ModelEventKind::kEnd: v.end = t; break;
      default: break;
    }
  }

  void on_job(const JobSignal& j) override {
    JobRecord r;
    r.id = j.job;
    r.workload = j.workload;
    r.submit = std::isnan(j.submit) ? -1 : j.submit;
    r.vm = j.vm;
    r.start = std::isnan(j.start) ? -1 : j.start;
    r.last_start = std::isnan(j.last_start) ? -1 : j.last_start;
    r.finish = std::isnan(j.finish) ? -1 : j.finish;
    r.lost_work_s = j.lost_work;
    r.evictions = j.evictions;
    jobs_.push_back(r);
  }

  void on_job_run(const JobRunSignal& r) override { job_runs_.push_back(job_run_from_record(job_run_row(r, 0))); }

  void on_chaos(const std::vector<ChaosInterval>& intervals) override {
    for (const ChaosInterval& c : intervals) {
      Interval i;
      i.kind = chaos_kind_name(c.kind);
      i.label = c.item < chaos_names_.size() ? chaos_names_[c.item] : std::to_string(c.item);
      i.start = c.start.to_seconds();
      i.end = c.end.to_seconds();
      intervals_.push_back(std::move(i));
    }
  }

  void on_frame(const Frame& frame) override {
    const double t = frame.time.to_seconds();
    for (size_t k = 0; k < workload_ids_.size(); ++k) {
      workload_[k].t.push_back(t);
      workload_[k].v.push_back(frame.metrics[workload_ids_[k]]);
    }
    for (size_t p = 0; p * kPerPool < running_.size(); ++p) {
      const PoolFrame& pf = frame.pools[p];
      const double counts[kPerPool] = {static_cast<double>(pf.running_spot), static_cast<double>(pf.running_on_demand),
                                       static_cast<double>(pf.running_fallback)};
      for (size_t k = 0; k < kPerPool; ++k) {
        running_[p * kPerPool + k].t.push_back(t);
        running_[p * kPerPool + k].v.push_back(counts[k]);
      }
    }
    for (size_t i = 0; i < fleet_running_.size(); ++i) {
      fleet_running_[i].t.push_back(t);
      fleet_running_[i].v.push_back(static_cast<double>(frame.fleets[i].vms_up));
      fleet_target_[i].t.push_back(t);
      fleet_target_[i].v.push_back(static_cast<double>(frame.fleets[i].target));
    }
  }

  void on_finish(const std::vector<double>&) override {
    for (auto& v : vms_) {
      if (v.end < 0) v.end = end_s_;
    }
  }

  void move_into(RunModel& m) {
    m.jobs = std::move(jobs_);
    m.job_runs = std::move(job_runs_);
    m.intervals = std::move(intervals_);
    // Metrics a workload only sets when the run finishes stay flat while sampled: drop those
    // rather than draw a misleading line (the summary has their values).
    for (auto& s : workload_) {
      const bool flat = std::all_of(s.v.begin(), s.v.end(), [&](double v) { return v == s.v.front(); });
      if (!flat) m.series.push_back(std::move(s));
    }
    m.events = std::move(events_);
    m.vms = std::move(vms_);
    for (auto& s : running_) m.series.push_back(std::move(s));
    for (auto& s : fleet_running_) m.series.push_back(std::move(s));
    for (auto& s : fleet_target_) m.series.push_back(std::move(s));
  }

 private:
  EventTable events_;
  std::vector<JobRecord> jobs_;
  std::vector<JobRun> job_runs_;
  std::vector<Interval> intervals_;
  std::vector<std::string> chaos_names_;
  std::vector<uint32_t> workload_ids_;
  std::vector<Series> workload_;
  std::vector<VmLifetime> vms_;
  static constexpr size_t kPerPool = 3;  // running_spot, running_on_demand, running_fallback
  std::vector<Series> running_;          // [pool * kPerPool + k]
  std::vector<Series> fleet_running_;    // [fleet]
  std::vector<Series> fleet_target_;     // [fleet]
  double end_s_ = 0;
};

}  // namespace

JobRun job_run_from_record(const schema::JobRunRecord& r) {
  JobRun run;
  run.job = r.job;
  run.workload = r.workload == schema::kNone16 ? kNoIndex16 : r.workload;
  run.vm = r.vm == schema::kNone32 ? kNoIndex32 : r.vm;
  run.start = r.start;
  run.end = r.end;
  run.outcome = r.outcome <= static_cast<uint8_t>(RunOutcome::kKilled)
                    ? static_cast<RunOutcome>(r.outcome)
                    : RunOutcome::kLost;  // a newer outcome: cut short
  run.lost =
      run.outcome == RunOutcome::kLost || run.outcome == RunOutcome::kEvicted || run.outcome == RunOutcome::kKilled;
  return run;
}

std::vector<WorkloadInfo> workload_infos(const CompiledScenario& sc) {
  std::vector<WorkloadInfo> out;
  for (const auto& w : sc.workloads) out.push_back(WorkloadInfo{w.name, workload_kind_name(w.kind)});
  for (const auto& d : sc.kubernetes.deployments) out.push_back(WorkloadInfo{d.name, "deployment"});
  return out;
}

RunModel model_skeleton(const CompiledScenario& sc) {
  RunModel m;
  m.source = sc.file;
  m.scenario_name = sc.name;
  m.scenario_text = sc.text;
  m.seed = sc.seed;
  m.replications = sc.replications;
  m.duration_s = sc.duration.to_seconds();
  for (const auto& p : sc.pools) {
    PoolInfo pi;
    pi.name = p.name;
    pi.provider = std::string(provider_traits(p.provider).name);
    pi.region = p.region;
    pi.zone = p.zone;
    pi.instance_type = p.instance_type;
    pi.spot_price = p.spot_price;
    pi.on_demand_price = p.on_demand_price;
    m.pools.push_back(std::move(pi));
  }
  for (const auto& f : sc.fleets) {
    FleetInfo fi;
    fi.name = f.name;
    fi.target = static_cast<double>(f.target);
    for (uint32_t p : f.pools) fi.pools.push_back(static_cast<uint16_t>(p));
    m.fleets.push_back(std::move(fi));
  }
  m.workloads = workload_infos(sc);
  for (int k = 0; k < kMaxEventKinds; ++k) {
    const std::string n = model_event_kind_name(static_cast<ModelEventKind>(k));
    if (n == "?") break;
    m.event_kinds.push_back(n);
  }
  return m;
}

Result<RunModel> run_to_model(const CompiledScenario& sc, const ModelRunOptions& options) {
  RunModel m = model_skeleton(sc);
  const int64_t shown = options.shown_replication;
  if (shown < 0 || shown >= sc.replications) {
    return Status::invalid("replication " + std::to_string(shown) + " does not exist (the scenario has " +
                           std::to_string(sc.replications) + ")");
  }
  m.shown_replication = shown;
  RunOptions ro;
  ro.threads = options.threads;
  ro.progress = options.progress;
  ro.cancel = options.cancel;
  ModelRecorder recorder(sc, replication_metric_defs(sc));
  ro.observers = [&recorder, shown](int64_t rep) -> RunObserver* { return rep == shown ? &recorder : nullptr; };
  ASSIGN_OR_RETURN(RunResult r, run_scenario(sc, ro));
  if (r.cancelled) return Status::invalid("run cancelled");
  recorder.move_into(m);
  m.replications = r.replications;
  for (size_t i = 0; i < r.metrics.size(); ++i) {
    MetricSummary s;
    s.key = r.metrics[i].key;
    s.name = r.metrics[i].name;
    s.unit = metric_unit_name(r.metrics[i].unit);
    const MetricStats& st = r.stats[i];
    s.mean = st.mean;
    s.stddev = st.stddev;
    s.min = st.min;
    s.p50 = st.p50;
    s.p95 = st.p95;
    s.p99 = st.p99;
    s.max = st.max;
    s.n = st.n;
    m.metrics.push_back(std::move(s));
  }
  return m;
}

}  // namespace spotsim::viz

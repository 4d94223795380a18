#include "sim/record/hdf5_recorder.h"

#include <cmath>
#include <limits>

#include "sim/record/job_rows.h"

namespace spotsim {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

std::vector<SeriesDef> timeseries_defs(const CompiledScenario& sc, const std::vector<MetricDef>& metrics) {
  using S = SeriesDef::Source;
  std::vector<SeriesDef> out;
  // Every count metric of one owner, as /timeseries/<group>/<owner>/<metric>.
  auto counters = [&](MetricGroup group, const std::string& name) {
    const MetricOwner owner{group, name};
    for (size_t i = 0; i < metrics.size(); ++i) {
      const MetricKey& k = metrics[i].key;
      if (metrics[i].unit != MetricUnit::kCount || !owner.owns(k)) continue;
      out.push_back(SeriesDef{metric_group_name(k.group), k.owner, k.name, metric_unit_name(metrics[i].unit),
                              S::kMetric, static_cast<uint32_t>(i)});
    }
  };
  for (uint32_t f = 0; f < sc.fleets.size(); ++f) {
    const std::string& n = sc.fleets[f].name;
    out.push_back(SeriesDef{schema::kTsGroupFleet, n, schema::kTsTarget, "count", S::kFleetTarget, f});
    out.push_back(SeriesDef{schema::kTsGroupFleet, n, schema::kTsRunning, "count", S::kFleetRunning, f});
    out.push_back(SeriesDef{schema::kTsGroupFleet, n, schema::kTsBooting, "count", S::kFleetBooting, f});
    out.push_back(SeriesDef{schema::kTsGroupFleet, n, schema::kTsWaiting, "count", S::kFleetWaiting, f});
    counters(MetricGroup::kFleet, n);
  }
  for (uint32_t p = 0; p < sc.pools.size(); ++p) {
    const std::string& n = sc.pools[p].name;
    out.push_back(SeriesDef{schema::kTsGroupPool, n, schema::kTsInUse, "count", S::kPoolInUse, p});
    out.push_back(SeriesDef{schema::kTsGroupPool, n, schema::kTsCapacity, "count", S::kPoolCapacity, p});
    out.push_back(SeriesDef{schema::kTsGroupPool, n, schema::kTsRunningSpot, "count", S::kPoolRunningSpot, p});
    out.push_back(SeriesDef{schema::kTsGroupPool, n, schema::kTsRunningOnDemand, "count", S::kPoolRunningOnDemand, p});
    out.push_back(SeriesDef{schema::kTsGroupPool, n, schema::kTsRunningFallback, "count", S::kPoolRunningFallback, p});
    counters(MetricGroup::kPool, n);
  }
  // Workloads: whatever count metrics they register, in registration order of their names.
  for (const auto& w : metric_owners(metrics, MetricGroup::kWorkload)) counters(MetricGroup::kWorkload, w);
  return out;
}

Hdf5Recorder::Hdf5Recorder(const std::vector<SeriesDef>& series, schema::RecordLevel level, int64_t replication)
    : series_(series), level_(level), replication_(static_cast<uint32_t>(replication)), values_(series.size()) {}

void Hdf5Recorder::on_frame(const Frame& frame) {
  using S = SeriesDef::Source;
  times_.push_back(frame.time.to_seconds());
  const auto& fleets = frame.fleets;
  const auto& pools = frame.pools;
  const auto& mv = frame.metrics;
  for (size_t i = 0; i < series_.size(); ++i) {
    const SeriesDef& d = series_[i];
    double v = 0;
    switch (d.source) {
      case S::kFleetTarget: v = static_cast<double>(fleets[d.index].target); break;
      case S::kFleetRunning: v = static_cast<double>(fleets[d.index].running); break;
      case S::kFleetBooting: v = static_cast<double>(fleets[d.index].booting); break;
      case S::kFleetWaiting: v = static_cast<double>(fleets[d.index].waiting); break;
      case S::kPoolInUse: v = static_cast<double>(pools[d.index].spot_in_use); break;
      case S::kPoolCapacity: v = static_cast<double>(pools[d.index].capacity); break;
      case S::kPoolRunningSpot: v = static_cast<double>(pools[d.index].running_spot); break;
      case S::kPoolRunningOnDemand: v = static_cast<double>(pools[d.index].running_on_demand); break;
      case S::kPoolRunningFallback: v = static_cast<double>(pools[d.index].running_fallback); break;
      case S::kMetric: v = d.index < mv.size() ? mv[d.index] : kNaN; break;
    }
    values_[i].push_back(v);
  }
}

void Hdf5Recorder::on_event(const ModelEvent& e) {
  const double t = e.time.to_seconds();
  events_.push_back(
      schema::EventRecord{t, replication_, static_cast<uint8_t>(e.kind), e.vm, e.pool, e.fleet, e.detail});
  if (level_ < schema::RecordLevel::kFull || e.vm == schema::kNone32) return;
  if (e.kind == ModelEventKind::kLaunch) {
    if (e.vm >= vms_.size()) vms_.resize(static_cast<size_t>(e.vm) + 1, schema::VmRecord{});
    vms_[e.vm] =
        schema::VmRecord{replication_, e.vm, e.fleet, e.pool, static_cast<uint8_t>(e.purchase), 0, t, kNaN, kNaN, kNaN};
    return;
  }
  if (e.vm >= vms_.size()) return;  // an event for a VM launched before recording started: none today
  schema::VmRecord& v = vms_[e.vm];
  switch (e.kind) {
    case ModelEventKind::kRunning: v.running = t; break;
    case ModelEventKind::kNotice: v.notice = t; break;
    case ModelEventKind::kEviction:
      v.evicted = 1;
      v.end = t;
      break;
    case ModelEventKind::kEnd: v.end = t; break;
    default: break;
  }
}

void Hdf5Recorder::on_job(const JobSignal& job) { jobs_.push_back(job_row(job, replication_)); }

void Hdf5Recorder::on_job_run(const JobRunSignal& run) {
  if (level_ < schema::RecordLevel::kEvents) return;
  job_runs_.push_back(job_run_row(run, replication_));
}

void Hdf5Recorder::on_chaos(const std::vector<ChaosInterval>& intervals) {
  for (const auto& c : intervals) {
    chaos_.push_back(
        schema::ChaosIntervalRecord{replication_, c.item, schema::kNone16, c.start.to_seconds(), c.end.to_seconds()});
  }
}

Recorders<Hdf5Recorder>::Make hdf5_recorders(const std::vector<SeriesDef>& series, schema::RecordLevel level) {
  if (level == schema::RecordLevel::kSummary) return {};
  return [&series, level](int64_t rep) -> std::unique_ptr<Hdf5Recorder> {
    return std::make_unique<Hdf5Recorder>(series, level, rep);
  };
}

bool parse_record_level(const std::string& text, schema::RecordLevel* level) {
  for (int i = 0; i < 4; ++i) {
    if (text == schema::kRecordLevelNames[i]) {
      *level = static_cast<schema::RecordLevel>(i);
      return true;
    }
  }
  return false;
}

const char* record_level_name(schema::RecordLevel level) { return schema::kRecordLevelNames[static_cast<int>(level)]; }

}  // namespace spotsim

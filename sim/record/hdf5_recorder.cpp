#include "sim/record/hdf5_recorder.h"

#include <cmath>
#include <limits>

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

void Hdf5Recorder::on_sample(const World& world, SimTime t) {
  using S = SeriesDef::Source;
  times_.push_back(t.to_seconds());
  const auto& fleets = world.fleets();
  const auto& pools = world.pools();
  const auto& mv = world.metrics().values();
  running_by_pool_.assign(pools.size() * 3, 0);
  for (const VmSlot& vm : world.vms()) {
    // As the fleets' `running`: booted and not gone (a VM noticed while booting is not running).
    const bool up = (vm.state == VmState::kRunning || vm.state == VmState::kNoticed) && vm.running_us >= 0;
    if (up && vm.pool < pools.size()) {
      const bool od = vm.purchase == Purchase::kOnDemand;
      ++running_by_pool_[vm.pool * 3u + (od ? 1u : 0u)];
      if (od && (vm.flags & kVmFallback)) ++running_by_pool_[vm.pool * 3u + 2u];
    }
  }
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
      case S::kPoolRunningSpot: v = static_cast<double>(running_by_pool_[d.index * 3u]); break;
      case S::kPoolRunningOnDemand: v = static_cast<double>(running_by_pool_[d.index * 3u + 1]); break;
      case S::kPoolRunningFallback: v = static_cast<double>(running_by_pool_[d.index * 3u + 2]); break;
      case S::kMetric: v = d.index < mv.size() ? mv[d.index] : kNaN; break;
    }
    values_[i].push_back(v);
  }
}

void Hdf5Recorder::on_model_event(const World& world, const ModelEvent& e) {
  replication_ = static_cast<uint32_t>(world.replication());  // the replication's own number
  const double t = e.time.to_seconds();
  events_.push_back(schema::EventRecord{t, replication_, static_cast<uint8_t>(e.kind), e.vm, e.pool, e.fleet, e.detail});
  if (level_ < schema::RecordLevel::kFull || e.vm == schema::kNone32) return;
  if (e.kind == ModelEventKind::kLaunch) {
    if (e.vm >= vms_.size()) vms_.resize(static_cast<size_t>(e.vm) + 1, schema::VmRecord{});
    vms_[e.vm] = schema::VmRecord{replication_, e.vm, e.fleet, e.pool, static_cast<uint8_t>(e.purchase), 0,
                                  t, kNaN, kNaN, kNaN};
    return;
  }
  if (e.vm >= vms_.size()) return;  // an event for a VM launched before recording started: none today
  schema::VmRecord& v = vms_[e.vm];
  switch (e.kind) {
    case ModelEventKind::kRunning: v.running = t; break;
    case ModelEventKind::kNotice: v.notice = t; break;
    case ModelEventKind::kEviction: v.evicted = 1; v.end = t; break;
    case ModelEventKind::kEnd: v.end = t; break;
    default: break;
  }
}

void Hdf5Recorder::on_job(const World& world, const schema::JobRecord& job) {
  replication_ = static_cast<uint32_t>(world.replication());
  jobs_.push_back(job);
  jobs_.back().replication = replication_;
}

void Hdf5Recorder::on_job_run(const World& world, const schema::JobRunRecord& run) {
  if (level_ < schema::RecordLevel::kEvents) return;
  job_runs_.push_back(run);
  job_runs_.back().replication = static_cast<uint32_t>(world.replication());
}

void Hdf5Recorder::on_chaos(const World& world, const std::vector<ChaosInterval>& intervals) {
  const uint32_t rep = static_cast<uint32_t>(world.replication());
  for (const auto& c : intervals) {
    chaos_.push_back(schema::ChaosIntervalRecord{rep, c.item, schema::kNone16, c.start.to_seconds(), c.end.to_seconds()});
  }
}

std::function<std::unique_ptr<ReplicationRecorder>(int64_t)> hdf5_recorder_factory(
    const std::vector<SeriesDef>& series, schema::RecordLevel level) {
  if (level == schema::RecordLevel::kSummary) return {};
  return [&series, level](int64_t rep) -> std::unique_ptr<ReplicationRecorder> {
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

const char* record_level_name(schema::RecordLevel level) {
  return schema::kRecordLevelNames[static_cast<int>(level)];
}

}  // namespace spotsim

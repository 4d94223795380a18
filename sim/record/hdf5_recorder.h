#pragma once
// Records one replication for the HDF5 writer: time series (every sample_interval), model events,
// VM lifetimes and jobs, in memory, by the thread running the replication. What is kept depends on
// the recording level (sim/record/schema.h RecordLevel); at kSummary no recorder is created at all.
//
// Memory: time series are fleets/pools × samples doubles (a sample walks the live VM slots once,
// for the running VMs per pool and purchase type); events about 40 bytes each, VMs about
// 48 bytes each (levels events/full grow with VM count × churn: see docs/hdf5-schema.md).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/record/schema.h"
#include "sim/run/runner.h"

namespace spotsim {

// One sampled quantity: /timeseries/<group>/<name>/<metric>.
struct SeriesDef {
  enum class Source : uint8_t {
    kFleetTarget,
    kFleetRunning,
    kFleetBooting,
    kFleetWaiting,
    kPoolInUse,
    kPoolCapacity,
    kPoolRunningSpot,
    kPoolRunningOnDemand,
    kPoolRunningFallback,
    kMetric
  };
  std::string group, name, metric, unit;
  Source source = Source::kMetric;
  uint32_t index = 0;  // fleet, pool or metric index
};

// The series a scenario produces, in a stable order (fleets, then pools, then workloads; gauges
// before counters). `metrics` are the scenario's metric definitions (replication_metric_defs).
std::vector<SeriesDef> timeseries_defs(const CompiledScenario& scenario, const std::vector<MetricDef>& metrics);

class Hdf5Recorder : public RunObserver {
 public:
  // REQUIRES: `series` outlives the recorder; level > kSummary.
  Hdf5Recorder(const std::vector<SeriesDef>& series, schema::RecordLevel level, int64_t replication);

  void on_start(int64_t replication) override { replication_ = static_cast<uint32_t>(replication); }
  void on_event(const ModelEvent& event) override;
  void on_job(const JobSignal& job) override;
  void on_job_run(const JobRunSignal& run) override;
  void on_frame(const Frame& frame) override;
  void on_chaos(const std::vector<ChaosInterval>& intervals) override;
  bool wants_frames() const override { return level_ >= schema::RecordLevel::kTimeseries; }
  bool wants_events() const override { return level_ >= schema::RecordLevel::kEvents; }

  const std::vector<double>& sample_times() const { return times_; }
  // [series][sample]
  const std::vector<std::vector<double>>& series_values() const { return values_; }
  const std::vector<schema::EventRecord>& events() const { return events_; }
  const std::vector<schema::VmRecord>& vms() const { return vms_; }
  const std::vector<schema::JobRecord>& jobs() const { return jobs_; }
  const std::vector<schema::JobRunRecord>& job_runs() const { return job_runs_; }
  const std::vector<schema::ChaosIntervalRecord>& chaos() const { return chaos_; }

 private:
  const std::vector<SeriesDef>& series_;
  schema::RecordLevel level_;
  uint32_t replication_;
  std::vector<double> times_;
  std::vector<std::vector<double>> values_;
  std::vector<schema::EventRecord> events_;
  std::vector<schema::VmRecord> vms_;  // index = VM serial
  std::vector<schema::JobRecord> jobs_;
  std::vector<schema::JobRunRecord> job_runs_;
  std::vector<schema::ChaosIntervalRecord> chaos_;
};

// Makes the recorders of a run at `level` (empty function at kSummary: nothing is attached):
//   Recorders<Hdf5Recorder> recs(hdf5_recorders(series, level));  opt.observers = recs.factory();
// REQUIRES: `series` outlives the run.
Recorders<Hdf5Recorder>::Make hdf5_recorders(const std::vector<SeriesDef>& series, schema::RecordLevel level);

// "summary" → kSummary, ...; nullopt-like false if unknown.
bool parse_record_level(const std::string& text, schema::RecordLevel* level);
const char* record_level_name(schema::RecordLevel level);

}  // namespace spotsim

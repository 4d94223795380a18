#pragma once
// The view model of one simulator run: everything spotviz panels draw, in plain vectors, with
// times in seconds since the start of the run. It is filled either from an HDF5 file
// (h5_loader.h) or from an in-memory run of a scenario (memory_recorder.h); panels never know
// which. Everything optional may be empty: panels show an explanatory empty state then.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/model/metric_key.h"

namespace spotsim::viz {

// Event kinds use the simulator's stable numbering (ModelEventKind, recorded in HDF5).
// Kinds this build does not know are kept; a file names them in /meta/event_kinds.
enum : uint8_t {
  kEvLaunch = 0,
  kEvRunning = 1,
  kEvNotice = 2,
  kEvEviction = 3,
  kEvCapacityError = 4,
  kEvEnd = 5,
  kEvTerminate = 6,
  kEvBootFailed = 7,
  kEvRebalance = 8,
};
constexpr int kMaxEventKinds = 32;
// "launch", "running", ..., "terminate", "rebalance" (model_event_kind_name()), or "kind N" for
// numbers this build does not know (RunModel::event_kind_label() asks the file first).
std::string event_kind_name(uint8_t kind);
// `launch` event details: what was launched (ModelEventKind::kLaunch).
inline constexpr double kLaunchSpot = 0, kLaunchOnDemand = 1, kLaunchFallback = 2, kLaunchRestart = 3;

constexpr uint16_t kNoIndex16 = 0xffff;
constexpr uint32_t kNoIndex32 = 0xffffffffu;

enum class Purchase : uint8_t { kSpot = 0, kOnDemand = 1 };

struct PoolInfo {
  std::string name;
  std::string provider;  // "aws", "azure", "gcp"
  std::string region;
  std::string zone;
  std::string instance_type;
  double spot_price = 0;       // $/h
  double on_demand_price = 0;  // $/h
};

struct FleetInfo {
  std::string name;
  double target = 0;            // the scenario's initial target (the target over time: "fleet/<name>/target")
  std::vector<uint16_t> pools;  // indices into RunModel::pools
};

// A workload as records refer to it (index = /meta/workloads position). Kubernetes deployments
// are workloads whose runs are pods on nodes.
struct WorkloadInfo {
  std::string name;
  std::string kind;  // "batch", "service", "deadline_job", "pipeline", "deployment"; "" if unknown
  bool pods() const { return kind == "deployment"; }
};

// One recorded time series (e.g. group "pool/m5-1a", metric "running_spot").
struct Series {
  std::string group;
  std::string metric;
  std::vector<double> t;  // seconds, ascending
  std::vector<double> v;
};

// Events as columns (structure of arrays) so 10^6 rows stay compact and scan fast.
struct EventTable {
  std::vector<double> t;  // seconds, ascending
  std::vector<uint8_t> kind;
  std::vector<uint32_t> vm;     // kNoIndex32 if none
  std::vector<uint16_t> pool;   // kNoIndex16 if none
  std::vector<uint16_t> fleet;  // kNoIndex16 if none
  std::vector<double> detail;   // kind-specific (notice length in s, ...)

  size_t size() const { return t.size(); }
  void reserve(size_t n);
  void push(double time, uint8_t k, uint32_t v, uint16_t p, uint16_t f, double d);
};

// One VM incarnation. Times in seconds; -1 when it never happened.
struct VmLifetime {
  uint32_t serial = 0;
  uint16_t pool = kNoIndex16;
  uint16_t fleet = kNoIndex16;
  Purchase purchase = Purchase::kSpot;
  bool fallback = false;  // on-demand launched because spot could not be had (launch detail 2)
  bool evicted = false;   // taken by the provider (else alive at the end of the run)
  double launch = -1;
  double running = -1;
  double notice = -1;
  double end = -1;  // eviction time, or the run's end
};

// One job of a batch workload (when the file has /jobs).
struct JobRecord {
  uint32_t id = 0;
  uint16_t workload = kNoIndex16;
  uint32_t vm = kNoIndex32;  // VM serial its last run started on, when recorded: its Gantt lane
  double submit = -1;
  double start = -1;       // first start
  double last_start = -1;  // start of the run on `vm` (= start unless an eviction restarted it)
  double finish = -1;      // -1 if it never finished
  double lost_work_s = 0;  // work redone because of evictions
  uint32_t evictions = 0;
};

// How a run ended (schema::JobRunOutcome numbering).
enum class RunOutcome : uint8_t { kFinished = 0, kLost = 1, kUnfinished = 2, kEvicted = 3, kKilled = 4 };

// One run of a job on one VM (a gang job has one per VM), or of a Kubernetes pod on its node:
// /job_runs.
struct JobRun {
  uint32_t job = 0;  // job id, or pod number for a deployment
  uint16_t workload = kNoIndex16;
  uint32_t vm = kNoIndex32;  // VM serial: its Gantt lane
  double start = 0;
  double end = 0;
  bool lost = false;  // cut short: a job lost its VM (work since the checkpoint is redone),
                      // a pod was evicted by a drain or killed with its node
  RunOutcome outcome = RunOutcome::kFinished;
};

// A shaded time interval on the timeline: a storm, a capacity cliff, an outage...
struct Interval {
  std::string kind;  // chaos_kind_name(): "storm", "cliff", "price_spike", ... (/chaos/kinds)
  std::string label;
  double start = 0;
  double end = 0;
};

// How a chaos kind is called in pictures: "storm", "capacity cliff", "price spike", "on-demand
// exhaustion", "API throttle", "checkpoint store degraded", "boot failure", "notice loss"; "chaos"
// for a kind this build does not know (or none recorded).
std::string chaos_kind_label(const std::string& kind);

// Statistics of one metric over replications (the report's / --json's numbers).
struct MetricSummary {
  std::string name;
  std::string unit;
  double mean = 0, stddev = 0, min = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
  uint64_t n = 0;
  std::optional<MetricKey> key = std::nullopt;  // nullopt for a name this build cannot read (a newer file)
};

// A parameter sweep: grid points × metric means.
struct SweepTable {
  std::vector<std::string> params;   // override paths, e.g. "fleets.web.target"
  std::vector<std::string> metrics;  // metric names
  // [point][param] the value as written; [point][metric] the mean over replications.
  std::vector<std::vector<std::string>> values;
  std::vector<std::vector<double>> means;
  // The `spotsim sweep --pareto A,B` pair stored in the file ("" without --pareto), and whether
  // each is maximised ("max:" prefix) rather than minimised.
  std::string pareto_a, pareto_b;
  bool maximize_a = false, maximize_b = false;
  bool empty() const { return values.empty(); }
};

struct RunModel {
  std::string source;  // path it came from (for titles and messages)
  std::string scenario_name;
  std::string scenario_text;
  uint64_t seed = 0;
  int64_t replications = 0;
  int64_t shown_replication = 0;  // the replication whose events/series are shown
  double duration_s = 0;
  // The file's --record level ("summary", "timeseries", "events", "full"); empty for a run made
  // in memory, which has everything.
  std::string record_level;

  std::vector<PoolInfo> pools;
  std::vector<FleetInfo> fleets;
  std::vector<WorkloadInfo> workloads;   // index = the workload index of jobs and runs
  std::vector<std::string> event_kinds;  // names by kind value (/meta/event_kinds); may be empty
  std::vector<Series> series;
  EventTable events;             // of shown_replication
  std::vector<VmLifetime> vms;   // of shown_replication
  std::vector<JobRecord> jobs;   // of shown_replication
  std::vector<JobRun> job_runs;  // of shown_replication; empty in files written before /job_runs
  std::vector<Interval> intervals;
  std::vector<MetricSummary> metrics;
  SweepTable sweep;

  // True when model events were recorded (level events or full, or in memory): an empty event
  // table then means nothing happened, not that nothing was kept.
  bool has_events() const { return record_level.empty() || record_level == "events" || record_level == "full"; }
  const Series* find_series(const std::string& group, const std::string& metric) const;
  // The name of event kind `k`: the file's own name for it if it has one, else event_kind_name().
  std::string event_kind_label(uint8_t k) const;
  // True when workload `w` is a Kubernetes deployment (its runs are pods).
  bool is_deployment(uint16_t w) const { return w < workloads.size() && workloads[w].pods(); }
  const MetricSummary* find_metric(const MetricKey& key) const;
  // By the metric's text, as stored in a file (comparing two runs matches names this build may
  // not know).
  const MetricSummary* find_metric_named(const std::string& name) const;
  int pool_index(const std::string& name) const;
  int fleet_index(const std::string& name) const;
  int workload_index(const std::string& name) const;
};

}  // namespace spotsim::viz

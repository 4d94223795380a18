#pragma once
// The layout of spotsim's HDF5 files: the single definition of every group, dataset and
// attribute name and of every record type. The writer (sim/record/hdf5_writer.h), the reader
// (sim/record/hdf5_reader.h) and spotviz all use these names; nothing else spells them.
// Prose, examples and h5py snippets: docs/hdf5-schema.md.
//
// This header is plain C++ (no HDF5 include) so sim/model can name JobRecord. The HDF5 types of
// the records (compound/enum builders) are in sim/record/hdf5_types.h.
//
// Conventions (version 1):
//  - Times are simulated seconds since the start of the run, as double. A time that did not
//    happen (a VM never got a notice, a job never finished) is NaN.
//  - "none" for an index is kNone16 / kNone32.
//  - Pools, fleets and workloads are referred to by index; their names are the string tables
//    /meta/pools, /meta/fleets, /meta/workloads (index = position).
//  - Every dataset listed here exists in every file of its kind, possibly with zero rows, so a
//    reader never has to test for existence. /meta attribute "record_level" says what was
//    recorded.
//  - Table datasets are 1-D, chunked (kChunkRows rows), deflate level kDeflateLevel.
//  - Rows of /events, /vms and /jobs are ordered by replication, then by time of the event
//    (for /vms: by VM serial, for /jobs: in the order the workload reported them).
#include <cstdint>
#include <limits>

namespace spotsim::schema {

// ---- versioning -------------------------------------------------------------------------------
// Bump when a reader of the previous version would misread a file. Adding a dataset or an
// attribute is not a bump.
inline constexpr int32_t kSchemaVersion = 1;

// Root ("/") attributes of every file.
inline constexpr const char* kAttrSchemaVersion = "spotsim_schema_version";  // int32
inline constexpr const char* kAttrFileKind = "spotsim_file";                 // string, below
inline constexpr const char* kFileKindRun = "run";                           // spotsim run --out
inline constexpr const char* kFileKindSweep = "sweep";                       // spotsim sweep --out

inline constexpr uint16_t kNone16 = std::numeric_limits<uint16_t>::max();
inline constexpr uint32_t kNone32 = std::numeric_limits<uint32_t>::max();

inline constexpr uint64_t kChunkRows = 4096;
inline constexpr int kDeflateLevel = 4;

// ---- recording levels (`--record`) ---------------------------------------------------------------
// Each level includes the ones before it.
enum class RecordLevel : uint8_t {
  kSummary = 0,     // /meta + /summary only (no observer attached: no cost during the run)
  kTimeseries = 1,  // + /timeseries (per sample_interval; size independent of the VM count)
  kEvents = 2,      // + /events and /jobs (one row per model event: grows with VMs × churn)
  kFull = 3,        // + /vms (one row per VM incarnation)
};
inline constexpr const char* kRecordLevelNames[] = {"summary", "timeseries", "events", "full"};
// The default when --out is given: bounded size whatever the fleet size, and what spotviz plots.
inline constexpr RecordLevel kDefaultRecordLevel = RecordLevel::kTimeseries;

// ---- /meta: what was run ------------------------------------------------------------------------
inline constexpr const char* kMeta = "/meta";
// attributes of /meta
inline constexpr const char* kAttrSpotsimVersion = "spotsim_version";                // string
inline constexpr const char* kAttrScenarioName = "scenario_name";                    // string
inline constexpr const char* kAttrScenarioFile = "scenario_file";                    // string, as given
inline constexpr const char* kAttrCommandLine = "command_line";                      // string
inline constexpr const char* kAttrSeed = "seed";                                     // uint64
inline constexpr const char* kAttrReplications = "replications";                     // int64, requested
inline constexpr const char* kAttrReplicationsCompleted = "replications_completed";  // int64
inline constexpr const char* kAttrCancelled = "cancelled";                           // int32, 1 if Ctrl-C
inline constexpr const char* kAttrDurationS = "duration_s";                          // double
inline constexpr const char* kAttrSampleIntervalS = "sample_interval_s";             // double
inline constexpr const char* kAttrRecordLevel = "record_level";                      // string (kRecordLevelNames)
inline constexpr const char* kAttrEvents = "events";                                 // uint64, simulated events
inline constexpr const char* kAttrWallSeconds = "wall_seconds";                      // double (not reproducible)
inline constexpr const char* kAttrThreads = "threads";                               // int32 (not reproducible)
// datasets under /meta
inline constexpr const char* kMetaScenarioText = "/meta/scenario_text";  // scalar string: the whole file
inline constexpr const char* kMetaOverrides = "/meta/overrides";         // [n] string "PATH=VALUE"
inline constexpr const char* kMetaPools = "/meta/pools";                 // [pools] string
inline constexpr const char* kMetaFleets = "/meta/fleets";               // [fleets] string
inline constexpr const char* kMetaWorkloads = "/meta/workloads";         // [workloads] string
inline constexpr const char* kMetaEventKinds = "/meta/event_kinds";      // [kinds] string, index = kind value

// ---- /timeseries: sampled every scenario sample_interval ---------------------------------------
// /timeseries/time                       [T] double, sample times (s): 0, interval, 2·interval, ... ≤ duration
// /timeseries/<group>/<name>/<metric>    [R][T] double, one row per completed replication, in the
//                                        order of /summary/replications; attribute "unit" (string)
// <group> is one of the kTsGroup* below; <name> the fleet/pool/workload name.
// Every replication is stored (not only a mean): spotviz shows one replication or the mean.
inline constexpr const char* kTimeseries = "/timeseries";
inline constexpr const char* kTimeseriesTime = "/timeseries/time";
inline constexpr const char* kTsGroupFleet = "fleet";
inline constexpr const char* kTsGroupPool = "pool";
inline constexpr const char* kTsGroupWorkload = "workload";
inline constexpr const char* kAttrUnit = "unit";  // on every time-series and table dataset that has one
// Gauges (state at the sample time) for fleets:
inline constexpr const char* kTsTarget = "target";    // VMs wanted at the sample time (after scaling
                                                      // policies, the k8s cluster autoscaler, scale to zero)
inline constexpr const char* kTsRunning = "running";  // VMs running (including those under notice)
inline constexpr const char* kTsBooting = "booting";  // launched, not yet running
inline constexpr const char* kTsWaiting = "waiting";  // launches waiting to retry after a capacity error
// Gauges for pools:
inline constexpr const char* kTsInUse = "in_use";       // spot VMs held from this pool
inline constexpr const char* kTsCapacity = "capacity";  // spot capacity at the sample time
// Running VMs (booted, including those under notice) from this pool by purchase type: the layers
// of spotviz's fleet timeline. Summed over pools they equal the fleets' `running`.
inline constexpr const char* kTsRunningSpot = "running_spot";
inline constexpr const char* kTsRunningOnDemand = "running_on_demand";
// Of running_on_demand, the VMs launched as on-demand fallback (because spot could not be had;
// a launch event with detail 2), as opposed to an on-demand base the fleet wants by design.
inline constexpr const char* kTsRunningFallback = "running_fallback";
// Counters: every "count" metric of the run (docs/metrics.md) named "<group>.<name>.<metric>",
// e.g. fleet.web.interruptions → /timeseries/fleet/web/interruptions, cumulative up to the
// sample time. Workload metrics appear here automatically once workloads register them.

// ---- /events: every model event (record level events, full) ------------------------------------
inline constexpr const char* kEvents = "/events";
// The kind is an HDF5 enum over uint8 whose names are model_event_kind_name() (sim/model/world.h),
// also listed in /meta/event_kinds. Version 1 values: 0 launch, 1 running, 2 notice, 3 eviction,
// 4 capacity_error, 5 end (alive when the run ended). New kinds get new values; values never change.
struct EventRecord {
  double time;  // s
  uint32_t replication;
  uint8_t kind;    // ModelEventKind
  uint32_t vm;     // VM serial (unique within a replication) or kNone32
  uint16_t pool;   // index into /meta/pools or kNone16
  uint16_t fleet;  // index into /meta/fleets or kNone16
  double detail;   // kind-specific (notice length in s for notice; see docs/hdf5-schema.md)
};

// ---- /vms: one row per VM incarnation (record level full) ---------------------------------------
inline constexpr const char* kVms = "/vms";
// purchase is an HDF5 enum over uint8: 0 spot, 1 on_demand (sim/model/world.h Purchase).
inline constexpr const char* kPurchaseNames[] = {"spot", "on_demand"};
struct VmRecord {
  uint32_t replication;
  uint32_t vm;  // serial
  uint16_t fleet;
  uint16_t pool;
  uint8_t purchase;  // Purchase
  uint8_t evicted;   // 1 if the provider took it away, 0 if alive at the end of the run
  double launch;     // launch request (billing starts), s
  double running;    // finished booting, s; NaN if it never ran
  double notice;     // interruption notice, s; NaN if none
  double end;        // evicted, or the end of the run if alive
};

// ---- /jobs: one row per job of a workload (record level events, full) --------------------------
// Emitted by workload models through WorldObserver::on_job (sim/model/world_signals.h) once per job: when
// it finishes, or at the end of the run for jobs still queued or running (finish = NaN).
inline constexpr const char* kJobs = "/jobs";
struct JobRecord {
  uint32_t replication = 0;
  uint32_t job = 0;             // job id, unique within (replication, workload)
  uint16_t workload = kNone16;  // index into /meta/workloads
  uint16_t fleet = kNone16;     // fleet it ran on last, or kNone16
  uint32_t checkpoints = 0;     // checkpoints completed
  uint32_t evictions = 0;       // times it lost its VM
  uint32_t vm = kNone32;        // serial of the VM its last run started on (the first of its gang),
                                // or kNone32 if it never started: its lane in a VM Gantt
  double submit = 0;            // s
  double start = std::numeric_limits<double>::quiet_NaN();  // first start, s
  double last_start =
      std::numeric_limits<double>::quiet_NaN();  // start of the run on `vm`, s
                                                 // (= start unless an eviction restarted it); NaN if never started
  double finish = std::numeric_limits<double>::quiet_NaN();  // s; NaN if unfinished
  double lost_work = 0;  // seconds of work redone after evictions (since last checkpoint)
};

// ---- /job_runs: one row per run of a job on a VM (record level events, full) -----------------
// A run starts when the job is placed on its VM(s) and ends when it finishes there, loses a VM
// (outcome lost: the work since its last checkpoint is redone elsewhere), or the simulated run
// ends (outcome unfinished). A gang job has one row per VM of its gang. Emitted through
// WorldObserver::on_job_run; spotviz draws each row on its VM's Gantt lane.
// Kubernetes pods are runs too: `job` is the pod's number, `workload` its deployment (named in
// /meta/workloads like a workload), `vm` its node; a run ends when the pod is evicted by a node
// drain (outcome evicted), killed with its node (outcome killed) or the simulated run ends.
inline constexpr const char* kJobRuns = "/job_runs";
// outcome is an HDF5 enum over uint8. New outcomes get new values; values never change.
inline constexpr const char* kJobRunOutcomeNames[] = {"finished", "lost", "unfinished", "evicted", "killed"};
enum class JobRunOutcome : uint8_t { kFinished = 0, kLost = 1, kUnfinished = 2, kEvicted = 3, kKilled = 4 };
struct JobRunRecord {
  uint32_t replication = 0;
  uint32_t job = 0;             // as /jobs job
  uint16_t workload = kNone16;  // index into /meta/workloads
  uint16_t fleet = kNone16;
  uint32_t vm = kNone32;  // VM serial (as /vms vm and /events vm)
  uint8_t outcome = 0;    // JobRunOutcome
  double start = 0;       // s
  double end = 0;         // s
};

// ---- /chaos: injected disturbances (the scenario's chaos: items; level timeseries and above) ------
// /chaos/names       [k] string: the items' names (chaos.<name>.* metrics), index = position in chaos:
// /chaos/kinds       [k] string: their kinds (storm, cliff, price_spike, ...: chaos_kind_name())
// /chaos/intervals   [n] ChaosIntervalRecord: when each occurrence was in effect, per replication
inline constexpr const char* kChaos = "/chaos";
inline constexpr const char* kChaosNames = "/chaos/names";
inline constexpr const char* kChaosKinds = "/chaos/kinds";
inline constexpr const char* kChaosIntervals = "/chaos/intervals";
struct ChaosIntervalRecord {
  uint32_t replication;
  uint32_t chaos;  // index into /chaos/names
  uint16_t pool;   // pool affected, or kNone16 for "its scope" (the scenario text says which)
  double start;    // s
  double end;      // s
};

// ---- /summary: the statistics `--json` prints -----------------------------------------------------
inline constexpr const char* kSummary = "summary";  // relative: "/summary" in a run, "/runs/<i>/summary" in a sweep
inline constexpr const char* kSummaryMetrics = "metrics";                 // [M] MetricSummaryRecord
inline constexpr const char* kSummaryPerReplication = "per_replication";  // [R][M] double
inline constexpr const char* kSummaryReplications = "replications";       // [R] int64: replication index of each row
inline constexpr const char* kSummaryExpectations = "expectations";       // [E] ExpectationRecord
// name/unit/text/explanation are variable-length UTF-8 strings in the file.
struct MetricSummaryRecord {
  const char* name;  // "fleet.web.interruptions"
  const char* unit;  // metric_unit_name(): count, s, h, $, %, ratio
  double mean, stddev, min, p50, p95, p99, max;
  uint64_t n;  // replications the statistics are over
};
struct ExpectationRecord {
  const char* text;         // as written in the scenario
  uint8_t passed;           // 1 / 0
  double observed;          // the statistic's value
  const char* explanation;  // for failures; "" otherwise
};
// Column order of the statistics in /sweep/table's last dimension.
inline constexpr const char* kStatNames[] = {"mean", "stddev", "min", "p50", "p95", "p99", "max", "n"};
inline constexpr int kStatCount = 8;

// ---- sweeps (file kind "sweep") -------------------------------------------------------------------
// /meta                 as in a run, for the base scenario (overrides = the --set ones, not the grid);
//                       extra attributes grid_points (int64), points_completed (int64)
// /sweep/parameters     [P] string: the --grid paths, in command-line order
// /sweep/points         [N][P] string: the value of each parameter at each point (row-major
//                       cartesian product: the last --grid varies fastest)
// /sweep/metrics        [M] string, /sweep/units [M] string
// /sweep/stat_names     [8] string = kStatNames
// /sweep/table          [N][M][8] double: statistics of each metric at each point (NaN if the point
//                       did not complete)
// /sweep/completed      [N] int64: replications completed at each point
// /sweep/pareto         [F] ParetoRecord, attributes metric_a, metric_b (string), goal_a, goal_b
//                       ("min"/"max"), stat_a, stat_b (the statistic compared: "mean", "p95", ...);
//                       zero rows if no --pareto
// /runs/<i>/overrides   [P] string "PATH=VALUE" of point i
// /runs/<i>/summary/... as /summary in a run file
inline constexpr const char* kSweep = "/sweep";
inline constexpr const char* kSweepParameters = "/sweep/parameters";
inline constexpr const char* kSweepPoints = "/sweep/points";
inline constexpr const char* kSweepMetrics = "/sweep/metrics";
inline constexpr const char* kSweepUnits = "/sweep/units";
inline constexpr const char* kSweepStatNames = "/sweep/stat_names";
inline constexpr const char* kSweepTable = "/sweep/table";
inline constexpr const char* kSweepCompleted = "/sweep/completed";
inline constexpr const char* kSweepPareto = "/sweep/pareto";
inline constexpr const char* kAttrGridPoints = "grid_points";
inline constexpr const char* kAttrPointsCompleted = "points_completed";
inline constexpr const char* kAttrMetricA = "metric_a";
inline constexpr const char* kAttrMetricB = "metric_b";
inline constexpr const char* kAttrGoalA = "goal_a";
inline constexpr const char* kAttrGoalB = "goal_b";
inline constexpr const char* kAttrStatA = "stat_a";
inline constexpr const char* kAttrStatB = "stat_b";
inline constexpr const char* kRuns = "/runs";
inline constexpr const char* kRunOverrides = "overrides";
struct ParetoRecord {
  uint32_t point;  // index into /sweep/points
  double a;        // statistic stat_a (default mean) of metric_a at the point
  double b;        // statistic stat_b of metric_b
};

}  // namespace spotsim::schema

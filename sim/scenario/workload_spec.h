#pragma once
// The `workloads:` (and `checkpoint_store:`) sections of a scenario, compiled into plain data.
// Reference for every key: docs/workloads.md. Traces named by a workload are read at compile
// time (paths relative to the scenario file), through the loader's LoadOptions::read_file;
// nothing reads files during a run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/rng.h"
#include "common/enum_table.h"
#include "common/status.h"
#include "sim/core/time.h"

namespace YAML {
class Node;
}

namespace spotsim {

class ParseContext;
struct CompiledScenario;

enum class WorkloadKind : uint8_t { kBatch = 0, kService, kDeadlineJob, kPipeline };
inline constexpr auto kWorkloadKinds = enum_table<WorkloadKind>({{"batch", WorkloadKind::kBatch},
                                                                 {"service", WorkloadKind::kService},
                                                                 {"deadline_job", WorkloadKind::kDeadlineJob},
                                                                 {"pipeline", WorkloadKind::kPipeline}});
inline const char* workload_kind_name(WorkloadKind k) { return kWorkloadKinds.name(k); }

// A distribution of durations, in seconds.
struct DurationDist {
  enum class Kind : uint8_t { kFixed, kExponential, kUniform, kLognormal };
  Kind kind = Kind::kFixed;
  double a = 0;  // fixed value / mean / min / median
  double b = 0;  // - / - / max / sigma (of the underlying normal)
  double sample(Rng& rng) const;
  double mean() const;
};

enum class ArrivalKind : uint8_t { kOnce, kInterval, kPoisson, kSchedule, kTrace };

struct TraceJob {
  int64_t at_us = 0;
  double work_s = 0;
  int32_t priority = 0;
};

struct ArrivalSpec {
  ArrivalKind kind = ArrivalKind::kOnce;  // kOnce: `count` jobs at `start`
  Duration start;                         // first arrival (interval / poisson / once)
  Duration interval;                      // kInterval
  double rate_per_hour = 0;               // kPoisson
  std::vector<int64_t> at_us;             // kSchedule, sorted
  std::vector<TraceJob> trace;            // kTrace, sorted by time
  int64_t count = -1;                     // at most this many arrivals; -1 = unlimited (kOnce: default 1)
};

struct JobSpec {
  DurationDist work;                  // compute time with the whole gang up
  int64_t parallelism = 1;            // gang size: all N VMs must be up
  Duration checkpoint_interval;       // compute between checkpoints; 0 = never checkpoint
  Duration checkpoint_write;          // job stalls this long per periodic checkpoint (δ)
  Duration restore;                   // reading the checkpoint back on every restart with progress
  double checkpoint_bytes = 0;        // written through the shared checkpoint store on notice
  bool checkpoint_on_notice = false;  // write a checkpoint when any gang VM gets its notice
  int64_t retries = -1;               // restarts allowed after being killed; -1 = unlimited
  Duration backoff;                   // wait before re-queueing after a kill (doubles per retry)
  double backoff_factor = 2.0;
  Duration backoff_max = Duration::hours(1);
  bool idempotent = true;  // false: a kill during the commit is a correctness failure
  Duration commit_time;    // final output commit after the compute is done
  Duration deadline;       // relative to arrival; 0 = none
  int32_t priority = 0;    // larger runs first under `queue: priority`
  bool same_zone = false;  // the workload's `placement: same_zone`: a gang's VMs share a zone
};

enum class QueueDiscipline : uint8_t { kFifo, kPriority };

struct BatchSpec {
  uint32_t fleet = 0;
  ArrivalSpec arrivals;
  JobSpec job;
  QueueDiscipline queue = QueueDiscipline::kFifo;
};

struct StageSpec {
  std::string name;
  int64_t jobs = 1;  // parallel jobs in this stage
  JobSpec job;
  std::vector<uint32_t> after;  // indices of upstream stages
};

struct PipelineSpec {
  uint32_t fleet = 0;
  ArrivalSpec runs;               // when pipeline instances start (default: one at t=0)
  std::vector<StageSpec> stages;  // in a topological order (upstream first)
  QueueDiscipline queue = QueueDiscipline::kFifo;
};

struct RatePoint {
  int64_t at_us = 0;
  double per_second = 0;
};

struct ServiceSpec {
  uint32_t fleet = 0;
  enum class RateKind : uint8_t { kConstant, kDaily, kTrace } rate_kind = RateKind::kConstant;
  double rate = 0;          // requests/s (constant; daily: the mean)
  double daily_peak = 0;    // requests/s at peak_at
  double daily_trough = 0;  // requests/s twelve hours later
  Duration peak_at = Duration::hours(14);
  std::vector<RatePoint> trace;  // step function, sorted; before the first point: the first rate
  double capacity = 0;           // requests/s one VM serves (its exponential service rate μ)
  Duration warmup;               // a new VM serves only after this long running
  bool drain = true;             // on notice: stop routing to the VM (else: its in-flight fail at eviction)
  Duration slo_latency = Duration::seconds(0.2);  // a request is good if it completes within this
  double slo_target = 0.999;                      // fraction of good requests promised
  Duration budget_window = Duration::days(30);
  Duration step = Duration::minutes(1);  // evaluation step
};

// kUniformProgress is the rule of the authors' published simulator (once on on-demand, leave only
// for spot); kUniformProgressLiteral reads the paper's hysteresis rule literally (on on-demand,
// stay until ahead of the line at t + 2d, then free to idle). docs/workloads.md.
enum class DeadlinePolicy : uint8_t { kGreedy, kUniformProgress, kOnDemand, kSpotOnly, kUniformProgressLiteral };
inline constexpr auto kDeadlinePolicies =
    enum_table<DeadlinePolicy>({{"greedy", DeadlinePolicy::kGreedy},
                                {"uniform_progress", DeadlinePolicy::kUniformProgress},
                                {"uniform_progress_literal", DeadlinePolicy::kUniformProgressLiteral},
                                {"on_demand", DeadlinePolicy::kOnDemand},
                                {"spot_only", DeadlinePolicy::kSpotOnly}});
inline const char* deadline_policy_name(DeadlinePolicy p) { return kDeadlinePolicies.name(p); }

// Where in the trace each replication of a deadline job starts.
//  kOff:  at the first step.
//  kWrap: at a uniformly drawn step; steps past the end wrap around to the start.
//  kFit:  at a uniformly drawn step among those whose deadline window (deadline_window_steps)
//         lies inside the trace, as the paper's evaluation drew its start times.
enum class TraceStart : uint8_t { kOff, kWrap, kFit };

struct DeadlineJobSpec {
  std::vector<uint8_t> available;  // spot availability per trace step (1 = available)
  Duration trace_step;
  std::string trace_file;
  Duration work;
  Duration deadline;
  Duration switch_delay;  // restart overhead on every (re)start, spot or on-demand
  DeadlinePolicy policy = DeadlinePolicy::kUniformProgress;
  double spot_price = 0;                        // $/h
  double on_demand_price = 0;                   // $/h
  TraceStart random_start = TraceStart::kWrap;  // a random trace offset per replication
};

// Trace steps that begin before the deadline: ceil(deadline / trace_step) (0 without a trace).
size_t deadline_window_steps(const DeadlineJobSpec& s);

struct WorkloadSpec {
  std::string name;
  WorkloadKind kind = WorkloadKind::kBatch;
  BatchSpec batch;
  ServiceSpec service;
  DeadlineJobSpec deadline;
  PipelineSpec pipeline;
};

struct CheckpointStoreSpec {
  double bytes_per_second = 1e18;  // shared by all concurrent writers (processor sharing)
  bool configured = false;
};

// Byte sizes ("20GB", "512MiB", "1e9") and throughputs ("1GB/s", "200MB/s").
Result<double> parse_bytes(const std::string& text);
Result<double> parse_bytes_per_second(const std::string& text);

// Compiles `workloads:` into sc.workloads (fleets and pools must already be compiled).
void compile_workloads(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc);
void compile_checkpoint_store(ParseContext& ctx, const YAML::Node& node, CompiledScenario& sc);

}  // namespace spotsim

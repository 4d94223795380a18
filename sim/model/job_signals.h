#pragma once
// What workload and Kubernetes models tell observers about jobs (WorldObserver::on_job,
// on_job_run in sim/model/world_signals.h). Plain model data: the recorders turn them into their own rows
// (sim/record/job_rows.h → the HDF5 /jobs and /job_runs tables of sim/record/schema.h), spotviz
// into its view models. The model never includes sim/record.
#include <cstdint>
#include <limits>

namespace spotsim {

// A job of a workload: sent once per job, when it finishes, or at the end of the run for jobs
// still queued or running (then finish is NaN).
struct JobSignal {
  uint32_t job = 0;                // job id, unique within (replication, workload)
  uint16_t workload = UINT16_MAX;  // index of the workload (or k8s deployment), UINT16_MAX if none
  uint16_t fleet = UINT16_MAX;     // fleet it ran on last, or UINT16_MAX
  uint32_t checkpoints = 0;        // checkpoints completed
  uint32_t evictions = 0;          // times it lost its VM
  uint32_t vm = UINT32_MAX;        // serial of the VM its last run started on (the first of its
                                   // gang), or UINT32_MAX if it never started
  double submit = 0;               // s
  double start = std::numeric_limits<double>::quiet_NaN();  // first start, s
  double last_start =
      std::numeric_limits<double>::quiet_NaN();  // start of the run on `vm`, s
                                                 // (= start unless an eviction restarted it); NaN if never started
  double finish = std::numeric_limits<double>::quiet_NaN();  // s; NaN if unfinished
  double lost_work = 0;  // seconds of work redone after evictions (since last checkpoint)
};

// How one run of a job (or a Kubernetes pod) on one VM ended. The HDF5 file stores the same
// numbering (schema::JobRunOutcome); new outcomes get new values, values never change.
enum class JobRunOutcome : uint8_t { kFinished = 0, kLost = 1, kUnfinished = 2, kEvicted = 3, kKilled = 4 };

// One run of a job on one VM ended: it finished there, lost the VM (its work since the last
// checkpoint is redone elsewhere), or the simulated run ended. A gang job sends one per VM of its
// gang. Kubernetes pods are runs too: `job` is the pod's number, `workload` its deployment, `vm`
// its node; a pod's run ends when a drain evicts it, its node dies with it, or the run ends.
struct JobRunSignal {
  uint32_t job = 0;
  uint16_t workload = UINT16_MAX;
  uint16_t fleet = UINT16_MAX;
  uint32_t vm = UINT32_MAX;  // VM serial (as ModelEvent::vm)
  JobRunOutcome outcome = JobRunOutcome::kFinished;
  double start = 0;  // s
  double end = 0;    // s
};

}  // namespace spotsim

#include "sim/record/job_rows.h"

namespace spotsim {

// The signals say "none" as the schema does, and number outcomes as the file does.
static_assert(schema::kNone16 == UINT16_MAX && schema::kNone32 == UINT32_MAX);
static_assert(static_cast<int>(JobRunOutcome::kFinished) == static_cast<int>(schema::JobRunOutcome::kFinished) &&
              static_cast<int>(JobRunOutcome::kLost) == static_cast<int>(schema::JobRunOutcome::kLost) &&
              static_cast<int>(JobRunOutcome::kUnfinished) == static_cast<int>(schema::JobRunOutcome::kUnfinished) &&
              static_cast<int>(JobRunOutcome::kEvicted) == static_cast<int>(schema::JobRunOutcome::kEvicted) &&
              static_cast<int>(JobRunOutcome::kKilled) == static_cast<int>(schema::JobRunOutcome::kKilled));

schema::JobRecord job_row(const JobSignal& job, uint32_t replication) {
  schema::JobRecord r;
  r.replication = replication;
  r.job = job.job;
  r.workload = job.workload;
  r.fleet = job.fleet;
  r.checkpoints = job.checkpoints;
  r.evictions = job.evictions;
  r.vm = job.vm;
  r.submit = job.submit;
  r.start = job.start;
  r.last_start = job.last_start;
  r.finish = job.finish;
  r.lost_work = job.lost_work;
  return r;
}

schema::JobRunRecord job_run_row(const JobRunSignal& run, uint32_t replication) {
  schema::JobRunRecord r;
  r.replication = replication;
  r.job = run.job;
  r.workload = run.workload;
  r.fleet = run.fleet;
  r.vm = run.vm;
  r.outcome = static_cast<uint8_t>(run.outcome);
  r.start = run.start;
  r.end = run.end;
  return r;
}

}  // namespace spotsim

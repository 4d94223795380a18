#pragma once
// The model's job signals (sim/model/job_signals.h) as rows of the HDF5 /jobs and /job_runs tables
// (sim/record/schema.h). The HDF5 recorder and spotviz's in-memory recorder both convert here.
#include <cstdint>

#include "sim/model/job_signals.h"
#include "sim/record/schema.h"

namespace spotsim {

schema::JobRecord job_row(const JobSignal& job, uint32_t replication);
schema::JobRunRecord job_run_row(const JobRunSignal& run, uint32_t replication);

}  // namespace spotsim

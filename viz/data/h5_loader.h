#pragma once
// Reads a run (or sweep) file written by `spotsim run --out` / `spotsim sweep --out` into a
// RunModel, following sim/record/schema.h (the single definition of the layout).
#include <string>

#include "common/status.h"
#include "viz/data/run_model.h"

namespace spotsim::viz {

// `replication` is the one whose series, events, VMs and jobs are loaded (metrics cover all).
// Errors (kInvalidInput) come from open_run_file() (not HDF5, not a spotsim file, another schema
// version: the message says which) or name the dataset that could not be read.
// REQUIRES: called from one thread at a time (HDF5 1.10 serial is not thread-safe).
Result<RunModel> load_run_file(const std::string& path, int64_t replication = 0);

}  // namespace spotsim::viz

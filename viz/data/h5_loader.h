#pragma once
// Reads a run (or sweep) file written by `spotsim run --out` / `spotsim sweep --out` into a
// RunModel, following sim/record/schema.h (the single definition of the layout).
#include <string>

#include "sim/core/status.h"
#include "viz/data/run_model.h"

namespace spotsim::viz {

// kIo if the file cannot be opened as HDF5; kInvalidInput if it is not a spotsim file or has an
// incompatible schema version (the message says which version it has and which this build reads).
Result<RunModel> load_run_file(const std::string& path);

}  // namespace spotsim::viz

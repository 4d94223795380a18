#pragma once
// Opens what the user named on the command line: an HDF5 run/sweep file (read through
// h5_loader.h) or a scenario YAML (compiled and run in memory through sim/run).
#include <string>

#include "common/status.h"
#include "viz/data/memory_recorder.h"
#include "viz/data/run_model.h"

namespace spotsim::viz {

enum class InputKind { kRunFile, kScenario, kUnknown };

// By extension (.h5/.hdf5 → run file, .yaml/.yml → scenario), else by the HDF5 signature.
InputKind classify_input(const std::string& path);

// Errors: kIo for files that cannot be read, kInvalidInput for files that are not valid runs or
// scenarios; messages start with the path (or FILE:LINE:COL for scenario errors).
// `load` (--set overrides) applies to scenarios only.
Result<RunModel> open_input(const std::string& path, const ModelRunOptions& run_options = {},
                            const LoadOptions& load = {});

}  // namespace spotsim::viz

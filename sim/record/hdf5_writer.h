#pragma once
// Writes spotsim HDF5 files (layout: sim/record/schema.h, docs/hdf5-schema.md) atomically: to a
// temporary name beside the target, renamed when complete. A failure leaves no file behind and
// returns kIo with "FILE: error: ...".
//
// HDF5 1.10 (serial) is not thread-safe: call from one thread (the CLI's main thread).
#include <string>

#include "common/status.h"
#include "sim/record/hdf5_recorder.h"
#include "sim/record/schema.h"
#include "sim/run/runner.h"
#include "sim/run/sweep.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

struct RunFileInfo {
  std::string command_line;  // as typed, for /meta
  schema::RecordLevel level = schema::kDefaultRecordLevel;
};

// A run file. `recorders` are the run's Hdf5Recorders in `result`'s replication order
// (Recorders<Hdf5Recorder>::completed) when level > kSummary; without one for every completed
// replication, only the summary is written.
Status write_run_file(const std::string& path, const CompiledScenario& scenario, const RunResult& result,
                      const RunFileInfo& info, const std::vector<const Hdf5Recorder*>& recorders = {});

// A sweep file. `pareto`/`front` may be null (then /sweep/pareto has no rows).
Status write_sweep_file(const std::string& path, const SweepPlan& plan, const SweepResult& result,
                        const ParetoSpec* pareto, const std::vector<ParetoPoint>* front,
                        const std::string& command_line);

// The command line quoted for a POSIX shell (for /meta command_line).
std::string shell_quote_command_line(int argc, const char* const* argv);

}  // namespace spotsim

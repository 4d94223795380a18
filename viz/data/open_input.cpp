#include "viz/data/open_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "sim/run/runner.h"
#include "viz/data/h5_loader.h"

namespace spotsim::viz {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - n + i])) != suffix[i]) return false;
  }
  return true;
}

}  // namespace

InputKind classify_input(const std::string& path) {
  if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) return InputKind::kRunFile;
  if (ends_with(path, ".yaml") || ends_with(path, ".yml")) return InputKind::kScenario;
  std::ifstream in(path, std::ios::binary);
  char sig[8] = {};
  if (in.read(sig, 8) && std::memcmp(sig, "\x89HDF\r\n\x1a\n", 8) == 0) return InputKind::kRunFile;
  return InputKind::kUnknown;
}

Result<RunModel> open_input(const std::string& path, const ModelRunOptions& run_options, const LoadOptions& load) {
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) return Status::io(path + ": cannot open: " + std::strerror(errno));
  }
  switch (classify_input(path)) {
    case InputKind::kRunFile: return load_run_file(path, run_options.shown_replication);
    case InputKind::kScenario: {
      ASSIGN_OR_RETURN(CompiledScenario sc, load_checked_scenario(path, load));  // the CLI's checks too
      return run_to_model(sc, run_options);
    }
    case InputKind::kUnknown: break;
  }
  return Status::invalid(path +
                         ": not a spotsim run file or scenario (expected an HDF5 file written by "
                         "`spotsim run --out FILE.h5`, or a scenario .yaml)");
}

}  // namespace spotsim::viz

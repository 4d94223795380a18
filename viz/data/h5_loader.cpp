#include "viz/data/h5_loader.h"

namespace spotsim::viz {

// Placeholder until sim/record/schema.h lands on main: reading run files is not implemented yet.
Result<RunModel> load_run_file(const std::string& path) {
  return Status::invalid(path + ": reading HDF5 run files is not available in this build yet");
}

}  // namespace spotsim::viz

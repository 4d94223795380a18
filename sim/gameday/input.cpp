#include "sim/gameday/input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace spotsim::gameday {

Result<std::string> read_input(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid(path + ": error: cannot read the " + what + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status YamlErrors::at(const YAML::Mark& m, const std::string& path, const std::string& msg) const {
  const int line = m.line >= 0 ? m.line + 1 : 1, col = m.column >= 0 ? m.column + 1 : 1;
  return Status::invalid(file_ + ":" + std::to_string(line) + ":" + std::to_string(col) +
                         ": error: " + (path.empty() ? "" : path + ": ") + msg);
}

Status YamlErrors::error(const YAML::Node& n, const std::string& path, const std::string& msg) const {
  return at(n.IsDefined() ? n.Mark() : YAML::Mark::null_mark(), path, msg);
}

}  // namespace spotsim::gameday

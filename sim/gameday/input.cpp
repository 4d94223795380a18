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
  YAML::Mark where = m;  // as before: line 1, column 1 when the position is unknown
  if (where.is_null() || where.line < 0 || where.column < 0) where = YAML::Mark();
  ctx_.error_at(where, path, msg);
  return ctx_.status();
}

Status YamlErrors::error(const YAML::Node& n, const std::string& path, const std::string& msg) const {
  return at(n.IsDefined() ? n.Mark() : YAML::Mark::null_mark(), path, msg);
}

Result<YAML::Node> load_yaml(const YamlErrors& r, const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return r.at(e.mark, "", e.msg);
  }
}

}  // namespace spotsim::gameday

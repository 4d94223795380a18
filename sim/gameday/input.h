#pragma once
// What the game-day readers share: reading an input file whole, and YAML errors in the house
// form "FILE:LINE:COL: error: PATH: message" (yaml-cpp marks are 0-based; these are 1-based).
#include <string>

#include <yaml-cpp/yaml.h>

#include "common/status.h"

namespace spotsim::gameday {

// The file's bytes; "PATH: error: cannot read the WHAT: REASON" (kInvalidInput) if it cannot be read.
Result<std::string> read_input(const std::string& path, const std::string& what);

class YamlErrors {
 public:
  explicit YamlErrors(std::string file) : file_(std::move(file)) {}
  Status at(const YAML::Mark& m, const std::string& path, const std::string& msg) const;
  // At the node (line 1, column 1 when it is not in the document).
  Status error(const YAML::Node& n, const std::string& path, const std::string& msg) const;

 private:
  std::string file_;
};

}  // namespace spotsim::gameday

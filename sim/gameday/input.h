#pragma once
// What the game-day readers share: reading an input file whole, and YAML errors in the house
// form "FILE:LINE:COL: error: PATH: message" collected in common's ParseContext
// (common/yaml_reader.h), whose MapReader::finish() reports the unknown keys.
#include <string>

#include <yaml-cpp/yaml.h>

#include "common/status.h"
#include "common/yaml_reader.h"

namespace spotsim::gameday {

// The file's bytes; "PATH: error: cannot read the WHAT: REASON" (kInvalidInput) if it cannot be read.
Result<std::string> read_input(const std::string& path, const std::string& what);

// A reader that stops at a mistake in a value: the mistake joins those already collected in the
// context (unknown keys, from MapReader::finish()) and the whole list is returned.
class YamlErrors {
 public:
  explicit YamlErrors(ParseContext& ctx) : ctx_(ctx) {}
  ParseContext& ctx() const { return ctx_; }
  Status at(const YAML::Mark& m, const std::string& path, const std::string& msg) const;
  // At the node (line 1, column 1 when it is not in the document).
  Status error(const YAML::Node& n, const std::string& path, const std::string& msg) const;

 private:
  ParseContext& ctx_;
};

// The document's root: a YAML syntax error is reported at its position with yaml-cpp's words.
Result<YAML::Node> load_yaml(const YamlErrors& r, const std::string& text);

}  // namespace spotsim::gameday

#pragma once
// Helpers shared by the scenario-compiler tests (validation, capacity, Kubernetes sections).
#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/scenario.h"

namespace spotsim::test {

// The compiler's one-line diagnostic for `text` read as `file`, or "(no error)" when it compiles.
// Files it names are read from disk (relative to `file`'s folder), as the loader does.
inline std::string compile_error(const std::string& text, const std::string& file = "s.yaml", LoadOptions opt = {}) {
  if (!opt.read_file) opt.read_file = read_text_file;
  auto r = compile_scenario(text, file, opt);
  if (r.is_ok()) return "(no error)";
  return r.status().message();
}

// `s` with the first `from` replaced by `to`; `from` must occur.
inline std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace spotsim::test

#pragma once
// compile(): scenario text to a CompiledScenario, for tests that need one that compiles.
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "sim/scenario/scenario.h"

namespace spotsim::test {

// `text` compiled as `file` (relative paths in it resolve from the file's folder, and the files it
// names are read from disk, as the loader does); fails the test case with the compiler's
// diagnostic when it does not compile.
inline CompiledScenario compile(const std::string& text, const std::string& file = "test.yaml", LoadOptions opt = {}) {
  if (!opt.read_file) opt.read_file = read_text_file;
  auto r = compile_scenario(text, file, opt);
  if (!r) FAIL(r.status().message());
  return std::move(r).value();
}

}  // namespace spotsim::test

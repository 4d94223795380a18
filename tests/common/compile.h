#pragma once
// compile(): scenario text to a CompiledScenario, for tests that need one that compiles.
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "sim/scenario/scenario.h"

namespace spotsim::test {

// `text` compiled as `file` (relative paths in it resolve from the file's folder); fails the test
// case with the compiler's diagnostic when it does not compile.
inline CompiledScenario compile(const std::string& text, const std::string& file = "test.yaml",
                                const LoadOptions& opt = {}) {
  auto r = compile_scenario(text, file, opt);
  if (!r) FAIL(r.status().message());
  return std::move(r).value();
}

}  // namespace spotsim::test

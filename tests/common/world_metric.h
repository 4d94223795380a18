#pragma once
// A model-level test's view of one World's metric table.
#include <catch2/catch.hpp>

#include <string>

#include "sim/model/world.h"

namespace spotsim::test {

// The current value of `name` in `w`'s metric table; fails the test case if there is no such metric.
inline double metric(const World& w, const std::string& name) {
  const int i = w.metrics().find(name);
  if (i < 0) FAIL("no metric " << name);
  return w.metrics().values()[static_cast<size_t>(i)];
}

}  // namespace spotsim::test

#pragma once
// Small text helpers for messages.
#include <string>
#include <vector>

namespace spotsim {

// "a, b, c": the words in their order, for lists in error messages.
inline std::string join_names(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : ", ") + w;
  return s;
}

}  // namespace spotsim

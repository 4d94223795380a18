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

// `prefix` before every line of `text`: "a\nb" -> "P: a\nP: b". A message of several lines is
// one diagnostic per line (ParseContext::status()), and each line carries the whole context.
inline std::string prefix_lines(const std::string& prefix, const std::string& text) {
  std::string s = prefix;
  for (size_t i = 0; i < text.size(); ++i) {
    s += text[i];
    if (text[i] == '\n' && i + 1 < text.size()) s += prefix;
  }
  return s;
}

}  // namespace spotsim

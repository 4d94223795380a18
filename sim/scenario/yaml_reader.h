#pragma once
// Strict, position-aware reading of YAML maps for scenario files.
//
// Every problem becomes a Diagnostic "FILE:LINE:COL: error: PATH: MESSAGE" (1-based line and
// column). Unknown keys are errors with a did-you-mean suggestion; duplicate keys are errors
// (check_duplicate_keys, once for the whole document).
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/core/status.h"
#include "sim/core/time.h"

namespace spotsim {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
  std::string path;
  std::string message;
  std::string to_string() const;
};

class ParseContext {
 public:
  explicit ParseContext(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // Paths set by --set: errors under them point at the override instead of the file.
  void add_override(std::string path, std::string text) { overrides_.emplace_back(std::move(path), std::move(text)); }

  void error(const YAML::Node& at, const std::string& path, const std::string& message);
  void error_at(const YAML::Mark& mark, const std::string& path, const std::string& message);
  bool ok() const { return diagnostics_.empty(); }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  // All diagnostics, one per line, as an invalid-input Status (ok if none).
  Status status() const;

 private:
  std::string file_;
  std::vector<std::pair<std::string, std::string>> overrides_;
  std::vector<Diagnostic> diagnostics_;
};

// Edit distance, for did-you-mean suggestions.
size_t edit_distance(const std::string& a, const std::string& b);
// The closest candidate within a small distance, or "".
std::string closest_name(const std::string& word, const std::vector<std::string>& candidates);
// ` (did you mean "x"?)` or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

// Reads one YAML map; call the typed getters, then finish() to report unknown keys.
class MapReader {
 public:
  // Reports an error (and behaves as an empty map) if `node` is not a map.
  MapReader(ParseContext& ctx, const YAML::Node& node, std::string path);

  const std::string& path() const { return path_; }
  std::string child_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const YAML::Node& node() const { return node_; }
  bool has(const std::string& key) const;
  // Marks a key as known and returns its node (undefined node if absent).
  YAML::Node get(const std::string& key);

  // Each getter: absent + required ⇒ error "missing required key"; wrong type/unit ⇒ error.
  // Returns true iff a valid value was stored in `out` (out is untouched otherwise).
  bool str(const std::string& key, std::string& out, bool required = false);
  bool integer(const std::string& key, int64_t& out, bool required = false, int64_t min = INT64_MIN,
               int64_t max = INT64_MAX);
  bool number(const std::string& key, double& out, bool required = false, double min = -1e300,
              double max = 1e300);
  bool boolean(const std::string& key, bool& out, bool required = false);
  bool duration(const std::string& key, Duration& out, bool required = false);
  bool rate(const std::string& key, double& per_hour, bool required = false);
  bool money(const std::string& key, double& per_hour, bool required = false);
  bool fraction(const std::string& key, double& out, bool required = false);
  // One of `choices`; error lists them.
  bool choice(const std::string& key, std::string& out, const std::vector<std::string>& choices,
              bool required = false);
  // A list of strings (a single string is accepted as a one-element list).
  bool string_list(const std::string& key, std::vector<std::string>& out, bool required = false);

  // Reports every key that no getter asked for.
  void finish();

  ParseContext& ctx() { return ctx_; }

 private:
  bool scalar(const std::string& key, bool required, YAML::Node& out);
  ParseContext& ctx_;
  YAML::Node node_;
  std::string path_;
  std::vector<std::string> known_;
  bool valid_ = true;
};

// Reports every repeated key of every map in the document under `node` (at the repeat, naming
// the line and column of the first). yaml-cpp keeps both entries of a repeated key, so without
// this check two pools of the same name would both be compiled.
void check_duplicate_keys(ParseContext& ctx, const YAML::Node& node, const std::string& path);

// Scalar helpers for nodes that are not inside a MapReader (list items, etc.).
std::optional<Duration> read_duration(ParseContext& ctx, const YAML::Node& n, const std::string& path);

}  // namespace spotsim

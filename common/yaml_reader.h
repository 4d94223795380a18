#pragma once
// Strict, position-aware reading of YAML maps: the simulator's scenario files and chaos-agent's
// plans. A reader never stops at the first mistake: every problem becomes a Diagnostic
// "FILE:LINE:COL: error: PATH: MESSAGE" (1-based line and column) collected in the ParseContext,
// and the caller reports them all at once (ParseContext::status()).
//
//   ParseContext ctx("plan.yaml");
//   const YAML::Node root = parse_yaml(ctx, text);      // syntax errors, repeated keys
//   MapReader top(ctx, root, "");
//   top.str("name", plan.name, /*required=*/true);
//   top.duration("max_duration", plan.max_duration, true);  // "90" -> has no unit; write e.g. "90s"
//   top.choice("mode", plan.mode, kModes);               // an EnumTable (common/enum_table.h)
//   if (auto limits = top.section("limits")) {           // an optional sub-map
//     limits->integer("vms", plan.max_vms, false, 0, 1000);
//     limits->finish();                                   // unknown keys, with "did you mean"
//   }
//   top.finish();
//   if (!ctx.ok()) return ctx.status();                   // every diagnostic, one per line
//
// Unknown keys are errors with a did-you-mean suggestion; duplicate keys are errors
// (check_duplicate_keys, once for the whole document; parse_yaml runs it).
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/enum_table.h"
#include "common/status.h"
#include "common/units.h"

namespace spotsim {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
  std::string path;
  std::string message;
  std::string to_string() const;
};

// The text of a file a document names (by its path, already resolved), or nullopt when there
// is no such file. Readers of documents never open files themselves: whoever loads the
// document gives the ParseContext a FileSource (the disk, a cache, memory).
using FileSource = std::function<std::optional<std::string>(const std::string& path)>;

class ParseContext {
 public:
  explicit ParseContext(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // Where the files the document names come from; without a source none can be had.
  void set_file_source(FileSource source) { file_source_ = std::move(source); }
  std::optional<std::string> read_file(const std::string& path) const {
    return file_source_ ? file_source_(path) : std::nullopt;
  }

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
  FileSource file_source_;
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
  // Marks a key as known; its node if written and not null, else an undefined node (false in
  // a condition: `if (const YAML::Node n = r.value("key")) ...`).
  YAML::Node value(const std::string& key);
  // The same for a key that must be written: reports "missing required key (WHY)" at this map
  // (without WHY: "missing required key") and returns an undefined node when it is not.
  YAML::Node required(const std::string& key, const std::string& why = "");
  // An optional sub-map: a reader for `key` (path PATH.key) if written, nullopt otherwise. A
  // written key that is not a map is reported (as for any MapReader). Call finish() on it.
  std::optional<MapReader> section(const std::string& key);
  // A sub-map that must be written: reports "missing required key (WHY)" and returns nullopt
  // when it is not.
  std::optional<MapReader> required_section(const std::string& key, const std::string& why = "");

  // Each getter: absent + required ⇒ error "missing required key"; wrong type/unit ⇒ error.
  // Returns true iff a valid value was stored in `out` (out is untouched otherwise).
  bool str(const std::string& key, std::string& out, bool required = false);
  bool integer(const std::string& key, int64_t& out, bool required = false, int64_t min = INT64_MIN,
               int64_t max = INT64_MAX);
  bool number(const std::string& key, double& out, bool required = false, double min = -1e300, double max = 1e300);
  bool boolean(const std::string& key, bool& out, bool required = false);
  bool duration(const std::string& key, Duration& out, bool required = false);
  bool rate(const std::string& key, double& per_hour, bool required = false);
  bool money(const std::string& key, double& per_hour, bool required = false);
  bool fraction(const std::string& key, double& out, bool required = false);
  // One of `choices`; error lists them.
  bool choice(const std::string& key, std::string& out, const std::vector<std::string>& choices, bool required = false);
  // One of the names of `table`, stored as its value.
  template <class E, size_t N>
  bool choice(const std::string& key, E& out, const EnumTable<E, N>& table, bool required = false) {
    std::string name;
    if (!choice(key, name, table.names(), required)) return false;
    out = *table.find(name);
    return true;
  }
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

// Parses a whole document: a syntax error becomes one diagnostic ("YAML syntax: ...") and an
// undefined node; otherwise repeated keys are reported (check_duplicate_keys) and the root
// returned. Check ctx.ok() before reading it.
YAML::Node parse_yaml(ParseContext& ctx, const std::string& text);

}  // namespace spotsim

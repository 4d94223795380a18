#include "common/yaml_reader.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <sstream>

#include "common/text.h"
#include "common/units.h"

namespace spotsim {

namespace {
// Control characters from the file (a key or value with a newline or a tab) are shown escaped,
// so one diagnostic is always one line that starts with FILE:LINE:COL.
std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      static const char* const kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}
}  // namespace

std::string Diagnostic::to_string() const {
  std::ostringstream os;
  os << printable(file);
  if (line > 0) os << ":" << line << ":" << column;
  os << ": error: ";
  if (!path.empty()) os << printable(path) << ": ";
  os << printable(message);
  return os.str();
}

void ParseContext::error_at(const YAML::Mark& mark, const std::string& path, const std::string& message) {
  for (const auto& [p, text] : overrides_) {
    if (path == p || path.rfind(p + ".", 0) == 0 || path.rfind(p + "[", 0) == 0) {
      diagnostics_.push_back(Diagnostic{"--set " + p + "=" + text, 0, 0, path, message});
      return;
    }
  }
  const bool known = mark.line >= 0 && !mark.is_null();
  diagnostics_.push_back(Diagnostic{file_, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, path, message});
}

void ParseContext::error(const YAML::Node& at, const std::string& path, const std::string& message) {
  error_at(at.IsDefined() ? at.Mark() : YAML::Mark::null_mark(), path, message);
}

Status ParseContext::status() const {
  if (diagnostics_.empty()) return Status::ok();
  std::string all;
  for (const auto& d : diagnostics_) {
    if (!all.empty()) all += "\n";
    all += d.to_string();
  }
  return Status::invalid(all);
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_name(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  const size_t limit = word.size() <= 2 ? 0 : std::max<size_t>(1, word.size() / 3);
  return best_d <= limit ? best : "";
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string c = closest_name(word, candidates);
  return c.empty() ? "" : " (did you mean \"" + c + "\"?)";
}

namespace {
const char* kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "nothing (null)";
    default: return "nothing";
  }
}
}  // namespace

MapReader::MapReader(ParseContext& ctx, const YAML::Node& node, std::string path)
    : ctx_(ctx), node_(node), path_(std::move(path)) {
  if (!node_.IsMap()) {
    ctx_.error(node_, path_.empty() ? "(top level)" : path_,
               std::string("expected a map of key: value, found ") + kind_name(node_));
    valid_ = false;
    return;
  }
  // Repeated keys are reported once for the whole document (check_duplicate_keys).
}

void check_duplicate_keys(ParseContext& ctx, const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) {
    std::map<std::string, YAML::Mark> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string k = it->first.IsScalar() ? it->first.Scalar() : std::string();
      const std::string child = path.empty() ? k : path + "." + k;
      const auto [first, inserted] = seen.emplace(k, it->first.Mark());
      if (!inserted) {
        const YAML::Mark& m = first->second;
        ctx.error(it->first, child,
                  "duplicate key \"" + k + "\": already defined at line " + std::to_string(m.line + 1) + ", column " +
                      std::to_string(m.column + 1) + " (each key may appear once in a map: rename or remove one)");
      }
      check_duplicate_keys(ctx, it->second, child);
    }
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) check_duplicate_keys(ctx, node[i], path + "[" + std::to_string(i) + "]");
  }
}

bool MapReader::has(const std::string& key) const { return valid_ && node_[key].IsDefined() && !node_[key].IsNull(); }

YAML::Node MapReader::get(const std::string& key) {
  known_.push_back(key);
  if (!valid_) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node& cn = node_;
  YAML::Node v = cn[key];  // may be a "zombie" node for a missing key: never assign from it
  if (!v.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
  return v;
}

YAML::Node MapReader::value(const std::string& key) {
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
  return n;
}

YAML::Node MapReader::required(const std::string& key, const std::string& why) {
  YAML::Node n = value(key);
  if (!n && valid_)
    ctx_.error(node_, child_path(key), why.empty() ? "missing required key" : "missing required key (" + why + ")");
  return n;
}

std::optional<MapReader> MapReader::section(const std::string& key) {
  const YAML::Node n = value(key);
  if (!n) return std::nullopt;
  return MapReader(ctx_, n, child_path(key));
}

std::optional<MapReader> MapReader::required_section(const std::string& key, const std::string& why) {
  const YAML::Node n = required(key, why);
  if (!n) return std::nullopt;
  return MapReader(ctx_, n, child_path(key));
}

bool MapReader::scalar(const std::string& key, bool required, YAML::Node& out) {
  out = value(key);
  if (!valid_) return false;
  if (!out) {
    if (required) ctx_.error(node_, child_path(key), "missing required key");
    return false;
  }
  if (!out.IsScalar()) {
    ctx_.error(out, child_path(key), std::string("expected a single value, found ") + kind_name(out));
    return false;
  }
  return true;
}

bool MapReader::str(const std::string& key, std::string& out, bool required) {
  YAML::Node n;
  if (!scalar(key, required, n)) return false;
  out = n.Scalar();
  return true;
}

bool MapReader::integer(const std::string& key, int64_t& out, bool required, int64_t min, int64_t max) {
  YAML::Node n;
  if (!scalar(key, required, n)) return false;
  auto v = parse_number(n.Scalar());
  if (!v || std::floor(*v) != *v || std::fabs(*v) > 9.0e15) {
    ctx_.error(n, child_path(key), "expected a whole number, found \"" + n.Scalar() + "\"");
    return false;
  }
  const auto i = static_cast<int64_t>(*v);
  if (i < min || i > max) {
    std::string range = max == INT64_MAX ? "at least " + std::to_string(min)
                                         : "between " + std::to_string(min) + " and " + std::to_string(max);
    ctx_.error(n, child_path(key), "must be " + range + ", found " + n.Scalar());
    return false;
  }
  out = i;
  return true;
}

bool MapReader::number(const std::string& key, double& out, bool required, double min, double max) {
  YAML::Node n;
  if (!scalar(key, required, n)) return false;
  auto v = parse_number(n.Scalar());
  if (!v) {
    ctx_.error(n, child_path(key), v.status().message());
    return false;
  }
  if (*v < min || *v > max) {
    std::ostringstream os;
    os << "must be between " << min << " and " << max << ", found " << n.Scalar();
    ctx_.error(n, child_path(key), os.str());
    return false;
  }
  out = *v;
  return true;
}

bool MapReader::boolean(const std::string& key, bool& out, bool required) {
  YAML::Node n;
  if (!scalar(key, required, n)) return false;
  const std::string& s = n.Scalar();
  if (s == "true" || s == "yes" || s == "on") {
    out = true;
    return true;
  }
  if (s == "false" || s == "no" || s == "off") {
    out = false;
    return true;
  }
  ctx_.error(n, child_path(key), "expected true or false, found \"" + s + "\"");
  return false;
}

#define SPOTSIM_UNIT_GETTER(fn, type, parser)                            \
  bool MapReader::fn(const std::string& key, type& out, bool required) { \
    YAML::Node n;                                                        \
    if (!scalar(key, required, n)) return false;                         \
    auto v = parser(n.Scalar());                                         \
    if (!v) {                                                            \
      ctx_.error(n, child_path(key), v.status().message());              \
      return false;                                                      \
    }                                                                    \
    out = *v;                                                            \
    return true;                                                         \
  }
SPOTSIM_UNIT_GETTER(duration, Duration, parse_duration)
SPOTSIM_UNIT_GETTER(rate, double, parse_rate_per_hour)
SPOTSIM_UNIT_GETTER(money, double, parse_money_per_hour)
SPOTSIM_UNIT_GETTER(fraction, double, parse_fraction)
#undef SPOTSIM_UNIT_GETTER

bool MapReader::choice(const std::string& key, std::string& out, const std::vector<std::string>& choices,
                       bool required) {
  YAML::Node n;
  if (!scalar(key, required, n)) return false;
  const std::string& s = n.Scalar();
  if (std::find(choices.begin(), choices.end(), s) != choices.end()) {
    out = s;
    return true;
  }
  ctx_.error(n, child_path(key), "\"" + s + "\" is not one of: " + join_names(choices) + did_you_mean(s, choices));
  return false;
}

bool MapReader::string_list(const std::string& key, std::vector<std::string>& out, bool required) {
  YAML::Node n = value(key);
  if (!valid_) return false;
  if (!n) {
    if (required) ctx_.error(node_, child_path(key), "missing required key");
    return false;
  }
  out.clear();
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return true;
  }
  if (!n.IsSequence()) {
    ctx_.error(n, child_path(key), std::string("expected a list, found ") + kind_name(n));
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      ctx_.error(n[i], child_path(key) + "[" + std::to_string(i) + "]",
                 std::string("expected a name, found ") + kind_name(n[i]));
      ok = false;
      continue;
    }
    out.push_back(n[i].Scalar());
  }
  return ok;
}

void MapReader::finish() {
  if (!valid_) return;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar()) {  // `{[a]: b}`: no name to suggest from
      ctx_.error(it->first, path_, std::string("expected a key name, found ") + kind_name(it->first));
      continue;
    }
    const std::string k = it->first.Scalar();
    if (std::find(known_.begin(), known_.end(), k) != known_.end()) continue;
    std::vector<std::string> sorted = known_;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    ctx_.error(it->first, child_path(k),
               "unknown key" + did_you_mean(k, known_) + "; valid keys here: " + join_names(sorted));
  }
}

std::optional<Duration> read_duration(ParseContext& ctx, const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) {
    ctx.error(n, path, std::string("expected a duration like 90s, found ") + kind_name(n));
    return std::nullopt;
  }
  auto v = parse_duration(n.Scalar());
  if (!v) {
    ctx.error(n, path, v.status().message());
    return std::nullopt;
  }
  return *v;
}

YAML::Node parse_yaml(ParseContext& ctx, const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    ctx.error_at(e.mark, "", "YAML syntax: " + e.msg);
    return YAML::Node(YAML::NodeType::Undefined);
  } catch (const YAML::Exception& e) {
    ctx.error_at(e.mark, "", "YAML: " + e.msg);
    return YAML::Node(YAML::NodeType::Undefined);
  }
  check_duplicate_keys(ctx, root, "");
  return root;
}

}  // namespace spotsim

#include "sim/scenario/trace_file.h"

#include <filesystem>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/units.h"
#include "common/yaml_reader.h"

namespace spotsim {

int TraceTable::column(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string resolve_scenario_path(const std::string& scenario_file, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_absolute()) return p;
  const std::filesystem::path base = std::filesystem::path(scenario_file).parent_path();
  return (base / path).string();
}

namespace {

// The form published spot-availability trace sets use: {"metadata": {"gap_seconds": 600, ...},
// "data": [0, 1, ...]} → columns "seconds" (row × gap_seconds) and "data".
bool read_availability_json(const std::string& path, const YAML::Node& root, TraceTable& out, std::string& error) {
  const YAML::Node meta = root["metadata"];
  const YAML::Node data = root["data"];
  const YAML::Node gap = meta.IsMap() ? meta["gap_seconds"] : YAML::Node();
  auto g = gap.IsScalar() ? parse_number(gap.Scalar()) : Result<double>(Status::invalid(""));
  if (!g || !(*g > 0)) {
    error = path + ": metadata.gap_seconds must be a number of seconds above 0 (the time each entry of data covers)";
    return false;
  }
  if (!data.IsSequence() || data.size() == 0) {
    error = path + ": data must be a non-empty list of numbers (e.g. 0/1 availability per gap_seconds)";
    return false;
  }
  out.columns = {"seconds", "data"};
  for (size_t i = 0; i < data.size(); ++i) {
    auto v = data[i].IsScalar() ? parse_number(data[i].Scalar()) : Result<double>(Status::invalid(""));
    if (!v) {
      error = path + ": data[" + std::to_string(i) + "] must be a number";
      return false;
    }
    out.rows.push_back({*g * static_cast<double>(i), *v});
  }
  return true;
}

bool read_json(const std::string& text, const std::string& path, TraceTable& out, std::string& error) {
  YAML::Node root;
  try {
    root = YAML::Load(text);  // JSON is read by the YAML parser (a YAML 1.2 subset)
  } catch (const YAML::Exception& e) {
    error = path + ": not valid JSON: " + e.msg;
    return false;
  }
  if (root.IsMap() && root["data"] && root["metadata"]) return read_availability_json(path, root, out, error);
  if (!root.IsSequence() || root.size() == 0 || !root[0].IsMap()) {
    error = path +
            ": expected a JSON list of records like [{\"seconds\": 0, \"spot_available\": 1}, ...] or an "
            "availability trace {\"metadata\": {\"gap_seconds\": 600}, \"data\": [0, 1, ...]}";
    return false;
  }
  for (auto it = root[0].begin(); it != root[0].end(); ++it) out.columns.push_back(it->first.as<std::string>(""));
  for (size_t i = 0; i < root.size(); ++i) {
    const YAML::Node rec = root[i];
    std::vector<double> row;
    for (const std::string& c : out.columns) {
      const YAML::Node v = rec.IsMap() ? rec[c] : YAML::Node();
      auto num = v.IsScalar() ? parse_number(v.Scalar()) : Result<double>(Status::invalid(""));
      if (!num) {
        error = path + ": record " + std::to_string(i + 1) + ": field \"" + c + "\" must be a number";
        return false;
      }
      row.push_back(*num);
    }
    out.rows.push_back(std::move(row));
  }
  return true;
}

bool read_csv(const std::string& text, const std::string& path, TraceTable& out, std::string& error) {
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<double> row;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    bool numeric = true;
    while (std::getline(ss, cell, ',')) {
      cells.push_back(cell);
      auto v = parse_number(cell);
      if (!v) numeric = false;
      else row.push_back(*v);
    }
    if (!numeric) {
      if (out.rows.empty() && out.columns.empty()) {  // header
        for (auto& c : cells) {
          while (!c.empty() && c.front() == ' ') c.erase(c.begin());
          while (!c.empty() && c.back() == ' ') c.pop_back();
        }
        out.columns = std::move(cells);
        continue;
      }
      error = path + ":" + std::to_string(lineno) + ": expected comma-separated numbers, found \"" + line + "\"";
      return false;
    }
    out.rows.push_back(std::move(row));
  }
  return true;
}

}  // namespace

bool read_trace_table(const ParseContext& ctx, const std::string& path, TraceTable& out, std::string& error) {
  out = TraceTable{};
  const std::optional<std::string> text = ctx.read_file(path);
  if (!text) {
    error = "cannot open trace file \"" + path + "\" (paths are relative to the scenario file)";
    return false;
  }
  return parse_trace_table(*text, path, out, error);
}

bool parse_trace_table(const std::string& text, const std::string& path, TraceTable& out, std::string& error) {
  out = TraceTable{};
  const std::string ext = std::filesystem::path(path).extension().string();
  if (!(ext == ".json" ? read_json(text, path, out, error) : read_csv(text, path, out, error))) return false;
  if (out.rows.empty()) {
    error = "trace file \"" + path + "\" has no data rows";
    return false;
  }
  return true;
}

}  // namespace spotsim

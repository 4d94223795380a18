// Inventory of running VMs (CSV): the exposure a hazard is estimated over.
#include <algorithm>
#include <cctype>

#include "sim/calibrate/sources.h"

namespace spotsim::calibrate {

namespace {

std::string norm(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '-' || c == ' ') c = '_';
  }
  return s;
}

struct Column {
  const char* name;
  std::vector<const char*> aliases;
};

const std::vector<Column>& columns() {
  static const std::vector<Column> kCols = {
      {"instance_id", {"instance_id", "instanceid", "id", "instance", "vm", "vm_name", "vm_id", "resource_id", "name"}},
      {"instance_type", {"instance_type", "instancetype", "type", "vm_size", "size", "sku", "machine_type"}},
      {"zone", {"zone", "availability_zone", "availabilityzone", "az", "location"}},
      {"start", {"start", "start_time", "launch_time", "launched", "started", "from"}},
      {"end", {"end", "end_time", "termination_time", "terminated", "stopped", "ended", "to"}},
  };
  return kCols;
}

}  // namespace

Result<Inventory> read_inventory(const std::string& path, const ProgressFn& progress) {
  auto text = read_file_text(path);
  if (!text) return text.status();
  Inventory inv;
  inv.file = path;
  int idx[5] = {-1, -1, -1, -1, -1};
  size_t ncells = 0;
  bool header = false;
  size_t pos = 0;
  int64_t lineno = 0;
  const int64_t total = static_cast<int64_t>(text->size());
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string_view line(text->data() + pos, end - pos);
    pos = end + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') continue;
    std::string err;
    auto cells = split_csv_line(line, &err);
    const std::string at = path + ":" + std::to_string(lineno) + ": ";
    if (!cells) return Status::invalid(at + err);
    if (!header) {
      header = true;
      ncells = cells->size();
      for (size_t c = 0; c < cells->size(); ++c) {
        const std::string h = norm((*cells)[c]);
        for (size_t k = 0; k < 5; ++k) {
          for (const char* a : columns()[k].aliases) {
            if (h == a && idx[k] < 0) idx[k] = static_cast<int>(c);
          }
        }
      }
      for (size_t k = 0; k < 5; ++k) {
        if (idx[k] < 0) {
          return Status::invalid(at + "the header has no " + columns()[k].name +
                                 " column; expected a header line such as instance_id,instance_type,zone,start,end");
        }
      }
      continue;
    }
    if (cells->size() != ncells) {
      return Status::invalid(at + "expected " + std::to_string(ncells) + " cells as in the header, found " +
                             std::to_string(cells->size()));
    }
    auto cell = [&](int k) -> const std::string& { return (*cells)[static_cast<size_t>(idx[k])]; };
    InventoryRow row;
    row.line = lineno;
    row.instance = cell(0);
    row.instance_type = cell(1);
    row.zone = cell(2);
    for (int k = 0; k < 3; ++k) {
      if (cell(k).empty()) {
        return Status::invalid(at + "column " + columns()[static_cast<size_t>(k)].name + " is empty" +
                               (k == 2 ? " (the pool is instance type × zone; write the zone, or the region for a "
                                         "provider without zones)"
                                       : ""));
      }
    }
    bool no_zone = false;
    auto start = parse_timestamp_us(cell(3), &no_zone);
    if (!start) {
      return Status::invalid(at + "column start: expected a timestamp like 2026-01-05T10:00:00Z, found \"" + cell(3) +
                             "\"");
    }
    row.start_us = *start;
    if (!cell(4).empty()) {
      auto e = parse_timestamp_us(cell(4), &no_zone);
      if (!e) {
        return Status::invalid(
            at + "column end: expected a timestamp like 2026-01-05T10:00:00Z (or empty: still running), found \"" +
            cell(4) + "\"");
      }
      if (*e < row.start_us) return Status::invalid(at + "end " + cell(4) + " is before start " + cell(3));
      row.end_us = *e;
    }
    if (no_zone) ++inv.no_zone_timestamps;
    inv.rows.push_back(std::move(row));
    if (progress && (lineno & 0x3fff) == 0) progress(static_cast<int64_t>(pos), total);
  }
  if (!header)
    return Status::invalid(
        path + ": empty; expected a header line instance_id,instance_type,zone,start,end and one row per VM");
  if (inv.rows.empty()) return Status::invalid(path + ": no rows after the header");
  return inv;
}

}  // namespace spotsim::calibrate

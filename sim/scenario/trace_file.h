#pragma once
// Reading numeric trace tables for scenario files (workload arrival/rate/availability traces,
// pool capacity and spot price traces). One reader for every trace in the project.
//
// Formats, chosen by the file's extension:
//  - .json: a list of records with the same numeric fields, e.g.
//      [{"seconds": 0, "spot_available": 1}, {"seconds": 600, "spot_available": 0}]
//    (columns are the field names of the first record, in the order written); or the form
//    published spot-availability trace sets use, {"metadata": {"gap_seconds": 600, ...},
//    "data": [0, 1, ...]}, read as the columns "seconds" (row × gap_seconds) and "data".
//  - anything else: CSV, comma-separated numbers; an optional first line of column names; blank
//    lines and lines starting with '#' are skipped.
#include <string>
#include <vector>

namespace spotsim {

class ParseContext;

struct TraceTable {
  std::vector<std::string> columns;       // empty for a CSV without a header line
  std::vector<std::vector<double>> rows;  // numbers, one vector per row
  // Index of column `name`, or -1.
  int column(const std::string& name) const;
};

// Reads trace file `path` (resolved) through ctx.read_file (the compiler opens no file itself;
// the loader gives the context its file source). On failure returns false with a message for a
// person in `error` (naming the file and, for CSV, the line).
bool read_trace_table(const ParseContext& ctx, const std::string& path, TraceTable& out, std::string& error);
// Parses the text of trace file `path` (its name picks the format and is named in errors).
bool parse_trace_table(const std::string& text, const std::string& path, TraceTable& out, std::string& error);

// `p` resolved against the folder of `scenario_file` (unless absolute).
std::string resolve_scenario_path(const std::string& scenario_file, const std::string& p);

}  // namespace spotsim

#pragma once
// Reading the files `spotsim calibrate` imports: whole JSON documents, JSON Lines (one record a
// line, as EventBridge archives, CloudWatch Logs exports and Cloud Logging sinks write them),
// CSV rows, and the timestamps all of them carry. Every error names the file, the line (or the
// JSON path) and what was expected; nothing here prints or exits.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace spotsim::calibrate {

using Json = nlohmann::json;

// The whole file (binary-safe). Error: "cannot read FILE: reason".
Result<std::string> read_file_text(const std::string& path);

// One JSON document. A syntax error names FILE:LINE:COL.
Result<Json> parse_json_text(const std::string& path, const std::string& text);
// read_file_text + parse_json_text.
Result<Json> read_json_file(const std::string& path);

// Where a record came from, for messages: "FILE:LINE" or "FILE: $[3]".
struct Where {
  std::string_view file;  // the caller's path (outlives the Where)
  int64_t line = 0;       // 1-based line of a JSON Lines / CSV record; 0 = a whole-document file
  std::string path;       // JSON path of the record inside the document ("$.SpotPriceHistory[4]")
  std::string text() const;
  // The message "WHERE: JSON-PATH: what" (path joined to the record's own path).
  Status error(const std::string& sub_path, const std::string& what) const;
};

// Calls `fn` for each record of a file that is either JSON Lines (one object per line; blank lines
// skipped; a CloudWatch Logs export's leading timestamp before the '{' is skipped) or one JSON
// array of records (as `gcloud logging read --format=json` prints). Stops at the first error
// (from parsing or from `fn`). `progress(bytes_done, bytes_total)` is called now and then.
Status for_each_json_record(const std::string& path, const std::string& text,
                            const std::function<Status(const Where&, const Json&)>& fn,
                            const std::function<void(int64_t, int64_t)>& progress = {});

// The same on `chunks` threads for JSON Lines (a JSON list is read on one thread, as chunk 0): the
// text is cut at line ends into `chunks` parts, part k is parsed on its own thread and `fn(where,
// record, k)` is called there, so `fn` must touch only part k's state. Records of a part come in
// file order; the error returned is the first in file order (lines after an error in its part are
// not read). `progress` is called from part 0's thread only. `chunks` ≥ 1.
Status for_each_json_record_parallel(const std::string& path, const std::string& text, size_t chunks,
                                     const std::function<Status(const Where&, const Json&, size_t)>& fn,
                                     const std::function<void(int64_t, int64_t)>& progress = {});
// Threads worth using for `bytes` of input on this machine (1 for small inputs, at most 8).
size_t worker_count(size_t bytes);

// What a JSON value is, for messages ("a string", "a number", "null", ...).
std::string json_kind(const Json& v);

// Typed field access: the member `key` of `obj` as a string / number; errors say what was expected.
// `path` is the JSON path of `obj` inside the record ("" for the record itself).
Result<std::string> get_string(const Where& w, const Json& obj, const std::string& path, const char* key);
std::optional<std::string> opt_string(const Json& obj, const char* key);
// The member `key` of `obj` if it is a string, else nullptr (no copy: for the hot paths).
const std::string* string_field(const Json& obj, const char* key);

// Timestamps as providers write them, in µs since 1970-01-01 UTC:
//   ISO 8601 / RFC 3339: 2026-01-05T10:00:00Z, 2026-01-05T10:00:00.123456+02:00, 2026-01-05 10:00:00Z,
//                        2026-01-05T10:00:00+0000; without a zone it is read as UTC (`*no_zone` set)
//   RFC 1123 (Azure Scheduled Events' NotBefore): Mon, 19 Sep 2016 18:29:47 GMT
//   a plain number: seconds since 1970 (fractions allowed)
std::optional<int64_t> parse_timestamp_us(std::string_view text, bool* no_zone = nullptr);
// 2026-01-05T10:00:00Z (whole seconds; UTC).
std::string format_timestamp(int64_t us);
Result<int64_t> get_timestamp(const Where& w, const Json& obj, const std::string& path, const char* key);

// One CSV line split into cells (RFC 4180 quotes: "a,b" and "" inside quotes). Error text if a quote
// is left open.
std::optional<std::vector<std::string>> split_csv_line(std::string_view line, std::string* error);

// A number for messages and YAML (up to 6 significant digits, no exponent for usual sizes).
std::string fmt(double v, int digits = 6);

}  // namespace spotsim::calibrate

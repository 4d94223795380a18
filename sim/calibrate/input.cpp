#include "sim/calibrate/input.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

namespace spotsim::calibrate {

Result<std::string> read_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Status::invalid("cannot read " + path + ": no such file or not readable");
  const std::streamoff size = in.tellg();
  if (size < 0) return Status::invalid("cannot read " + path + ": not a regular file");
  std::string text(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (size > 0 && !in.read(text.data(), size)) return Status::io("cannot read " + path + ": read error");
  return text;
}

namespace {

// 1-based line and column of byte `offset` in `text`.
std::pair<int64_t, int64_t> line_col(std::string_view text, size_t offset) {
  int64_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1, column 5: " prefix.
std::string short_parse_message(const std::string& what) {
  const size_t p = what.find(": ");
  std::string m = p == std::string::npos ? what : what.substr(p + 2);
  const size_t q = m.find("syntax error while parsing value - ");
  if (q != std::string::npos) m = m.substr(q + 35);
  return m;
}

}  // namespace

Result<Json> parse_json_text(const std::string& path, const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    const auto [line, col] = line_col(text, e.byte == 0 ? 0 : e.byte - 1);
    return Status::invalid(path + ":" + std::to_string(line) + ":" + std::to_string(col) +
                           ": not valid JSON: " + short_parse_message(e.what()));
  } catch (const Json::exception& e) {  // e.g. out_of_range: a number too large for a double
    return Status::invalid(path + ": not valid JSON: " + short_parse_message(e.what()));
  }
}

Result<Json> read_json_file(const std::string& path) {
  auto text = read_file_text(path);
  if (!text) return text.status();
  return parse_json_text(path, *text);
}

std::string Where::text() const {
  std::string s(file);
  if (line > 0) s += ":" + std::to_string(line);
  return s;
}

Status Where::error(const std::string& sub_path, const std::string& what) const {
  std::string p = path.empty() ? "$" : path;
  if (!sub_path.empty()) p += (sub_path.front() == '[' ? "" : ".") + sub_path;
  return Status::invalid(text() + ": " + p + ": " + what);
}

std::string json_kind(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "a list";
    case Json::value_t::string: return "the string \"" + v.get<std::string>().substr(0, 40) + "\"";
    case Json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "the number " + v.dump();
    default: return "something else";
  }
}

namespace {

// Parses the JSON Lines record in text[begin, end) (line `lineno`): false in *blank for an empty
// line, else the record in `rec`. A CloudWatch Logs export's leading timestamp is skipped.
Status parse_json_line(const std::string& path, const std::string& text, size_t begin, size_t end, int64_t lineno,
                       Json& rec, bool* blank) {
  std::string_view line(text.data() + begin, end - begin);
  *blank = false;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  const size_t b = line.find_first_not_of(" \t");
  if (b == std::string_view::npos) {
    *blank = true;
    return Status::ok();
  }
  line.remove_prefix(b);
  if (line.front() != '{') {
    // A CloudWatch Logs export writes "TIMESTAMP {json}": skip one leading timestamp word.
    const size_t sp = line.find(' ');
    const size_t brace = line.find('{');
    if (sp != std::string_view::npos && brace != std::string_view::npos && sp < brace &&
        parse_timestamp_us(line.substr(0, sp))) {
      line.remove_prefix(brace);
    } else {
      return Status::invalid(path + ":" + std::to_string(lineno) +
                             ": expected one JSON object per line (JSON Lines), found \"" +
                             std::string(line.substr(0, 40)) + "\"");
    }
  }
  try {
    rec = Json::parse(line.begin(), line.end());
  } catch (const Json::parse_error& e) {
    const size_t col = (e.byte == 0 ? 0 : e.byte - 1) + static_cast<size_t>(line.data() - (text.data() + begin)) + 1;
    return Status::invalid(path + ":" + std::to_string(lineno) + ":" + std::to_string(col) +
                           ": not valid JSON: " + short_parse_message(e.what()));
  } catch (const Json::exception& e) {  // e.g. out_of_range: a number too large for a double
    return Status::invalid(path + ":" + std::to_string(lineno) + ": not valid JSON: " + short_parse_message(e.what()));
  }
  return Status::ok();
}

bool is_json_list(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string::npos && text[first] == '[';
}

Status for_each_in_list(const std::string& path, const std::string& text,
                        const std::function<Status(const Where&, const Json&)>& fn,
                        const std::function<void(int64_t, int64_t)>& progress) {
  auto doc = parse_json_text(path, text);
  if (!doc) return doc.status();
  for (size_t i = 0; i < doc->size(); ++i) {
    Where w{path, 0, "$[" + std::to_string(i) + "]"};
    if (Status st = fn(w, (*doc)[i]); !st) return st;
    if (progress && (i & 0xffff) == 0) progress(static_cast<int64_t>(i), static_cast<int64_t>(doc->size()));
  }
  return Status::ok();
}

}  // namespace

Status for_each_json_record(const std::string& path, const std::string& text,
                            const std::function<Status(const Where&, const Json&)>& fn,
                            const std::function<void(int64_t, int64_t)>& progress) {
  return for_each_json_record_parallel(
      path, text, 1, [&](const Where& w, const Json& r, size_t) { return fn(w, r); }, progress);
}

size_t worker_count(size_t bytes) {
  if (bytes < (4u << 20)) return 1;
  const size_t hw = std::thread::hardware_concurrency();
  return std::clamp<size_t>(hw == 0 ? 1 : hw, 1, 8);
}

Status for_each_json_record_parallel(const std::string& path, const std::string& text, size_t chunks,
                                     const std::function<Status(const Where&, const Json&, size_t)>& fn,
                                     const std::function<void(int64_t, int64_t)>& progress) {
  if (is_json_list(text)) {
    return for_each_in_list(
        path, text, [&](const Where& w, const Json& r) { return fn(w, r, 0); }, progress);
  }
  chunks = std::max<size_t>(1, chunks);
  // Part boundaries just after a line end.
  std::vector<size_t> bounds(chunks + 1, text.size());
  bounds[0] = 0;
  for (size_t k = 1; k < chunks; ++k) {
    size_t at = std::max(bounds[k - 1], text.size() / chunks * k);
    const size_t nl = text.find('\n', at);
    bounds[k] = nl == std::string::npos ? text.size() : nl + 1;
  }
  // The first line number of every part.
  std::vector<int64_t> first_line(chunks + 1, 1);
  for (size_t k = 0; k < chunks; ++k) {
    first_line[k + 1] = first_line[k] + std::count(text.begin() + static_cast<std::ptrdiff_t>(bounds[k]),
                                                   text.begin() + static_cast<std::ptrdiff_t>(bounds[k + 1]), '\n');
  }
  const int64_t total = static_cast<int64_t>(text.size());
  std::vector<Status> errors(chunks);
  auto work = [&](size_t k) {
    Json rec;
    int64_t lineno = first_line[k];
    size_t pos = bounds[k];
    const size_t stop = bounds[k + 1];
    while (pos < stop) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos || end > stop) end = stop;
      bool blank = false;
      if (Status st = parse_json_line(path, text, pos, end, lineno, rec, &blank); !st) {
        errors[k] = st;
        return;
      }
      if (!blank) {
        Where w{path, lineno, ""};
        if (Status st = fn(w, rec, k); !st) {
          errors[k] = st;
          return;
        }
      }
      pos = end + 1;
      if (progress && k == 0 && (lineno & 0x3fff) == 0) {
        progress(static_cast<int64_t>(pos) * static_cast<int64_t>(chunks), total);  // part 0 stands for all
      }
      ++lineno;
    }
  };
  if (chunks == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (size_t k = 0; k < chunks; ++k) pool.emplace_back(work, k);
    for (auto& t : pool) t.join();
  }
  for (const auto& st : errors) {
    if (!st) return st;
  }
  return Status::ok();
}

Result<std::string> get_string(const Where& w, const Json& obj, const std::string& path, const char* key) {
  const std::string sub = path.empty() ? std::string(key) : path + "." + key;
  if (!obj.is_object()) return w.error(path, "expected an object, found " + json_kind(obj));
  auto it = obj.find(key);
  if (it == obj.end()) return w.error(sub, "missing (expected a string)");
  if (!it->is_string()) return w.error(sub, "expected a string, found " + json_kind(*it));
  return it->get<std::string>();
}

const std::string* string_field(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

std::optional<std::string> opt_string(const Json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool valid_date(int y, int mo, int d, int h, int mi, int se) {
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= kDays[mo - 1] && h <= 23 && mi <= 59 &&
         se <= 60;
}

int64_t to_us(int y, int mo, int d, int h, int mi, int se) {
  const int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60'000'000LL + static_cast<int64_t>(se) * 1'000'000LL;
}

std::optional<int64_t> parse_rfc1123(std::string_view s) {
  // "Mon, 19 Sep 2016 18:29:47 GMT"
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const size_t comma = s.find(", ");
  if (comma == std::string_view::npos || comma != 3) return std::nullopt;
  std::string_view r = s.substr(5);
  int d = 0, y = 0, h = 0, mi = 0, se = 0;
  size_t p = 0;
  if (digits(r, 0, 2, d)) p = 2;
  else if (digits(r, 0, 1, d)) p = 1;
  else return std::nullopt;
  if (p >= r.size() || r[p] != ' ' || p + 4 > r.size()) return std::nullopt;
  int mo = 0;
  for (int i = 0; i < 12; ++i) {
    if (r.substr(p + 1, 3) == kMonths[i]) mo = i + 1;
  }
  if (mo == 0) return std::nullopt;
  p += 4;
  if (p >= r.size() || r[p] != ' ' || !digits(r, p + 1, 4, y)) return std::nullopt;
  p += 5;
  if (p >= r.size() || r[p] != ' ' || !digits(r, p + 1, 2, h) || r.size() < p + 9 || r[p + 3] != ':' ||
      !digits(r, p + 4, 2, mi) || r[p + 6] != ':' || !digits(r, p + 7, 2, se)) {
    return std::nullopt;
  }
  p += 9;
  std::string_view zone = r.substr(p);
  if (zone != " GMT" && zone != " UTC" && zone != " +0000") return std::nullopt;
  if (!valid_date(y, mo, d, h, mi, se)) return std::nullopt;
  return to_us(y, mo, d, h, mi, se);
}

}  // namespace

std::optional<int64_t> parse_timestamp_us(std::string_view s, bool* no_zone) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  if (s.size() > 5 && s[3] == ',') return parse_rfc1123(s);
  if (s.size() < 10 || s[4] != '-') {
    // seconds since the epoch
    double v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || !(v >= 0 && v < 253402300800.0)) return std::nullopt;
    return static_cast<int64_t>(std::llround(v * 1e6));
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s.size() < 10 || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (s.size() < 19 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  if (!valid_date(y, mo, d, h, mi, se)) return std::nullopt;
  int64_t us = to_us(y, mo, d, h, mi, se);
  size_t p = 19;
  if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
    ++p;
    int64_t frac = 0, scale = 1'000'000;
    size_t n = 0;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      if (n < 6) {
        scale /= 10;
        frac += (s[p] - '0') * scale;
      }
      ++n;
      ++p;
    }
    if (n == 0) return std::nullopt;
    us += frac;
  }
  std::string_view zone = s.substr(p);
  if (zone.empty()) {
    if (no_zone) *no_zone = true;
    return us;
  }
  if (zone == "Z" || zone == "z" || zone == " UTC" || zone == "UTC") return us;
  if (zone.front() != '+' && zone.front() != '-') return std::nullopt;
  int zh = 0, zm = 0;
  if (zone.size() == 6 && digits(zone, 1, 2, zh) && zone[3] == ':' && digits(zone, 4, 2, zm)) {
  } else if (zone.size() == 5 && digits(zone, 1, 2, zh) && digits(zone, 3, 2, zm)) {
  } else if (zone.size() == 3 && digits(zone, 1, 2, zh)) {
  } else {
    return std::nullopt;
  }
  if (zh > 23 || zm > 59) return std::nullopt;
  const int64_t off = (static_cast<int64_t>(zh) * 60 + zm) * 60'000'000LL;
  return zone.front() == '+' ? us - off : us + off;  // local = UTC + offset
}

std::string format_timestamp(int64_t us) {
  int64_t secs = us >= 0 ? us / 1'000'000 : -((-us + 999'999) / 1'000'000);
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[96];  // room for any int64 year (GCC's -Wformat-truncation counts it)
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

Result<int64_t> get_timestamp(const Where& w, const Json& obj, const std::string& path, const char* key) {
  auto s = get_string(w, obj, path, key);
  if (!s) return s.status();
  auto t = parse_timestamp_us(*s);
  if (!t) {
    return w.error(path.empty() ? std::string(key) : path + "." + key,
                   "expected a timestamp like 2026-01-05T10:00:00Z, found \"" + s->substr(0, 40) + "\"");
  }
  return *t;
}

std::optional<std::vector<std::string>> split_csv_line(std::string_view line, std::string* error) {
  std::vector<std::string> cells;
  std::string cur;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"' && cur.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      cells.push_back(std::move(cur));
      cur.clear();
      was_quoted = false;
    } else {
      cur += c;
    }
  }
  if (quoted) {
    if (error) *error = "a quoted cell is not closed (\")";
    return std::nullopt;
  }
  cells.push_back(std::move(cur));
  for (auto& c : cells) {
    while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) c.pop_back();
    size_t b = 0;
    while (b < c.size() && (c[b] == ' ' || c[b] == '\t')) ++b;
    c.erase(0, b);
  }
  return cells;
}

std::string fmt(double v, int digits_) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits_, v);
  return buf;
}

}  // namespace spotsim::calibrate

#include "chaos-agent/core/audit.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "chaos-agent/core/time_format.h"

namespace agent {
using spotsim::Result;
using spotsim::Status;

AuditLog::AuditLog(const Clock& clock) : clock_(clock) { line_.reserve(512); }

AuditLog::~AuditLog() { close(); }

Status AuditLog::open(const std::string& path, AuditWriterOptions options) {
  auto w = AuditWriter::open(path, options);
  if (!w) return w.status();
  writer_ = std::move(w.value());
  path_ = path;
  return Status::ok();
}

void AuditLog::close() {
  if (writer_) writer_->close();
}

Status AuditLog::flush() { return writer_ ? writer_->flush() : Status::ok(); }

void AuditLog::write(nlohmann::json event) {
  WallTime now = clock_.now();
  int64_t ts_us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = format_iso8601_micros(now);
  line["ts_us"] = ts_us;
  for (auto& [k, v] : event.items()) line[k] = v;
  report_.add(line);
  if (!writer_) return;
  // Human order on disk: ts, ts_us, event, then the rest (alphabetical: json objects are maps).
  nlohmann::ordered_json ordered;
  ordered["ts"] = line["ts"];
  ordered["ts_us"] = line["ts_us"];
  if (line.contains("event")) ordered["event"] = line["event"];
  for (auto& [k, v] : line.items())
    if (k != "ts" && k != "ts_us" && k != "event") ordered[k] = v;
  std::string s = ordered.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  s += '\n';
  writer_->append(s);
  (void)writer_->flush();  // errors are kept by the writer (error()) and printed once
}

void AuditLog::append_timestamp(std::string& out, WallTime now) {
  int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  int64_t sec = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  int64_t frac = us - sec * 1000000;
  if (sec != cached_second_) {
    cached_second_ = sec;
    cached_prefix_ = format_iso8601(WallTime(std::chrono::seconds(sec)));
    cached_prefix_.pop_back();  // the 'Z'
  }
  out += "\"ts\":\"";
  out += cached_prefix_;
  char digits[8] = {'.', '0', '0', '0', '0', '0', '0', 'Z'};
  for (int i = 6; i >= 1; --i, frac /= 10) digits[i] = static_cast<char>('0' + frac % 10);
  out.append(digits, sizeof digits);
  out += "\",\"ts_us\":";
  out += std::to_string(us);
}

void AuditLog::write_read(const ReadRecord& r) {
  WallTime now = clock_.now();
  int64_t ts_us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  report_.add_read(ts_us, r.notice_visible ? r.injection : std::string_view(), r.notice_visible, r.provider, r.peer,
                   r.path);
  if (!writer_) return;
  std::string& s = line_;
  s.clear();
  s += '{';
  append_timestamp(s, now);
  s += ",\"event\":\"read\"";
  if (r.notice_visible) {
    s += ",\"injection\":";
    append_json_string(s, r.injection);
  }
  s += ",\"method\":";
  append_json_string(s, r.method);
  s += r.notice_visible ? ",\"notice_visible\":true" : ",\"notice_visible\":false";
  s += ",\"path\":";
  append_json_string(s, r.path);
  s += ",\"peer\":";
  append_json_string(s, r.peer);
  s += ",\"provider\":";
  append_json_string(s, r.provider);
  s += ",\"status\":";
  s += std::to_string(r.status);
  s += "}\n";
  writer_->append(s);
}

void append_json_string(std::string& out, std::string_view s) {
  bool plain = true;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out.append(s);
    out += '"';
    return;
  }
  out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<nlohmann::json>> read_audit_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::io(path + ": cannot open audit log: " + std::strerror(errno));
  std::vector<nlohmann::json> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Status::invalid(path + ":" + std::to_string(n) +
                             ": error: not a JSON object (is this a chaos-agent audit log?)");
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace agent

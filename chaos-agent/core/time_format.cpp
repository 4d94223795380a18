#include "chaos-agent/core/time_format.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace agent {
namespace {

std::tm utc(WallTime t, long* micros) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  long long secs = us / 1000000;
  long long rem = us % 1000000;
  if (rem < 0) {
    rem += 1000000;
    secs -= 1;
  }
  if (micros) *micros = static_cast<long>(rem);
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string format_iso8601(WallTime t) {
  std::tm tm = utc(t, nullptr);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string format_iso8601_micros(WallTime t) {
  long us = 0;
  std::tm tm = utc(t, &us);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, us);
  return buf;
}

std::string format_rfc1123(WallTime t) {
  std::tm tm = utc(t, nullptr);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string format_aws_event_time(WallTime t) {
  std::tm tm = utc(t, nullptr);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%d %s %04d %02d:%02d:%02d GMT", tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<WallTime> parse_iso8601(std::string_view s) {
  int y, mo, d, h, mi, sec, n = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return std::nullopt;
  long micros = 0;
  size_t i = static_cast<size_t>(n);
  if (i < str.size() && str[i] == '.') {
    ++i;
    long scale = 100000;
    while (i < str.size() && std::isdigit(static_cast<unsigned char>(str[i]))) {
      micros += (str[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
  }
  if (i + 1 != str.size() || str[i] != 'Z') return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  std::time_t tt = timegm(&tm);
  return WallTime(std::chrono::seconds(tt)) + std::chrono::microseconds(micros);
}

std::optional<Millis> parse_duration(std::string_view s) {
  auto d = spotsim::parse_duration(s);
  if (!d) return std::nullopt;
  return to_millis(*d);
}

std::string bad_duration_message(std::string_view s) {
  auto d = spotsim::parse_duration(s);
  return d ? std::string() : d.status().message();
}

Millis to_millis(spotsim::Duration d) { return Millis((d.us + (d.us >= 0 ? 500 : -500)) / 1000); }

std::string format_duration(Millis d) {
  long long ms = d.count();
  if (ms == 0) return "0s";
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  long long s = ms / 1000;
  std::string out;
  if (s >= 3600) {
    out += std::to_string(s / 3600) + "h";
    s %= 3600;
  }
  if (s >= 60) {
    out += std::to_string(s / 60) + "m";
    s %= 60;
  }
  if (s > 0) out += std::to_string(s) + "s";
  return out;
}

double to_seconds(Millis d) { return static_cast<double>(d.count()) / 1000.0; }

}  // namespace agent

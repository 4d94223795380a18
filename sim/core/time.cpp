#include "sim/core/time.h"

#include <cstdio>

namespace spotsim {

std::string format_duration(Duration d) {
  int64_t us = d.us;
  std::string sign;
  if (us < 0) { sign = "-"; us = -us; }
  if (us == 0) return "0s";
  if (us % 1'000'000 != 0) {
    char buf[64];
    if (us < 1'000'000) {
      std::snprintf(buf, sizeof buf, "%s%gms", sign.c_str(), static_cast<double>(us) / 1000.0);
    } else {
      std::snprintf(buf, sizeof buf, "%s%gs", sign.c_str(), static_cast<double>(us) / 1e6);
    }
    return buf;
  }
  int64_t s = us / 1'000'000;
  const int64_t days = s / 86400; s %= 86400;
  const int64_t hours = s / 3600; s %= 3600;
  const int64_t mins = s / 60; s %= 60;
  std::string out = sign;
  if (days) out += std::to_string(days) + "d";
  if (hours) out += std::to_string(hours) + "h";
  if (mins) out += std::to_string(mins) + "m";
  if (s) out += std::to_string(s) + "s";
  return out;
}

std::string format_time(SimTime t) {
  int64_t us = t.us < 0 ? 0 : t.us;
  int64_t s = us / 1'000'000;
  const int64_t frac = us % 1'000'000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lldd+%02lld:%02lld:%02lld.%06lld", static_cast<long long>(s / 86400),
                static_cast<long long>((s % 86400) / 3600), static_cast<long long>((s % 3600) / 60),
                static_cast<long long>(s % 60), static_cast<long long>(frac));
  return buf;
}

}  // namespace spotsim

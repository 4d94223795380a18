#include "sim/core/time.h"

#include <cstdio>

namespace spotsim {

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

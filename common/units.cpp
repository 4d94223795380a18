#include "common/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace spotsim {
namespace {

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Parses a leading decimal number; returns the number of characters used (0 if none).
size_t leading_number(std::string_view s, double& out) {
  std::string buf(s);
  const char* begin = buf.c_str();
  char* end = nullptr;
  if (buf.empty() ||
      !(std::isdigit(static_cast<unsigned char>(buf[0])) || buf[0] == '.' || buf[0] == '-' || buf[0] == '+')) {
    return 0;
  }
  out = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(out)) return 0;
  // strtod accepts "inf"/"nan"/hex; reject anything but plain decimals.
  for (const char* p = begin; p < end; ++p) {
    if (!(std::isdigit(static_cast<unsigned char>(*p)) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' ||
          *p == 'E')) {
      return 0;
    }
  }
  // "2h30m" must not read the "e" of an exponent-less unit; units never start with e.
  return static_cast<size_t>(end - begin);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The unit a spelled-out word means ("days" → "d"), or "" if none.
std::string_view unit_for_word(std::string_view w) {
  static const std::pair<std::string_view, std::string_view> kWords[] = {{"us", "us"},
                                                                         {"ms", "ms"},
                                                                         {"s", "s"},
                                                                         {"sec", "s"},
                                                                         {"secs", "s"},
                                                                         {"second", "s"},
                                                                         {"seconds", "s"},
                                                                         {"m", "m"},
                                                                         {"min", "m"},
                                                                         {"mins", "m"},
                                                                         {"minute", "m"},
                                                                         {"minutes", "m"},
                                                                         {"h", "h"},
                                                                         {"hr", "h"},
                                                                         {"hrs", "h"},
                                                                         {"hour", "h"},
                                                                         {"hours", "h"},
                                                                         {"d", "d"},
                                                                         {"day", "d"},
                                                                         {"days", "d"},
                                                                         {"w", "w"},
                                                                         {"wk", "w"},
                                                                         {"week", "w"},
                                                                         {"weeks", "w"},
                                                                         {"millisecond", "ms"},
                                                                         {"milliseconds", "ms"},
                                                                         {"microsecond", "us"},
                                                                         {"microseconds", "us"}};
  for (const auto& [word, unit] : kWords) {
    if (w == word) return unit;
  }
  return {};
}

Result<double> unit_seconds(std::string_view u) {
  if (u == "us") return 1e-6;
  if (u == "ms") return 1e-3;
  if (u == "s") return 1.0;
  if (u == "m" || u == "min") return 60.0;
  if (u == "h") return 3600.0;
  if (u == "d") return 86400.0;
  if (u == "w") return 604800.0;
  const std::string_view means = unit_for_word(u);
  if (!means.empty()) {
    return Status::invalid("unknown time unit " + quote(u) + " (did you mean " + quote(means) +
                           "? units: us, ms, s, m, h, d, w)");
  }
  return Status::invalid("unknown time unit " + quote(u) + " (use us, ms, s, m, h, d or w)");
}

}  // namespace

Result<double> parse_number(std::string_view text) {
  text = trim(text);
  double v = 0;
  const size_t n = leading_number(text, v);
  if (n == 0 || n != text.size()) return Status::invalid("expected a number, found " + quote(text));
  return v;
}

Result<Duration> parse_duration(std::string_view text) {
  std::string_view s = trim(text);
  if (s.empty()) return Status::invalid("expected a duration like 90s, 15m, 2h or 7d, found an empty value");
  if (s == "0") return Duration{0};
  double total_s = 0;
  std::string_view rest = s;
  bool any = false;
  while (!rest.empty()) {
    double v = 0;
    const size_t n = leading_number(rest, v);
    if (n == 0) {
      return Status::invalid("expected a duration like 90s, 15m, 2h or 7d, found " + quote(s));
    }
    const std::string_view number = rest.substr(0, n);
    rest.remove_prefix(n);
    size_t u = 0;
    while (u < rest.size() && std::isalpha(static_cast<unsigned char>(rest[u]))) ++u;
    if (u == 0) {
      // "1 day": a space before a word. Suggest the number glued to the unit the word means.
      size_t sp = 0;
      while (sp < rest.size() && std::isspace(static_cast<unsigned char>(rest[sp]))) ++sp;
      size_t w = sp;
      while (w < rest.size() && std::isalpha(static_cast<unsigned char>(rest[w]))) ++w;
      if (sp > 0 && w > sp) {
        const std::string_view word = rest.substr(sp, w - sp);
        const std::string_view means = unit_for_word(word);
        if (!means.empty()) {
          return Status::invalid("duration " + quote(s) + ": write " + quote(std::string(number) + std::string(means)) +
                                 " (a number and its unit without a space; units: us, ms, s, m, h, d, w)");
        }
        return Status::invalid("duration " + quote(s) + ": unknown unit " + quote(word) +
                               " (write a number and its unit without a space, e.g. 90s, 15m, 2h, 7d)");
      }
      return Status::invalid("duration " + quote(s) + " has no unit; write e.g. " + quote(std::string(s) + "s") +
                             " (units: us, ms, s, m, h, d, w)");
    }
    auto mul = unit_seconds(rest.substr(0, u));
    if (!mul) return Status::invalid("in duration " + quote(s) + ": " + mul.status().message());
    if (v < 0) return Status::invalid("duration " + quote(s) + " is negative");
    total_s += v * *mul;
    rest.remove_prefix(u);
    any = true;
  }
  if (!any) return Status::invalid("expected a duration, found " + quote(s));
  if (total_s > 3.0e9) return Status::invalid("duration " + quote(s) + " is too long (over 95 years)");
  return Duration::seconds(total_s);
}

Result<double> parse_rate_per_hour(std::string_view text) {
  std::string_view s = trim(text);
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) {
    return Status::invalid("expected a rate like 0.05/h (events per hour, minute, second or day), found " + quote(s));
  }
  auto num = parse_number(s.substr(0, slash));
  if (!num) return Status::invalid("expected a rate like 0.05/h, found " + quote(s));
  if (*num < 0) return Status::invalid("rate " + quote(s) + " is negative");
  std::string_view per = trim(s.substr(slash + 1));
  double per_seconds = 0;
  if (!per.empty() && (std::isdigit(static_cast<unsigned char>(per[0])) || per[0] == '.')) {
    auto d = parse_duration(per);
    if (!d) return Status::invalid("in rate " + quote(s) + ": " + d.status().message());
    per_seconds = d->to_seconds();
  } else {
    auto u = unit_seconds(per);
    if (!u) return Status::invalid("in rate " + quote(s) + ": " + u.status().message());
    per_seconds = *u;
  }
  if (per_seconds <= 0) return Status::invalid("rate " + quote(s) + " divides by zero time");
  return *num * 3600.0 / per_seconds;
}

Result<double> parse_money_per_hour(std::string_view text) {
  std::string_view s = trim(text);
  std::string_view body = s;
  if (!body.empty() && body.front() == '$') body.remove_prefix(1);
  if (body.size() >= 2 && body.substr(body.size() - 2) == "/h") body.remove_suffix(2);
  auto v = parse_number(body);
  if (!v) return Status::invalid("expected a price in dollars per hour like 0.192 or $0.192/h, found " + quote(s));
  if (*v < 0) return Status::invalid("price " + quote(s) + " is negative");
  return *v;
}

Result<double> parse_fraction(std::string_view text) {
  std::string_view s = trim(text);
  if (!s.empty() && s.back() == '%') {
    auto v = parse_number(s.substr(0, s.size() - 1));
    if (!v) return Status::invalid("expected a percentage like 80%, found " + quote(s));
    if (*v < 0 || *v > 100) return Status::invalid("percentage " + quote(s) + " is outside 0%..100%");
    return *v / 100.0;
  }
  auto v = parse_number(s);
  if (!v) return Status::invalid("expected a percentage like 80% or a fraction like 0.8, found " + quote(s));
  if (*v < 0 || *v > 1) {
    return Status::invalid("fraction " + quote(s) + " is outside 0..1 (write " + quote(std::string(s) + "%") +
                           " for a percentage)");
  }
  return *v;
}

std::string format_duration(Duration d) {
  int64_t us = d.us;
  std::string sign;
  if (us < 0) {
    sign = "-";
    us = -us;
  }
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
  const int64_t days = s / 86400;
  s %= 86400;
  const int64_t hours = s / 3600;
  s %= 3600;
  const int64_t mins = s / 60;
  s %= 60;
  std::string out = sign;
  if (days) out += std::to_string(days) + "d";
  if (hours) out += std::to_string(hours) + "h";
  if (mins) out += std::to_string(mins) + "m";
  if (s) out += std::to_string(s) + "s";
  return out;
}

}  // namespace spotsim

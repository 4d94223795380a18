#include "sim/scenario/units.h"

#include <cctype>
#include <cmath>
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
  if (buf.empty() || !(std::isdigit(static_cast<unsigned char>(buf[0])) || buf[0] == '.' ||
                       buf[0] == '-' || buf[0] == '+')) {
    return 0;
  }
  out = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(out)) return 0;
  // strtod accepts "inf"/"nan"/hex; reject anything but plain decimals.
  for (const char* p = begin; p < end; ++p) {
    if (!(std::isdigit(static_cast<unsigned char>(*p)) || *p == '.' || *p == '-' || *p == '+' ||
          *p == 'e' || *p == 'E')) {
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

Result<double> unit_seconds(std::string_view u) {
  if (u == "us") return 1e-6;
  if (u == "ms") return 1e-3;
  if (u == "s") return 1.0;
  if (u == "m" || u == "min") return 60.0;
  if (u == "h") return 3600.0;
  if (u == "d") return 86400.0;
  if (u == "w") return 604800.0;
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
    rest.remove_prefix(n);
    size_t u = 0;
    while (u < rest.size() && std::isalpha(static_cast<unsigned char>(rest[u]))) ++u;
    if (u == 0) {
      return Status::invalid("duration " + quote(s) + " has no unit; write e.g. " +
                             quote(std::string(s) + "s") + " (units: us, ms, s, m, h, d, w)");
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
    return Status::invalid("expected a rate like 0.05/h (events per hour, minute, second or day), found " +
                           quote(s));
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

}  // namespace spotsim

#include "sim/scenario/advisor_band.h"

#include <cmath>
#include <charconv>

namespace spotsim {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A percentage 0..100 (whole or decimal), no sign.
std::optional<double> percent(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.back() == '%') s = trim(s.substr(0, s.size() - 1));
  if (s.empty() || !(s.front() >= '0' && s.front() <= '9')) return std::nullopt;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
  }
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !(v >= 0 && v < 100)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<FrequencyBand> parse_frequency_band(std::string_view text) {
  std::string_view s = trim(text);
  FrequencyBand b;
  b.label = std::string(s);
  if (s.empty()) return std::nullopt;
  if (s.front() == '<') {  // "<5%": 0 to 5
    auto hi = percent(s.substr(1));
    if (!hi || *hi <= 0) return std::nullopt;
    b.lower = 0;
    b.upper = *hi / 100;
    return b;
  }
  if (s.front() == '>') {  // ">20%": open
    auto lo = percent(s.substr(1));
    if (!lo || *lo <= 0 || *lo >= 50) return std::nullopt;
    b.lower = *lo / 100;
    b.upper = 2 * b.lower;
    b.open = true;
    return b;
  }
  if (s.back() == '+') {  // Azure "20+"
    auto lo = percent(s.substr(0, s.size() - 1));
    if (!lo || *lo <= 0 || *lo >= 50) return std::nullopt;
    b.lower = *lo / 100;
    b.upper = 2 * b.lower;
    b.open = true;
    return b;
  }
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto lo = percent(s.substr(0, dash));
  auto hi = percent(s.substr(dash + 1));
  if (!lo || !hi || !(*lo < *hi)) return std::nullopt;
  b.lower = *lo / 100;
  b.upper = *hi / 100;
  return b;
}

std::optional<BandEdge> parse_band_edge(std::string_view text) {
  if (text == "lower") return BandEdge::kLower;
  if (text == "mid") return BandEdge::kMid;
  if (text == "upper") return BandEdge::kUpper;
  return std::nullopt;
}

const char* band_edge_name(BandEdge e) {
  switch (e) {
    case BandEdge::kLower: return "lower";
    case BandEdge::kMid: return "mid";
    case BandEdge::kUpper: return "upper";
  }
  return "mid";
}

double monthly_fraction_to_hazard(double p) { return -std::log1p(-p) / 720.0; }

double band_fraction(const FrequencyBand& b, BandEdge e) {
  switch (e) {
    case BandEdge::kLower: return b.lower;
    case BandEdge::kUpper: return b.upper;
    case BandEdge::kMid: break;
  }
  return (b.lower + b.upper) / 2;
}

double band_hazard_per_hour(const FrequencyBand& b, BandEdge e) {
  return monthly_fraction_to_hazard(band_fraction(b, e));
}

}  // namespace spotsim

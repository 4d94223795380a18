#pragma once
// Published interruption-frequency bands (AWS Spot Instance Advisor "10-15%", Azure Resource Graph
// eviction rates "10-15") as a hazard per VM-hour. docs/calibration.md explains the conversion.
//
// A band is the share p of VMs interrupted over a 30-day month. With a constant hazard λ the chance
// that a VM running all month survives it is exp(−720 h · λ), so p = 1 − exp(−720 λ) and
//   λ = −ln(1 − p) / 720 h.
// A band has two edges; `edge` picks the lower one, the upper one or the midpoint of p (not of λ).
// The open top band (">20%", "20+") has no published upper edge: we take twice its lower edge and
// say so wherever the number is written.
#include <optional>
#include <string>
#include <string_view>

namespace spotsim {

struct FrequencyBand {
  double lower = 0;   // fraction of a month's VMs interrupted, 0..1
  double upper = 0;   // ditto (for an open band: 2 × lower, our assumption)
  bool open = false;  // ">20%" / "20+": no published upper edge
  std::string label;  // as written
};

enum class BandEdge { kLower, kMid, kUpper };

// "<5%", "5-10%", "10-15%", ">20%" (AWS) or "0-5", "5-10", "20+" (Azure); a trailing '%' and spaces
// are optional. nullopt if `text` is no band.
std::optional<FrequencyBand> parse_frequency_band(std::string_view text);
// "lower" | "mid" | "upper".
std::optional<BandEdge> parse_band_edge(std::string_view text);
const char* band_edge_name(BandEdge e);

// p per 30 days → hazard per VM-hour: −ln(1 − p) / 720. p must be in [0, 1).
double monthly_fraction_to_hazard(double p);
// The band's edge as a fraction of a month, and as a hazard per hour.
double band_fraction(const FrequencyBand& b, BandEdge e);
double band_hazard_per_hour(const FrequencyBand& b, BandEdge e);

}  // namespace spotsim

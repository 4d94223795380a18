#include "viz/plot/colors.h"

#include <algorithm>
#include <cmath>

namespace spotsim::viz {
namespace {

ImU32 rgb(const unsigned char c[3], int alpha) { return IM_COL32(c[0], c[1], c[2], alpha); }

}  // namespace

ImU32 spot_color(size_t pool, int alpha) {
  static const unsigned char k[][3] = {{52, 120, 220}, {40, 170, 160}, {90, 190, 90},  {110, 90, 210},
                                       {60, 160, 230}, {30, 130, 100}, {150, 200, 60}, {80, 110, 160}};
  return rgb(k[pool % 8], alpha);
}

ImU32 on_demand_color(size_t pool, int alpha) {
  static const unsigned char k[][3] = {{245, 130, 30}, {230, 80, 60}, {250, 180, 50}, {210, 100, 40},
                                       {240, 150, 90}, {200, 60, 80}, {255, 200, 90}, {220, 120, 120}};
  return rgb(k[pool % 8], alpha);
}

ImU32 chaos_color(const std::string& kind, int alpha) {
  // In ChaosKind order: storm, cliff, price_spike, on_demand_exhaustion, api_throttle,
  // checkpoint_store_degraded, boot_failure, notice_loss. None is the fallback band's orange.
  static const char* const kKinds[] = {
      "storm",        "cliff",      "price_spike", "on_demand_exhaustion", "api_throttle", "checkpoint_store_degraded",
      "boot_failure", "notice_loss"};
  static const unsigned char k[][3] = {{170, 100, 240}, {175, 175, 175}, {190, 220, 60},  {215, 70, 70},
                                       {60, 205, 225},  {235, 120, 190}, {205, 165, 110}, {110, 215, 150}};
  for (int i = 0; i < 8; ++i) {
    if (kind == kKinds[i]) return rgb(k[i], alpha);
  }
  return IM_COL32(225, 225, 225, alpha);
}

ImU32 chaos_shade(const std::string& kind) { return chaos_color(kind, kind == "cliff" ? 70 : 55); }

ImU32 series_color(size_t i, int alpha) {
  static const unsigned char k[][3] = {{80, 160, 240},  {250, 140, 40}, {90, 200, 110}, {230, 80, 90},
                                       {170, 120, 230}, {240, 210, 70}, {70, 200, 210}, {200, 200, 200}};
  return rgb(k[i % 8], alpha);
}

ImU32 colormap(double t) {
  static const float k[][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  if (!std::isfinite(t)) return IM_COL32(60, 60, 60, 255);
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(t));
  const float f = static_cast<float>(t - i);
  auto mix = [&](int c) { return static_cast<int>(k[i][c] + (k[i + 1][c] - k[i][c]) * f); };
  return IM_COL32(mix(0), mix(1), mix(2), 255);
}

ImU32 heat_color(double t) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  const int r = static_cast<int>(70 + 185 * t);
  const int g = static_cast<int>(80 + 20 * t - 60 * t * t);
  const int b = static_cast<int>(95 - 55 * t);
  return IM_COL32(r, std::max(g, 20), std::max(b, 20), 255);
}

}  // namespace spotsim::viz

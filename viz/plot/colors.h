#pragma once
// The palette spotviz uses everywhere, so a pool has the same colour in every panel.
#include <cstddef>
#include <cstdint>
#include <string>

#include <imgui.h>

namespace spotsim::viz {

// Cool, distinct colours for spot capacity of pool i.
ImU32 spot_color(size_t pool, int alpha = 255);
// Warm colours for on-demand capacity of pool i (fallback stands out against spot).
ImU32 on_demand_color(size_t pool, int alpha = 255);
// Series colour i of a categorical palette.
ImU32 series_color(size_t i, int alpha = 255);
// Viridis-like colormap, t in [0, 1].
ImU32 colormap(double t);
// Heat from cool grey (0) to red (1), for eviction heat.
ImU32 heat_color(double t);

constexpr ImU32 kEvictionColor = IM_COL32(230, 40, 40, 255);
constexpr ImU32 kNoticeColor = IM_COL32(250, 190, 30, 255);
constexpr ImU32 kCapacityErrorColor = IM_COL32(200, 60, 200, 255);
// Each chaos kind (chaos_kind_name(): "storm", "cliff", ...) has its own hue: the shaded band
// (alpha ~60) and its label/legend swatch (opaque). Unknown kinds are light grey.
ImU32 chaos_color(const std::string& kind, int alpha = 255);
ImU32 chaos_shade(const std::string& kind);
constexpr ImU32 kFallbackShade = IM_COL32(255, 120, 20, 45);
constexpr ImU32 kTargetColor = IM_COL32(240, 240, 240, 200);

}  // namespace spotsim::viz

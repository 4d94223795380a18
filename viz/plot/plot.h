#pragma once
// A small immediate-mode plotting layer on ImGui draw lists (ImPlot is not packaged in Debian):
// axes with nice ticks, step/line series with per-pixel level of detail, stacked step areas,
// shaded intervals, markers, scatter, heatmap cells, zoom (mouse wheel) and pan (drag).
//
// Usage, once per frame:
//   Plot p("##timeline", ImVec2(-1, 300), view_, cfg);   // lays out the item, handles input
//   p.vspan(a, b, kStormShade);  p.stacked_steps(...);  if (p.hovered()) { ... p.mouse_x() ... }
//   // destructor draws the axes and the frame
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <imgui.h>

#include "viz/plot/ticks.h"

namespace spotsim::viz {

// The visible data range of one plot; panels own it so it persists between frames.
struct PlotView {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  bool valid = false;  // false: the panel should fit it to its data (first frame, double-click)
  void fit_x(double lo, double hi);
  void fit_y(double lo, double hi, double pad_frac = 0.05);
  // Centres the x range on x, keeping its width.
  void center_x(double x);
};

struct PlotConfig {
  AxisFormat x_format = AxisFormat::kTime;
  AxisFormat y_format = AxisFormat::kNumber;
  const char* y_label = nullptr;  // drawn inside the top-left corner of the plot area
  const char* x_label = nullptr;  // drawn centred under the x tick labels (adds a text line)
  bool zoom_y = false;            // the wheel zooms y too (else y stays fitted by the panel)
  bool pan_y = false;
  bool interactive = true;
  bool y_categorical = false;  // no y ticks (the panel labels lanes/cells itself)
  bool x_categorical = false;  // no x ticks
  float left_margin = 64;
  float bottom_margin = 22;
};

enum class MarkerShape { kCircle, kTriangleDown, kDiamond, kSquare, kCross };

class Plot {
 public:
  Plot(const char* id, ImVec2 size, PlotView& view, const PlotConfig& cfg);
  ~Plot();
  Plot(const Plot&) = delete;
  Plot& operator=(const Plot&) = delete;

  // Geometry.
  float px_x(double x) const;
  float px_y(double y) const;
  ImVec2 px(double x, double y) const { return ImVec2(px_x(x), px_y(y)); }
  double x_at(float px) const;
  double y_at(float py) const;
  const ImVec2& area_min() const { return min_; }
  const ImVec2& area_max() const { return max_; }
  float width_px() const { return max_.x - min_.x; }
  // Data units per pixel along x.
  double x_per_px() const { return (view_.x1 - view_.x0) / static_cast<double>(std::max(1.0f, width_px())); }
  ImDrawList* draw_list() const { return dl_; }

  // Input.
  bool hovered() const { return hovered_; }
  bool clicked() const { return clicked_; }  // released without dragging
  double mouse_x() const;
  double mouse_y() const;
  const PlotView& view() const { return view_; }

  // Primitives (data coordinates; clipped to the plot area).
  void vspan(double x0, double x1, ImU32 color) const;
  void vline(double x, ImU32 color, float thickness = 1.0f) const;
  void hline(double y, ImU32 color, float thickness = 1.0f) const;
  void rect(double x0, double y0, double x1, double y1, ImU32 color) const;
  // A polyline (step=true: held until the next x). xs ascending. Draws at most ~2 vertices per
  // pixel column (min/max envelope) whatever n is.
  void line(const double* xs, const double* ys, size_t n, ImU32 color, float thickness = 1.5f, bool step = false) const;
  // Stacked step areas: layer l spans [top[l-1], top[l]] (layer 0 from 0). One sample per
  // pixel column at most (the column's highest total), so cost is O(visible + width · layers).
  void stacked_steps(const std::vector<double>& t, const std::vector<std::vector<double>>& top,
                     const std::vector<ImU32>& colors, double x_end) const;
  void marker(double x, double y, MarkerShape shape, ImU32 color, float size = 4.0f) const;
  void scatter(const double* xs, const double* ys, size_t n, ImU32 color, float radius = 3.0f) const;
  void text(double x, double y, ImU32 color, const char* s) const;

 private:
  void handle_input(const ImGuiIO& io);
  void draw_axes() const;

  PlotView& view_;
  PlotConfig cfg_;
  ImDrawList* dl_ = nullptr;
  ImVec2 frame_min_, frame_max_;  // whole item
  ImVec2 min_, max_;              // plotting area
  bool hovered_ = false;
  bool clicked_ = false;
};

// A vertical colour legend for a heatmap drawn at `pos` with `height`.
void colorbar(ImVec2 pos, float height, double vmin, double vmax, AxisFormat fmt);
// A horizontal legend of coloured swatches with labels (wraps to the window width).
void legend(const std::vector<std::string>& labels, const std::vector<ImU32>& colors);
// The height legend() will take for these labels at the current available width: reserve it
// below a plot sized to the remaining space.
float legend_height(const std::vector<std::string>& labels);
// Time axes of every time-based panel.
inline constexpr const char* kTimeAxisLabel = "simulated time since the start of the run (days hh:mm)";
// A centred grey message in a box of `size`, for panels with nothing to show.
void empty_state(const char* title, const char* body, ImVec2 size = ImVec2(-1, 120));

}  // namespace spotsim::viz

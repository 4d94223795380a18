#include "viz/plot/plot.h"

#include <algorithm>
#include <cmath>

#include "viz/plot/colors.h"

namespace spotsim::viz {
namespace {

constexpr ImU32 kFrameBg = IM_COL32(22, 24, 30, 255);
constexpr ImU32 kGrid = IM_COL32(255, 255, 255, 22);
constexpr ImU32 kAxisText = IM_COL32(190, 190, 200, 255);
constexpr ImU32 kBorder = IM_COL32(110, 110, 125, 255);

float clampf(float v, float lo, float hi) { return std::min(std::max(v, lo), hi); }

}  // namespace

void PlotView::fit_x(double lo, double hi) {
  if (!(hi > lo)) hi = lo + 1;
  x0 = lo;
  x1 = hi;
}

void PlotView::fit_y(double lo, double hi, double pad) {
  if (!(hi > lo)) hi = lo + 1;
  const double p = (hi - lo) * pad;
  y0 = lo == 0 ? 0 : lo - p;
  y1 = hi + p;
}

void PlotView::center_x(double x) {
  const double w = x1 - x0;
  x0 = x - w / 2;
  x1 = x + w / 2;
}

Plot::Plot(const char* id, ImVec2 size, PlotView& view, const PlotConfig& cfg) : view_(view), cfg_(cfg) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x = std::max(50.0f, avail.x + size.x);
  if (size.y <= 0) size.y = std::max(50.0f, avail.y + size.y);
  frame_min_ = ImGui::GetCursorScreenPos();
  frame_max_ = ImVec2(frame_min_.x + size.x, frame_min_.y + size.y);
  min_ = ImVec2(frame_min_.x + cfg.left_margin, frame_min_.y + 6);
  max_ = ImVec2(frame_max_.x - 8, frame_max_.y - cfg.bottom_margin - (cfg.x_label ? ImGui::GetTextLineHeight() : 0.0f));
  ImGui::InvisibleButton(id, size);
  hovered_ = ImGui::IsItemHovered();
  dl_ = ImGui::GetWindowDrawList();
  if (cfg.interactive) handle_input(ImGui::GetIO());
  dl_->AddRectFilled(min_, max_, kFrameBg);
  // Grid lines under the data.
  const int nx = std::max(2, static_cast<int>(width_px() / 110));
  const Ticks tx =
      cfg_.x_format == AxisFormat::kTime ? time_ticks(view_.x0, view_.x1, nx) : nice_ticks(view_.x0, view_.x1, nx);
  if (!cfg_.x_categorical) {
    for (double v : tx.values) dl_->AddLine(ImVec2(px_x(v), min_.y), ImVec2(px_x(v), max_.y), kGrid);
  }
  if (!cfg_.y_categorical) {
    const Ticks ty = nice_ticks(view_.y0, view_.y1, std::max(2, static_cast<int>((max_.y - min_.y) / 45)));
    for (double v : ty.values) dl_->AddLine(ImVec2(min_.x, px_y(v)), ImVec2(max_.x, px_y(v)), kGrid);
  }
  dl_->PushClipRect(min_, max_, true);
}

Plot::~Plot() {
  dl_->PopClipRect();
  draw_axes();
}

void Plot::handle_input(const ImGuiIO& io) {
  const bool inside = hovered_ && io.MousePos.x >= min_.x && io.MousePos.x <= max_.x && io.MousePos.y >= min_.y &&
                      io.MousePos.y <= max_.y;
  hovered_ = inside;
  if (inside && io.MouseWheel != 0) {
    const double f = std::pow(0.85, io.MouseWheel);
    const double mx = x_at(io.MousePos.x);
    view_.x0 = mx - (mx - view_.x0) * f;
    view_.x1 = mx + (view_.x1 - mx) * f;
    if (cfg_.zoom_y) {
      const double my = y_at(io.MousePos.y);
      view_.y0 = my - (my - view_.y0) * f;
      view_.y1 = my + (view_.y1 - my) * f;
    }
  }
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2.0f)) {
    const double dx = io.MouseDelta.x * x_per_px();
    view_.x0 -= dx;
    view_.x1 -= dx;
    if (cfg_.pan_y) {
      const double dy = io.MouseDelta.y * (view_.y1 - view_.y0) / std::max(1.0f, max_.y - min_.y);
      view_.y0 += dy;
      view_.y1 += dy;
    }
  }
  if (inside && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) view_.valid = false;
  clicked_ = ImGui::IsItemDeactivated() && io.MouseDragMaxDistanceSqr[0] < 4.0f && inside;
}

float Plot::px_x(double x) const {
  const double w = view_.x1 - view_.x0;
  return min_.x + static_cast<float>((x - view_.x0) / (w != 0 ? w : 1) * (max_.x - min_.x));
}

float Plot::px_y(double y) const {
  const double h = view_.y1 - view_.y0;
  return max_.y - static_cast<float>((y - view_.y0) / (h != 0 ? h : 1) * (max_.y - min_.y));
}

double Plot::x_at(float px) const {
  return view_.x0 + (px - min_.x) / std::max(1.0f, max_.x - min_.x) * (view_.x1 - view_.x0);
}

double Plot::y_at(float py) const {
  return view_.y0 + (max_.y - py) / std::max(1.0f, max_.y - min_.y) * (view_.y1 - view_.y0);
}

double Plot::mouse_x() const { return x_at(ImGui::GetIO().MousePos.x); }
double Plot::mouse_y() const { return y_at(ImGui::GetIO().MousePos.y); }

void Plot::vspan(double a, double b, ImU32 color) const {
  const float x0 = clampf(px_x(a), min_.x - 1, max_.x + 1), x1 = clampf(px_x(b), min_.x - 1, max_.x + 1);
  if (x1 < min_.x || x0 > max_.x) return;
  dl_->AddRectFilled(ImVec2(x0, min_.y), ImVec2(std::max(x1, x0 + 1), max_.y), color);
}

void Plot::vline(double x, ImU32 color, float thickness) const {
  const float p = px_x(x);
  dl_->AddLine(ImVec2(p, min_.y), ImVec2(p, max_.y), color, thickness);
}

void Plot::hline(double y, ImU32 color, float thickness) const {
  const float p = px_y(y);
  dl_->AddLine(ImVec2(min_.x, p), ImVec2(max_.x, p), color, thickness);
}

void Plot::rect(double x0, double y0, double x1, double y1, ImU32 color) const {
  ImVec2 a(clampf(px_x(x0), min_.x - 2, max_.x + 2), clampf(px_y(y1), min_.y - 2, max_.y + 2));
  ImVec2 b(clampf(px_x(x1), min_.x - 2, max_.x + 2), clampf(px_y(y0), min_.y - 2, max_.y + 2));
  if (b.x - a.x < 1) b.x = a.x + 1;
  dl_->AddRectFilled(a, b, color);
}

void Plot::line(const double* xs, const double* ys, size_t n, ImU32 color, float thickness, bool step) const {
  if (n == 0) return;
  size_t lo = static_cast<size_t>(std::lower_bound(xs, xs + n, view_.x0) - xs);
  size_t hi = static_cast<size_t>(std::upper_bound(xs, xs + n, view_.x1) - xs);
  if (lo > 0) --lo;
  if (hi < n) ++hi;
  std::vector<ImVec2> pts;
  const size_t visible = hi - lo;
  const float w = width_px();
  if (visible <= static_cast<size_t>(w * 2)) {
    pts.reserve(visible * 2);
    for (size_t i = lo; i < hi; ++i) {
      const ImVec2 p = px(xs[i], ys[i]);
      if (step && !pts.empty()) pts.emplace_back(p.x, pts.back().y);
      pts.push_back(p);
    }
  } else {
    // Per pixel column: first, min, max, last value (keeps spikes visible).
    pts.reserve(static_cast<size_t>(w) * 4 + 4);
    size_t i = lo;
    while (i < hi) {
      const float col = std::floor(px_x(xs[i]));
      double mn = ys[i], mx = ys[i], first = ys[i], last = ys[i];
      size_t j = i + 1;
      while (j < hi && std::floor(px_x(xs[j])) == col) {
        mn = std::min(mn, ys[j]);
        mx = std::max(mx, ys[j]);
        last = ys[j];
        ++j;
      }
      pts.emplace_back(col, px_y(first));
      pts.emplace_back(col, px_y(mx));
      pts.emplace_back(col, px_y(mn));
      pts.emplace_back(col, px_y(last));
      i = j;
    }
  }
  if (pts.size() >= 2) dl_->AddPolyline(pts.data(), static_cast<int>(pts.size()), color, 0, thickness);
}

void Plot::stacked_steps(const std::vector<double>& t, const std::vector<std::vector<double>>& top,
                         const std::vector<ImU32>& colors, double x_end) const {
  const size_t n = t.size();
  if (n == 0 || top.empty()) return;
  size_t lo = static_cast<size_t>(std::upper_bound(t.begin(), t.end(), view_.x0) - t.begin());
  if (lo > 0) --lo;
  const size_t hi = static_cast<size_t>(std::upper_bound(t.begin(), t.end(), view_.x1) - t.begin());
  const std::vector<double>& total = top.back();
  // Representative sample per pixel column: the one with the highest total.
  std::vector<size_t> idx;
  idx.reserve(std::min<size_t>(hi - lo, static_cast<size_t>(width_px()) + 2));
  for (size_t i = lo; i < hi;) {
    const float col = std::floor(px_x(t[i]));
    size_t best = i, j = i + 1;
    while (j < hi && std::floor(px_x(t[j])) == col) {
      if (total[j] > total[best]) best = j;
      ++j;
    }
    idx.push_back(best);
    i = j;
  }
  for (size_t k = 0; k < idx.size(); ++k) {
    const size_t i = idx[k];
    const double xa = std::max(t[i], view_.x0);
    // Segment ends where the next representative's column starts (or the next sample).
    const double xb = k + 1 < idx.size() ? t[idx[k + 1]] : (i + 1 < n ? t[i + 1] : x_end);
    if (xb <= xa) continue;
    const float pa = px_x(xa), pb = std::max(px_x(std::min(xb, view_.x1)), pa + 1.0f);
    double below = 0;
    for (size_t l = 0; l < top.size(); ++l) {
      const double v = top[l][i];
      if (v > below) {
        dl_->AddRectFilled(ImVec2(pa, px_y(v)), ImVec2(pb, px_y(below)), colors[l % colors.size()]);
      }
      below = std::max(below, v);
    }
  }
}

void Plot::marker(double x, double y, MarkerShape shape, ImU32 color, float s) const {
  const ImVec2 c = px(x, y);
  switch (shape) {
    case MarkerShape::kCircle: dl_->AddCircleFilled(c, s, color, 8); break;
    case MarkerShape::kTriangleDown:
      dl_->AddTriangleFilled(ImVec2(c.x - s, c.y - s), ImVec2(c.x + s, c.y - s), ImVec2(c.x, c.y + s), color);
      break;
    case MarkerShape::kDiamond:
      dl_->AddQuadFilled(ImVec2(c.x, c.y - s), ImVec2(c.x + s, c.y), ImVec2(c.x, c.y + s), ImVec2(c.x - s, c.y), color);
      break;
    case MarkerShape::kSquare: dl_->AddRectFilled(ImVec2(c.x - s, c.y - s), ImVec2(c.x + s, c.y + s), color); break;
    case MarkerShape::kCross:
      dl_->AddLine(ImVec2(c.x - s, c.y - s), ImVec2(c.x + s, c.y + s), color, 2);
      dl_->AddLine(ImVec2(c.x - s, c.y + s), ImVec2(c.x + s, c.y - s), color, 2);
      break;
  }
}

void Plot::scatter(const double* xs, const double* ys, size_t n, ImU32 color, float r) const {
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
    dl_->AddCircleFilled(px(xs[i], ys[i]), r, color, 10);
  }
}

void Plot::text(double x, double y, ImU32 color, const char* s) const { dl_->AddText(px(x, y), color, s); }

void Plot::draw_axes() const {
  dl_->AddRect(min_, max_, kBorder);
  const int nx = std::max(2, static_cast<int>(width_px() / 110));
  const Ticks tx =
      cfg_.x_format == AxisFormat::kTime ? time_ticks(view_.x0, view_.x1, nx) : nice_ticks(view_.x0, view_.x1, nx);
  for (double v : cfg_.x_categorical ? std::vector<double>{} : tx.values) {
    const float p = px_x(v);
    const std::string s = format_tick(v, tx.step, cfg_.x_format);
    const float w = ImGui::CalcTextSize(s.c_str()).x;
    dl_->AddLine(ImVec2(p, max_.y), ImVec2(p, max_.y + 4), kBorder);
    dl_->AddText(ImVec2(clampf(p - w / 2, frame_min_.x, frame_max_.x - w), max_.y + 5), kAxisText, s.c_str());
  }
  if (!cfg_.y_categorical) {
    const Ticks ty = nice_ticks(view_.y0, view_.y1, std::max(2, static_cast<int>((max_.y - min_.y) / 45)));
    for (double v : ty.values) {
      const float p = px_y(v);
      const std::string s = format_tick(v, ty.step, cfg_.y_format);
      const ImVec2 sz = ImGui::CalcTextSize(s.c_str());
      dl_->AddLine(ImVec2(min_.x - 4, p), ImVec2(min_.x, p), kBorder);
      dl_->AddText(ImVec2(min_.x - 6 - sz.x, p - sz.y / 2), kAxisText, s.c_str());
    }
  }
  if (cfg_.y_label) dl_->AddText(ImVec2(min_.x + 6, min_.y + 4), kAxisText, cfg_.y_label);
  if (cfg_.x_label) {
    const float w = ImGui::CalcTextSize(cfg_.x_label).x;
    const float x = clampf((min_.x + max_.x - w) / 2, frame_min_.x, frame_max_.x - w);
    dl_->AddText(ImVec2(x, max_.y + 5 + ImGui::GetTextLineHeight()), kAxisText, cfg_.x_label);
  }
}

void colorbar(ImVec2 pos, float height, double vmin, double vmax, AxisFormat fmt) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const int steps = 32;
  for (int i = 0; i < steps; ++i) {
    const float y0 = pos.y + height * (1.0f - static_cast<float>(i + 1) / steps);
    const float y1 = pos.y + height * (1.0f - static_cast<float>(i) / steps);
    dl->AddRectFilled(ImVec2(pos.x, y0), ImVec2(pos.x + 14, y1), colormap((i + 0.5) / steps));
  }
  dl->AddRect(pos, ImVec2(pos.x + 14, pos.y + height), kBorder);
  const Ticks t = nice_ticks(vmin, vmax, 5);
  for (double v : t.values) {
    const float y = pos.y + height * static_cast<float>(1.0 - (v - vmin) / (vmax - vmin));
    dl->AddText(ImVec2(pos.x + 18, y - 6), kAxisText, format_tick(v, t.step, fmt).c_str());
  }
}

void legend(const std::vector<std::string>& labels, const std::vector<ImU32>& colors) {
  const float avail = ImGui::GetContentRegionAvail().x;
  float used = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const float w = 16 + ImGui::CalcTextSize(labels[i].c_str()).x + 16;
    if (i > 0) {
      if (used + w < avail) {
        ImGui::SameLine();
      } else {
        used = 0;
      }
    }
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + 12, p.y + h - 2),
                                              colors[i % colors.size()]);
    ImGui::Dummy(ImVec2(14, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(labels[i].c_str());
    used += w;
  }
}

float legend_height(const std::vector<std::string>& labels) {
  const float avail = ImGui::GetContentRegionAvail().x;
  float used = 0;
  int lines = labels.empty() ? 0 : 1;
  for (size_t i = 0; i < labels.size(); ++i) {
    const float w = 16 + ImGui::CalcTextSize(labels[i].c_str()).x + 16;
    if (i > 0 && used + w >= avail) {
      ++lines;
      used = 0;
    }
    used += w;
  }
  return static_cast<float>(lines) * ImGui::GetFrameHeightWithSpacing();
}

void empty_state(const char* title, const char* body, ImVec2 size) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x = std::max(100.0f, avail.x + size.x);
  if (size.y <= 0) size.y = std::max(60.0f, avail.y + size.y);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(30, 32, 38, 255), 4);
  dl->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(80, 80, 90, 255), 4);
  ImGui::BeginChild(title, size, false, ImGuiWindowFlags_NoBackground);
  ImGui::SetCursorPos(ImVec2(12, 10));
  ImGui::TextColored(ImVec4(0.85f, 0.85f, 0.9f, 1), "%s", title);
  ImGui::SetCursorPosX(12);
  ImGui::PushTextWrapPos(size.x - 12);
  ImGui::TextColored(ImVec4(0.6f, 0.6f, 0.65f, 1), "%s", body);
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
}

}  // namespace spotsim::viz

// Sweeps: a heatmap of one metric over two grid parameters, and the Pareto front of two metrics
// over every sweep point. Both start on the file's --pareto pair (else the first metrics that vary).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "viz/data/sweep_view.h"
#include "viz/panels/panel.h"
#include "viz/plot/colors.h"

namespace spotsim::viz {
namespace {

bool combo(const char* label, const std::vector<std::string>& items, int& cur) {
  bool changed = false;
  ImGui::SetNextItemWidth(230);
  if (ImGui::BeginCombo(
          label, cur >= 0 && static_cast<size_t>(cur) < items.size() ? items[static_cast<size_t>(cur)].c_str() : "")) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (ImGui::Selectable(items[i].c_str(), cur == static_cast<int>(i))) {
        cur = static_cast<int>(i);
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

class SweepsPanel : public Panel {
 public:
  const char* name() const override { return "sweeps"; }
  const char* title() const override { return "Sweeps"; }

  void draw(AppState& app) override {
    const LoadedRun* run = app.primary();
    if (!run || run->model.sweep.empty()) {
      empty_state("No sweep loaded",
                  "Run a parameter sweep and open its file: spotsim sweep scenario.yaml "
                  "--grid fleets.web.target=20,40,60 --grid pools.m5-1a.interruption.rate=0.02/h,0.1/h "
                  "--out sweep.h5, then spotviz sweep.h5. Here you get a heatmap of any metric over two "
                  "grid parameters and the Pareto front of two metrics.");
      return;
    }
    const SweepTable& sw = run->model.sweep;
    if (for_ != run) {
      for_ = run;
      px_ = 0;
      py_ = sw.params.size() > 1 ? 1 : 0;
      // The stored --pareto pair, else the first metrics that vary between points.
      defaults_ = default_sweep_metrics(sw);
      metric_ = defaults_.heat_metric;
      pa_ = defaults_.metric_a;
      pb_ = defaults_.metric_b;
      dirty_ = true;
      scatter_view_.valid = false;
    }
    const float half = ImGui::GetContentRegionAvail().x * 0.5f - 6;
    ImGui::BeginChild("##heat", ImVec2(half, 0));
    dirty_ |= combo("columns (x)", sw.params, px_);
    dirty_ |= combo("rows (y)", sw.params, py_);
    dirty_ |= combo("cell value", sw.metrics, metric_);
    if (dirty_) {
      heat_ = build_heatmap(sw, static_cast<size_t>(px_), static_cast<size_t>(py_), static_cast<size_t>(metric_));
      dirty_ = false;
    }
    draw_heatmap(sw);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##pareto", ImVec2(0, 0));
    if (combo("x metric", sw.metrics, pa_)) scatter_view_.valid = false;
    if (combo("y metric", sw.metrics, pb_)) scatter_view_.valid = false;
    draw_pareto(sw);
    ImGui::EndChild();
  }

 private:
  // A metric maximised by the stored --pareto goals (the pair's own metrics only); else minimised.
  bool maximized(const SweepTable& sw, int k) const {
    const std::string& n = sw.metrics[static_cast<size_t>(k)];
    return (n == sw.pareto_a && sw.maximize_a) || (n == sw.pareto_b && sw.maximize_b);
  }

  void draw_heatmap(const SweepTable& sw) {
    const Heatmap& h = heat_;
    if (h.nx() == 0 || h.ny() == 0) return;
    heat_view_.x0 = 0;
    heat_view_.x1 = static_cast<double>(h.nx());
    heat_view_.y0 = 0;
    heat_view_.y1 = static_cast<double>(h.ny());
    PlotConfig cfg;
    cfg.x_format = AxisFormat::kNumber;
    cfg.y_categorical = true;
    cfg.x_categorical = true;
    cfg.interactive = false;
    cfg.left_margin = 90;
    const std::string x_label = "columns: " + sw.params[static_cast<size_t>(px_)];
    const std::string y_label = "rows: " + sw.params[static_cast<size_t>(py_)];
    cfg.x_label = x_label.c_str();
    ImGui::TextDisabled("%s, mean over replications; %s", sw.metrics[static_cast<size_t>(metric_)].c_str(),
                        y_label.c_str());
    {
      Plot p("##heatmap", ImVec2(-60, -4), heat_view_, cfg);
      char buf[64];
      for (size_t y = 0; y < h.ny(); ++y) {
        for (size_t x = 0; x < h.nx(); ++x) {
          const double v = h.values[y * h.nx() + x];
          const double t = h.vmax > h.vmin ? (v - h.vmin) / (h.vmax - h.vmin) : 0.5;
          p.rect(static_cast<double>(x), static_cast<double>(y), static_cast<double>(x + 1), static_cast<double>(y + 1),
                 colormap(std::isnan(v) ? NAN : t));
          std::snprintf(buf, sizeof buf, "%.4g", v);
          const ImVec2 c = p.px(x + 0.5, y + 0.5);
          const ImVec2 sz = ImGui::CalcTextSize(buf);
          p.draw_list()->AddText(ImVec2(c.x - sz.x / 2, c.y - sz.y / 2),
                                 t > 0.6 ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255), buf);
        }
      }
      // Category labels instead of numeric ticks.
      ImDrawList* dl = p.draw_list();
      dl->PushClipRectFullScreen();
      for (size_t x = 0; x < h.nx(); ++x) {
        const ImVec2 c = p.px(x + 0.5, 0);
        dl->AddText(ImVec2(c.x - ImGui::CalcTextSize(h.x_labels[x].c_str()).x / 2, c.y + 5),
                    IM_COL32(200, 200, 210, 255), h.x_labels[x].c_str());
      }
      for (size_t y = 0; y < h.ny(); ++y) {
        const ImVec2 c = p.px(0, y + 0.5);
        const float w = ImGui::CalcTextSize(h.y_labels[y].c_str()).x;
        dl->AddText(ImVec2(c.x - w - 6, c.y - 7), IM_COL32(200, 200, 210, 255), h.y_labels[y].c_str());
      }
      dl->PopClipRect();
    }
    const ImVec2 r = ImGui::GetItemRectMax();
    colorbar(ImVec2(r.x + 8, ImGui::GetItemRectMin().y + 6), ImGui::GetItemRectSize().y - 30, h.vmin, h.vmax,
             AxisFormat::kNumber);
    (void)sw;
  }

  void draw_pareto(const SweepTable& sw) {
    std::vector<double> a, b;
    for (const auto& row : sw.means) {
      a.push_back(static_cast<size_t>(pa_) < row.size() ? row[static_cast<size_t>(pa_)] : NAN);
      b.push_back(static_cast<size_t>(pb_) < row.size() ? row[static_cast<size_t>(pb_)] : NAN);
    }
    const bool max_a = maximized(sw, pa_), max_b = maximized(sw, pb_);
    const std::vector<size_t> front = pareto_front(a, b, max_a, max_b);
    double ax0 = INFINITY, ax1 = -INFINITY, by0 = INFINITY, by1 = -INFINITY;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::isnan(a[i]) || std::isnan(b[i])) continue;
      ax0 = std::min(ax0, a[i]), ax1 = std::max(ax1, a[i]), by0 = std::min(by0, b[i]), by1 = std::max(by1, b[i]);
    }
    if (!std::isfinite(ax0)) return;
    if (!scatter_view_.valid) {
      // A degenerate range (all points equal in one metric) still gets a readable span.
      auto pad = [](double lo, double hi) { return hi > lo ? (hi - lo) * 0.08 : std::max(1.0, std::fabs(lo) * 0.05); };
      const double padx = pad(ax0, ax1), pady = pad(by0, by1);
      scatter_view_.x0 = ax0 - padx, scatter_view_.x1 = ax1 + padx;
      scatter_view_.y0 = by0 - pady, scatter_view_.y1 = by1 + pady;
      scatter_view_.valid = true;
    }
    PlotConfig cfg;
    cfg.x_format = AxisFormat::kNumber;
    cfg.zoom_y = true;
    cfg.pan_y = true;
    const std::string x_label = "x: " + sw.metrics[static_cast<size_t>(pa_)] + " (mean)";
    const std::string y_label = "y: " + sw.metrics[static_cast<size_t>(pb_)] + " (mean)";
    cfg.x_label = x_label.c_str();
    cfg.y_label = y_label.c_str();
    const bool stored = defaults_.from_pareto && pa_ == defaults_.metric_a && pb_ == defaults_.metric_b;
    ImGui::TextDisabled("%s (x %s, y %s)", stored ? "the file's --pareto" : "orange: Pareto front",
                        max_a ? "max" : "min", max_b ? "max" : "min");
    Plot p("##scatter", ImVec2(-1, -4), scatter_view_, cfg);
    p.scatter(a.data(), b.data(), a.size(), IM_COL32(140, 150, 170, 220), 3.5f);
    std::vector<size_t> drawn = front;  // the line needs ascending x whatever the goals
    std::sort(drawn.begin(), drawn.end(), [&](size_t x, size_t y) { return a[x] < a[y]; });
    std::vector<double> fa, fb;
    for (size_t i : drawn) fa.push_back(a[i]), fb.push_back(b[i]);
    p.line(fa.data(), fb.data(), fa.size(), IM_COL32(250, 140, 40, 255), 2.0f, true);
    p.scatter(fa.data(), fb.data(), fa.size(), IM_COL32(250, 140, 40, 255), 5.0f);
    if (p.hovered()) {
      // Nearest point within 8 px.
      const ImVec2 mouse = ImGui::GetIO().MousePos;
      size_t best = a.size();
      float best_d = 64;
      for (size_t i = 0; i < a.size(); ++i) {
        const ImVec2 q = p.px(a[i], b[i]);
        const float d = (q.x - mouse.x) * (q.x - mouse.x) + (q.y - mouse.y) * (q.y - mouse.y);
        if (d < best_d) best_d = d, best = i;
      }
      if (best < a.size()) {
        ImGui::BeginTooltip();
        for (size_t k = 0; k < sw.params.size(); ++k)
          ImGui::Text("%s = %s", sw.params[k].c_str(), sw.values[best][k].c_str());
        ImGui::Text("%s = %.4g", sw.metrics[static_cast<size_t>(pa_)].c_str(), a[best]);
        ImGui::Text("%s = %.4g", sw.metrics[static_cast<size_t>(pb_)].c_str(), b[best]);
        if (std::find(front.begin(), front.end(), best) != front.end())
          ImGui::TextColored(ImVec4(1, 0.6f, 0.2f, 1), "on the Pareto front");
        ImGui::EndTooltip();
      }
    }
  }

  const LoadedRun* for_ = nullptr;
  int px_ = 0, py_ = 0, metric_ = 0, pa_ = 0, pb_ = 0;
  SweepDefaults defaults_;
  bool dirty_ = true;
  Heatmap heat_;
  PlotView heat_view_, scatter_view_;
};

}  // namespace

std::unique_ptr<Panel> make_sweeps_panel() { return std::make_unique<SweepsPanel>(); }

}  // namespace spotsim::viz

// Fleet timeline: running VMs by pool and purchase type (stacked), eviction/notice markers,
// shaded storm/cliff intervals, on-demand fallback highlighted; wheel zooms, drag pans, hover
// shows exact values, double-click fits.
#include <algorithm>
#include <cmath>
#include <string>

#include "viz/data/events_view.h"
#include "viz/panels/panel.h"
#include "viz/plot/colors.h"
#include "viz/plot/label_layout.h"

namespace spotsim::viz {
namespace {

class TimelinePanel : public Panel {
 public:
  const char* name() const override { return "timeline"; }
  const char* title() const override { return "Fleet timeline"; }

  void draw(AppState& app) override {
    const LoadedRun* run = app.primary();
    if (!run) {
      empty_state("No run loaded", "Open a run: spotviz run.h5, or a scenario: spotviz scenario.yaml.");
      return;
    }
    const FleetStack& st = run->stack;
    const RunModel& m = run->model;
    if (st.empty()) {
      empty_state("No fleet time series in this run",
                  "The file has neither running-VM series nor VM lifetimes. Record with "
                  "--record timeseries (or events/full) to see the fleet over time.");
      return;
    }
    if (m.has_events()) {
      ImGui::Checkbox("evictions", &show_evictions_);
      ImGui::SameLine();
      ImGui::Checkbox("notices", &show_notices_);
      ImGui::SameLine();
      ImGui::Checkbox("capacity errors", &show_capacity_errors_);
      ImGui::SameLine();
    }
    ImGui::Checkbox("target", &show_target_);
    ImGui::SameLine();
    ImGui::TextDisabled("  wheel: zoom   drag: pan   double-click: fit   replication %lld",
                        static_cast<long long>(m.shown_replication));

    if (!app.time_view.valid) app.fit_time_view();
    if (app.jump_to) {
      app.time_view.center_x(*app.jump_to);
      marked_ = *app.jump_to;
      app.jump_to.reset();
    }
    if (!m.has_events()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.85f, 0.3f, 1.0f));
      ImGui::TextWrapped(
          "No eviction/notice markers: this file was recorded with --record %s. "
          "Record with --record events (or full) for markers and the events table.",
          m.record_level.c_str());
      ImGui::PopStyleColor();
    }
    PlotView& v = app.time_view;
    // Head room above the stack for up to kLabelRows lines of chaos labels.
    const double head = m.intervals.empty() ? 1.12 : 1.32;
    const double ymax = std::max(st.max_total, st.target_max) * head + 1;
    v.y0 = 0;
    v.y1 = ymax;

    std::vector<ImU32> colors;
    std::vector<std::string> labels;
    for (const StackLayer& l : st.layers) {
      colors.push_back(l.purchase == Purchase::kSpot ? spot_color(l.pool, 230) : on_demand_color(l.pool, 240));
      labels.push_back(l.label);
    }
    PlotConfig cfg;
    cfg.y_label = "running VMs";
    cfg.x_label = kTimeAxisLabel;
    const float legend_h = legend_height(legend_labels(labels, m, st).first);
    {
      Plot p("##fleet", ImVec2(-1, -legend_h), v, cfg);
      for (const Interval& iv : m.intervals) p.vspan(iv.start, iv.end, chaos_shade(iv.kind));
      for (const auto& [a, b] : st.fallback_intervals) p.vspan(a, b, kFallbackShade);
      p.stacked_steps(st.t, st.top, colors, m.duration_s);
      if (show_target_) draw_target(p, st, m.duration_s);
      const std::vector<size_t> elided = draw_chaos_labels(p, m);
      if (m.has_events()) draw_markers(p, *run, st, ymax);
      if (marked_) p.vline(*marked_, IM_COL32(255, 255, 255, 160), 2.0f);
      if (p.hovered()) tooltip(p, m, st, colors, elided);
    }
    const auto [all_labels, all_colors] = legend_labels(labels, m, st, colors);
    legend(all_labels, all_colors);
  }

 private:
  static constexpr int kLabelRows = 3;
  static constexpr size_t kMaxLabels = 300;  // more in view: one note instead of a label each

  // The fleets' total target as it was at each moment (a step line); the scenario's initial
  // target as a flat line only for files without target series.
  static void draw_target(const Plot& p, const FleetStack& st, double end) {
    if (st.target.empty()) {
      if (st.target_total > 0) p.hline(st.target_total, kTargetColor, 1.5f);
      return;
    }
    std::vector<double> t = st.t, y = st.target;
    if (end > t.back()) {  // hold the last value to the end of the run
      t.push_back(end);
      y.push_back(y.back());
    }
    p.line(t.data(), y.data(), t.size(), kTargetColor, 1.5f, true);
  }

  // Each occurrence's label "<kind>: <name>" at the top of its band, in the kind's colour, on the
  // first of kLabelRows lines where it overlaps no other label (a label whose band starts left
  // of the view sticks to the left edge). Returns the intervals whose label found no line: they
  // get a small marker and are named in the tooltip.
  static std::vector<size_t> draw_chaos_labels(const Plot& p, const RunModel& m) {
    std::vector<size_t> shown;
    std::vector<std::string> text;
    std::vector<float> xs, ws;
    const float left = p.area_min().x, right = p.area_max().x;
    for (size_t i = 0; i < m.intervals.size(); ++i) {
      const Interval& iv = m.intervals[i];
      const float a = p.px_x(iv.start), b = p.px_x(iv.end);
      if (b < left || a > right) continue;  // not in view
      shown.push_back(i);
      if (shown.size() > kMaxLabels) continue;  // only counted
      text.push_back(chaos_kind_label(iv.kind) + (iv.label.empty() ? "" : ": " + iv.label));
      xs.push_back(std::max(a, left) + 3);
      ws.push_back(ImGui::CalcTextSize(text.back().c_str()).x);
    }
    std::vector<size_t> elided;
    ImDrawList* dl = p.draw_list();
    const float line_h = ImGui::GetTextLineHeight() + 1;
    if (shown.size() > kMaxLabels) {  // far more than fit: say so instead of laying out each
      const std::string note = std::to_string(shown.size()) + " chaos occurrences in view: zoom in for their labels";
      dl->AddText(ImVec2(left + 4, p.area_min().y + 2), IM_COL32(220, 220, 230, 255), note.c_str());
      return elided;
    }
    const std::vector<int> rows = stack_labels(xs, ws, kLabelRows);
    for (size_t k = 0; k < shown.size(); ++k) {
      const Interval& iv = m.intervals[shown[k]];
      if (rows[k] < 0) {
        elided.push_back(shown[k]);
        // A small tick at the top of its band says "a label is hidden here: hover".
        const float y = p.area_min().y + 2 + kLabelRows * line_h;
        dl->AddTriangleFilled(ImVec2(xs[k] - 3, y), ImVec2(xs[k] + 5, y), ImVec2(xs[k] + 1, y + 7),
                              chaos_color(iv.kind));
        continue;
      }
      const float y = p.area_min().y + 2 + static_cast<float>(rows[k]) * line_h;
      dl->AddText(ImVec2(xs[k], y), chaos_color(iv.kind), text[k].c_str());
    }
    return elided;
  }

  void draw_markers(const Plot& p, const LoadedRun& run, const FleetStack& st, double ymax) const {
    struct Kind {
      uint8_t kind;
      bool show;
      ImU32 color;
      MarkerShape shape;
      double y;  // < 0: on top of the stack
    };
    const Kind kinds[] = {
        {kEvEviction, show_evictions_, kEvictionColor, MarkerShape::kTriangleDown, -1},
        {kEvNotice, show_notices_, kNoticeColor, MarkerShape::kDiamond, ymax * 0.04},
        {kEvCapacityError, show_capacity_errors_, kCapacityErrorColor, MarkerShape::kCross, ymax * 0.09}};
    // At most one marker per kind per 2-pixel column: O(width · log n) whatever the event count.
    const double step = 2 * p.x_per_px();
    for (const Kind& k : kinds) {
      if (!k.show || k.kind >= run.times_by_kind.size()) continue;
      const std::vector<double>& ts = run.times_by_kind[k.kind];
      auto it = std::lower_bound(ts.begin(), ts.end(), p.view().x0);
      while (it != ts.end() && *it <= p.view().x1) {
        const double x = *it;
        const double y = k.y >= 0 ? k.y : st.top.back()[st.index_at(x)];
        p.marker(x, y, k.shape, k.color, 4.0f);
        it = std::lower_bound(it + 1, ts.end(), x + step);
      }
    }
  }

  void tooltip(const Plot& p, const RunModel& m, const FleetStack& st, const std::vector<ImU32>& colors,
               const std::vector<size_t>& elided) const {
    const double x = p.mouse_x();
    p.vline(x, IM_COL32(255, 255, 255, 90));
    const size_t i = st.index_at(x);
    ImGui::BeginTooltip();
    ImGui::Text("t = %s", format_value(x, AxisFormat::kTime).c_str());
    ImGui::Separator();
    for (size_t l = st.layers.size(); l-- > 0;) {
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colors[l]), "%-24s %6.0f", st.layers[l].label.c_str(),
                         st.value[l][i]);
    }
    ImGui::Text("%-24s %6.0f", "total running", st.top.back()[i]);
    if (!st.fallback.empty() && st.fallback[i] > 0) {
      ImGui::Text("%-24s %6.0f", "  of which fallback", st.fallback[i]);
    }
    if (!st.target.empty() || st.target_total > 0) ImGui::Text("%-24s %6.0f", "target", st.target_at(x));
    for (const Interval& iv : m.intervals) {
      if (x >= iv.start && x < iv.end) {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(chaos_color(iv.kind)), "%s: %s",
                           chaos_kind_label(iv.kind).c_str(), iv.label.c_str());
      }
    }
    // Labels elided for lack of room, near the pointer (their bands start within 60 px).
    for (size_t k : elided) {
      const Interval& iv = m.intervals[k];
      if (std::fabs(p.px_x(std::max(iv.start, p.view().x0)) - p.px_x(x)) < 60 && !(x >= iv.start && x < iv.end)) {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(chaos_color(iv.kind)), "%s: %s (label hidden)",
                           chaos_kind_label(iv.kind).c_str(), iv.label.c_str());
      }
    }
    // Events within 3 pixels of the mouse.
    const double tol = 3 * p.x_per_px();
    const EventTable& e = m.events;
    size_t k = first_event_at_or_after(e, x - tol);
    int shown = 0, more = 0;
    for (; k < e.size() && e.t[k] <= x + tol; ++k) {
      if (e.kind[k] != kEvEviction && e.kind[k] != kEvNotice && e.kind[k] != kEvCapacityError) continue;
      if (shown < 8) {
        const std::string pool = e.pool[k] < m.pools.size() ? m.pools[e.pool[k]].name : "-";
        ImGui::Text("%s  %s  vm %u  %s", format_value(e.t[k], AxisFormat::kTime).c_str(),
                    m.event_kind_label(e.kind[k]).c_str(), e.vm[k], pool.c_str());
        ++shown;
      } else {
        ++more;
      }
    }
    if (more) ImGui::TextDisabled("... and %d more", more);
    ImGui::EndTooltip();
  }

  // The layers' labels and colours followed by those of markers and shaded intervals.
  static std::pair<std::vector<std::string>, std::vector<ImU32>> legend_labels(std::vector<std::string> labels,
                                                                               const RunModel& m, const FleetStack& st,
                                                                               std::vector<ImU32> colors = {}) {
    if (m.has_events()) {
      labels.push_back("eviction");
      colors.push_back(kEvictionColor);
      labels.push_back("notice");
      colors.push_back(kNoticeColor);
      labels.push_back("capacity error");
      colors.push_back(kCapacityErrorColor);
    }
    if (!st.fallback_intervals.empty()) {
      labels.push_back("on-demand fallback in use");
      colors.push_back(IM_COL32(255, 120, 20, 160));
    }
    std::vector<std::string> kinds;  // one legend entry per chaos kind present, in order of appearance
    for (const Interval& iv : m.intervals) {
      if (std::find(kinds.begin(), kinds.end(), iv.kind) != kinds.end()) continue;
      kinds.push_back(iv.kind);
      labels.push_back(chaos_kind_label(iv.kind));
      colors.push_back(chaos_color(iv.kind, 200));
    }
    if (!st.target.empty()) {
      labels.push_back("target over time");
      colors.push_back(kTargetColor);
    } else if (st.target_total > 0) {
      labels.push_back("target (initial; not recorded)");
      colors.push_back(kTargetColor);
    }
    return {std::move(labels), std::move(colors)};
  }

  bool show_evictions_ = true;
  bool show_notices_ = true;
  bool show_capacity_errors_ = true;
  bool show_target_ = true;
  std::optional<double> marked_;
};

}  // namespace

std::unique_ptr<Panel> make_timeline_panel() { return std::make_unique<TimelinePanel>(); }

}  // namespace spotsim::viz

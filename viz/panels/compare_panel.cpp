// Compare: two runs overlaid (running VMs and cumulative cost) and every metric side by side
// with its delta.
#include <algorithm>
#include <string>

#include "viz/data/compare_view.h"
#include "viz/panels/panel.h"
#include "viz/plot/colors.h"

namespace spotsim::viz {
namespace {

constexpr ImU32 kA = IM_COL32(80, 170, 250, 255);
constexpr ImU32 kB = IM_COL32(250, 140, 40, 255);

class ComparePanel : public Panel {
 public:
  const char* name() const override { return "compare"; }
  const char* title() const override { return "Compare"; }

  void draw(AppState& app) override {
    const LoadedRun* a = app.primary();
    const LoadedRun* b = app.secondary();
    if (!a || !b) {
      empty_state("Compare needs two runs",
                  "Open two files to compare them: spotviz a.h5 b.h5 (run files or scenarios). "
                  "The live panel can also keep its previous result to compare against.");
      return;
    }
    if (deltas_for_a_ != a || deltas_for_b_ != b) {
      deltas_ = compare_metrics(a->model, b->model);
      deltas_for_a_ = a;
      deltas_for_b_ = b;
    }
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kA), "A: %s", a->model.source.c_str());
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kB), "   B: %s", b->model.source.c_str());
    const float plot_h = std::max(120.0f, ImGui::GetContentRegionAvail().y * 0.28f);
    if (!app.time_view.valid) app.fit_time_view();
    PlotView& v = app.time_view;
    // Running VMs overlaid.
    double ymax = 1;
    for (const LoadedRun* r : {a, b}) ymax = std::max({ymax, r->stack.max_total, r->stack.target_max});
    v.fit_y(0, ymax * 1.15);  // headroom for the axis label
    {
      PlotConfig cfg;
      cfg.y_label = "running VMs (A blue, B orange)";
      Plot p("##cmp_run", ImVec2(-1, plot_h), v, cfg);
      for (const auto& [r, c] : {std::pair{a, kA}, std::pair{b, kB}}) {
        if (!r->stack.empty()) p.line(r->stack.t.data(), r->stack.top.back().data(), r->stack.t.size(), c, 1.5f, true);
      }
      if (p.hovered()) hover(p, *a, *b, false);
    }
    double cmax = 1;
    for (const LoadedRun* r : {a, b}) {
      if (!r->cost.empty()) cmax = std::max(cmax, r->cost.actual.back());
    }
    v.fit_y(0, cmax * 1.15);
    {
      PlotConfig cfg;
      cfg.y_label = "cumulative cost ($)";
      cfg.x_label = kTimeAxisLabel;
      cfg.y_format = AxisFormat::kDollars;
      Plot p("##cmp_cost", ImVec2(-1, plot_h), v, cfg);
      for (const auto& [r, c] : {std::pair{a, kA}, std::pair{b, kB}}) {
        if (!r->cost.empty()) p.line(r->cost.t.data(), r->cost.actual.data(), r->cost.t.size(), c, 2.0f);
      }
      if (p.hovered()) hover(p, *a, *b, true);
    }
    ImGui::SetNextItemWidth(260);
    ImGui::InputTextWithHint("##filter", "filter metrics (e.g. cost, web)", filter_, sizeof filter_);
    draw_table();
  }

 private:
  static double stack_at(const LoadedRun& r, double x) {
    if (r.stack.empty()) return 0;
    return r.stack.top.back()[r.stack.index_at(x)];
  }
  static double cost_at(const LoadedRun& r, double x) {
    const auto& t = r.cost.t;
    if (t.empty()) return 0;
    auto it = std::upper_bound(t.begin(), t.end(), x);
    return it == t.begin() ? r.cost.actual.front() : r.cost.actual[static_cast<size_t>(it - t.begin()) - 1];
  }

  void hover(const Plot& p, const LoadedRun& a, const LoadedRun& b, bool cost) const {
    const double x = p.mouse_x();
    p.vline(x, IM_COL32(255, 255, 255, 90));
    const AxisFormat f = cost ? AxisFormat::kDollars : AxisFormat::kNumber;
    const double va = cost ? cost_at(a, x) : stack_at(a, x), vb = cost ? cost_at(b, x) : stack_at(b, x);
    ImGui::BeginTooltip();
    ImGui::Text("t = %s", format_value(x, AxisFormat::kTime).c_str());
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kA), "A  %s", format_value(va, f).c_str());
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kB), "B  %s", format_value(vb, f).c_str());
    ImGui::Text("B - A  %s", format_value(vb - va, f).c_str());
    ImGui::EndTooltip();
  }

  void draw_table() {
    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersV |
                               ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("##deltas", 6, tf)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("metric", ImGuiTableColumnFlags_WidthStretch, 3);
    ImGui::TableSetupColumn("unit", ImGuiTableColumnFlags_WidthStretch, 0.6f);
    ImGui::TableSetupColumn("A (mean)", ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ImGui::TableSetupColumn("B (mean)", ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ImGui::TableSetupColumn("B - A", ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ImGui::TableSetupColumn("change", ImGuiTableColumnFlags_WidthStretch, 1);
    ImGui::TableHeadersRow();
    const std::string f = filter_;
    for (const MetricDelta& d : deltas_) {
      if (!f.empty() && d.name.find(f) == std::string::npos) continue;
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(d.name.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(d.unit.c_str());
      ImGui::TableNextColumn();
      if (d.in_a) ImGui::Text("%.4g", d.a);
      else ImGui::TextDisabled("-");
      ImGui::TableNextColumn();
      if (d.in_b) ImGui::Text("%.4g", d.b);
      else ImGui::TextDisabled("-");
      ImGui::TableNextColumn();
      if (d.in_a && d.in_b) ImGui::Text("%+.4g", d.delta);
      else ImGui::TextDisabled("-");
      ImGui::TableNextColumn();
      if (d.in_a && d.in_b && d.a != 0) {
        const ImVec4 c = d.delta == 0 ? ImVec4(0.7f, 0.7f, 0.7f, 1) : ImVec4(0.95f, 0.85f, 0.4f, 1);
        ImGui::TextColored(c, "%+.1f%%", d.pct);
      } else {
        ImGui::TextDisabled("-");
      }
    }
    ImGui::EndTable();
  }

  std::vector<MetricDelta> deltas_;
  const LoadedRun* deltas_for_a_ = nullptr;
  const LoadedRun* deltas_for_b_ = nullptr;
  char filter_[128] = "";
};

}  // namespace

std::unique_ptr<Panel> make_compare_panel() { return std::make_unique<ComparePanel>(); }

}  // namespace spotsim::viz

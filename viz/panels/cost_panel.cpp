// Cost: cumulative cost of the run against the all-on-demand counterfactual, and savings.
#include <algorithm>
#include <string>

#include "viz/panels/panel.h"
#include "viz/plot/colors.h"

namespace spotsim::viz {
namespace {

constexpr ImU32 kActual = IM_COL32(80, 170, 250, 255);
constexpr ImU32 kAllOnDemand = IM_COL32(250, 140, 40, 255);

double value_at(const std::vector<double>& t, const std::vector<double>& v, double x) {
  if (t.empty()) return 0;
  auto it = std::upper_bound(t.begin(), t.end(), x);
  if (it == t.begin()) return v.front();
  if (it == t.end()) return v.back();
  const size_t i = static_cast<size_t>(it - t.begin());
  const double f = (x - t[i - 1]) / (t[i] - t[i - 1]);
  return v[i - 1] + (v[i] - v[i - 1]) * f;
}

class CostPanel : public Panel {
 public:
  const char* name() const override { return "cost"; }
  const char* title() const override { return "Cost"; }

  void draw(AppState& app) override {
    const LoadedRun* run = app.primary();
    if (!run) {
      empty_state("No run loaded", "Open a run file or a scenario to see its cost.");
      return;
    }
    const CostCurves& c = run->cost;
    if (c.empty() && !c.has_summary) {
      empty_state("No cost data", "This run has neither fleet time series nor summary cost metrics.");
      return;
    }
    // Headline numbers.
    if (ImGui::BeginTable("##costsum", 4, ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame)) {
      ImGui::TableNextRow();
      auto big = [](const char* label, const std::string& value, ImVec4 col) {
        ImGui::TableNextColumn();
        ImGui::TextDisabled("%s", label);
        ImGui::TextColored(col, "%s", value.c_str());
      };
      const ImVec4 white(0.95f, 0.95f, 0.95f, 1);
      if (!c.empty()) {
        big("this run (shown replication)", format_value(c.final_actual, AxisFormat::kDollars),
            ImGui::ColorConvertU32ToFloat4(kActual));
        big("all on-demand counterfactual", format_value(c.final_all_on_demand, AxisFormat::kDollars),
            ImGui::ColorConvertU32ToFloat4(kAllOnDemand));
        big("savings (estimate)", format_value(c.savings_pct, AxisFormat::kPercent), ImVec4(0.4f, 0.9f, 0.5f, 1));
      }
      if (c.has_summary) {
        big("billed, mean over replications",
            format_value(c.summary_total, AxisFormat::kDollars) + "  (savings " +
                format_value(c.summary_savings_pct, AxisFormat::kPercent) + ")",
            white);
      }
      ImGui::EndTable();
    }
    if (c.empty()) {
      empty_state("No cost over time", "Only summary metrics are in this run: record time series to see the curve.");
      return;
    }
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped(
        "cumulative $ (estimate): running VM-hours x pool price, no boot time or billing rules; "
        "counterfactual: every fleet's target on on-demand, never interrupted");
    ImGui::PopStyleColor();
    if (!app.time_view.valid) app.fit_time_view();
    PlotView& v = app.time_view;
    double ymax = 1;
    for (double y : c.all_on_demand) ymax = std::max(ymax, y);
    for (double y : c.actual) ymax = std::max(ymax, y);
    v.y0 = 0;
    v.y1 = ymax * 1.08;
    PlotConfig cfg;
    cfg.y_format = AxisFormat::kDollars;
    cfg.y_label = "cumulative cost ($)";
    cfg.x_label = kTimeAxisLabel;
    std::vector<std::string> labels = {"this run", "all on-demand counterfactual"};
    std::vector<ImU32> colors = {kActual, kAllOnDemand};
    if (!run->stack.fallback_intervals.empty()) {
      labels.push_back("on-demand fallback in use");
      colors.push_back(IM_COL32(255, 120, 20, 160));
    }
    const float legend_h = legend_height(labels);
    {
      Plot p("##cost", ImVec2(-1, -legend_h), v, cfg);
      for (const auto& [a, b] : run->stack.fallback_intervals) p.vspan(a, b, kFallbackShade);
      p.line(c.t.data(), c.all_on_demand.data(), c.t.size(), kAllOnDemand, 2.0f);
      p.line(c.t.data(), c.actual.data(), c.t.size(), kActual, 2.5f);
      if (p.hovered()) {
        const double x = p.mouse_x();
        p.vline(x, IM_COL32(255, 255, 255, 90));
        const double a = value_at(c.t, c.actual, x), o = value_at(c.t, c.all_on_demand, x);
        ImGui::BeginTooltip();
        ImGui::Text("t = %s", format_value(x, AxisFormat::kTime).c_str());
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kActual), "this run      %s",
                           format_value(a, AxisFormat::kDollars).c_str());
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kAllOnDemand), "all on-demand %s",
                           format_value(o, AxisFormat::kDollars).c_str());
        if (o > 0) ImGui::Text("savings so far %s", format_value(100 * (1 - a / o), AxisFormat::kPercent).c_str());
        ImGui::EndTooltip();
      }
    }
    legend(labels, colors);
  }
};

}  // namespace

std::unique_ptr<Panel> make_cost_panel() { return std::make_unique<CostPanel>(); }

}  // namespace spotsim::viz

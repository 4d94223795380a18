// Workloads: queue depth and SLO series (whatever "workload/..." series the run has), and a
// Gantt of VM lanes (boot, running, notice, eviction) with job bars, drawn with level of detail
// so 10^5 bars stay smooth.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "viz/panels/panel.h"
#include "viz/plot/colors.h"

namespace spotsim::viz {
namespace {

constexpr ImU32 kBoot = IM_COL32(120, 120, 140, 255);
constexpr ImU32 kRun = IM_COL32(60, 140, 220, 255);
constexpr ImU32 kNotice = IM_COL32(250, 190, 30, 255);
constexpr ImU32 kJob = IM_COL32(90, 200, 120, 255);
constexpr ImU32 kJobLost = IM_COL32(235, 90, 70, 255);

ImU32 bar_color(const GanttBar& b) {
  switch (b.kind) {
    case BarKind::kBooting: return kBoot;
    case BarKind::kRunning: return kRun;
    case BarKind::kNoticed: return kNotice;
    case BarKind::kJob: return b.evicted ? kJobLost : kJob;
    case BarKind::kLostWork: return kJobLost;
  }
  return kRun;
}

class WorkloadsPanel : public Panel {
 public:
  const char* name() const override { return "workloads"; }
  const char* title() const override { return "Workloads"; }

  void draw(AppState& app) override {
    const LoadedRun* run = app.primary();
    if (!run) {
      empty_state("No run loaded", "Open a run file or a scenario.");
      return;
    }
    if (!app.time_view.valid) app.fit_time_view();
    const float h = ImGui::GetContentRegionAvail().y;
    draw_summary(*run, h * 0.18f);
    draw_series(app, *run, h * 0.2f);
    draw_gantt(app, *run);
  }

 private:
  // Every workload.<name>.<metric> of the summary (SLO attainment, error budget, lost work, ...).
  void draw_summary(const LoadedRun& run, float max_h) {
    std::vector<const MetricSummary*> rows;
    for (const MetricSummary& m : run.model.metrics) {
      if (m.name.rfind("workload.", 0) == 0) rows.push_back(&m);
    }
    if (rows.empty()) return;
    const float h = std::min(ImGui::GetTextLineHeightWithSpacing() * (static_cast<float>(rows.size()) + 1.5f),
                             max_h);
    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter | ImGuiTableFlags_ScrollY |
                               ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("##wsum", 5, tf, ImVec2(0, h))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("workload metric (over replications)", 0, 4);
    ImGui::TableSetupColumn("mean", 0, 1);
    ImGui::TableSetupColumn("p95", 0, 1);
    ImGui::TableSetupColumn("max", 0, 1);
    ImGui::TableSetupColumn("unit", 0, 0.6f);
    ImGui::TableHeadersRow();
    for (const MetricSummary* m : rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const bool slo = m->name.find("slo") != std::string::npos || m->name.find("budget") != std::string::npos;
      if (slo) {
        ImGui::TextColored(ImVec4(0.5f, 0.85f, 1.0f, 1), "%s", m->name.c_str() + 9);
      } else {
        ImGui::TextUnformatted(m->name.c_str() + 9);
      }
      ImGui::TableNextColumn();
      ImGui::Text("%.4g", m->mean);
      ImGui::TableNextColumn();
      ImGui::Text("%.4g", m->p95);
      ImGui::TableNextColumn();
      ImGui::Text("%.4g", m->max);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(m->unit.c_str());
    }
    ImGui::EndTable();
  }

  // Gauges (queue depth, running jobs, SLO and error-budget series) by default; the cumulative
  // counters (jobs submitted, completed, ...) on request, since they dwarf the gauges.
  static bool is_gauge(const std::string& metric) {
    return metric == "queue_depth" || metric == "running_jobs" || metric.find("slo") != std::string::npos ||
           metric.find("budget") != std::string::npos || metric.find("burn") != std::string::npos;
  }

  void draw_series(AppState& app, const LoadedRun& run, float total_h) {
    std::map<std::string, std::vector<const Series*>> by_group;
    bool any_counter = false, any_gauge = false;
    for (const Series& s : run.model.series) {
      if (s.group.rfind("workload/", 0) != 0 || s.t.empty()) continue;
      (is_gauge(s.metric) ? any_gauge : any_counter) = true;
    }
    const bool counters = show_counters_ || !any_gauge;  // counters only: show them
    for (const Series& s : run.model.series) {
      if (s.group.rfind("workload/", 0) != 0 || s.t.empty()) continue;
      if (is_gauge(s.metric) || counters) by_group[s.group].push_back(&s);
    }
    if (by_group.empty()) {
      empty_state("No workload time series in this run",
                  "Queue depth, SLO attainment and error-budget burn over time appear here when the run "
                  "has workload series that change during the run (a `workloads:` block, recorded at "
                  "--record timeseries or above). Summary values, when present, are in the table above; "
                  "the Gantt below shows the VMs the workloads ran on.",
                  ImVec2(-1, 80));
      return;
    }
    const float h = std::max(60.0f, total_h / static_cast<float>(by_group.size()));
    for (const auto& [group, series] : by_group) {
      ImGui::Text("workload %s over time", group.c_str() + 9);
      if (any_counter && any_gauge) {
        ImGui::SameLine();
        ImGui::Checkbox("cumulative counters", &show_counters_);
      }
      double lo = 0, hi = 1;
      for (const Series* s : series) {
        for (double v : s->v) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
      }
      app.time_view.fit_y(lo, hi);
      PlotConfig cfg;
      cfg.y_label = counters ? "jobs (counters: since the start)" : "jobs";
      {
        Plot p(("##" + group).c_str(), ImVec2(-1, h), app.time_view, cfg);
        for (size_t i = 0; i < series.size(); ++i) {
          p.line(series[i]->t.data(), series[i]->v.data(), series[i]->t.size(), series_color(i), 1.5f, true);
        }
        if (p.hovered()) {
          const double x = p.mouse_x();
          p.vline(x, IM_COL32(255, 255, 255, 90));
          ImGui::BeginTooltip();
          ImGui::Text("t = %s", format_value(x, AxisFormat::kTime).c_str());
          for (size_t i = 0; i < series.size(); ++i) {
            const Series& s = *series[i];
            auto it = std::upper_bound(s.t.begin(), s.t.end(), x);
            const double v = it == s.t.begin() ? s.v.front() : s.v[static_cast<size_t>(it - s.t.begin()) - 1];
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(series_color(i)), "%-24s %s", s.metric.c_str(),
                               format_value(v, AxisFormat::kNumber).c_str());
          }
          ImGui::EndTooltip();
        }
      }
      std::vector<std::string> labels;
      std::vector<ImU32> colors;
      for (size_t i = 0; i < series.size(); ++i) {
        labels.push_back(series[i]->metric);
        colors.push_back(series_color(i));
      }
      legend(labels, colors);
    }
  }

  void draw_gantt(AppState& app, const LoadedRun& run) {
    const Gantt& g = run.gantt;
    if (g.first_job_lane == g.lanes()) {
      ImGui::Text("VMs over time: %zu lanes (a lane holds one VM at a time), %zu jobs on their VMs%s", g.lanes(),
                  run.model.jobs.size(), run.model.jobs.empty() ? " (no jobs recorded: VM lifetimes only)" : "");
    } else {
      ImGui::Text("VMs over time: %zu VM lanes, %zu job lanes, %zu jobs", g.first_job_lane,
                  g.lanes() - g.first_job_lane, run.model.jobs.size());
    }
    ImGui::SameLine();
    ImGui::TextDisabled("  wheel: zoom time, ctrl+wheel: zoom lanes");
    if (g.lanes() == 0) {
      const std::string body = "VM lanes need VM lifetimes: record with --record full (--record events has the jobs "
                               "but not the VMs)" +
                               (run.model.record_level.empty() ? std::string(".")
                                                               : "; this file was recorded with --record " +
                                                                     run.model.record_level + ".");
      empty_state("No VM lifetimes or jobs in this run", body.c_str());
      return;
    }
    const double nl = static_cast<double>(g.lanes());
    if (!lanes_valid_ || lanes_for_ != &g) {
      lane_y0_ = 0;
      lane_y1_ = nl;
      lanes_valid_ = true;
      lanes_for_ = &g;
    }
    PlotView& v = app.time_view;
    v.y0 = lane_y0_;
    v.y1 = lane_y1_;
    PlotConfig cfg;
    cfg.y_categorical = true;
    cfg.zoom_y = ImGui::GetIO().KeyCtrl;
    cfg.pan_y = true;
    cfg.x_label = kTimeAxisLabel;
    // With /job_runs red marks each run an eviction cut short; older files only know which jobs lost work.
    const std::vector<std::string> legend_labels = {
        "booting", "running", "after notice", "eviction", "job",
        run.model.job_runs.empty() ? "job that lost work" : "run cut short"};
    const float legend_h = legend_height(legend_labels);
    {
      Plot p("##gantt", ImVec2(-1, -legend_h), v, cfg);
      const double min_w = p.x_per_px();
      const float row_px = static_cast<float>((p.area_max().y - p.area_min().y) / std::max(1e-9, v.y1 - v.y0));
      // With more lanes than pixel rows, draw one lane per row (the others are hidden by it).
      const size_t step = row_px >= 1 ? 1 : static_cast<size_t>(std::ceil(1.0 / row_px));
      const size_t first = static_cast<size_t>(std::max(0.0, std::floor(v.y0)));
      const size_t last = static_cast<size_t>(std::clamp(std::ceil(v.y1), 0.0, nl));
      const double pad = row_px > 4 ? 0.12 : 0.0;
      for (size_t lane = first; lane < last; lane += step) {
        const double y0 = static_cast<double>(lane) + pad, y1 = static_cast<double>(lane + step) - pad;
        visit_lod(g.vm_bars[lane], v.x0, v.x1, min_w, [&](const GanttBar& b) {
          p.rect(b.start, y0, b.end, y1, bar_color(b));
          if (b.evicted && row_px >= 3) p.rect(b.end - min_w, y0, b.end + min_w, y1, kEvictionColor);
        });
        if (!g.job_bars[lane].empty()) {
          const bool own = lane >= g.first_job_lane;  // a job lane: full height
          const double jy0 = own ? y0 : y0 + (y1 - y0) * 0.3, jy1 = own ? y1 : y1 - (y1 - y0) * 0.3;
          visit_lod(g.job_bars[lane], v.x0, v.x1, min_w,
                    [&](const GanttBar& b) { p.rect(b.start, jy0, b.end, jy1, bar_color(b)); });
        }
      }
      if (g.first_job_lane > 0 && g.first_job_lane < g.lanes()) {
        p.hline(static_cast<double>(g.first_job_lane), IM_COL32(255, 255, 255, 120), 1.0f);
        p.text(v.x0, static_cast<double>(g.first_job_lane) + 0.02 * (v.y1 - v.y0), IM_COL32(220, 220, 230, 255),
               "job lanes above this line (the VM of each job is not recorded)");
      }
      if (p.hovered()) tooltip(p, run, g);
      lane_y0_ = v.y0;
      lane_y1_ = v.y1;
      if (!v.valid) {  // double-click: fit lanes too
        lane_y0_ = 0;
        lane_y1_ = nl;
      }
    }
    legend(legend_labels, {kBoot, kRun, kNotice, kEvictionColor, kJob, kJobLost});
  }

  void tooltip(const Plot& p, const LoadedRun& run, const Gantt& g) const {
    const double x = p.mouse_x();
    const double y = p.mouse_y();
    if (y < 0 || y >= static_cast<double>(g.lanes())) return;
    const size_t lane = static_cast<size_t>(y);
    // Job bars: a whole job lane, or the middle band of a VM lane.
    const auto& jb = g.job_bars[lane];
    auto j = std::partition_point(jb.begin(), jb.end(), [x](const GanttBar& b) { return b.end < x; });
    const bool on_job = j != jb.end() && j->start <= x;
    const bool job_band = lane >= g.first_job_lane || std::fabs(y - std::floor(y) - 0.5) < 0.2;
    if (on_job && job_band) {
      ImGui::BeginTooltip();
      ImGui::Text("job %u", j->ref);
      ImGui::Text("start   %s", format_value(j->start, AxisFormat::kTime).c_str());
      ImGui::Text("end     %s", format_value(j->end, AxisFormat::kTime).c_str());
      if (j->kind == BarKind::kLostWork) {
        ImGui::TextColored(ImVec4(1, 0.4f, 0.3f, 1), "cut short by an eviction: its work since the last");
        ImGui::TextColored(ImVec4(1, 0.4f, 0.3f, 1), "checkpoint is redone in a later run");
      } else if (j->evicted) {
        ImGui::TextColored(ImVec4(1, 0.4f, 0.3f, 1), "hit by evictions (lost work)");
      }
      ImGui::EndTooltip();
      return;
    }
    if (lane >= g.first_job_lane) return;
    const auto& bars = g.vm_bars[lane];
    auto it = std::partition_point(bars.begin(), bars.end(), [x](const GanttBar& b) { return b.end < x; });
    if (it == bars.end() || it->start > x) return;
    const RunModel& m = run.model;
    ImGui::BeginTooltip();
    ImGui::Text("lane %zu  vm %u", static_cast<size_t>(y), it->ref);
    if (it->ref < m.vms.size()) {
      const VmLifetime& vm = m.vms[it->ref];
      if (vm.pool < m.pools.size()) ImGui::Text("pool %s (%s)", m.pools[vm.pool].name.c_str(),
                                                 vm.purchase == Purchase::kSpot ? "spot" : "on-demand");
      ImGui::Text("launch   %s", format_value(vm.launch, AxisFormat::kTime).c_str());
      if (vm.running >= 0) ImGui::Text("running  %s", format_value(vm.running, AxisFormat::kTime).c_str());
      if (vm.notice >= 0) ImGui::Text("notice   %s", format_value(vm.notice, AxisFormat::kTime).c_str());
      ImGui::Text("%s %s", vm.evicted ? "evicted " : "end     ", format_value(vm.end, AxisFormat::kTime).c_str());
    }
    ImGui::EndTooltip();
  }

  bool show_counters_ = false;
  double lane_y0_ = 0, lane_y1_ = 1;
  bool lanes_valid_ = false;
  const Gantt* lanes_for_ = nullptr;
};

}  // namespace

std::unique_ptr<Panel> make_workloads_panel() { return std::make_unique<WorkloadsPanel>(); }

}  // namespace spotsim::viz

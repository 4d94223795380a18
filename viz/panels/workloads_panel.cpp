// Workloads: queue depth and SLO series (whatever "workload/..." series the run has), and a
// Gantt of VM lanes (boot, running, notice, eviction) with job bars, drawn with level of detail
// so 10^5 bars stay smooth.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "sim/record/schema.h"
#include "viz/panels/panel.h"
#include "viz/plot/colors.h"

namespace spotsim::viz {
namespace {

constexpr ImU32 kBoot = IM_COL32(120, 120, 140, 255);
constexpr ImU32 kNotice = IM_COL32(250, 190, 30, 255);
constexpr ImU32 kJob = IM_COL32(90, 200, 120, 255);
constexpr ImU32 kPod = IM_COL32(120, 225, 215, 255);
constexpr ImU32 kJobLost = IM_COL32(255, 60, 100, 255);  // crimson: stands out on warm on-demand lanes too

// A VM's running bar has its pool's colour from the fleet timeline: cool for spot, warm for
// on-demand, so lanes say spot/on-demand and (through the pool) zone at a glance.
ImU32 vm_color(const GanttBar& b) {
  const size_t pool = b.pool == kNoIndex16 ? 0 : b.pool;
  return b.purchase == Purchase::kSpot ? spot_color(pool) : on_demand_color(pool);
}

ImU32 bar_color(const GanttBar& b, bool pod) {
  switch (b.kind) {
    case BarKind::kBooting: return kBoot;
    case BarKind::kRunning: return vm_color(b);
    case BarKind::kNoticed: return kNotice;
    case BarKind::kJob: return b.evicted ? kJobLost : pod ? kPod : kJob;
    case BarKind::kLostWork: return kJobLost;
  }
  return vm_color(b);
}

// "us-east-1a spot", "us-east-1b on-demand", "us-east-1a fallback": what a VM lane holds.
std::string vm_label(const RunModel& m, const GanttBar& b) {
  const std::string zone =
      b.pool < m.pools.size() ? (m.pools[b.pool].zone.empty() ? m.pools[b.pool].name : m.pools[b.pool].zone) : "?";
  return zone + (b.purchase == Purchase::kSpot ? " spot" : b.fallback ? " fallback" : " on-demand");
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
      if (m.key && m.key->group == MetricGroup::kWorkload) rows.push_back(&m);
    }
    if (rows.empty()) return;
    const float h = std::min(ImGui::GetTextLineHeightWithSpacing() * (static_cast<float>(rows.size()) + 1.5f), max_h);
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
      // "<workload>.<metric>": the key's text without its group.
      const std::string label = m->key->owner + "." + m->key->name;
      const bool slo = label.find("slo") != std::string::npos || label.find("budget") != std::string::npos;
      if (slo) {
        ImGui::TextColored(ImVec4(0.5f, 0.85f, 1.0f, 1), "%s", label.c_str());
      } else {
        ImGui::TextUnformatted(label.c_str());
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
    return metric == "queue_depth" || metric == "running_jobs" || metric == "pending_pods" || metric == "ready_pods" ||
           metric.find("slo") != std::string::npos || metric.find("budget") != std::string::npos ||
           metric.find("burn") != std::string::npos;
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
      // The group is "workload/<name>" (/timeseries/workload/<name>).
      const std::string name = group.substr(std::string(schema::kTsGroupWorkload).size() + 1);
      const int wi = run.model.workload_index(name);
      ImGui::Text("%s %s over time",
                  wi >= 0 && run.model.is_deployment(static_cast<uint16_t>(wi)) ? "deployment" : "workload",
                  name.c_str());
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
      const bool pods = wi >= 0 && run.model.is_deployment(static_cast<uint16_t>(wi));
      cfg.y_label = pods ? (counters ? "pods (counters: since the start)" : "pods")
                         : (counters ? "jobs (counters: since the start)" : "jobs");
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
    const RunModel& m = run.model;
    // What the bars on VM lanes are: job runs, pods (Kubernetes deployments), or both.
    std::string what;
    if (g.job_runs > 0 || g.pod_runs == 0) what = std::to_string(g.job_runs) + " job runs";
    if (g.pod_runs > 0) what += (what.empty() ? "" : ", ") + std::to_string(g.pod_runs) + " pod runs";
    if (g.first_job_lane == g.lanes()) {
      ImGui::Text("VMs over time: %zu lanes (a lane holds one VM at a time), %s on their VMs%s", g.lanes(),
                  what.c_str(), m.jobs.empty() && m.job_runs.empty() ? " (none recorded: VM lifetimes only)" : "");
    } else {
      ImGui::Text("VMs over time: %zu VM lanes, %zu job lanes, %zu jobs", g.first_job_lane,
                  g.lanes() - g.first_job_lane, m.jobs.size());
    }
    ImGui::SameLine();
    ImGui::TextDisabled("  wheel: zoom time, ctrl+wheel: zoom lanes");
    if (g.lanes() == 0) {
      const std::string body =
          "VM lanes need VM lifetimes: record with --record full (--record events has the jobs "
          "but not the VMs)" +
          (m.record_level.empty() ? std::string(".")
                                  : "; this file was recorded with --record " + m.record_level + ".");
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
    const auto [legend_labels, legend_colors] = gantt_legend(run);
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
      const float text_h = ImGui::GetTextLineHeight();
      // Tall rows carry a text label per VM ("us-east-1a spot") in their upper part.
      const bool labels = row_px >= 2.2f * text_h;
      for (size_t lane = first; lane < last; lane += step) {
        const double y0 = static_cast<double>(lane) + pad, y1 = static_cast<double>(lane + step) - pad;
        visit_lod(g.vm_bars[lane], v.x0, v.x1, min_w, [&](const GanttBar& b) {
          p.rect(b.start, y0, b.end, y1, bar_color(b, false));
          if (b.evicted && row_px >= 3) p.rect(b.end - min_w, y0, b.end + min_w, y1, kEvictionColor);
        });
        if (labels && lane < g.first_job_lane) draw_vm_labels(p, m, g.vm_bars[lane], y0, text_h);
        const uint16_t slots = g.job_slots[lane];
        if (slots == 0) continue;
        const bool own = lane >= g.first_job_lane;  // a job lane: full height
        // The job band: the middle of the lane (its lower part under a label), one sub-row per slot.
        // Several concurrent runs (pods sharing a node) get a taller band, up to 60% of the lane.
        const double rim = std::max(0.2, 0.3 - 0.05 * (slots - 1));
        const double band0 = own ? y0 : labels ? y0 + (y1 - y0) * 0.5 : y0 + (y1 - y0) * rim;
        const double band1 = own ? y1 : labels ? y1 - (y1 - y0) * 0.08 : y1 - (y1 - y0) * rim;
        const double sh = (band1 - band0) / slots;
        for (uint16_t s = 0; s < slots; ++s) {
          const auto [b0, b1] = slot_bars(g, lane, s);
          const double sy0 = band0 + sh * s + (slots > 1 ? sh * 0.1 : 0), sy1 = band0 + sh * (s + 1);
          visit_lod(b0, b1, v.x0, v.x1, min_w, [&](const GanttBar& b) {
            p.rect(b.start, sy0, b.end, sy1, bar_color(b, m.is_deployment(b.workload)));
          });
        }
      }
      if (g.first_job_lane > 0 && g.first_job_lane < g.lanes()) {
        p.hline(static_cast<double>(g.first_job_lane), IM_COL32(255, 255, 255, 120), 1.0f);
        p.text(v.x0, static_cast<double>(g.first_job_lane) + 0.02 * (v.y1 - v.y0), IM_COL32(220, 220, 230, 255),
               "job lanes above this line (the VM of each job is not recorded)");
      }
      if (p.hovered()) tooltip(p, run, g, labels);
      lane_y0_ = v.y0;
      lane_y1_ = v.y1;
      if (!v.valid) {  // double-click: fit lanes too
        lane_y0_ = 0;
        lane_y1_ = nl;
      }
    }
    legend(legend_labels, legend_colors);
  }

  // Each VM's zone and purchase type written at the start of its running bar, when it fits.
  // REQUIRES: the lane is at least 2 text lines tall (the job band takes its upper half).
  static void draw_vm_labels(const Plot& p, const RunModel& m, const std::vector<GanttBar>& bars, double y0,
                             float text_h) {
    ImDrawList* dl = p.draw_list();
    const float left = p.area_min().x, right = p.area_max().x;
    const double x0 = p.view().x0, x1 = p.view().x1;
    auto it = std::partition_point(bars.begin(), bars.end(), [x0](const GanttBar& b) { return b.end < x0; });
    for (; it != bars.end() && it->start <= x1; ++it) {  // the bars in view only
      const GanttBar& b = *it;
      if (b.kind != BarKind::kRunning) continue;
      const float a = std::max(left, p.px_x(b.start)), e = std::min(right, p.px_x(b.end));
      if (e - a < 40) continue;
      const std::string s = vm_label(m, b);
      const float w = ImGui::CalcTextSize(s.c_str()).x;
      if (w + 6 > e - a) continue;
      // In the lane's lower half (lanes grow upwards: y0 is the bottom edge), under the job band.
      dl->AddText(ImVec2(a + 3, p.px_y(y0) - text_h - 1), IM_COL32(255, 255, 255, 235), s.c_str());
    }
  }

  // Legend: booting, one entry per pool × purchase type the VMs used (its zone and purchase), after
  // notice, eviction, then what runs on the VMs (jobs, pods) and runs cut short.
  static std::pair<std::vector<std::string>, std::vector<ImU32>> gantt_legend(const LoadedRun& run) {
    const RunModel& m = run.model;
    std::vector<std::string> labels = {"booting"};
    std::vector<ImU32> colors = {kBoot};
    std::vector<char> seen(m.pools.size() * 3, 0);
    for (const VmLifetime& vm : m.vms) {
      if (vm.pool >= m.pools.size()) continue;
      const size_t k = vm.pool * 3u + (vm.purchase == Purchase::kSpot ? 0u : vm.fallback ? 2u : 1u);
      seen[k] = 1;
    }
    for (size_t p = 0; p < m.pools.size(); ++p) {
      const std::string zone = m.pools[p].zone.empty() ? "" : " (" + m.pools[p].zone + ")";
      if (seen[p * 3]) labels.push_back(m.pools[p].name + zone + " spot"), colors.push_back(spot_color(p));
      if (seen[p * 3 + 1])
        labels.push_back(m.pools[p].name + zone + " on-demand"), colors.push_back(on_demand_color(p));
      if (seen[p * 3 + 2]) labels.push_back(m.pools[p].name + zone + " fallback"), colors.push_back(on_demand_color(p));
    }
    labels.push_back("after notice");
    colors.push_back(kNotice);
    labels.push_back("eviction");
    colors.push_back(kEvictionColor);
    const Gantt& g = run.gantt;
    if (g.job_runs > 0 || g.pod_runs == 0) labels.push_back("job"), colors.push_back(kJob);
    if (g.pod_runs > 0) labels.push_back("pod"), colors.push_back(kPod);
    // With /job_runs red marks each run an eviction cut short; older files only know which jobs lost work.
    if (g.pod_runs > 0) {
      labels.push_back(g.job_runs > 0 ? "run cut short (job lost its VM, pod evicted or killed)"
                                      : "pod evicted or killed");
    } else {
      labels.push_back(m.job_runs.empty() ? "job that lost work" : "run cut short");
    }
    colors.push_back(kJobLost);
    return {std::move(labels), std::move(colors)};
  }

  void tooltip(const Plot& p, const LoadedRun& run, const Gantt& g, bool labels) const {
    const double x = p.mouse_x();
    const double y = p.mouse_y();
    if (y < 0 || y >= static_cast<double>(g.lanes())) return;
    const size_t lane = static_cast<size_t>(y);
    const RunModel& m = run.model;
    // Run bars: a whole job lane, or the job band of a VM lane (one sub-row per slot).
    const bool own = lane >= g.first_job_lane;
    const double fy = y - std::floor(y);
    const uint16_t slots = g.job_slots[lane];
    // As drawn (pad ignored): the job band of a VM lane, taller with more slots.
    const double rim = std::max(0.2, 0.3 - 0.05 * (slots - 1));
    const double band0 = own ? 0.0 : labels ? 0.5 : rim, band1 = own ? 1.0 : labels ? 0.92 : 1.0 - rim;
    if (slots > 0 && fy >= band0 && fy < band1) {
      const uint16_t s = static_cast<uint16_t>(std::min<double>(slots - 1, (fy - band0) / (band1 - band0) * slots));
      const auto [b0, b1] = slot_bars(g, lane, s);
      const GanttBar* j = std::partition_point(b0, b1, [x](const GanttBar& b) { return b.end < x; });
      if (j != b1 && j->start <= x) {
        const bool pod = m.is_deployment(j->workload);
        ImGui::BeginTooltip();
        if (pod) {
          ImGui::Text("pod %u of deployment %s", j->ref, m.workloads[j->workload].name.c_str());
        } else {
          ImGui::Text("job %u", j->ref);
        }
        ImGui::Text("start   %s", format_value(j->start, AxisFormat::kTime).c_str());
        ImGui::Text("end     %s", format_value(j->end, AxisFormat::kTime).c_str());
        const ImVec4 red(1, 0.4f, 0.3f, 1);
        if (j->outcome == RunOutcome::kEvicted) {
          ImGui::TextColored(red, "evicted: its node was drained (the ReplicaSet replaces it elsewhere)");
        } else if (j->outcome == RunOutcome::kKilled) {
          ImGui::TextColored(red, "killed hard: its node disappeared before it was evicted");
        } else if (j->kind == BarKind::kLostWork) {
          ImGui::TextColored(red, "cut short by an eviction: its work since the last");
          ImGui::TextColored(red, "checkpoint is redone in a later run");
        } else if (j->evicted) {
          ImGui::TextColored(red, "hit by evictions (lost work)");
        } else if (j->outcome == RunOutcome::kUnfinished) {
          ImGui::TextDisabled("still running when the run ended");
        }
        ImGui::EndTooltip();
        return;
      }
    }
    if (own) return;
    const auto& bars = g.vm_bars[lane];
    auto it = std::partition_point(bars.begin(), bars.end(), [x](const GanttBar& b) { return b.end < x; });
    if (it == bars.end() || it->start > x) return;
    ImGui::BeginTooltip();
    ImGui::Text("lane %zu  vm %u  %s", lane, it->ref, vm_label(m, *it).c_str());
    if (it->pool < m.pools.size()) ImGui::Text("pool %s", m.pools[it->pool].name.c_str());
    if (it->ref < m.vms.size() && m.vms[it->ref].serial == it->ref) {
      const VmLifetime& vm = m.vms[it->ref];
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

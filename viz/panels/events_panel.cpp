// Events table: every recorded event, filtered by kind, pool, fleet and time range; clicking a
// row centres the fleet timeline on it. A list clipper keeps 10^6 rows smooth.
#include <cmath>
#include <string>

#include "viz/data/events_view.h"
#include "viz/panels/panel.h"
#include "viz/plot/colors.h"

namespace spotsim::viz {
namespace {

// The colour of a kind's name: the timeline's marker colours for evictions, notices and capacity
// errors; the fleet's own removals, failed boots and rebalance recommendations stand out too.
ImU32 kind_color(uint8_t kind) {
  switch (kind) {
    case kEvEviction: return kEvictionColor;
    case kEvNotice: return kNoticeColor;
    case kEvCapacityError: return kCapacityErrorColor;
    case kEvTerminate: return IM_COL32(110, 190, 255, 255);
    case kEvBootFailed: return IM_COL32(255, 120, 60, 255);
    case kEvRebalance: return IM_COL32(150, 230, 120, 255);
    default: return IM_COL32(200, 200, 200, 255);
  }
}

class EventsPanel : public Panel {
 public:
  const char* name() const override { return "events"; }
  const char* title() const override { return "Events"; }

  void draw(AppState& app) override {
    const LoadedRun* run = app.primary();
    if (!run) {
      empty_state("No run loaded", "Open a run file or a scenario.");
      return;
    }
    const RunModel& m = run->model;
    const EventTable& e = m.events;
    if (e.size() == 0) {
      if (m.has_events()) {
        empty_state("No events in this run", "Events were recorded, but no VM was launched, interrupted or refused.");
      } else {
        const std::string body = "This file was recorded with --record " + m.record_level +
                                 ", which keeps no events. Record with --record events (or full) to list every "
                                 "notice and eviction.";
        empty_state("No events in this run", body.c_str());
      }
      return;
    }
    if (for_ != run) {  // a new run: reset the filter
      for_ = run;
      counts_ = count_by_kind(e);
      filter_ = EventFilter{};
      filter_.kind_mask = ~((1u << kEvLaunch) | (1u << kEvRunning) | (1u << kEvEnd));  // the interesting ones
      range_h_[0] = 0;
      range_h_[1] = std::ceil(std::max(m.duration_s, e.t.back()) / 3600.0);
      dirty_ = true;
    }
    draw_filters(m);
    if (dirty_) {
      filter_.t0 = range_h_[0] * 3600.0;
      filter_.t1 = range_h_[1] * 3600.0;
      filter_events(e, filter_, rows_);
      dirty_ = false;
    }
    ImGui::Text("%zu of %zu events", rows_.size(), e.size());
    ImGui::SameLine();
    ImGui::TextDisabled("  click a row to show it on the fleet timeline");
    const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersV |
                               ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("##events", 6, tf)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("time");
    ImGui::TableSetupColumn("kind");
    ImGui::TableSetupColumn("vm");
    ImGui::TableSetupColumn("pool");
    ImGui::TableSetupColumn("fleet");
    ImGui::TableSetupColumn("detail");
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(rows_.size()));
    while (clip.Step()) {
      for (int r = clip.DisplayStart; r < clip.DisplayEnd; ++r) {
        const uint32_t i = rows_[static_cast<size_t>(r)];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(r);
        const std::string ts = format_value(e.t[i], AxisFormat::kTime);
        if (ImGui::Selectable(ts.c_str(), selected_ == i, ImGuiSelectableFlags_SpanAllColumns)) {
          selected_ = i;
          app.jump_to = e.t[i];
          app.select_panel = "timeline";
        }
        ImGui::PopID();
        ImGui::TableNextColumn();
        const ImU32 kc = kind_color(e.kind[i]);
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kc), "%s", m.event_kind_label(e.kind[i]).c_str());
        ImGui::TableNextColumn();
        if (e.vm[i] != kNoIndex32) ImGui::Text("%u", e.vm[i]);
        else ImGui::TextDisabled("-");
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(e.pool[i] < m.pools.size() ? m.pools[e.pool[i]].name.c_str() : "-");
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(e.fleet[i] < m.fleets.size() ? m.fleets[e.fleet[i]].name.c_str() : "-");
        ImGui::TableNextColumn();
        const std::string detail = event_detail_text(e.kind[i], e.detail[i]);
        if (!detail.empty()) ImGui::TextUnformatted(detail.c_str());
      }
    }
    ImGui::EndTable();
  }

 private:
  void draw_filters(const RunModel& m) {
    for (int k = 0; k < kMaxEventKinds; ++k) {
      if (counts_[static_cast<size_t>(k)] == 0) continue;
      bool on = filter_.kind_mask & (1u << k);
      const std::string label =
          m.event_kind_label(static_cast<uint8_t>(k)) + " (" + std::to_string(counts_[static_cast<size_t>(k)]) + ")";
      if (ImGui::Checkbox(label.c_str(), &on)) {
        filter_.kind_mask = on ? (filter_.kind_mask | (1u << k)) : (filter_.kind_mask & ~(1u << k));
        dirty_ = true;
      }
      ImGui::SameLine();
    }
    ImGui::NewLine();
    ImGui::SetNextItemWidth(180);
    if (ImGui::BeginCombo("pool", filter_.pool < 0 ? "any" : m.pools[static_cast<size_t>(filter_.pool)].name.c_str())) {
      if (ImGui::Selectable("any", filter_.pool < 0)) filter_.pool = -1, dirty_ = true;
      for (size_t p = 0; p < m.pools.size(); ++p) {
        if (ImGui::Selectable(m.pools[p].name.c_str(), filter_.pool == static_cast<int>(p))) {
          filter_.pool = static_cast<int>(p);
          dirty_ = true;
        }
      }
      ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(180);
    if (ImGui::BeginCombo("fleet",
                          filter_.fleet < 0 ? "any" : m.fleets[static_cast<size_t>(filter_.fleet)].name.c_str())) {
      if (ImGui::Selectable("any", filter_.fleet < 0)) filter_.fleet = -1, dirty_ = true;
      for (size_t f = 0; f < m.fleets.size(); ++f) {
        if (ImGui::Selectable(m.fleets[f].name.c_str(), filter_.fleet == static_cast<int>(f))) {
          filter_.fleet = static_cast<int>(f);
          dirty_ = true;
        }
      }
      ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(260);
    if (ImGui::DragScalarN("time range (h)", ImGuiDataType_Double, range_h_, 2, 0.25f, nullptr, nullptr, "%.2f h"))
      dirty_ = true;
  }

  const LoadedRun* for_ = nullptr;
  EventFilter filter_;
  double range_h_[2] = {0, 0};  // time filter in hours
  bool dirty_ = true;
  std::vector<uint32_t> rows_;
  std::vector<uint64_t> counts_;
  uint32_t selected_ = kNoIndex32;
};

}  // namespace

std::unique_ptr<Panel> make_events_panel() { return std::make_unique<EventsPanel>(); }

}  // namespace spotsim::viz

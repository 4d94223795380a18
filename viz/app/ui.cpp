#include "viz/app/ui.h"

#include <string>

#include <imgui.h>

#include "viz/plot/ticks.h"

namespace spotsim::viz {

Ui::Ui(AppState& app) : app_(app), panels_(make_all_panels()) {}

std::vector<std::string> Ui::panel_names() const {
  std::vector<std::string> n;
  for (const auto& p : panels_) n.emplace_back(p->name());
  return n;
}

bool Ui::has_panel(const std::string& name) const {
  for (const auto& p : panels_) {
    if (name == p->name()) return true;
  }
  return false;
}

void Ui::draw_header() {
  const LoadedRun* a = app_.primary();
  if (!a) {
    ImGui::TextDisabled("spotviz: nothing loaded");
  } else {
    const RunModel& m = a->model;
    ImGui::Text("%s", m.scenario_name.empty() ? "(unnamed run)" : m.scenario_name.c_str());
    ImGui::SameLine();
    auto plural = [](size_t n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); };
    const std::string events =
        m.has_events() ? plural(m.events.size(), "event") : "events not recorded (--record " + m.record_level + ")";
    ImGui::TextDisabled("%s  |  %s  |  seed %llu  |  %s  |  %s, %s  |  %s", m.source.c_str(),
                        format_value(m.duration_s, AxisFormat::kTime).c_str(), static_cast<unsigned long long>(m.seed),
                        plural(static_cast<size_t>(m.replications), "replication").c_str(),
                        plural(m.pools.size(), "pool").c_str(), plural(m.fleets.size(), "fleet").c_str(),
                        events.c_str());
    if (const LoadedRun* b = app_.secondary()) {
      ImGui::SameLine();
      ImGui::TextDisabled("  |  compared with %s", b->model.source.c_str());
    }
  }
  for (const std::string& msg : app_.messages) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
    ImGui::TextWrapped("%s", msg.c_str());
    ImGui::PopStyleColor();
  }
}

void Ui::draw() {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::Begin("spotviz", nullptr, flags);
  draw_header();
  if (ImGui::BeginTabBar("##panels")) {
    for (auto& p : panels_) {
      ImGuiTabItemFlags tf = 0;
      if (app_.select_panel == p->name()) {
        tf |= ImGuiTabItemFlags_SetSelected;
        app_.select_panel.clear();
      }
      if (ImGui::BeginTabItem(p->title(), nullptr, tf)) {
        ImGui::BeginChild(p->name(), ImVec2(0, 0), false);
        p->draw(app_);
        ImGui::EndChild();
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace spotsim::viz

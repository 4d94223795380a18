// Topology: regions → zones → pools as nested boxes; each pool is coloured by its eviction heat
// (its evictions relative to the hottest pool).
#include <algorithm>
#include <cstdio>
#include <string>

#include "viz/panels/panel.h"
#include "viz/plot/colors.h"

namespace spotsim::viz {
namespace {

constexpr ImU32 kRegionBg = IM_COL32(34, 36, 44, 255);
constexpr ImU32 kZoneBg = IM_COL32(44, 47, 58, 255);
constexpr ImU32 kEdge = IM_COL32(95, 95, 110, 255);
constexpr ImU32 kText = IM_COL32(235, 235, 240, 255);
constexpr ImU32 kDim = IM_COL32(170, 170, 180, 255);

class TopologyPanel : public Panel {
 public:
  const char* name() const override { return "topology"; }
  const char* title() const override { return "Topology"; }

  void draw(AppState& app) override {
    const LoadedRun* run = app.primary();
    if (!run) {
      empty_state("No run loaded", "Open a run file or a scenario.");
      return;
    }
    const Topology& topo = run->topology;
    const RunModel& m = run->model;
    if (topo.regions.empty()) {
      empty_state("No pools in this run", "The file describes no capacity pools.");
      return;
    }
    ImGui::TextDisabled("%s: colour = evictions relative to the hottest pool (%.4g)",
                        topo.from_events ? "evictions in the shown replication" : "mean evictions per replication",
                        topo.max_pool_evictions);
    const float legend_h = 28;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    avail.y -= legend_h + ImGui::GetStyle().ItemSpacing.y * 2 + 2;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    size_t total_zones = 0;
    for (const auto& r : topo.regions) total_zones += r.zones.size();
    const float gap = 8;
    const float zone_w = (avail.x - gap * static_cast<float>(topo.regions.size() + total_zones + 1)) /
                         static_cast<float>(std::max<size_t>(1, total_zones));
    float x = origin.x;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const TopoPool* hovered = nullptr;
    char buf[256];
    for (const TopoRegion& r : topo.regions) {
      const float rw = static_cast<float>(r.zones.size()) * (zone_w + gap) + gap;
      const ImVec2 r0(x, origin.y), r1(x + rw, origin.y + avail.y);
      dl->AddRectFilled(r0, r1, kRegionBg, 6);
      dl->AddRect(r0, r1, kEdge, 6);
      std::snprintf(buf, sizeof buf, "%s %s  (%.4g evictions)", r.provider.c_str(), r.name.c_str(), r.evictions);
      dl->AddText(ImVec2(r0.x + 8, r0.y + 6), kText, buf);
      float zx = x + gap;
      for (const TopoZone& z : r.zones) {
        const ImVec2 z0(zx, origin.y + 28), z1(zx + zone_w, origin.y + avail.y - gap);
        dl->AddRectFilled(z0, z1, kZoneBg, 4);
        std::snprintf(buf, sizeof buf, "%s  (%.4g)", z.name.c_str(), z.evictions);
        dl->AddText(ImVec2(z0.x + 6, z0.y + 5), kDim, buf);
        const float ph = std::min(90.0f, (z1.y - z0.y - 28 - gap * static_cast<float>(z.pools.size())) /
                                             static_cast<float>(std::max<size_t>(1, z.pools.size())));
        float py = z0.y + 26;
        for (const TopoPool& p : z.pools) {
          const ImVec2 p0(z0.x + 6, py), p1(z1.x - 6, py + ph);
          dl->AddRectFilled(p0, p1, heat_color(p.heat), 4);
          const PoolInfo& pi = m.pools[p.pool];
          dl->AddText(ImVec2(p0.x + 6, p0.y + 5), kText, pi.name.c_str());
          std::snprintf(buf, sizeof buf, "%s  %.4g evictions", pi.instance_type.c_str(), p.evictions);
          if (ph > 36) dl->AddText(ImVec2(p0.x + 6, p0.y + 22), kText, buf);
          if (mouse.x >= p0.x && mouse.x < p1.x && mouse.y >= p0.y && mouse.y < p1.y && ImGui::IsWindowHovered()) {
            hovered = &p;
            dl->AddRect(p0, p1, IM_COL32(255, 255, 255, 255), 4, 0, 2);
          }
          py += ph + gap;
        }
        zx += zone_w + gap;
      }
      x += rw + gap;
    }
    ImGui::Dummy(avail);
    // Heat legend.
    const ImVec2 l0 = ImGui::GetCursorScreenPos();
    for (int i = 0; i < 20; ++i) {
      dl->AddRectFilled(ImVec2(l0.x + static_cast<float>(i) * 8, l0.y + 4),
                        ImVec2(l0.x + static_cast<float>(i + 1) * 8, l0.y + 18), heat_color(i / 19.0));
    }
    dl->AddText(ImVec2(l0.x + 170, l0.y + 4), kDim, "few evictions  ->  the hottest pool");
    ImGui::Dummy(ImVec2(10, legend_h));
    if (hovered) {
      const PoolInfo& pi = m.pools[hovered->pool];
      ImGui::BeginTooltip();
      ImGui::Text("%s  (%s, %s)", pi.name.c_str(), pi.provider.c_str(), pi.zone.c_str());
      ImGui::Text("instance type  %s", pi.instance_type.c_str());
      ImGui::Text("spot price     $%.4f/h", pi.spot_price);
      ImGui::Text("on-demand      $%.4f/h", pi.on_demand_price);
      ImGui::Text("evictions      %.4g", hovered->evictions);
      if (topo.from_events) ImGui::Text("notices        %.4g", hovered->notices);
      if (const MetricSummary* s = m.find_metric(MetricOwner{MetricGroup::kPool, pi.name} + "interruptions")) {
        ImGui::Text("mean over %llu replications: %.4g (p95 %.4g)", static_cast<unsigned long long>(s->n), s->mean,
                    s->p95);
      }
      ImGui::EndTooltip();
    }
  }
};

}  // namespace

std::unique_ptr<Panel> make_topology_panel() { return std::make_unique<TopologyPanel>(); }

}  // namespace spotsim::viz

// Live: open a scenario, move sliders for its key parameters (fleet target and boot time, pool
// interruption rates, replications, plus any PATH=VALUE override), and re-run it on a background
// thread with a progress bar; every panel updates when the run finishes, the window never freezes.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"
#include "viz/app/background_run.h"
#include "viz/panels/panel.h"

namespace spotsim::viz {
namespace {

struct FleetKnobs {
  std::string name;
  int target = 0, target0 = 0;
  float boot_s = 0, boot0 = 0;
};
struct PoolKnobs {
  std::string name;
  float rate = 0, rate0 = 0;  // per VM-hour
};

// A slider for one scalar of the scenario, written back as a --set override when moved.
struct ScalarKnob {
  std::string label;   // shown next to the slider
  std::string path;    // --set path, e.g. chaos[0].fraction
  std::string suffix;  // appended to the value in the override: "s", "" ...
  float value = 0, value0 = 0, min = 0, max = 1;
  const char* format = "%.3f";
};

std::string fmt_num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

class LivePanel : public Panel {
 public:
  const char* name() const override { return "live"; }
  const char* title() const override { return "Live"; }

  void draw(AppState& app) override {
    poll(app);
    if (!initialised_) {
      initialised_ = true;
      std::snprintf(path_, sizeof path_, "%s", app.scenario_path.c_str());
      if (path_[0]) load_base();
    }
    ImGui::SetNextItemWidth(420);
    ImGui::InputTextWithHint("##path", "scenario file, e.g. scenarios/spot-fleet-basic.yaml", path_, sizeof path_);
    ImGui::SameLine();
    if (ImGui::Button("Open")) load_base();
    if (!error_.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
      ImGui::TextWrapped("%s", error_.c_str());
      ImGui::PopStyleColor();
    }
    if (!base_) {
      empty_state("No scenario open",
                  "Type a scenario path and press Open (or start spotviz with a scenario: spotviz "
                  "scenarios/spot-fleet-basic.yaml). Then move the sliders: each change re-runs the "
                  "simulation in the background and every panel shows the new result.");
      return;
    }
    bool changed = false;
    ImGui::Separator();
    ImGui::Text("%s", base_->name.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("(%s, %zu pools, %zu fleets)", base_->file.c_str(), base_->pools.size(), base_->fleets.size());
    ImGui::BeginChild("##knobs", ImVec2(ImGui::GetContentRegionAvail().x * 0.55f, 0), true);
    ImGui::TextDisabled("Fleets");
    for (auto& f : fleets_) {
      ImGui::PushID(f.name.c_str());
      ImGui::SetNextItemWidth(260);
      ImGui::SliderInt(("target  " + f.name).c_str(), &f.target, 0, std::max(10, f.target0 * 4));
      changed |= ImGui::IsItemDeactivatedAfterEdit();
      ImGui::SetNextItemWidth(260);
      ImGui::SliderFloat(("boot time (s)  " + f.name).c_str(), &f.boot_s, 0, std::max(600.0f, f.boot0 * 4), "%.0f s");
      changed |= ImGui::IsItemDeactivatedAfterEdit();
      ImGui::PopID();
    }
    ImGui::TextDisabled("Pools: interruption rate per VM-hour");
    for (auto& p : pools_) {
      ImGui::PushID(p.name.c_str());
      ImGui::SetNextItemWidth(260);
      ImGui::SliderFloat(p.name.c_str(), &p.rate, 0.0f, std::max(1.0f, p.rate0 * 10), "%.4f /h",
                         ImGuiSliderFlags_Logarithmic);
      changed |= ImGui::IsItemDeactivatedAfterEdit();
      ImGui::PopID();
    }
    if (!scalars_.empty()) ImGui::TextDisabled("Chaos and workloads");
    for (auto& k : scalars_) {
      ImGui::PushID(k.path.c_str());
      ImGui::SetNextItemWidth(260);
      ImGui::SliderFloat(k.label.c_str(), &k.value, k.min, k.max, k.format);
      changed |= ImGui::IsItemDeactivatedAfterEdit();
      ImGui::PopID();
    }
    ImGui::SetNextItemWidth(260);
    ImGui::SliderInt("replications", &replications_, 1, std::max<int>(20, static_cast<int>(base_->replications)));
    changed |= ImGui::IsItemDeactivatedAfterEdit();
    ImGui::TextDisabled("More overrides, one PATH=VALUE a line (as spotsim run --set):");
    ImGui::InputTextMultiline("##extra", extra_, sizeof extra_, ImVec2(-1, 70));
    changed |= ImGui::IsItemDeactivatedAfterEdit();
    ImGui::Checkbox("re-run when a slider is released", &auto_run_);
    ImGui::SameLine();
    ImGui::Checkbox("keep previous result for Compare", &keep_previous_);
    if (ImGui::Button("Run now") || (changed && auto_run_)) start(app);
    ImGui::SameLine();
    if (ImGui::Button("Reset sliders")) reset_knobs();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##status", ImVec2(0, 0), true);
    if (run_.running()) {
      ImGui::Text("running %s ...", base_->name.c_str());
      ImGui::ProgressBar(run_.progress(), ImVec2(-1, 0));
      if (ImGui::Button("Cancel")) run_.cancel();
    } else {
      ImGui::TextDisabled(last_overrides_.empty() ? "showing: as loaded" : "showing: the last live run");
    }
    ImGui::TextDisabled("overrides of the shown run:");
    ImGui::TextWrapped("%s", last_overrides_.empty() ? "(none)" : last_overrides_.c_str());
    if (const LoadedRun* r = app.primary()) {
      ImGui::Separator();
      std::vector<MetricKey> keys = {run_metric(MetricGroup::kCost, "total"),
                                     run_metric(MetricGroup::kCost, "all_on_demand"),
                                     run_metric(MetricGroup::kCost, "savings_pct")};
      for (const FleetInfo& f : r->model.fleets) {
        const MetricOwner fleet{MetricGroup::kFleet, f.name};
        for (const char* k : {"availability_pct", "interruptions", "time_to_reschedule_p95", "lost_vm_hours"}) {
          keys.push_back(fleet + k);
        }
      }
      const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
      if (ImGui::BeginTable("##headline", 3, tf)) {
        ImGui::TableSetupColumn("metric", 0, 3);
        ImGui::TableSetupColumn("mean", 0, 1.2f);
        ImGui::TableSetupColumn("unit", 0, 0.6f);
        ImGui::TableHeadersRow();
        for (const MetricKey& k : keys) {
          const MetricSummary* s = r->model.find_metric(k);
          if (!s) continue;
          ImGui::TableNextRow();
          ImGui::TableNextColumn();
          ImGui::TextUnformatted(s->name.c_str());
          ImGui::TableNextColumn();
          ImGui::Text("%.4g", s->mean);
          ImGui::TableNextColumn();
          ImGui::TextUnformatted(s->unit.c_str());
        }
        ImGui::EndTable();
      }
    }
    ImGui::EndChild();
  }

 private:
  void load_base() {
    error_.clear();
    Result<CompiledScenario> r = load_checked_scenario(path_);
    if (!r) {
      error_ = r.status().message();
      base_.reset();
      return;
    }
    base_ = std::move(r).value();
    fleets_.clear();
    pools_.clear();
    for (const auto& f : base_->fleets) {
      FleetKnobs k;
      k.name = f.name;
      k.target = k.target0 = static_cast<int>(f.target);
      k.boot_s = k.boot0 = static_cast<float>(f.boot_time.to_seconds());
      fleets_.push_back(k);
    }
    for (const auto& p : base_->pools)
      pools_.push_back(
          PoolKnobs{p.name, static_cast<float>(p.interruption_rate), static_cast<float>(p.interruption_rate)});
    replications_ = static_cast<int>(base_->replications);
    replications0_ = replications_;
    scalars_.clear();
    // Storm fractions and cliff levels of the chaos: list, checkpoint intervals of batch workloads.
    for (size_t i = 0; i < base_->chaos.size(); ++i) {
      const ChaosSpec& c = base_->chaos[i];
      const std::string at = "chaos[" + std::to_string(i) + "].";
      if (c.kind == ChaosKind::kStorm) {
        const float f = static_cast<float>(c.fraction);
        scalars_.push_back(ScalarKnob{"storm fraction  " + c.name, at + "fraction", "", f, f, 0, 1, "%.2f"});
      }
    }
    for (const WorkloadSpec& w : base_->workloads) {
      if (w.kind != WorkloadKind::kBatch) continue;
      const float m = static_cast<float>(w.batch.job.checkpoint_interval.to_seconds() / 60.0);
      if (m <= 0) continue;
      scalars_.push_back(ScalarKnob{"checkpoint interval (min)  " + w.name,
                                    "workloads." + w.name + ".job.checkpoint.interval", "m", m, m, 1,
                                    std::max(240.0f, m * 4), "%.0f min"});
    }
  }

  void reset_knobs() {
    for (auto& f : fleets_) f.target = f.target0, f.boot_s = f.boot0;
    for (auto& p : pools_) p.rate = p.rate0;
    for (auto& k : scalars_) k.value = k.value0;
    replications_ = replications0_;
    extra_[0] = 0;
  }

  // --set style overrides for the knobs that differ from the scenario, then the extra lines.
  Result<LoadOptions> overrides() const {
    LoadOptions lo;
    for (const auto& f : fleets_) {
      if (f.target != f.target0) lo.overrides.emplace_back("fleets." + f.name + ".target", std::to_string(f.target));
      if (std::fabs(f.boot_s - f.boot0) >= 0.5f) {
        lo.overrides.emplace_back("fleets." + f.name + ".boot_time",
                                  std::to_string(static_cast<int>(std::lround(f.boot_s))) + "s");
      }
    }
    for (const auto& p : pools_) {
      if (std::fabs(p.rate - p.rate0) > 1e-7f)
        lo.overrides.emplace_back("pools." + p.name + ".interruption.rate", fmt_num(p.rate) + "/h");
    }
    for (const auto& k : scalars_) {
      if (std::fabs(k.value - k.value0) > 1e-6f) lo.overrides.emplace_back(k.path, fmt_num(k.value) + k.suffix);
    }
    if (replications_ != replications0_) lo.overrides.emplace_back("replications", std::to_string(replications_));
    std::istringstream in(extra_);
    std::string line;
    while (std::getline(in, line)) {
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
      if (line.empty()) continue;
      const size_t eq = line.find('=');
      if (eq == std::string::npos || eq == 0) return Status::invalid("override \"" + line + "\": expected PATH=VALUE");
      lo.overrides.emplace_back(line.substr(0, eq), line.substr(eq + 1));
    }
    return lo;
  }

  void start(AppState& app) {
    error_.clear();
    Result<LoadOptions> lo = overrides();
    if (!lo) {
      error_ = lo.status().message();
      return;
    }
    Result<CompiledScenario> sc = load_checked_scenario(path_, *lo);
    if (!sc) {
      error_ = sc.status().message();
      return;
    }
    pending_overrides_.clear();
    for (const auto& [k, v] : lo->overrides) pending_overrides_ += k + "=" + v + "  ";
    run_.start(std::move(sc).value());
    (void)app;
  }

  void poll(AppState& app) {
    std::optional<Result<RunModel>> r = run_.take();
    if (!r) return;
    if (!*r) {
      error_ = r->status().message();
      return;
    }
    RunModel m = std::move(*r).value();
    m.source = std::string(path_) + " (live)";
    auto loaded = derive_views(std::move(m));
    if (keep_previous_ && !app.runs.empty()) {
      app.runs.resize(1);
      app.runs.push_back(app.runs[0]);  // previous becomes B... then A is the new run
      app.runs[0] = loaded;
    } else {
      app.runs.assign(1, loaded);
    }
    last_overrides_ = pending_overrides_;
  }

  bool initialised_ = false;
  char path_[1024] = "";
  char extra_[2048] = "";
  std::string error_;
  std::optional<CompiledScenario> base_;
  std::vector<FleetKnobs> fleets_;
  std::vector<PoolKnobs> pools_;
  std::vector<ScalarKnob> scalars_;
  int replications_ = 1, replications0_ = 1;
  bool auto_run_ = true;
  bool keep_previous_ = false;
  BackgroundRun run_;
  std::string pending_overrides_, last_overrides_;
};

}  // namespace

std::unique_ptr<Panel> make_live_panel() { return std::make_unique<LivePanel>(); }

}  // namespace spotsim::viz

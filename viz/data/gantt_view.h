#pragma once
// VM lanes with lifetime and job bars for the workloads panel, and a level-of-detail walk that
// visits O(pixels) bars per lane whatever the number of bars (10^5 jobs stay smooth).
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "viz/data/run_model.h"

namespace spotsim::viz {

enum class BarKind : uint8_t { kBooting = 0, kRunning, kNoticed, kJob, kLostWork };

struct GanttBar {
  double start = 0;
  double end = 0;
  BarKind kind = BarKind::kRunning;
  bool evicted = false;            // the VM (or the job's VM) was evicted at `end`; a run was cut short
  uint32_t ref = 0;                // VM serial or job id (pod number for a deployment)
  uint16_t slot = 0;               // job bars: the sub-row of the lane's job band (concurrent runs on one VM)
  uint16_t workload = kNoIndex16;  // job bars: the workload (a deployment: the bar is a pod)
  RunOutcome outcome = RunOutcome::kFinished;  // job bars from /job_runs: how the run ended
  uint16_t pool = kNoIndex16;                  // VM bars: the VM's pool (its zone: RunModel::pools)
  Purchase purchase = Purchase::kSpot;         // VM bars
  bool fallback = false;                       // VM bars: an on-demand fallback VM
};

struct Gantt {
  // One lane holds VMs one after another (packed greedily, so lanes ≈ peak concurrent VMs).
  // Bars of a lane are sorted by start and do not overlap.
  std::vector<std::vector<GanttBar>> vm_bars;  // [lane]
  // [lane]: runs on the lane's VMs (may be empty), sorted by (slot, start). Runs that overlap in
  // time on one VM (pods sharing a node) are packed into slots 0..job_slots[lane]−1, each slot's
  // bars non-overlapping.
  std::vector<std::vector<GanttBar>> job_bars;
  std::vector<uint16_t> job_slots;  // [lane]: slots used (0 if no runs)
  size_t pod_runs = 0;              // job bars that are Kubernetes pods
  size_t job_runs = 0;              // the others
  // Jobs whose VM is not recorded get lanes of their own after the VM lanes (packed the same
  // way): lanes [first_job_lane, lanes()) have job bars only.
  size_t first_job_lane = 0;
  size_t lanes() const { return vm_bars.size(); }
  size_t total_bars = 0;
};

Gantt build_gantt(const RunModel& m);

// The bars of slot `slot` of lane `lane`'s job band: [first, second).
std::pair<const GanttBar*, const GanttBar*> slot_bars(const Gantt& g, size_t lane, uint16_t slot);

// Calls f(bar) for the bars of `bars` overlapping [x0, x1], merging runs of bars narrower than
// `min_width` (in x units) that fall within one min_width into one bar (kind of the first). Work is
// O(((x1 − x0) / min_width) · log n). REQUIRES: bars sorted by start, non-overlapping.
template <typename F>
void visit_lod(const GanttBar* first, const GanttBar* last, double x0, double x1, double min_width, F&& f) {
  auto it = std::partition_point(first, last, [x0](const GanttBar& b) { return b.end < x0; });
  while (it != last && it->start <= x1) {
    GanttBar cur = *it;
    if (cur.end - cur.start >= min_width) {
      f(cur);
      ++it;
      continue;
    }
    // Everything starting within the next min_width collapses into one bar.
    const double limit = cur.start + min_width;
    auto next = std::partition_point(it, last, [limit](const GanttBar& b) { return b.start < limit; });
    // Only the last of them can reach past the limit; a long bar keeps its own identity.
    if (next - 1 != it && (next - 1)->end > limit) --next;
    const GanttBar& tail = *(next - 1);
    cur.end = std::max(cur.end, tail.end);
    cur.evicted = cur.evicted || tail.evicted;
    f(cur);
    it = next;
  }
}
template <typename F>
void visit_lod(const std::vector<GanttBar>& bars, double x0, double x1, double min_width, F&& f) {
  visit_lod(bars.data(), bars.data() + bars.size(), x0, x1, min_width, std::forward<F>(f));
}

}  // namespace spotsim::viz

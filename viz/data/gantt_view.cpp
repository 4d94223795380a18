#include "viz/data/gantt_view.h"

#include <functional>
#include <queue>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace spotsim::viz {

Gantt build_gantt(const RunModel& m) {
  Gantt g;
  std::vector<uint32_t> order;
  order.reserve(m.vms.size());
  for (uint32_t i = 0; i < m.vms.size(); ++i) {
    if (m.vms[i].launch >= 0) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return m.vms[a].launch < m.vms[b].launch; });
  // Min-heap of (time the lane frees up, lane).
  using Free = std::pair<double, size_t>;
  std::priority_queue<Free, std::vector<Free>, std::greater<Free>> free;
  std::unordered_map<uint32_t, std::pair<size_t, double>> lane_of_serial;  // serial → (lane, end)
  for (uint32_t i : order) {
    const VmLifetime& v = m.vms[i];
    const double end = v.end >= 0 ? v.end : m.duration_s;
    size_t lane;
    if (!free.empty() && free.top().first <= v.launch) {
      lane = free.top().second;
      free.pop();
    } else {
      lane = g.vm_bars.size();
      g.vm_bars.emplace_back();
    }
    free.emplace(end, lane);
    lane_of_serial[v.serial] = {lane, end};
    auto& bars = g.vm_bars[lane];
    auto bar = [&](double a, double b, BarKind k, bool evicted) {
      GanttBar x{a, b, k, evicted, v.serial};
      x.pool = v.pool;
      x.purchase = v.purchase;
      x.fallback = v.fallback;
      bars.push_back(x);
    };
    const double run = v.running >= 0 ? v.running : end;
    if (run > v.launch) bar(v.launch, run, BarKind::kBooting, false);
    const double notice = v.notice >= 0 ? v.notice : end;
    if (v.running >= 0 && notice > run) bar(run, notice, BarKind::kRunning, v.evicted && v.notice < 0);
    if (v.notice >= 0 && end > v.notice) bar(v.notice, end, BarKind::kNoticed, v.evicted);
  }
  g.first_job_lane = g.vm_bars.size();
  g.job_bars.resize(g.vm_bars.size());
  std::vector<const JobRecord*> loose;
  // With /job_runs every run sits on its own VM's lane — runs cut short by an eviction (lost work)
  // and every VM of a gang — and jobs contribute only what has no run on a recorded VM.
  auto job_key = [](uint16_t workload, uint32_t job) { return (static_cast<uint64_t>(workload) << 32) | job; };
  std::unordered_set<uint64_t> has_run;  // job_key of the jobs with at least one run drawn
  for (const JobRun& r : m.job_runs) {
    auto it = lane_of_serial.find(r.vm);
    if (r.vm == kNoIndex32 || it == lane_of_serial.end()) continue;
    const double end = std::max(r.start, std::min(r.end, it->second.second));
    GanttBar b{r.start, end, r.lost ? BarKind::kLostWork : BarKind::kJob, r.lost, r.job};
    b.workload = r.workload;
    b.outcome = r.outcome;
    g.job_bars[it->second.first].push_back(b);
    (m.is_deployment(r.workload) ? g.pod_runs : g.job_runs) += 1;
    has_run.insert(job_key(r.workload, r.job));
  }
  for (const JobRecord& j : m.jobs) {
    if (j.start < 0) continue;
    if (has_run.count(job_key(j.workload, j.id))) continue;
    auto it = lane_of_serial.find(j.vm);
    if (j.vm == kNoIndex32 || it == lane_of_serial.end()) {
      loose.push_back(&j);
      continue;
    }
    // The run on this VM: from its (last) start to the finish, or to the VM's end when the job
    // did not finish there (failed or unfinished at the end of the run).
    const double start = j.last_start >= 0 ? j.last_start : j.start;
    const double vm_end = it->second.second;
    const double end = j.finish >= 0 ? std::min(j.finish, vm_end) : vm_end;
    GanttBar b{start, std::max(start, end), BarKind::kJob, j.evictions > 0, j.id};
    b.workload = j.workload;
    g.job_bars[it->second.first].push_back(b);
    ++g.job_runs;
  }
  std::sort(loose.begin(), loose.end(), [](const JobRecord* a, const JobRecord* b) { return a->start < b->start; });
  std::priority_queue<Free, std::vector<Free>, std::greater<Free>> job_free;
  for (const JobRecord* j : loose) {
    const double end = j->finish >= 0 ? j->finish : m.duration_s;
    size_t lane;
    if (!job_free.empty() && job_free.top().first <= j->start) {
      lane = job_free.top().second;
      job_free.pop();
    } else {
      lane = g.vm_bars.size();
      g.vm_bars.emplace_back();
      g.job_bars.emplace_back();
    }
    job_free.emplace(end, lane);
    GanttBar b{j->start, end, BarKind::kJob, j->evictions > 0, j->id};
    b.workload = j->workload;
    g.job_bars[lane].push_back(b);
    ++g.job_runs;
  }
  g.job_slots.assign(g.job_bars.size(), 0);
  for (size_t l = 0; l < g.job_bars.size(); ++l) {
    auto& lane = g.job_bars[l];
    std::sort(lane.begin(), lane.end(), [](const GanttBar& a, const GanttBar& b) {
      return a.start != b.start ? a.start < b.start : a.end < b.end;
    });
    // Runs overlapping in time (pods sharing a node) go to the first slot free at their start.
    std::vector<double> slot_end;
    for (GanttBar& b : lane) {
      size_t s = 0;
      while (s < slot_end.size() && slot_end[s] > b.start) ++s;
      if (s == slot_end.size()) slot_end.push_back(b.end);
      slot_end[s] = b.end;
      b.slot = static_cast<uint16_t>(s);
    }
    g.job_slots[l] = static_cast<uint16_t>(slot_end.size());
    std::stable_sort(lane.begin(), lane.end(), [](const GanttBar& a, const GanttBar& b) { return a.slot < b.slot; });
  }
  for (const auto& l : g.vm_bars) g.total_bars += l.size();
  for (const auto& l : g.job_bars) g.total_bars += l.size();
  return g;
}

std::pair<const GanttBar*, const GanttBar*> slot_bars(const Gantt& g, size_t lane, uint16_t slot) {
  const auto& bars = g.job_bars[lane];
  const GanttBar* b = bars.data();
  const GanttBar* e = b + bars.size();
  const GanttBar* lo = std::partition_point(b, e, [slot](const GanttBar& x) { return x.slot < slot; });
  const GanttBar* hi = std::partition_point(lo, e, [slot](const GanttBar& x) { return x.slot <= slot; });
  return {lo, hi};
}

}  // namespace spotsim::viz

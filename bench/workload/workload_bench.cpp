// Workload bookkeeping benchmark: N jobs (default 10^6) through a 10^4-VM fleet at ~80% load,
// once with the FIFO queue (deque) and once with the priority queue (std::priority_queue,
// the baseline), plus the FIFO run with spot interruptions and checkpoints. Prints wall time,
// jobs/s and events/s side by side. Performance is measured here, never asserted in tests.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "sim/run/replication_models.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"

using namespace spotsim;

namespace {

struct Row {
  double seconds;
  double jobs;
  uint64_t events;
};

// `scale_to_zero`: the fleet follows the jobs' need (the default for a batch-only fleet); the other
// rows keep the fixed 10^4-VM fleet this benchmark has always measured.
Row run(const std::string& queue, bool churn, long jobs, bool scale_to_zero = false) {
  const double vms = 10000, load = 0.8, work_h = 1.0;
  const double rate = vms * load / work_h;                // jobs per hour
  const double hours = static_cast<double>(jobs) / rate;  // arrival window
  std::ostringstream s;
  s << "spotsim: 1\nname: bench\nseed: 1\nduration: " << hours + 2 << "h\n"
    << "pools:\n  p: {provider: aws, region: r, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.2, "
    << "capacity: 100000" << (churn ? ", interruption: {rate: 0.05/h}" : "") << "}\n"
    << "fleets:\n  f: {pools: [p], target: " << vms
    << ", boot_time: 90s, scale_to_zero: " << (scale_to_zero ? "true" : "false") << "}\n"
    << "workloads:\n  j:\n    type: batch\n    fleet: f\n    queue: " << queue << "\n"
    << "    arrivals: {rate: " << rate << "/h, count: " << jobs << "}\n"
    << "    job: {work: {dist: exponential, mean: " << work_h << "h}"
    << (churn ? ", checkpoint: {interval: 30m, write_time: 10s, on_notice: true}" : "") << "}\n";
  auto sc = compile_scenario(s.str(), "bench.yaml");
  if (!sc) {
    std::fprintf(stderr, "%s\n", sc.status().message().c_str());
    std::exit(3);
  }
  uint64_t events = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const auto v = run_replication(*sc, 1, 0, nullptr, &events);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int i = find_metric(replication_metric_defs(*sc), MetricOwner{MetricGroup::kWorkload, "j"} + "jobs_completed");
  return Row{secs, v[static_cast<size_t>(i)], events};
}

}  // namespace

int main(int argc, char** argv) {
  const long jobs = argc > 1 ? std::atol(argv[1]) : 1000000;
  std::printf("workload bench: %ld jobs, 10000 VMs, 80%% load, exponential 1 h work\n", jobs);
  std::printf("%-34s %9s %12s %12s %12s\n", "configuration", "wall s", "jobs done", "jobs/s", "events/s");
  const Row base = run("priority", false, jobs);
  const Row fifo = run("fifo", false, jobs);
  const Row churn = run("fifo", true, jobs);
  const Row zero = run("fifo", false, jobs, true);
  auto line = [](const char* name, const Row& r) {
    std::printf("%-34s %9.2f %12.0f %12.0f %12.0f\n", name, r.seconds, r.jobs, r.jobs / r.seconds,
                static_cast<double>(r.events) / r.seconds);
  };
  line("baseline: std::priority_queue", base);
  line("fifo deque", fifo);
  line("fifo + interruptions + checkpoints", churn);
  line("fifo + scale to zero", zero);
  std::printf("fifo vs priority_queue baseline: %.2fx\n", base.seconds / fifo.seconds);
  return 0;
}

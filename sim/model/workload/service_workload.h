#pragma once
// `type: service`: requests at a rate over time (constant, daily curve, trace) served by the
// fleet's VMs. Each serving VM is one M/M/c server with rate `capacity`; the latency model is
// Erlang C, evaluated piecewise between changes of the serving set (docs/workloads.md). New VMs
// serve after `warmup`; on notice a VM is drained (leaves the serving set) or, without drain,
// serves until eviction and its in-flight requests fail. SLO: a request is good if its response
// time is within `slo.latency`; error budget = (1 − target) of requests over `slo.window`.
#include <cstdint>
#include <vector>

#include "sim/model/world.h"
#include "sim/scenario/workload_spec.h"

namespace spotsim {

class ServiceWorkload : public WorldComponent, public EventHandler, public WorldObserver {
 public:
  ServiceWorkload(World& world, const WorkloadSpec& spec);
  // Registers exactly the metrics the workload registers (its constructor does it through this).
  static void declare_metrics(MetricSet& ms, const WorkloadSpec& spec) { (void)declare(ms, spec); }
  void start(World& world) override;
  void finish(World& world) override;
  void handle(Engine& engine, const Event& event) override;
  void on_model_event(const World& world, const ModelEvent& event) override;

  // Read-only views (e.g. for target-tracking autoscaling).
  int64_t serving() const { return serving_; }
  double rate_now() const;     // requests/s
  double utilization() const;  // λ / (c μ); +inf with no server

 private:
  enum Kind : uint16_t { kStep = 0, kWarm = 1 };
  double rate_at(int64_t t_us) const;
  void advance();
  void close_step();
  // kLoad to the fleet's policy: utilization λ / (max(1, serving) × capacity).
  void report_load();

  World& world_;
  const WorkloadSpec& spec_;
  const ServiceSpec& s_;
  uint16_t self_;
  uint16_t workload_index_ = 0xFFFF;
  std::vector<uint8_t> state_;  // by VM serial: 0 none, 1 warming, 2 serving, 3 serving+noticed
  int64_t serving_ = 0;
  int64_t last_us_ = 0;
  int64_t step_start_us_ = 0;
  // cache of the last (c, λ) evaluation
  int64_t cache_c_ = -1;
  double cache_lambda_ = -1, cache_good_ = 0, cache_latency_ = 0;
  // totals
  double req_ = 0, bad_ = 0, lat_req_ = 0, lat_sum_ = 0, util_sum_ = 0, servers_sum_ = 0;
  double breach_s_ = 0, overload_s_ = 0;
  double step_req_ = 0, step_bad_ = 0;
  // rolling error-budget window over steps
  std::vector<double> win_req_, win_bad_;
  size_t win_pos_ = 0;
  double win_req_sum_ = 0, win_bad_sum_ = 0, budget_used_max_ = 0;
  mutable size_t trace_pos_ = 0;
  struct Metrics {
    uint32_t requests, attain, burn, budget_used, breach, latency, util, servers, overload, serving;
  };
  static Metrics declare(MetricSet& ms, const WorkloadSpec& spec);
  Metrics m_{};
};

}  // namespace spotsim

#include "sim/model/workload/service_workload.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/model/workload/erlang.h"

namespace spotsim {

ServiceWorkload::Metrics ServiceWorkload::declare(MetricSet& ms, const WorkloadSpec& spec) {
  Metrics m{};
  const MetricOwner p{MetricGroup::kWorkload, spec.name};
  m.requests = ms.add(p + "requests", MetricUnit::kCount, "requests offered over the run");
  m.attain = ms.add(p + "slo_attainment", MetricUnit::kPercent, "100 × good requests / requests");
  m.burn = ms.add(p + "error_budget_burn_rate", MetricUnit::kRatio,
                  "(bad requests / requests) / (1 − target) over the run: 1 spends the budget exactly");
  m.budget_used = ms.add(p + "error_budget_used_pct", MetricUnit::kPercent,
                         "worst window: 100 × bad / ((1 − target) × requests) over any window of slo.window steps");
  m.breach =
      ms.add(p + "slo_breach_minutes", MetricUnit::kCount, "minutes of steps whose good fraction was below the target");
  m.latency = ms.add(p + suffixed("latency", metric_suffix::kMean), MetricUnit::kSeconds,
                     "mean M/M/c response time over requests served while stable");
  m.util = ms.add(p + suffixed("utilization", metric_suffix::kMean), MetricUnit::kPercent,
                  "time-averaged 100 × λ / (c μ), capped at 100");
  m.servers =
      ms.add(p + suffixed("servers", metric_suffix::kMean), MetricUnit::kCount, "time-averaged number of serving VMs");
  m.overload = ms.add(p + "overload_minutes", MetricUnit::kCount, "minutes with λ ≥ c μ (every request bad)");
  m.serving = ms.add(p + "serving", MetricUnit::kCount,
                     "gauge: VMs serving now (sampled in time series; at the end: when the run ended)");
  return m;
}

ServiceWorkload::ServiceWorkload(World& world, const WorkloadSpec& spec)
    : world_(world), spec_(spec), s_(spec.service) {
  self_ = world.engine().add_handler(this);
  world.signals().add_listener(this);
  for (size_t i = 0; i < world.scenario().workloads.size(); ++i) {
    if (&world.scenario().workloads[i] == &spec) workload_index_ = static_cast<uint16_t>(i);
  }
  const size_t win = static_cast<size_t>(std::max<int64_t>(1, s_.budget_window.us / s_.step.us));
  win_req_.assign(win, 0.0);
  win_bad_.assign(win, 0.0);
  m_ = declare(world.mutable_metrics(), spec);
}

double ServiceWorkload::rate_at(int64_t t) const {
  switch (s_.rate_kind) {
    case ServiceSpec::RateKind::kConstant: return s_.rate;
    case ServiceSpec::RateKind::kDaily: {
      const double amp = 0.5 * (s_.daily_peak - s_.daily_trough);
      const double phase = static_cast<double>(t - s_.peak_at.us) / 86400e6;
      return s_.rate + amp * std::cos(6.283185307179586 * phase);
    }
    case ServiceSpec::RateKind::kTrace: {
      const auto& tr = s_.trace;
      if (trace_pos_ >= tr.size() || tr[trace_pos_].at_us > t) trace_pos_ = 0;
      while (trace_pos_ + 1 < tr.size() && tr[trace_pos_ + 1].at_us <= t) ++trace_pos_;
      return tr[trace_pos_].per_second;
    }
  }
  return 0.0;
}

double ServiceWorkload::rate_now() const { return rate_at(world_.now().us); }

double ServiceWorkload::utilization() const {
  if (serving_ <= 0) return std::numeric_limits<double>::infinity();
  return rate_now() / (static_cast<double>(serving_) * s_.capacity);
}

void ServiceWorkload::advance() {
  const int64_t now = world_.now().us;
  if (now <= last_us_) return;
  const double dt = static_cast<double>(now - last_us_) * 1e-6;
  const double lambda = rate_at(last_us_);
  if (serving_ != cache_c_ || lambda != cache_lambda_) {
    cache_c_ = serving_;
    cache_lambda_ = lambda;
    cache_good_ = lambda <= 0 ? 1.0 : mmc_response_cdf(serving_, lambda, s_.capacity, s_.slo_latency.to_seconds());
    cache_latency_ = mmc_mean_response(serving_, lambda, s_.capacity);
  }
  const double req = lambda * dt;
  req_ += req;
  bad_ += req * (1.0 - cache_good_);
  step_req_ += req;
  step_bad_ += req * (1.0 - cache_good_);
  if (std::isfinite(cache_latency_)) {
    lat_req_ += req;
    lat_sum_ += req * cache_latency_;
  } else if (lambda > 0) {
    overload_s_ += dt;
  }
  const double cap = static_cast<double>(serving_) * s_.capacity;
  util_sum_ += dt * (cap > 0 ? std::min(1.0, lambda / cap) : (lambda > 0 ? 1.0 : 0.0));
  servers_sum_ += dt * static_cast<double>(serving_);
  last_us_ = now;
}

void ServiceWorkload::close_step() {
  const int64_t now = world_.now().us;
  const double len = static_cast<double>(now - step_start_us_) * 1e-6;
  if (len <= 0) return;
  if (step_req_ > 0 && 1.0 - step_bad_ / step_req_ < s_.slo_target) breach_s_ += len;
  win_req_sum_ += step_req_ - win_req_[win_pos_];
  win_bad_sum_ += step_bad_ - win_bad_[win_pos_];
  win_req_[win_pos_] = step_req_;
  win_bad_[win_pos_] = step_bad_;
  win_pos_ = (win_pos_ + 1) % win_req_.size();
  const double allowed = (1.0 - s_.slo_target) * win_req_sum_;
  if (allowed > 0) budget_used_max_ = std::max(budget_used_max_, 100.0 * win_bad_sum_ / allowed);
  step_req_ = step_bad_ = 0;
  step_start_us_ = now;
  // Counters and the gauge, live for samplers (final values are rewritten by finish()).
  MetricSet& ms = world_.mutable_metrics();
  ms[m_.requests] = req_;
  ms[m_.breach] = breach_s_ / 60.0;
  ms[m_.overload] = overload_s_ / 60.0;
  ms[m_.serving] = static_cast<double>(serving_);
}

void ServiceWorkload::report_load() {
  JobEvent ev;
  ev.kind = JobEventKind::kLoad;
  ev.workload = workload_index_;
  ev.metric = LoadMetric::kUtilization;
  ev.value = rate_now() / (static_cast<double>(std::max<int64_t>(1, serving_)) * s_.capacity);
  world_.report_job_event(s_.fleet, ev);
}

void ServiceWorkload::start(World&) { world_.engine().schedule_in(s_.step, self_, kStep, 0, 0, Priority::kObserver); }

void ServiceWorkload::on_model_event(const World&, const ModelEvent& ev) {
  if (ev.fleet != s_.fleet || ev.vm == 0xFFFFFFFFu) return;
  if (ev.vm >= state_.size()) state_.resize(std::max<size_t>(ev.vm + 1, state_.size() * 2), 0);
  uint8_t& st = state_[ev.vm];
  switch (ev.kind) {
    case ModelEventKind::kRunning:
      if (s_.warmup.us <= 0 || world_.now().us == 0) {  // the warm-started fleet is warm
        advance();
        st = 2;
        ++serving_;
      } else {
        st = 1;
        world_.engine().schedule_in(s_.warmup, self_, kWarm, ev.vm, 0);
      }
      break;
    case ModelEventKind::kNotice:
      if (st == 1) st = 0;
      if (st == 2) {
        if (s_.drain) {
          advance();
          --serving_;
          st = 0;
        } else {
          st = 3;
        }
      }
      break;
    case ModelEventKind::kTerminate:  // drained by the fleet (scale-in): connections drained first
      if (st == 2 || st == 3) {
        advance();
        --serving_;
      }
      st = 0;
      break;
    case ModelEventKind::kEviction:
      if (st == 2 || st == 3) {
        advance();
        // In-flight requests on the lost server fail: on average λ / (c μ) of them.
        const double lambda = rate_now();
        const double inflight = std::min(1.0, lambda / (static_cast<double>(serving_) * s_.capacity));
        bad_ += inflight;
        step_bad_ += inflight;
        --serving_;
      }
      st = 0;
      break;
    default: break;
  }
}

void ServiceWorkload::handle(Engine&, const Event& e) {
  if (e.kind == kWarm) {
    if (e.a < state_.size() && state_[e.a] == 1) {
      advance();
      state_[e.a] = 2;
      ++serving_;
    }
    return;
  }
  advance();
  close_step();
  report_load();
  if (world_.now().us + s_.step.us <= world_.scenario().duration.us) {
    world_.engine().schedule_in(s_.step, self_, kStep, 0, 0, Priority::kObserver);
  }
}

void ServiceWorkload::finish(World&) {
  advance();
  close_step();
  MetricSet& ms = world_.mutable_metrics();
  const double total_s = static_cast<double>(world_.now().us) * 1e-6;
  ms[m_.requests] = req_;
  ms[m_.attain] = req_ > 0 ? 100.0 * (1.0 - bad_ / req_) : 100.0;
  ms[m_.burn] = req_ > 0 ? (bad_ / req_) / (1.0 - s_.slo_target) : 0.0;
  ms[m_.budget_used] = budget_used_max_;
  ms[m_.breach] = breach_s_ / 60.0;
  ms[m_.latency] = lat_req_ > 0 ? lat_sum_ / lat_req_ : 0.0;
  ms[m_.util] = total_s > 0 ? 100.0 * util_sum_ / total_s : 0.0;
  ms[m_.servers] = total_s > 0 ? servers_sum_ / total_s : 0.0;
  ms[m_.overload] = overload_s_ / 60.0;
  ms[m_.serving] = static_cast<double>(serving_);
}

}  // namespace spotsim

// Deadline jobs (docs/workloads.md#type-deadline_job): hours of work vs hours paid, the uniform
// progress rule of the authors' simulator vs the paper's rules read literally, and trace windows
// that fit (`random_start: fit`). Every expected number below is worked out by hand in the
// comments; the code only has to agree.
#include "tests/workload/workload_helpers.h"

#include "sim/model/workload/deadline_job.h"

using namespace spotsim;
using namespace spotsim::test;

namespace {

// A trace that repeats `pattern` ('1' = spot available for the whole step) for `steps` steps.
DeadlineJobSpec pattern_spec(DeadlinePolicy p, const std::string& pattern, size_t steps, double step_min, double work_h,
                             double deadline_h, double d_h) {
  DeadlineJobSpec s;
  s.trace_step = Duration::minutes(step_min);
  for (size_t k = 0; k < steps; ++k) s.available.push_back(pattern[k % pattern.size()] == '1' ? 1 : 0);
  return with_job(std::move(s), p, work_h, deadline_h, d_h);
}

// Like compile_error, for scenarios that read a trace next to this file: FILE is test.yaml.
std::string deadline_error(const std::string& text) {
  const std::string dir = SPOTSIM_SOURCE_DIR "/tests/workload/";
  auto r = compile_scenario(text, dir + "test.yaml", LoadOptions{{}, read_text_file});
  if (r) return "";
  std::string m = r.status().message();
  for (size_t at = m.find(dir); at != std::string::npos; at = m.find(dir)) m.erase(at, dir.size());
  return m;
}

}  // namespace

// No spot at all: 48 h of work, 60 h deadline, d = 12 min, 10-minute steps. In minutes the
// uniform-progress line is ep(t) = 48/60·t = 0.8·t.
TEST_CASE("deadline_job: with no spot, uniform_progress keeps its one on-demand VM (the authors' rule)") {
  const auto s = pattern_spec(DeadlinePolicy::kUniformProgress, "0", 600, 10, 48, 60, 0.2);
  const auto r = simulate_deadline_job(s, 0);
  // t=0: progress 0 = ep(0), not behind, no spot -> idle one step.
  // t=10: progress 0 < ep(10) = 8 -> on-demand (start 1): 12 min of overhead, then 10 min of work
  // a step. On on-demand it leaves only for spot, and there is none: it stays to the end.
  // Paid 48 h + 12 min = 48.2 h, all of the work on on-demand, done at 10 + 12 + 2880 min.
  CHECK(r.switches == 1);
  CHECK(r.on_demand_starts == 1);
  CHECK(r.on_demand_hours == Approx(48.2).epsilon(1e-12));
  CHECK(r.work_hours_on_demand == Approx(48.0).epsilon(1e-12));
  CHECK(r.spot_hours == 0.0);
  CHECK(r.work_hours_spot == 0.0);
  CHECK(r.idle_hours == Approx(10.0 / 60).epsilon(1e-12));
  CHECK(r.finish_hours == Approx(2902.0 / 60).epsilon(1e-12));
  CHECK(r.finished);
  CHECK(!r.missed);
  CHECK(r.cost == Approx(48.2 * 3.0).epsilon(1e-12));
}

TEST_CASE("deadline_job: with no spot, uniform_progress_literal idles whenever it is ahead (17 starts, 51.4 h)") {
  const auto s = pattern_spec(DeadlinePolicy::kUniformProgressLiteral, "0", 600, 10, 48, 60, 0.2);
  const auto r = simulate_deadline_job(s, 0);
  // Minutes again; ep(t) = 0.8·t; d = 12; "behind by D" means ep(t) − progress = D > 0.
  // A cycle starts on on-demand behind by D. After j ≥ 2 steps on it, progress has gained 10j − 12
  // and ep has gained 8j. The literal hysteresis leaves on-demand at the first check with
  // progress ≥ ep(t + 24), i.e. 10j − 12 − D ≥ 8j + 19.2 - that is 2j ≥ D + 31.2. Then it is
  // ahead by 2j − 12 − D; with no spot it idles until behind again (ep gains 8 per idle step).
  //  - Cycle 1: idle at t=0 (on the line), start at t=10 behind by D = 8: j = 20 steps on
  //    on-demand (leaves at t=210, ahead by 20), idle 3 steps (20 − 24 < 0: behind by 4 at t=240).
  //  - Every later cycle starts behind by D = 4: j = 18 steps (ahead by 20 again), idle 3 steps:
  //    21 steps, the same cycle for ever.
  //  - Slack (time left − work left) = 720 − (t − progress); t − progress grows only while idle or
  //    in overhead: 10 + 12 + 30 = 52 after cycle 1, +42 per later cycle. The safety net fires when
  //    idling one more step would leave less than 2d: slack − 10 < 24, i.e. t − progress > 686.
  //    Before the 17th start (cycle 1 + 15 more) t − progress = 52 + 15·42 = 682: start 17 at
  //    t = 3390 (step 339); 10 min into its overhead t − progress = 692 > 686: on-demand for good.
  // Paid on-demand = 2880 + 17·12 = 3084 min = 51.4 h; done at t = 2880 + 682 + 12 = 3574 min;
  // idle = 3574 − 3084 = 490 min. The authors' rule (test above) pays 48.2 h with 1 start.
  CHECK(r.switches == 17);
  CHECK(r.on_demand_starts == 17);
  CHECK(r.on_demand_hours == Approx(51.4).epsilon(1e-12));
  CHECK(r.work_hours_on_demand == Approx(48.0).epsilon(1e-12));
  CHECK(r.idle_hours == Approx(490.0 / 60).epsilon(1e-12));
  CHECK(r.finish_hours == Approx(3574.0 / 60).epsilon(1e-12));
  CHECK(!r.missed);
}

// Alternating trace, 1-hour steps: 3 h without spot, 3 h with spot ("000111" repeated); 10 h of
// work, 20 h deadline, d = 1 h. In hours: ep(t) = t/2, ep(t + 2d) = t/2 + 1. Slack starts at
// 10 h and never comes near 2d + Δ = 3 h, so the safety net never fires here.
TEST_CASE("deadline_job: alternating trace, uniform_progress leaves on-demand only for spot, when ahead at t + 2d") {
  const auto s = pattern_spec(DeadlinePolicy::kUniformProgress, "000111", 60, 60, 10, 20, 1);
  const auto r = simulate_deadline_job(s, 0);
  //  t  spot progress ep(t) ep(t+2d)  decision
  //  0   0    0        0     1        on the line, no spot: idle
  //  1   0    0        0.5   1.5      behind: on-demand (start 1), overhead
  //  2   0    0        1     2        on-demand, work
  //  3   1    1        1.5   2.5      spot, but 1 <= 2.5: keep on-demand
  //  4   1    2        2     3        2 <= 3: keep on-demand
  //  5   1    3        2.5   3.5      3 <= 3.5: keep on-demand
  //  6   0    4        3     4        no spot: keep on-demand (the literal rule idles here)
  //  7   0    5        3.5   4.5      no spot: keep on-demand
  //  8   0    6        4     5        no spot: keep on-demand
  //  9   1    7        4.5   5.5      spot and 7 > 5.5: spot (start 2), overhead
  // 10   1    7        5     6        spot, work
  // 11   1    8        5.5   6.5      spot, work
  // 12   0    9        6     7        preempted; ahead, no spot: idle
  // 13   0    9        6.5   7.5      idle
  // 14   0    9        7     8        idle
  // 15   1    9        7.5   8.5      spot (start 3), overhead
  // 16   1    9        8     9        spot, work -> 10 h done at t = 17
  // On-demand paid t=1..8 = 8 h, work 7 h; spot paid t=9..11 and 15..16 = 5 h, work 3 h;
  // idle t=0 and 12..14 = 4 h; cost 8·3 + 5·1 = 29.
  CHECK(r.switches == 3);
  CHECK(r.on_demand_starts == 1);
  CHECK(r.preemptions == 1);
  CHECK(r.on_demand_hours == Approx(8.0).epsilon(1e-12));
  CHECK(r.work_hours_on_demand == Approx(7.0).epsilon(1e-12));
  CHECK(r.spot_hours == Approx(5.0).epsilon(1e-12));
  CHECK(r.work_hours_spot == Approx(3.0).epsilon(1e-12));
  CHECK(r.idle_hours == Approx(4.0).epsilon(1e-12));
  CHECK(r.finish_hours == Approx(17.0).epsilon(1e-12));
  CHECK(r.cost == Approx(29.0).epsilon(1e-12));
  CHECK(!r.missed);
}

TEST_CASE("deadline_job: alternating trace, uniform_progress_literal leaves on-demand for idle once ahead at t + 2d") {
  const auto s = pattern_spec(DeadlinePolicy::kUniformProgressLiteral, "000111", 60, 60, 10, 20, 1);
  const auto r = simulate_deadline_job(s, 0);
  //  t  spot progress ep(t) ep(t+2d)  decision
  //  0   0    0        0     1        on the line, no spot: idle
  //  1   0    0        0.5   1.5      behind: on-demand (start 1), overhead
  //  2   0    0        1     2        0 < 2: stay on on-demand, work
  //  3   1    1        1.5   2.5      1 < 2.5: stay
  //  4   1    2        2     3        2 < 3: stay
  //  5   1    3        2.5   3.5      3 < 3.5: stay
  //  6   0    4        3     4        4 >= 4: hysteresis over; no spot, not behind: idle
  //  7   0    4        3.5   4.5      idle
  //  8   0    4        4     5        on the line (not behind): idle
  //  9   1    4        4.5   5.5      spot (start 2), overhead
  // 10   1    4        5     6        spot, work
  // 11   1    5        5.5   6.5      spot, work
  // 12   0    6        6     7        preempted; on the line: idle
  // 13   0    6        6.5   7.5      behind: on-demand (start 3), overhead
  // 14   0    6        7     8        6 < 8: stay, work
  // 15   1    7        7.5   8.5      7 < 8.5: stay
  // 16   1    8        8     9        8 < 9: stay
  // 17   1    9        8.5   9.5      9 < 9.5: stay -> 10 h done at t = 18
  // On-demand paid t=1..5 and 13..17 = 10 h, work 4 + 4 = 8 h; spot paid t=9..11 = 3 h, work 2 h;
  // idle t=0, 6..8, 12 = 5 h; cost 10·3 + 3·1 = 33 (the authors' rule: 29).
  CHECK(r.switches == 3);
  CHECK(r.on_demand_starts == 2);
  CHECK(r.preemptions == 1);
  CHECK(r.on_demand_hours == Approx(10.0).epsilon(1e-12));
  CHECK(r.work_hours_on_demand == Approx(8.0).epsilon(1e-12));
  CHECK(r.spot_hours == Approx(3.0).epsilon(1e-12));
  CHECK(r.work_hours_spot == Approx(2.0).epsilon(1e-12));
  CHECK(r.idle_hours == Approx(5.0).epsilon(1e-12));
  CHECK(r.finish_hours == Approx(18.0).epsilon(1e-12));
  CHECK(r.cost == Approx(33.0).epsilon(1e-12));
  CHECK(!r.missed);
}

TEST_CASE("deadline_job: with d = 0 the safety net of uniform_progress still takes spot when it is available") {
  // Spot every other hour ("01"), 10 h of work due in 11 h, switches free. t=0: slack 1 h, idling
  // one step would leave 0, not < 2d = 0: idle (on the line, no spot). t=1: slack 0 -> safety net.
  // The authors' safety net with d = 0 takes spot when available (a switch costs nothing):
  // spot at t=1,3,5,7,9 (each preempted an hour later), on-demand at t=2,4,6,8,10; done at 11 h.
  auto s = pattern_spec(DeadlinePolicy::kUniformProgress, "01", 40, 60, 10, 11, 0);
  auto r = simulate_deadline_job(s, 0);
  CHECK(r.spot_hours == Approx(5.0).epsilon(1e-12));
  CHECK(r.on_demand_hours == Approx(5.0).epsilon(1e-12));
  CHECK(r.work_hours_spot == Approx(5.0).epsilon(1e-12));
  CHECK(r.switches == 10);
  CHECK(r.preemptions == 5);
  CHECK(r.finish_hours == Approx(11.0).epsilon(1e-12));
  CHECK(!r.missed);
  // The literal variant (and greedy) switch to on-demand for good: 10 h of on-demand.
  s.policy = DeadlinePolicy::kUniformProgressLiteral;
  r = simulate_deadline_job(s, 0);
  CHECK(r.on_demand_hours == Approx(10.0).epsilon(1e-12));
  CHECK(r.switches == 1);
  CHECK(!r.missed);
}

TEST_CASE("deadline_job: the policy names and the literal variant compile") {
  const std::string b = base(0, "", "1h", 1);
  for (const char* p : {"greedy", "uniform_progress", "uniform_progress_literal", "on_demand", "spot_only"}) {
    const auto sc = compile_here(b +
                                 "workloads:\n  d: {type: deadline_job, trace: deadline_avail_30h.csv, work: 10h, "
                                 "deadline: 20h, switch_delay: 1h, pool: p, policy: " +
                                 std::string(p) + "}\n");
    REQUIRE(sc.workloads.size() == 1);
    CHECK(std::string(deadline_policy_name(sc.workloads[0].deadline.policy)) == p);
  }
  CHECK(deadline_error(b + "workloads:\n  d: {type: deadline_job, trace: deadline_avail_30h.csv, work: 10h, "
                           "deadline: 20h, pool: p, policy: uniform}\n") ==
        "test.yaml:11:101: error: workloads.d.policy: \"uniform\" is not one of: greedy, uniform_progress, "
        "uniform_progress_literal, on_demand, spot_only");
}

TEST_CASE("deadline_job: random_start is true, false or fit, and fit needs a trace as long as the deadline") {
  const std::string b = base(0, "", "1h", 1);
  auto start = [&](const std::string& v) {
    const auto sc = compile_here(b +
                                 "workloads:\n  d: {type: deadline_job, trace: deadline_avail_30h.csv, work: 10h, "
                                 "deadline: 20h, pool: p, random_start: " +
                                 v + "}\n");
    return sc.workloads.at(0).deadline.random_start;
  };
  CHECK(start("true") == TraceStart::kWrap);
  CHECK(start("false") == TraceStart::kOff);
  CHECK(start("fit") == TraceStart::kFit);
  // The 30-step trace holds 30 − 20 + 1 = 11 windows of a 20 h deadline.
  const auto sc = compile_here(b +
                               "workloads:\n  d: {type: deadline_job, trace: deadline_avail_30h.csv, work: 10h, "
                               "deadline: 20h, pool: p}\n");
  CHECK(deadline_window_steps(sc.workloads.at(0).deadline) == 20);
  CHECK(deadline_error(b + "workloads:\n  d: {type: deadline_job, trace: deadline_avail_30h.csv, work: 10h, "
                           "deadline: 20h, pool: p, random_start: maybe}\n") ==
        "test.yaml:11:107: error: workloads.d.random_start: expected true, false or fit, found \"maybe\"");
  // A 31 h deadline needs 31 steps; the trace has 30.
  CHECK(deadline_error(b + "workloads:\n  d: {type: deadline_job, trace: deadline_avail_30h.csv, work: 10h, "
                           "deadline: 31h, pool: p, random_start: fit}\n") ==
        "test.yaml:11:107: error: workloads.d.random_start: fit needs a trace at least as long as the deadline "
        "window (1d7h = 31 steps of 1h); the trace has 30 steps (1d6h). Use a longer trace, or random_start: true "
        "(windows wrap around the end)");
  // A deadline that is not a whole number of steps needs the step it ends in: 29.5 h -> 30 steps.
  CHECK(deadline_error(b + "workloads:\n  d: {type: deadline_job, trace: deadline_avail_30h.csv, work: 10h, "
                           "deadline: 29h30m, pool: p, random_start: fit}\n") == "");
}

TEST_CASE("deadline_job: random_start: fit draws only windows inside the trace, true wraps around") {
  // 30 one-hour steps, 20 h deadline: fit may start at steps 0..10 only; true at 0..29.
  auto offsets = [](const std::string& mode) {
    const auto sc = compile_here(base(0, "", "1h", 300) +
                                 "workloads:\n  d: {type: deadline_job, trace: deadline_avail_30h.csv, work: 10h, "
                                 "deadline: 20h, switch_delay: 1h, pool: p, random_start: " +
                                 mode + "}\n");
    RunOptions o;
    o.threads = 2;
    auto r = run_scenario(sc, o);
    REQUIRE(r.is_ok());
    const int i = r->metric_index("workload.d.trace_offset_hours");
    REQUIRE(i >= 0);
    std::vector<double> out;
    for (const auto& rep : r->per_replication) out.push_back(rep[static_cast<size_t>(i)]);
    return out;
  };
  const auto fit = offsets("fit");
  const auto wrap = offsets("true");
  const double fit_max = *std::max_element(fit.begin(), fit.end());
  const double wrap_max = *std::max_element(wrap.begin(), wrap.end());
  CHECK(fit_max == 10.0);  // 300 draws from 11 starts reach the last one
  CHECK(*std::min_element(fit.begin(), fit.end()) == 0.0);
  CHECK(wrap_max > 10.0);  // today's default still wraps
  CHECK(wrap_max <= 29.0);
}

TEST_CASE("deadline_job: work hours and paid hours are reported as metrics") {
  // Offset 0 of the 30-step trace is the alternating case worked out above (10 h work, 20 h
  // deadline, d = 1 h): paid 8 h on-demand / 5 h spot, work 7 h / 3 h.
  const auto sc = compile_here(base(0, "", "1h", 1) +
                               "workloads:\n  d: {type: deadline_job, trace: deadline_avail_30h.csv, work: 10h, "
                               "deadline: 20h, switch_delay: 1h, pool: p, random_start: false}\n");
  CHECK(mean_metric(sc, "workload.d.on_demand_hours") == Approx(8.0).epsilon(1e-12));
  CHECK(mean_metric(sc, "workload.d.work_hours_on_demand") == Approx(7.0).epsilon(1e-12));
  CHECK(mean_metric(sc, "workload.d.spot_hours") == Approx(5.0).epsilon(1e-12));
  CHECK(mean_metric(sc, "workload.d.work_hours_spot") == Approx(3.0).epsilon(1e-12));
  CHECK(mean_metric(sc, "workload.d.trace_offset_hours") == 0.0);
}

// The hazard estimator on synthetic data with a known rate: coverage of its 95% interval over 100
// fixed seeds, and the constant-hazard tests (quiet on a constant hazard, loud on time-of-day
// patterns and bursts).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "sim/calibrate/calibrate.h"
#include "sim/calibrate/hazard.h"

using namespace spotsim::calibrate;

namespace {

constexpr int64_t kHour = 3'600'000'000LL;
constexpr int64_t kStart = 1'767'225'600'000'000LL;  // 2026-01-01T00:00:00Z

// Uniform (0, 1) from a 64-bit generator whose output the standard fixes (mt19937_64), so the
// synthetic data are the same on every platform.
double uniform(std::mt19937_64& g) { return (static_cast<double>(g() >> 11) + 0.5) * 0x1.0p-53; }

struct Synthetic {
  Inventory inv;
  EventLog log;
};

// `vms` slots run for `days`; each VM lives until an interruption at hazard `rate(t)` (per hour,
// drawn by thinning against `rate_max`) or until its planned end (1 to 5 days, then replaced).
// Interrupted VMs get a warning event 2 minutes before their recorded end.
template <class RateFn>
Synthetic make(uint64_t seed, int vms, int days, double rate_max, RateFn rate) {
  std::mt19937_64 g(seed);
  Synthetic s;
  const int64_t end = kStart + days * 24 * kHour;
  int64_t n = 0;
  for (int slot = 0; slot < vms; ++slot) {
    int64_t t = kStart;
    while (t < end) {
      const int64_t planned = t + static_cast<int64_t>((1 + 4 * uniform(g)) * 24 * kHour);
      int64_t stop = std::min(planned, end);
      bool interrupted = false;
      int64_t x = t;
      while (true) {  // thinning: candidate points at rate_max, kept with rate(x) / rate_max
        x += static_cast<int64_t>(-std::log(uniform(g)) / rate_max * static_cast<double>(kHour));
        if (x >= stop) break;
        if (uniform(g) * rate_max < rate(x)) {
          stop = x;
          interrupted = true;
          break;
        }
      }
      const std::string id = "i-" + std::to_string(++n);
      s.inv.rows.push_back({id, "m5.xlarge", "us-east-1a", t, stop >= end && !interrupted ? -1 : stop, 0});
      if (interrupted) {
        Event e;
        e.id = "ev-" + std::to_string(n);
        e.t_us = stop - 120'000'000;
        e.instance = id;
        e.provider = "aws";
        s.log.events.push_back(e);
      }
      t = stop;
    }
  }
  return s;
}

Options period(int days) {
  Options opt;
  opt.from_us = kStart;
  opt.to_us = kStart + days * 24 * kHour;
  return opt;
}

}  // namespace

TEST_CASE("the exact Poisson interval: known values", "[calibrate][estimate]") {
  auto r = estimate_rate(10, 1000);
  CHECK(r.rate == Approx(0.01));
  CHECK(r.lo == Approx(4.795389e-3).epsilon(1e-5));  // chi2(0.025; 20) / 2 / 1000
  CHECK(r.hi == Approx(1.839036e-2).epsilon(1e-5));  // chi2(0.975; 22) / 2 / 1000
  auto z = estimate_rate(0, 100);
  CHECK(z.lo == 0);
  CHECK(z.hi == Approx(-std::log(0.025) / 100));  // 3.689 / T
  CHECK(chi2_survival(3.841459, 1) == Approx(0.05).epsilon(1e-4));
}

namespace {
// Seeds first..first+n-1 of a fleet of `vms` over 30 days at hazard `lambda`: how many intervals cover it.
int coverage(uint64_t first, int n, int vms, double lambda) {
  int covered = 0;
  for (uint64_t seed = first; seed < first + static_cast<uint64_t>(n); ++seed) {
    auto s = make(seed, vms, 30, lambda, [&](int64_t) { return lambda; });
    auto cal = calibrate_exposure(s.inv, s.log, period(30));
    REQUIRE(cal.pools.size() == 1);
    const auto& e = cal.pools[0].estimate;
    covered += e.lo <= lambda && lambda <= e.hi;
  }
  return covered;
}
}  // namespace

// A realistic pool: 0.0003 per VM-hour is 19.4% of VMs a month (the advisor's 15-20% band); 100
// VMs for 30 days expect 21.6 interruptions.
TEST_CASE("the hazard estimate covers the true rate in at least 94 of 100 seeds", "[calibrate][estimate][coverage]") {
  const int covered = coverage(1, 100, 100, 0.0003);
  WARN("a 0.0003/h pool of 100 VMs over 30 days: the 95% interval covers the rate in " << covered << " of 100 seeds");
  CHECK(covered >= 94);
}

// A hot pool (0.02/h, 20 VMs, 288 interruptions expected): the exact interval is close to nominal
// there, so 100 seeds vary by about ±2; over 1000 seeds the share must be close to 95%.
TEST_CASE("the hazard estimate covers a high rate in about 95% of 1000 seeds", "[calibrate][estimate][coverage]") {
  const int covered = coverage(1, 1000, 20, 0.02);
  WARN("a 0.02/h pool of 20 VMs over 30 days: covered in " << covered << " of 1000 seeds");
  CHECK(covered >= 940);
}

TEST_CASE("a constant hazard passes the constant-hazard tests", "[calibrate][estimate]") {
  int rejected_tod = 0, rejected_burst = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    auto s = make(1000 + seed, 20, 30, 0.02, [](int64_t) { return 0.02; });
    auto cal = calibrate_exposure(s.inv, s.log, period(30));
    const auto& p = cal.pools[0];
    REQUIRE(p.time_of_day.tested);
    REQUIRE(p.bursts.tested);
    rejected_tod += p.time_of_day.p < cal.alpha;
    rejected_burst += p.bursts.p < cal.alpha;
  }
  // At alpha = 1% about 0.4 of 40 are expected to reject by chance.
  CHECK(rejected_tod <= 3);
  CHECK(rejected_burst <= 3);
}

TEST_CASE("interruptions in the afternoon only fail the time-of-day test", "[calibrate][estimate]") {
  auto afternoon = [](int64_t t) {
    const int64_t hour = ((t - kStart) / kHour) % 24;
    return hour >= 13 && hour < 17 ? 0.12 : 0.0;
  };
  auto s = make(7, 20, 30, 0.12, afternoon);
  auto cal = calibrate_exposure(s.inv, s.log, period(30));
  const auto& p = cal.pools[0];
  REQUIRE(p.time_of_day.tested);
  CHECK(p.time_of_day.p < 1e-6);
  CHECK_THAT(to_yaml(cal, period(30)), Catch::Contains("DOES NOT FIT a constant hazard"));
}

TEST_CASE("a storm (many interruptions in a few hours) fails the burst test", "[calibrate][estimate]") {
  auto storm = [](int64_t t) {
    const int64_t h = (t - kStart) / kHour;
    return (h >= 200 && h < 203) || (h >= 500 && h < 502) ? 0.5 : 0.005;
  };
  auto s = make(11, 30, 30, 0.5, storm);
  auto cal = calibrate_exposure(s.inv, s.log, period(30));
  const auto& p = cal.pools[0];
  REQUIRE(p.bursts.tested);
  CHECK(p.bursts.p < 1e-6);
}

TEST_CASE("poisson_fit merges bins until each expects enough", "[calibrate][estimate]") {
  auto t = poisson_fit({1, 0, 2, 1, 0, 1}, {1, 1, 1, 1, 1, 1}, 3);
  CHECK(t.bins == 2);
  CHECK(t.df == 1);
  auto none = poisson_fit({1, 0}, {0.5, 0.5});
  CHECK_FALSE(none.tested);
}

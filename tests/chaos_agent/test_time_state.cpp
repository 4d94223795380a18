#include <catch2/catch.hpp>

#include "chaos-agent/core/chaos_state.h"
#include "chaos-agent/core/time_format.h"
#include "tests/chaos_agent/helpers.h"

using namespace agent;

TEST_CASE("chaos-agent time formats are the providers' exact wire formats", "[chaos_agent]") {
  WallTime t = test::t0() + std::chrono::seconds(30) + std::chrono::milliseconds(250);
  CHECK(format_iso8601(t) == "2026-11-23T18:00:30Z");
  CHECK(format_iso8601_micros(t) == "2026-11-23T18:00:30.250000Z");
  CHECK(format_rfc1123(t) == "Mon, 23 Nov 2026 18:00:30 GMT");
  CHECK(format_aws_event_time(t) == "23 Nov 2026 18:00:30 GMT");
  CHECK(parse_iso8601("2026-11-23T18:00:30.250000Z") == t);
  CHECK(!parse_iso8601("2026-11-23 18:00:30"));
}

TEST_CASE("chaos-agent durations parse and print", "[chaos_agent]") {
  CHECK(parse_duration("120s") == Millis(120000));
  CHECK(parse_duration("5m") == Millis(300000));
  CHECK(parse_duration("1h30m") == Millis(5400000));
  CHECK(parse_duration("250ms") == Millis(250));
  CHECK(parse_duration("1.5s") == Millis(1500));
  // common's grammar (common/units.h), the one scenario files use: days and weeks too.
  CHECK(parse_duration("7d") == Millis(7 * 86400000LL));
  CHECK(parse_duration("1w") == Millis(7 * 86400000LL));
  // A bare number is refused (issue 17: the simulator refuses it too); "0" needs no unit.
  CHECK(!parse_duration("90"));
  CHECK(parse_duration("0") == Millis(0));
  CHECK(bad_duration_message("90") == "duration \"90\" has no unit; write e.g. \"90s\" (units: us, ms, s, m, h, d, w)");
  CHECK(bad_duration_message("soon") == "expected a duration like 90s, 15m, 2h or 7d, found \"soon\"");
  CHECK(!parse_duration("soon"));
  CHECK(!parse_duration("5x"));
  CHECK(!parse_duration(""));
  CHECK(!parse_duration("-5s"));
  CHECK(format_duration(Millis(5400000)) == "1h30m");
  CHECK(format_duration(Millis(120000)) == "2m");
  CHECK(format_duration(Millis(250)) == "250ms");
}

TEST_CASE("chaos-agent state: injections replace by kind, expire by the dead-man switch", "[chaos_agent]") {
  FakeClock clock(test::t0());
  ChaosState s(clock, std::chrono::minutes(30), "vm-1");
  InjectRequest r;
  r.notice = std::chrono::seconds(120);
  auto a = s.inject(r);
  REQUIRE(a);
  CHECK(a->deadline == test::t0() + std::chrono::seconds(120));
  CHECK(a->expires_at == test::t0() + std::chrono::minutes(30));
  CHECK(s.active(Kind::kPreempt, Provider::kAws) != nullptr);
  CHECK(s.active(Kind::kRebalance, Provider::kAws) == nullptr);
  auto inc = s.azure_incarnation();
  auto b = s.inject(r);
  REQUIRE(b);
  CHECK(s.injections().size() == 1);
  CHECK(s.injections()[0].id == b->id);
  CHECK(s.azure_incarnation() == inc + 1);

  int notified = 0;
  s.subscribe([&] { ++notified; });
  clock.advance(std::chrono::seconds(120));
  auto ev = s.tick();
  CHECK(ev.deadlines.size() == 1);
  CHECK(ev.expired.empty());
  CHECK(s.tick().deadlines.empty());  // once only
  clock.advance(std::chrono::minutes(28));
  ev = s.tick();
  CHECK(ev.expired.size() == 1);
  CHECK(s.injections().empty());
  CHECK(notified == 1);
}

TEST_CASE("chaos-agent state: ttl is capped by max duration - invalid requests name the field", "[chaos_agent]") {
  FakeClock clock(test::t0());
  ChaosState s(clock, std::chrono::minutes(10), "vm-1");
  InjectRequest r;
  r.ttl = std::chrono::hours(5);
  CHECK(s.inject(r)->expires_at == test::t0() + std::chrono::minutes(10));
  r.aws_action = "reboot";
  auto bad = s.inject(r);
  REQUIRE(!bad);
  CHECK(bad.status().message() == "action: expected terminate, stop or hibernate, got 'reboot'");
  InjectRequest rb;
  rb.kind = Kind::kRebalance;
  rb.providers = static_cast<unsigned>(Provider::kAzure);
  CHECK(s.inject(rb).status().message() == "rebalance: Azure has no rebalance recommendation; use --provider aws");
  CHECK(parse_providers("aws,gcp") == 5u);
  CHECK(!parse_providers("oracle"));
}

TEST_CASE("chaos-agent state: an expiry names its cause - ttl or the dead-man maximum duration", "[chaos_agent]") {
  FakeClock clock(test::t0());
  ChaosState s(clock, std::chrono::hours(2), "vm-1");
  InjectRequest r;
  r.ttl = std::chrono::seconds(3);
  auto a = s.inject(r);
  REQUIRE(a);
  CHECK(a->expiry_cause == ExpiryCause::kTtl);
  CHECK(s.expiry_reason(a.value()) == "ttl: the injection's ttl of 3s ran out");
  clock.advance(std::chrono::seconds(3));
  auto ev = s.tick();
  REQUIRE(ev.expired.size() == 1);
  CHECK(ev.expired[0].expiry_cause == ExpiryCause::kTtl);

  InjectRequest no_ttl;
  auto b = s.inject(no_ttl);
  CHECK(b->expiry_cause == ExpiryCause::kMaxDuration);
  CHECK(s.expiry_reason(b.value()) == "dead-man switch: injection reached its maximum duration (--max-duration 2h)");
  InjectRequest capped;
  capped.ttl = std::chrono::hours(5);  // beyond --max-duration: the dead-man switch ends it
  CHECK(s.inject(capped)->expiry_cause == ExpiryCause::kMaxDuration);
}

TEST_CASE("chaos-agent state: an Azure Preempt notice under 30s needs allow_unrealistic", "[chaos_agent]") {
  FakeClock clock(test::t0());
  ChaosState s(clock, std::chrono::hours(2), "vm-1");
  InjectRequest r;
  r.providers = static_cast<unsigned>(Provider::kAzure);
  r.notice = std::chrono::seconds(10);
  auto bad = s.inject(r);
  REQUIRE(!bad);
  CHECK(bad.status().message() ==
        "notice: Azure Scheduled Events give Preempt at least 30s of notice, got 10s "
        "(a shorter notice is accepted only with --allow-unrealistic)");
  r.providers = kAllProviders;  // "all" includes Azure
  CHECK(!s.inject(r));
  r.providers = static_cast<unsigned>(Provider::kAws) | static_cast<unsigned>(Provider::kGcp);
  CHECK(s.inject(r));
  r.providers = static_cast<unsigned>(Provider::kAzure);
  r.notice = std::chrono::seconds(30);
  CHECK(s.inject(r));
  r.notice = std::chrono::seconds(10);
  r.allow_unrealistic = true;
  auto ok = s.inject(r);
  REQUIRE(ok);
  CHECK(ok->unrealistic == "Azure Scheduled Events give Preempt at least 30s of notice, got 10s");
}

TEST_CASE("chaos-agent state: clearing one run removes only that run's injections", "[chaos_agent]") {
  FakeClock clock(test::t0());
  ChaosState s(clock, std::chrono::hours(2), "vm-1");
  InjectRequest local;  // made by hand: no run
  local.kind = Kind::kMaintenance;
  InjectRequest mine;
  mine.kind = Kind::kPreempt;
  mine.run = "run-aaaaaaaaaaaa";
  InjectRequest other;
  other.kind = Kind::kRebalance;
  other.providers = static_cast<unsigned>(Provider::kAws);
  other.run = "run-bbbbbbbbbbbb";
  REQUIRE(s.inject(local));
  REQUIRE(s.inject(mine));
  REQUIRE(s.inject(other));
  auto v = s.version();
  auto inc = s.azure_incarnation();
  auto removed = s.clear(std::string("run-aaaaaaaaaaaa"));
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].req.run == "run-aaaaaaaaaaaa");
  REQUIRE(s.injections().size() == 2);
  CHECK(s.injections()[0].req.kind == Kind::kMaintenance);  // order kept
  CHECK(s.injections()[1].req.run == "run-bbbbbbbbbbbb");
  CHECK(s.version() == v + 1);
  CHECK(s.azure_incarnation() == inc + 1);                  // its Azure Preempt event left the document
  CHECK(s.clear(std::string("run-aaaaaaaaaaaa")).empty());  // nothing left of it: no change
  CHECK(s.version() == v + 1);
  CHECK(s.clear().size() == 2);  // without a run: everything
  CHECK(s.injections().empty());
}

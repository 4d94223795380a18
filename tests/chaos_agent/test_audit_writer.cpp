// The audit writer thread: order, back-pressure instead of loss, flush and close, clear errors
// when the file cannot be opened or written; the request-path read line is byte-identical to the
// generic JSON path; an agent stopped by SIGTERM has written every read it answered.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "chaos-agent/core/audit.h"
#include "chaos-agent/core/audit_writer.h"
#include "tests/chaos_agent/helpers.h"

using namespace agent;
using nlohmann::json;

namespace {
std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}
}  // namespace

TEST_CASE("audit writer: lines keep their order across batches and a full queue", "[chaos_agent][audit]") {
  std::string dir = test::temp_dir("awriter");
  AuditWriterOptions o;
  o.max_queued_bytes = 256;  // a few lines: append() must wait for the writer, never drop
  o.flush_interval = std::chrono::milliseconds(1);
  auto w = AuditWriter::open(dir + "/a.jsonl", o);
  REQUIRE(w);
  const int n = 5000;
  for (int i = 0; i < n; ++i) w.value()->append("{\"n\":" + std::to_string(i) + "}\n");
  w.value()->close();
  CHECK(w.value()->lines_written() == static_cast<uint64_t>(n));
  CHECK(w.value()->lines_lost() == 0);
  auto lines = lines_of(dir + "/a.jsonl");
  REQUIRE(lines.size() == static_cast<size_t>(n));
  bool ordered = true;
  for (int i = 0; i < n; ++i) ordered = ordered && lines[static_cast<size_t>(i)] == "{\"n\":" + std::to_string(i) + "}";
  CHECK(ordered);
  std::filesystem::remove_all(dir);
}

TEST_CASE("audit writer: flush waits for the disk - close writes what is still queued", "[chaos_agent][audit]") {
  std::string dir = test::temp_dir("awriter");
  AuditWriterOptions o;
  o.flush_interval = std::chrono::seconds(30);  // nothing would be written on its own in time
  auto w = AuditWriter::open(dir + "/a.jsonl", o);
  REQUIRE(w);
  w.value()->append("one\n");
  CHECK(w.value()->flush());
  CHECK(lines_of(dir + "/a.jsonl") == std::vector<std::string>{"one"});
  w.value()->append("two\n");
  w.value()->append("three\n");
  w.value()->close();  // must not wait 30 s, must not lose "two" and "three"
  CHECK(lines_of(dir + "/a.jsonl") == std::vector<std::string>{"one", "two", "three"});
  w.value()->close();  // idempotent
  std::filesystem::remove_all(dir);
}

TEST_CASE("audit writer: a missing folder is created (a fresh VM has no /var/log/chaos-agent)",
          "[chaos_agent][audit]") {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("chaos-agent-audit-mkdir-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto w = AuditWriter::open(dir + "/nested/audit.jsonl");
  REQUIRE(w);
  w.value()->append("one\n");
  w.value()->close();
  CHECK(std::filesystem::exists(dir + "/nested/audit.jsonl"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("audit writer: an unopenable or unwritable file is a clear error", "[chaos_agent][audit]") {
  // A folder that cannot be made (a file stands in its way).
  const std::string blocker = std::filesystem::temp_directory_path() / "chaos-agent-audit-blocker";
  std::ofstream(blocker) << "x";
  auto bad = AuditWriter::open(blocker + "/sub/audit.jsonl");
  REQUIRE(!bad);
  CHECK(bad.status().message().rfind("--audit: cannot create the folder '" + blocker + "/sub': ", 0) == 0);
  std::filesystem::remove(blocker);
  // A path that is a folder cannot be opened for appending.
  auto dir_path = AuditWriter::open(std::filesystem::temp_directory_path().string());
  REQUIRE(!dir_path);
  CHECK(dir_path.status().message() ==
        "--audit: cannot open '" + std::filesystem::temp_directory_path().string() + "' for appending: Is a directory");
  // /dev/full accepts the open and fails every write with ENOSPC, like a full disk.
  AuditWriterOptions o;
  o.report_errors_to_stderr = false;
  auto full = AuditWriter::open("/dev/full", o);
  REQUIRE(full);
  full.value()->append("lost\n");
  auto s = full.value()->flush();
  REQUIRE(!s);
  CHECK(s.message() == "audit log '/dev/full': write failed: No space left on device");
  CHECK(full.value()->error() == s.message());
  CHECK(full.value()->lines_lost() == 1);
  CHECK(full.value()->lines_written() == 0);
  CHECK(full.value()->flush());  // reported once
  full.value()->close();
}

TEST_CASE("audit: a read line is byte-identical to the generic JSON path - report figures match",
          "[chaos_agent][audit]") {
  std::string dir = test::temp_dir("aread");
  FakeClock clock(test::t0() + std::chrono::microseconds(1234567));
  // Awkward targets: quotes, backslash, control bytes, invalid UTF-8, non-ASCII.
  const std::string paths[] = {"/latest/meta-data/spot/instance-action",
                               std::string("/a\"b\\c\x01\x1f\n\t", 11) + "\xff\xfe" + "\xc3\xa9" + "\x7f"};
  {
    AuditLog fast(clock), slow(clock);
    REQUIRE(fast.open(dir + "/fast.jsonl"));
    REQUIRE(slow.open(dir + "/slow.jsonl"));
    for (const auto& path : paths) {
      for (bool visible : {true, false}) {
        ReadRecord r;
        r.provider = "aws";
        r.method = "GET";
        r.path = path;
        r.peer = "127.0.0.1:40000";
        r.status = visible ? 200 : 404;
        r.notice_visible = visible;
        r.injection = "inj-7";
        fast.write_read(r);
        json e = {{"event", "read"},          {"provider", "aws"},         {"path", path},
                  {"method", "GET"},          {"peer", "127.0.0.1:40000"}, {"status", r.status},
                  {"notice_visible", visible}};
        if (visible) e["injection"] = "inj-7";
        slow.write(e);
        clock.advance(std::chrono::seconds(1));
      }
    }
  }
  auto fast = lines_of(dir + "/fast.jsonl");
  auto slow = lines_of(dir + "/slow.jsonl");
  REQUIRE(fast.size() == 4);
  CHECK(fast == slow);
  CHECK(
      fast[0] ==
      R"({"ts":"2026-11-23T18:00:01.234567Z","ts_us":1795456801234567,"event":"read","injection":"inj-7","method":"GET","notice_visible":true,"path":"/latest/meta-data/spot/instance-action","peer":"127.0.0.1:40000","provider":"aws","status":200})");

  // The incremental report equals the report built from the file.
  AuditLog log(clock);
  log.write(
      {{"event", "inject"}, {"injection", "inj-1"}, {"kind", "preempt"}, {"provider", "aws"}, {"notice_s", 120.0}});
  clock.advance(std::chrono::milliseconds(250));
  ReadRecord r;
  r.provider = "gcp";
  r.method = "GET";
  r.path = "/computeMetadata/v1/instance/preempted";
  r.peer = "127.0.0.1:1";
  r.status = 200;
  r.notice_visible = true;
  r.injection = "inj-1";
  log.write_read(r);
  log.write_read(r);
  auto rep = log.report();
  CHECK(rep["injections"][0]["detection_latency_s"].get<double>() == Approx(0.25));
  CHECK(rep["injections"][0]["reads"] == 2);
  CHECK(rep["injections"][0]["first_reader"]["provider"] == "gcp");
  std::filesystem::remove_all(dir);
}

TEST_CASE("agent: SIGTERM loses no audit record - reads in order then serve_stop", "[chaos_agent][audit][agent]") {
  std::string dir = test::temp_dir("sigterm");
  std::string audit = dir + "/audit.jsonl";
  std::string ready = dir + "/ready";
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    AgentOptions o;
    o.listen = "127.0.0.1:0";
    o.upstream = "none";
    o.control = "unix:" + dir + "/control.sock";
    o.state_file = dir + "/state.json";
    o.audit_path = audit;
    o.audit_flush_interval = std::chrono::seconds(60);  // reads stay queued until shutdown
    o.vm_name = "test-vm";
    SystemClock clock;
    int rc = 0;
    {
      Agent agent(o, clock);
      if (!agent.start()) _exit(3);
      std::ofstream(ready) << agent.metadata_port() << "\n";
      agent.run();
    }
    _exit(rc);
  }
  uint16_t port = 0;
  for (int i = 0; i < 500 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ifstream in(ready);
    int p = 0;
    if (in >> p) port = static_cast<uint16_t>(p);
  }
  REQUIRE(port != 0);
  const int n = 300;
  std::string batch;
  for (int i = 0; i < n; ++i)
    batch += "GET /latest/meta-data/spot/instance-action?n=" + std::to_string(i) +
             " HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n";
  {
    test::RawClient c(port);
    // 404s close the connection, so each read goes on its own connection... unless a notice is
    // live: inject one first, then pipeline every read on one connection.
    auto ctl = control::Client(http::parse_endpoint("unix:" + dir + "/control.sock", "c").value(), "");
    REQUIRE(ctl.post("/v1/inject", {{"kind", "preempt"}, {"provider", "aws"}}));
    REQUIRE(c.send(batch));
    std::string out = c.read_responses(n, std::chrono::milliseconds(20000));
    int answered = 0;
    for (size_t p = out.find("HTTP/1.1 200 OK"); p != std::string::npos; p = out.find("HTTP/1.1 200 OK", p + 1))
      ++answered;
    REQUIRE(answered == n);
  }
  REQUIRE(::kill(pid, SIGTERM) == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  auto events = read_audit_file(audit);
  REQUIRE(events);
  std::vector<std::string> kinds;
  int next = 0;
  bool in_order = true;
  for (const auto& e : events.value()) {
    kinds.push_back(e["event"]);
    if (e["event"] == "read") {
      in_order = in_order && e["path"] == "/latest/meta-data/spot/instance-action?n=" + std::to_string(next);
      ++next;
    }
  }
  CHECK(next == n);
  CHECK(in_order);
  REQUIRE(kinds.size() >= 4);
  CHECK(kinds.front() == "serve_start");
  CHECK(kinds[1] == "inject");
  CHECK(kinds.back() == "serve_stop");
  CHECK(kinds[kinds.size() - 2] == "clear");
  std::filesystem::remove_all(dir);
}

// chaos-agent: command line. Argument parsing and exit codes only (0 ok, 1 plan aborted,
// 2 usage or invalid input, 3 I/O or agent unreachable).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "chaos-agent/agent.h"
#include "chaos-agent/control/control_api.h"
#include "chaos-agent/core/audit.h"
#include "chaos-agent/core/paths.h"
#include "chaos-agent/core/time_format.h"
#include "chaos-agent/intercept/iptables.h"
#include "chaos-agent/plan/plan.h"
#include "chaos-agent/plan/runner.h"

namespace {

constexpr int kUsage = 2;
constexpr int kIo = 3;

std::atomic<bool> g_interrupted{false};
void on_signal(int) { g_interrupted = true; }

int fail(int code, const std::string& msg) {
  std::fprintf(stderr, "chaos-agent: %s\n", msg.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace chaos;
  CLI::App app{"chaos-agent: serves fake spot/preemption notices (AWS IMDS, Azure Scheduled Events, "
               "GCP metadata) to the software on this VM, for game days. See docs/chaos-agent.md."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "chaos-agent " SPOTSIM_VERSION);  // project(VERSION)

  // Shared client options.
  std::string control = kDefaultControl;
  std::string token_file;
  std::string state_file = kDefaultStateFile;
  auto add_client_opts = [&](CLI::App* c) {
    c->add_option("--control", control, "Agent control endpoint: unix:PATH or 127.0.0.1:PORT")->capture_default_str();
    c->add_option("--token-file", token_file, "Bearer token file for a TCP control endpoint (default: next to --state-file)");
    c->add_option("--state-file", state_file, std::string("Agent state directory marker (default ") + kDefaultStateFile + ")")->capture_default_str();
  };

  // serve
  AgentOptions so;
  std::string providers = "all", max_duration = "2h", at_deadline = "none", workload = "none";
  std::string read_timeout = "10s", idle_timeout = "60s", max_wait = "300s";
  bool allow_shutdown = false;
  std::string ready_file;
  auto* serve = app.add_subcommand("serve", "Serve the fake metadata endpoints (foreground; SIGTERM/SIGINT stop cleanly)");
  serve->add_option("--listen", so.listen, "Metadata listener IP:PORT")->capture_default_str();
  serve->add_option("--control", so.control, "Control endpoint: unix:PATH or loopback ADDR:PORT (token file)")->capture_default_str();
  serve->add_option("--token-file", so.token_file, "Where to write the control token (TCP control)");
  serve->add_option("--upstream", so.upstream, "Real metadata service for everything else: IP:PORT or none")->capture_default_str();
  serve->add_option("--provider", providers, "Providers emulated: aws, azure, gcp, all (comma list)")->capture_default_str();
  serve->add_flag("--intercept", so.intercept, "Install an iptables NAT rule sending this VM's 169.254.169.254:80 traffic to the agent");
  serve->add_option("--intercept-exempt", so.intercept_exempt,
                    "Exempt the agent's own traffic by uid (owner match) or mark (SO_MARK 0x5ca1); auto: mark when "
                    "running as root, else uid")->capture_default_str();
  serve->add_option("--iptables", so.iptables, "iptables binary")->capture_default_str();
  serve->add_option("--state-file", so.state_file, "Interception state (for `chaos-agent cleanup`)")->capture_default_str();
  serve->add_option("--audit", so.audit_path, "Append the audit log (JSON lines) to FILE");
  serve->add_flag("--imds-v2-only", so.imds_v2_only, "AWS: require an IMDSv2 token (401 without)");
  serve->add_option("--max-duration", max_duration, "Dead-man switch: every injection expires by itself after this")->capture_default_str();
  serve->add_option("--vm-name", so.vm_name, "VM name in Azure Resources and compute.name, GCP instance/name (default: hostname)");
  serve->add_option("--identity", so.identity_file,
                    "With --upstream none: YAML file overriding the instance identity served (aws:, azure:, gcp: keys; "
                    "see docs/chaos-agent.md)");
  serve->add_option("--at-deadline", at_deadline, "Action when a preempt notice's deadline arrives: none, sigterm:PID, sigterm:pidfile:PATH, systemctl-stop:UNIT, exec:CMD, shutdown")->capture_default_str();
  serve->add_flag("--allow-shutdown", allow_shutdown, "Permit --at-deadline shutdown");
  serve->add_option("--workload", workload, "Workload whose exit is timed (drain time): pid:PID, pidfile:PATH, unit:UNIT")->capture_default_str();
  serve->add_option("--ready-file", ready_file, "Once listening, write {\"pid\",\"metadata_port\",\"control\"} JSON here");
  serve->add_option("--allow-host", so.allow_hosts, "Extra Host header names accepted (besides metadata names and loopback)");
  serve->add_option("--read-timeout", read_timeout, "A request must arrive completely within this")->capture_default_str();
  serve->add_option("--idle-timeout", idle_timeout, "Idle keep-alive connections close after this")->capture_default_str();
  serve->add_option("--max-wait", max_wait, "Longest GCP wait_for_change hold without timeout_sec")->capture_default_str();
  serve->add_option("--max-connections", so.limits.max_connections, "Open connections beyond this get 503")->capture_default_str();
  serve->add_option("--header-limit", so.limits.header_limit, "Request header bytes beyond this get 431")->capture_default_str();
  serve->add_option("--body-limit", so.limits.body_limit, "Request body bytes beyond this get 413")->capture_default_str();

  // inject
  std::string kind, inj_provider = "all", notice, action = "terminate", ttl, azure_type, gcp_event = "TERMINATE_ON_HOST_MAINTENANCE";
  auto* inject = app.add_subcommand("inject", "Inject a notice: preempt, rebalance or maintenance");
  inject->add_option("kind", kind, "preempt | rebalance | maintenance")->required()->check(CLI::IsMember({"preempt", "rebalance", "maintenance"}));
  inject->add_option("--provider", inj_provider, "aws, azure, gcp or all")->capture_default_str();
  inject->add_option("--notice", notice, "Time from the notice to the eviction (default 120s; maintenance 15m)");
  inject->add_option("--action", action, "AWS instance-action: terminate, stop or hibernate")->capture_default_str();
  inject->add_option("--ttl", ttl, "Expire by itself after this (capped by the agent's --max-duration)");
  inject->add_option("--azure-event-type", azure_type, "Azure EventType (Preempt; maintenance: Reboot, Redeploy, Freeze, Terminate)");
  inject->add_option("--gcp-event", gcp_event, "GCP maintenance-event value")->capture_default_str();
  bool allow_unrealistic = false;
  inject->add_flag("--allow-unrealistic", allow_unrealistic,
                   "Accept a notice shorter than the provider ever gives (Azure Preempt: 30s); recorded in the audit log");
  add_client_opts(inject);

  auto* clear = app.add_subcommand("clear", "Remove every injection now");
  add_client_opts(clear);

  bool status_json = false;
  auto* status = app.add_subcommand("status", "Show live injections and the measured detection/ack/drain times");
  status->add_flag("--json", status_json, "Print JSON");
  add_client_opts(status);

  std::string report_audit;
  bool report_json = false;
  auto* report = app.add_subcommand("report", "Detection latency, ack and drain times from an audit log file");
  report->add_option("audit", report_audit, "Audit log (JSON lines) written by serve --audit")->required();
  report->add_flag("--json", report_json, "Print JSON");
  std::string report_run;
  report->add_option("--run", report_run, "Only the injections of this game-day run id (the plan report's \"run\")");

  std::string plan_file, plan_report;
  bool dry_run = false;
  auto* gameday = app.add_subcommand("gameday", "Run a game-day plan (YAML) against one or more agents");
  gameday->add_option("plan", plan_file, "Plan file")->required();
  gameday->add_flag("--dry-run", dry_run, "Print what would happen; contact nothing");
  gameday->add_option("--report", plan_report, "Write the JSON report here (overrides the plan's report:)");

  bool force = false;
  std::string cleanup_iptables = "iptables";
  auto* cleanup = app.add_subcommand("cleanup", "Remove interception rules left by a crashed or killed agent");
  cleanup->add_option("--state-file", state_file, "State file written by serve --intercept")->capture_default_str();
  cleanup->add_option("--iptables", cleanup_iptables, "iptables binary")->capture_default_str();
  cleanup->add_flag("--force", force, "Even if the recorded agent pid is still running");
  std::string cleanup_audit;
  cleanup->add_option("--audit", cleanup_audit, "Append a cleanup event to this audit log (the agent's --audit FILE)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  }
  if (token_file.empty()) token_file = default_token_file(state_file);

  if (*serve) {
    auto ps = parse_providers(providers);
    if (!ps) return fail(kUsage, "--provider: expected aws, azure, gcp or all (comma list), got '" + providers + "'");
    so.providers = *ps;
    auto md = parse_duration(max_duration);
    if (!md || md->count() <= 0) return fail(kUsage, "--max-duration: " + bad_duration_message(max_duration));
    so.max_duration = *md;
    for (auto [flag, text, out] : {std::tuple{"--read-timeout", &read_timeout, &so.limits.read_timeout},
                                   std::tuple{"--idle-timeout", &idle_timeout, &so.limits.idle_timeout},
                                   std::tuple{"--max-wait", &max_wait, &so.gcp_max_wait}}) {
      auto d = parse_duration(*text);
      if (!d || d->count() <= 0) return fail(kUsage, std::string(flag) + ": " + bad_duration_message(*text));
      *out = *d;
    }
    auto act = parse_action(at_deadline, allow_shutdown);
    if (!act) return fail(kUsage, act.error());
    so.at_deadline = act.value();
    auto wl = parse_workload(workload);
    if (!wl) return fail(kUsage, wl.error());
    so.workload = wl.value();
    if (so.intercept && so.intercept_exempt == "uid" && ::getuid() == 0)
      std::fprintf(stderr, "chaos-agent: warning: --intercept exempts uid 0 (the agent's uid), so other root "
                           "processes bypass the interception; prefer --intercept-exempt mark, or run the agent "
                           "as a dedicated user with CAP_NET_ADMIN\n");
    SystemClock clock;
    Agent agent(so, clock);
    if (auto s = agent.start(); !s) {
      bool usage = s.error().rfind("--", 0) == 0 && s.error().find("cannot") == std::string::npos;
      return fail(usage ? kUsage : kIo, s.error());
    }
    std::fprintf(stderr, "chaos-agent: serving on %s (port %u), control %s, upstream %s, providers %s, max duration %s%s\n",
                 so.listen.c_str(), agent.metadata_port(), agent.options().control.c_str(), so.upstream.c_str(),
                 providers_to_string(so.providers).c_str(), format_duration(so.max_duration).c_str(),
                 so.intercept ? (", intercepting 169.254.169.254:80 (own traffic exempt by " +
                                 agent.options().intercept_exempt + ")").c_str() : "");
    if (!ready_file.empty()) {
      nlohmann::json ready = {{"pid", ::getpid()}, {"metadata_port", agent.metadata_port()},
                              {"control", agent.options().control}, {"token_file", agent.options().token_file}};
      std::string tmp = ready_file + ".tmp";
      std::ofstream(tmp, std::ios::trunc) << ready.dump() << "\n";
      if (std::rename(tmp.c_str(), ready_file.c_str()) != 0) return fail(kIo, "--ready-file: cannot write '" + ready_file + "'");
    }
    agent.run();
    return 0;
  }

  if (*inject || *clear || *status) {
    auto client = control::Client::connect(control, token_file);
    if (!client) return fail(kUsage, client.error());
    if (*inject) {
      nlohmann::json body = {{"kind", kind}, {"provider", inj_provider}, {"action", action},
                             {"gcp_event", gcp_event}, {"source", "cli"}};
      if (!notice.empty()) body["notice"] = notice;
      if (!ttl.empty()) body["ttl"] = ttl;
      if (!azure_type.empty()) body["azure_event_type"] = azure_type;
      if (allow_unrealistic) body["allow_unrealistic"] = true;
      auto r = client->post("/v1/inject", body);
      if (!r) return fail(r.error().find("cannot reach") == 0 ? kIo : kUsage, r.error());
      std::printf("%s %s for %s: notice %.0fs, deadline %s, expires %s\n", r->value("injection", "").c_str(),
                  kind.c_str(), r->value("provider", "").c_str(), r->value("notice_s", 0.0),
                  r->value("deadline", "").c_str(), r->value("expires_at", "").c_str());
      return 0;
    }
    if (*clear) {
      auto r = client->post("/v1/clear", {{"reason", "chaos-agent clear"}});
      if (!r) return fail(kIo, r.error());
      std::printf("cleared %zu injection(s)\n", r.value()["cleared"].size());
      return 0;
    }
    auto r = client->get("/v1/status");
    if (!r) return fail(kIo, r.error());
    if (status_json) {
      std::printf("%s\n", r->dump(2).c_str());
      return 0;
    }
    const auto& s = r.value();
    std::printf("agent pid %d on %s, upstream %s, providers %s, intercept %s, max duration %s\n",
                s.value("pid", 0), s.value("listen", "").c_str(), s.value("upstream", "").c_str(),
                s.value("providers", "").c_str(), s.value("intercept", false) ? "on" : "off",
                format_duration(Millis(static_cast<long long>(s.value("max_duration_s", 0.0) * 1000))).c_str());
    if (s["injections"].empty()) std::printf("no live injections\n");
    for (const auto& i : s["injections"])
      std::printf("live: %s %s provider %s deadline %s%s expires %s\n", i.value("injection", "").c_str(),
                  i.value("kind", "").c_str(), i.value("provider", "").c_str(), i.value("deadline", "").c_str(),
                  i.value("deadline_passed", false) ? " (passed)" : "", i.value("expires_at", "").c_str());
    std::printf("%s", format_report(s["report"]).c_str());
    return 0;
  }

  if (*report) {
    auto events = read_audit_file(report_audit);
    if (!events) return fail(kUsage, events.error());
    std::deque<nlohmann::json> dq(events->begin(), events->end());
    auto rep = build_report(dq, report_run);
    if (report_json) std::printf("%s\n", rep.dump(2).c_str());
    else std::printf("%s", format_report(rep).c_str());
    return 0;
  }

  if (*gameday) {
    auto plan = plan::load_plan(plan_file);
    if (!plan) {
      std::fprintf(stderr, "%s\n", plan.error().c_str());
      return kUsage;
    }
    if (!plan_report.empty()) plan->report_path = plan_report;
    if (dry_run) {
      std::printf("dry run: nothing is contacted\n%s", plan::describe(plan.value()).c_str());
      return 0;
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    plan::RunnerOptions ro;
    ro.interrupted = &g_interrupted;
    auto out = plan::run_plan(plan.value(), ro);
    for (const auto& [name, rep] : out.report["targets"].items()) {
      std::printf("== %s ==\n", name.c_str());
      if (rep.contains("injections")) std::printf("%s", format_report(rep).c_str());
      else std::printf("%s\n", rep.dump().c_str());
    }
    if (!plan->report_path.empty()) {
      std::string tmp = plan->report_path + ".tmp";
      std::ofstream f(tmp, std::ios::trunc);
      f << out.report.dump(2) << "\n";
      f.close();
      if (!f || std::rename(tmp.c_str(), plan->report_path.c_str()) != 0)
        return fail(kIo, "cannot write report '" + plan->report_path + "'");
      std::printf("report written to %s\n", plan->report_path.c_str());
    }
    return out.exit_code;
  }

  if (*cleanup) {
    auto r = intercept::cleanup(state_file, cleanup_iptables, force);
    if (!cleanup_audit.empty()) {
      SystemClock clock;
      AuditLog log(clock);
      if (auto s = log.open(cleanup_audit); !s) return fail(kIo, s.error());
      nlohmann::json e = {{"event", "cleanup"}, {"state_file", state_file}, {"pid", ::getpid()}};
      if (r) {
        e["rules_removed"] = r->rules_removed;
        e["state_file_found"] = r->state_file_found;
        e["notes"] = r->notes;
      } else {
        e["error"] = r.error();
      }
      log.write(std::move(e));
      log.close();
      if (!log.error().empty()) return fail(kIo, log.error());
    }
    if (!r) return fail(kIo, r.error());
    for (const auto& n : r->notes) std::fprintf(stderr, "chaos-agent: cleanup: %s\n", n.c_str());
    std::printf("cleanup: removed %d rule(s)%s\n", r->rules_removed,
                r->state_file_found ? ", state file removed" : ", no state file");
    return 0;
  }
  return kUsage;
}

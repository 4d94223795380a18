// serve: the agent itself, in the foreground until SIGTERM/SIGINT.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <tuple>

#include "chaos-agent/agent.h"
#include "chaos-agent/cli/commands.h"
#include "chaos-agent/core/time_format.h"
#include "chaos-agent/fleet/remote_control.h"
#include "chaos-agent/intercept/iptables.h"

namespace agent::cli {

using spotsim::Status;
namespace {

// What the command line gives as text, turned into AgentOptions by resolve().
struct ServeArgs {
  AgentOptions so;
  std::string providers = "all", max_duration = "2h", at_deadline = "none", workload = "none";
  std::string read_timeout = "10s", idle_timeout = "60s", max_wait = "300s";
  bool allow_shutdown = false;
  std::string ready_file;
  fleet::RemoteControlOptions remote;
  std::string replay_window = "30s";
};

void add_serve_options(CLI::App* c, ServeArgs& a) {
  AgentOptions& so = a.so;
  c->add_option("--listen", so.listen, "Metadata listener IP:PORT")->capture_default_str();
  c->add_option("--control", so.control, "Control endpoint: unix:PATH or loopback ADDR:PORT (token file)")
      ->capture_default_str();
  c->add_option("--token-file", so.token_file, "Where to write the control token (TCP control)");
  c->add_option("--upstream", so.upstream, "Real metadata service for everything else: IP:PORT or none")
      ->capture_default_str();
  c->add_option("--provider", a.providers, "Providers emulated: aws, azure, gcp, all (comma list)")
      ->capture_default_str();
  c->add_flag("--intercept", so.intercept,
              "Install an iptables NAT rule sending this VM's 169.254.169.254:80 traffic to the agent");
  c->add_option("--intercept-exempt", so.intercept_exempt,
                "Exempt the agent's own traffic by uid (owner match) or mark (SO_MARK " + intercept::mark_text() +
                    "); auto: mark when running as root, else uid")
      ->capture_default_str();
  c->add_option("--iptables", so.iptables, "iptables binary")->capture_default_str();
  c->add_option("--state-file", so.state_file, "Interception state (for `chaos-agent cleanup`)")->capture_default_str();
  c->add_option("--audit", so.audit_path, "Append the audit log (JSON lines) to FILE");
  c->add_flag("--imds-v2-only", so.imds_v2_only, "AWS: require an IMDSv2 token (401 without)");
  c->add_option("--max-duration", a.max_duration, "Dead-man switch: every injection expires by itself after this")
      ->capture_default_str();
  c->add_option("--vm-name", so.vm_name,
                "VM name in Azure Resources and compute.name, GCP instance/name (default: hostname)");
  c->add_option("--identity", so.identity_file,
                "With --upstream none: YAML file overriding the instance identity served (aws:, azure:, gcp: keys; "
                "see docs/chaos-agent.md)");
  c->add_option("--at-deadline", a.at_deadline,
                "Action when a preempt notice's deadline arrives: none, sigterm:PID, sigterm:pidfile:PATH, "
                "systemctl-stop:UNIT, exec:CMD, shutdown")
      ->capture_default_str();
  c->add_flag("--allow-shutdown", a.allow_shutdown, "Permit --at-deadline shutdown");
  c->add_option("--workload", a.workload, "Workload whose exit is timed (drain time): pid:PID, pidfile:PATH, unit:UNIT")
      ->capture_default_str();
  c->add_option("--ready-file", a.ready_file,
                "Once listening, write {\"pid\",\"metadata_port\",\"control\"} JSON here");
  c->add_option("--allow-host", so.allow_hosts,
                "Extra Host header names accepted (besides metadata names and loopback)");
  c->add_option("--read-timeout", a.read_timeout, "A request must arrive completely within this")
      ->capture_default_str();
  c->add_option("--idle-timeout", a.idle_timeout, "Idle keep-alive connections close after this")
      ->capture_default_str();
  c->add_option("--max-wait", a.max_wait, "Longest GCP wait_for_change hold without timeout_sec")
      ->capture_default_str();
  c->add_option("--max-connections", so.limits.max_connections, "Open connections beyond this get 503")
      ->capture_default_str();
  c->add_option("--header-limit", so.limits.header_limit, "Request header bytes beyond this get 431")
      ->capture_default_str();
  c->add_option("--body-limit", so.limits.body_limit, "Request body bytes beyond this get 413")->capture_default_str();
  fleet::RemoteControlOptions& r = a.remote;
  c->add_option("--remote-control", r.listen,
                "Remote control for a fleet coordinator on ADDR:PORT, mutual TLS only (needs --tls-ca, --tls-cert, "
                "--tls-key, --allow-coordinator)");
  c->add_option("--tls-ca", r.tls.ca, "CA certificate (PEM) a coordinator's certificate must chain to");
  c->add_option("--tls-cert", r.tls.cert, "This agent's certificate chain (PEM)");
  c->add_option("--tls-key", r.tls.key, "This agent's private key (PEM)");
  c->add_option("--allow-coordinator", r.allow,
                "Coordinator certificate name (CN or DNS SAN) allowed to command (repeatable)");
  c->add_option("--replay-window", a.replay_window, "Remote requests older or newer than this are refused")
      ->capture_default_str();
}

// Turns the text options into a.so. Error: the message naming the flag.
Status resolve(ServeArgs& a) {
  AgentOptions& so = a.so;
  auto ps = parse_providers(a.providers);
  if (!ps)
    return Status::invalid("--provider: expected aws, azure, gcp or all (comma list), got '" + a.providers + "'");
  so.providers = *ps;
  auto md = parse_duration(a.max_duration);
  if (!md || md->count() <= 0) return Status::invalid("--max-duration: " + bad_duration_message(a.max_duration));
  so.max_duration = *md;
  for (auto [flag, text, out] : {std::tuple{"--read-timeout", &a.read_timeout, &so.limits.read_timeout},
                                 std::tuple{"--idle-timeout", &a.idle_timeout, &so.limits.idle_timeout},
                                 std::tuple{"--max-wait", &a.max_wait, &so.gcp_max_wait}}) {
    auto d = parse_duration(*text);
    if (!d || d->count() <= 0) return Status::invalid(std::string(flag) + ": " + bad_duration_message(*text));
    *out = *d;
  }
  auto act = parse_action(a.at_deadline, a.allow_shutdown);
  if (!act) return act.status();
  so.at_deadline = act.value();
  auto wl = parse_workload(a.workload);
  if (!wl) return wl.status();
  so.workload = wl.value();
  auto rw = parse_duration(a.replay_window);
  if (!rw || rw->count() <= 0) return Status::invalid("--replay-window: " + bad_duration_message(a.replay_window));
  a.remote.replay_window = *rw;
  return Status::ok();
}

// The start line on stderr. start() has filled in the control endpoint and the exemption it chose.
void print_serving(const Agent& agent) {
  const AgentOptions& so = agent.options();
  std::fprintf(
      stderr, "chaos-agent: serving on %s (port %u), control %s, upstream %s, providers %s, max duration %s%s\n",
      so.listen.c_str(), agent.metadata_port(), so.control.c_str(), so.upstream.c_str(),
      providers_to_string(so.providers).c_str(), format_duration(so.max_duration).c_str(),
      so.intercept ? (", intercepting 169.254.169.254:80 (own traffic exempt by " + so.intercept_exempt + ")").c_str()
                   : "");
}

int run_serve(ServeArgs& a) {
  if (auto s = resolve(a); !s) return fail(kUsage, s.message());
  const AgentOptions& so = a.so;
  if (so.intercept && so.intercept_exempt == "uid" && ::getuid() == 0)
    std::fprintf(stderr,
                 "chaos-agent: warning: --intercept exempts uid 0 (the agent's uid), so other root "
                 "processes bypass the interception; prefer --intercept-exempt mark, or run the agent "
                 "as a dedicated user with CAP_NET_ADMIN\n");
  SystemClock clock;
  Agent agent(so, clock);
  if (auto s = agent.start(); !s) return fail(s);
  std::unique_ptr<fleet::RemoteControl> remote;
  if (!a.remote.listen.empty()) {
    remote = std::make_unique<fleet::RemoteControl>(agent, a.remote);
    if (auto s = remote->start(); !s) return fail(s);
    std::fprintf(stderr, "chaos-agent: remote control (mutual TLS) on %s, port %u\n", a.remote.listen.c_str(),
                 remote->port());
  }
  print_serving(agent);
  if (!a.ready_file.empty()) {
    nlohmann::json ready = {{"pid", ::getpid()},
                            {"metadata_port", agent.metadata_port()},
                            {"control", agent.options().control},
                            {"token_file", agent.options().token_file}};
    if (remote) ready["remote_port"] = remote->port();
    if (!write_file_atomically(a.ready_file, ready.dump() + "\n"))
      return fail(kIo, "--ready-file: cannot write '" + a.ready_file + "'");
  }
  agent.run();
  return 0;
}

}  // namespace

Command add_serve(CLI::App& app) {
  auto a = std::make_shared<ServeArgs>();
  auto* c = app.add_subcommand("serve", "Serve the fake metadata endpoints (foreground; SIGTERM/SIGINT stop cleanly)");
  add_serve_options(c, *a);
  return {c, [a] { return run_serve(*a); }};
}

}  // namespace agent::cli

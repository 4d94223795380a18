// inject, clear and status: the subcommands that talk to a running agent's control endpoint.
#include <cstdio>
#include <memory>

#include "chaos-agent/cli/commands.h"
#include "chaos-agent/control/control_api.h"
#include "chaos-agent/core/audit.h"
#include "chaos-agent/core/paths.h"
#include "chaos-agent/core/time_format.h"

namespace agent::cli {

using spotsim::Result;
namespace {

using nlohmann::json;

// --control, --token-file and --state-file, shared by every client subcommand.
struct ClientArgs {
  std::string control = kDefaultControl;
  std::string token_file;
  std::string state_file = kDefaultStateFile;

  Result<control::Client> connect() const {
    return control::Client::connect(control, token_file.empty() ? default_token_file(state_file) : token_file);
  }
};

void add_client_options(CLI::App* c, ClientArgs& a) {
  c->add_option("--control", a.control, "Agent control endpoint: unix:PATH or 127.0.0.1:PORT")->capture_default_str();
  c->add_option("--token-file", a.token_file,
                "Bearer token file for a TCP control endpoint (default: next to --state-file)");
  c->add_option("--state-file", a.state_file,
                std::string("Agent state directory marker (default ") + kDefaultStateFile + ")")
      ->capture_default_str();
}

struct InjectArgs {
  ClientArgs client;
  std::string kind, provider = "all", notice, action = "terminate", ttl, azure_type,
                    gcp_event = "TERMINATE_ON_HOST_MAINTENANCE";
  bool allow_unrealistic = false;
};

int run_inject(const InjectArgs& a) {
  auto client = a.client.connect();
  if (!client) return fail(client.status());
  json body = {
      {"kind", a.kind}, {"provider", a.provider}, {"action", a.action}, {"gcp_event", a.gcp_event}, {"source", "cli"}};
  if (!a.notice.empty()) body["notice"] = a.notice;
  if (!a.ttl.empty()) body["ttl"] = a.ttl;
  if (!a.azure_type.empty()) body["azure_event_type"] = a.azure_type;
  if (a.allow_unrealistic) body["allow_unrealistic"] = true;
  auto r = client->post("/v1/inject", body);
  if (!r) return fail(r.status());
  std::printf("%s %s for %s: notice %.0fs, deadline %s, expires %s\n", r->value("injection", "").c_str(),
              a.kind.c_str(), r->value("provider", "").c_str(), r->value("notice_s", 0.0),
              r->value("deadline", "").c_str(), r->value("expires_at", "").c_str());
  return 0;
}

int run_clear(const ClientArgs& a) {
  auto client = a.connect();
  if (!client) return fail(client.status());
  auto r = client->post("/v1/clear", {{"reason", "chaos-agent clear"}});
  if (!r) return fail(kIo, r.status().message());
  std::printf("cleared %zu injection(s)\n", r.value()["cleared"].size());
  return 0;
}

void print_status(const json& s) {
  std::printf("agent pid %d on %s, upstream %s, providers %s, intercept %s, max duration %s\n", s.value("pid", 0),
              s.value("listen", "").c_str(), s.value("upstream", "").c_str(), s.value("providers", "").c_str(),
              s.value("intercept", false) ? "on" : "off",
              format_duration(Millis(static_cast<long long>(s.value("max_duration_s", 0.0) * 1000))).c_str());
  if (s["injections"].empty()) std::printf("no live injections\n");
  for (const auto& i : s["injections"])
    std::printf("live: %s %s provider %s deadline %s%s expires %s\n", i.value("injection", "").c_str(),
                i.value("kind", "").c_str(), i.value("provider", "").c_str(), i.value("deadline", "").c_str(),
                i.value("deadline_passed", false) ? " (passed)" : "", i.value("expires_at", "").c_str());
  std::printf("%s", format_report(s["report"]).c_str());
}

int run_status(const ClientArgs& a, bool as_json) {
  auto client = a.connect();
  if (!client) return fail(client.status());
  auto r = client->get("/v1/status");
  if (!r) return fail(kIo, r.status().message());
  if (as_json) std::printf("%s\n", r->dump(2).c_str());
  else print_status(r.value());
  return 0;
}

}  // namespace

Command add_inject(CLI::App& app) {
  auto a = std::make_shared<InjectArgs>();
  auto* c = app.add_subcommand("inject", "Inject a notice: preempt, rebalance or maintenance");
  c->add_option("kind", a->kind, "preempt | rebalance | maintenance")
      ->required()
      ->check(CLI::IsMember({"preempt", "rebalance", "maintenance"}));
  c->add_option("--provider", a->provider, "aws, azure, gcp or all")->capture_default_str();
  c->add_option("--notice", a->notice, "Time from the notice to the eviction (default 120s; maintenance 15m)");
  c->add_option("--action", a->action, "AWS instance-action: terminate, stop or hibernate")->capture_default_str();
  c->add_option("--ttl", a->ttl, "Expire by itself after this (capped by the agent's --max-duration)");
  c->add_option("--azure-event-type", a->azure_type,
                "Azure EventType (Preempt; maintenance: Reboot, Redeploy, Freeze, Terminate)");
  c->add_option("--gcp-event", a->gcp_event, "GCP maintenance-event value")->capture_default_str();
  c->add_flag("--allow-unrealistic", a->allow_unrealistic,
              "Accept a notice shorter than the provider ever gives (Azure Preempt: 30s); recorded in the audit log");
  add_client_options(c, a->client);
  return {c, [a] { return run_inject(*a); }};
}

Command add_clear(CLI::App& app) {
  auto a = std::make_shared<ClientArgs>();
  auto* c = app.add_subcommand("clear", "Remove every injection now");
  add_client_options(c, *a);
  return {c, [a] { return run_clear(*a); }};
}

Command add_status(CLI::App& app) {
  auto a = std::make_shared<ClientArgs>();
  auto as_json = std::make_shared<bool>(false);
  auto* c = app.add_subcommand("status", "Show live injections and the measured detection/ack/drain times");
  c->add_flag("--json", *as_json, "Print JSON");
  add_client_options(c, *a);
  return {c, [a, as_json] { return run_status(*a, *as_json); }};
}

}  // namespace agent::cli

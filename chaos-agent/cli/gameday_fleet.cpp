#include "chaos-agent/cli/gameday_fleet.h"

#include "chaos-agent/cli/commands.h"

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "chaos-agent/core/time_format.h"
#include "chaos-agent/fleet/coordinator.h"

namespace agent::cli {
using namespace agent::fleet;

void add_kubernetes_options(CLI::App* c, FleetGamedayArgs& f) {
  KubernetesOptions& k = f.kubernetes;
  c->add_option("--kubernetes", k.selector,
                "Fleet plans: the targets are the pods matching this label selector (e.g. app=chaos-agent), listed "
                "through the Kubernetes API server with the pod's service account (instead of --inventory)");
  c->add_option("--kubernetes-namespace", k.namespace_name,
                "--kubernetes: the pods' namespace (default: the service account's own namespace)");
  c->add_flag("--kubernetes-all-namespaces", k.all_namespaces,
              "--kubernetes: list pods in every namespace (needs a ClusterRole)");
  c->add_option("--kubernetes-port", k.port,
                "--kubernetes: the agents' remote-control port when a pod has no "
                "chaos-agent.spotsim.io/remote-control-port annotation")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  c->add_option("--kubernetes-api", k.api,
                "--kubernetes: the API server, https://HOST[:PORT] (default: KUBERNETES_SERVICE_HOST and "
                "KUBERNETES_SERVICE_PORT)");
  c->add_option("--kubernetes-serviceaccount", k.serviceaccount,
                "--kubernetes: the directory with the service account's token, ca.crt and namespace")
      ->capture_default_str();
  c->add_flag("--kubernetes-no-nodes", k.skip_nodes,
              "--kubernetes: do not read the pods' nodes (no zone, region, instance_type, pool labels; no nodes RBAC)");
}

bool is_fleet_gameday(const FleetGamedayArgs& args) {
  if (!args.inventory.empty() || !args.kubernetes.selector.empty()) return true;
  std::ifstream in(args.plan_file);
  std::stringstream ss;
  ss << in.rdbuf();
  return in && looks_like_fleet_plan(ss.str());
}

int gameday_fleet(const FleetGamedayArgs& args) {
  std::optional<KubernetesDiscovery> found;
  DiscoveredTargets discovered;
  if (!args.kubernetes.selector.empty()) {
    if (!args.inventory.empty()) return fail(kUsage, "--kubernetes and --inventory both name the targets: give one");
    auto d = discover_kubernetes(args.kubernetes);
    if (!d) return fail(kUsage, d.status().message());
    found = std::move(d.value());
    discovered = {found->source, found->targets};
    std::printf("%s: %zu pod(s) via %s, %zu Running and Ready\n", found->source.c_str(), found->targets.size(),
                found->api.c_str(), found->ready());
    for (const auto& t : found->targets) {
      if (!args.dry_run && t.down.empty()) continue;
      std::string labels;
      for (const auto& [k, v] : t.labels) labels += (labels.empty() ? "" : ", ") + k + ": " + v;
      std::printf("  %s  %s  %s  {%s}\n", t.name.c_str(), t.host.empty() ? "(no IP)" : t.address().c_str(),
                  t.down.empty() ? "ready" : ("not ready, left out: " + t.down).c_str(), labels.c_str());
    }
  }
  auto plan = load_fleet_plan(args.plan_file, args.inventory, found ? &discovered : nullptr);
  if (!plan) {
    std::fprintf(stderr, "%s\n", plan.status().message().c_str());
    return kUsage;
  }
  if (!args.tls.ca.empty()) plan->tls.ca = args.tls.ca;
  if (!args.tls.cert.empty()) plan->tls.cert = args.tls.cert;
  if (!args.tls.key.empty()) plan->tls.key = args.tls.key;
  if (!args.report.empty()) plan->report_path = args.report;
  if (!args.junit.empty()) plan->junit_path = args.junit;
  if (args.dry_run) {
    std::printf("dry run: %s\n%s",
                found ? "no agent is contacted (the pod list was read from the API server)" : "nothing is contacted",
                describe(plan.value()).c_str());
    return 0;
  }
  CoordinatorOptions o;
  auto rt = parse_duration(args.resolve_timeout);
  if (!rt || rt->count() <= 0) return fail(kUsage, "--resolve-timeout: " + bad_duration_message(args.resolve_timeout));
  o.resolve_timeout = *rt;
  o.interrupted = args.interrupted;
  o.audit_path = args.audit;
  auto out = run_fleet_plan(plan.value(), o);
  if (out.report.is_null()) return out.exit_code;
  if (found) out.report["discovery"] = found->to_json();
  const auto& f = out.report["fleet"];
  std::printf("fleet: %zu target(s), %zu not ok, %zu injection(s), %zu detected, %zu never detected\n",
              f.value("targets", size_t{0}), f.value("not_ok", size_t{0}), f.value("injections", size_t{0}),
              f.value("detected", size_t{0}), f.value("never_detected", size_t{0}));
  for (const char* k : {"step_to_visible_s", "detection_latency_s", "ack_latency_s", "drain_time_s"})
    if (f[k].is_object())
      std::printf("%s: p50 %.3fs, p99 %.3fs, max %.3fs (n %zu)\n", k, f[k]["p50"].get<double>(),
                  f[k]["p99"].get<double>(), f[k]["max"].get<double>(), f[k]["n"].get<size_t>());
  for (const auto& [g, s] : out.report["groups"].items())
    std::printf("  %s: %zu target(s), %zu injection(s), %zu never detected\n", g.c_str(), s.value("targets", size_t{0}),
                s.value("injections", size_t{0}), s.value("never_detected", size_t{0}));
  int rc = out.exit_code;
  if (!plan->report_path.empty()) {
    if (!write_file_atomically(plan->report_path, out.report.dump(2) + "\n")) {
      rc = fail(kIo, "cannot write report '" + plan->report_path + "'");
    } else {
      std::printf("report written to %s\n", plan->report_path.c_str());
    }
  }
  if (!plan->junit_path.empty()) {
    if (!write_file_atomically(plan->junit_path, fleet_junit(out.report))) {
      rc = fail(kIo, "cannot write JUnit '" + plan->junit_path + "'");
    }
  }
  return rc;
}

}  // namespace agent::cli

// Fleet targets from Kubernetes (`chaos-agent gameday PLAN --kubernetes SELECTOR`): the agents
// of the DaemonSet, found by label selector through the API server with the pod's in-cluster
// service account, instead of an inventory file (docs/gameday.md "Kubernetes").
//
// What is read (read-only; examples/kubernetes/rbac.yaml grants exactly this):
//   GET /api/v1/namespaces/NS/pods?labelSelector=S&limit=500[&continue=T]   (pods: list)
//   GET /api/v1/pods?labelSelector=S&...        with --kubernetes-all-namespaces
//   GET /api/v1/nodes/NODE  once per node that runs a matching pod         (nodes: get)
// over HTTPS (Boost.Beast on Boost.Asio SSL, OpenSSL: tls.h), trusting only the service
// account's ca.crt and checking that the API server's certificate names the host we dialled,
// with the service account's bearer token.
//
// Each matching pod becomes one target:
//   name     the pod's name (NAMESPACE/NAME with --kubernetes-all-namespaces)
//   address  status.podIP : the pod's annotation chaos-agent.spotsim.io/remote-control-port,
//            else --kubernetes-port (default 8443)
//   labels   the pod's labels; namespace; node (spec.nodeName); and from the node's labels
//            zone, region, instance_type and pool (kNodeLabels below), which override pod
//            labels of the same key
// A pod that is not Running and Ready (Pending, terminating, failing its readiness probe, no
// IP, a bad port annotation) is still a target, with `down` saying why: it counts in the
// selection and the blast radius like a VM that is down, is reported `unreachable` and is
// never contacted.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "chaos-agent/fleet/fleet_plan.h"

namespace agent::fleet {

struct KubernetesOptions {
  std::string selector;        // label selector, e.g. "app=chaos-agent" ("" = not used)
  std::string namespace_name;  // "" = the service account's namespace file
  bool all_namespaces = false;
  std::string api;  // "https://HOST:PORT" ("" = KUBERNETES_SERVICE_HOST/_PORT)
  std::string serviceaccount = "/var/run/secrets/kubernetes.io/serviceaccount";  // token, ca.crt, namespace
  std::string token_file, ca_file;  // "" = SERVICEACCOUNT/token, SERVICEACCOUNT/ca.crt
  int port = 8443;                  // the agents' remote-control port when a pod has no annotation
  bool skip_nodes = false;          // no zone/region/instance_type/pool labels, no nodes RBAC
  int page_size = 500;              // `limit` of each list request
  Millis timeout{10000};            // per request (connect, handshake, answer)
};

constexpr const char* kPortAnnotation = "chaos-agent.spotsim.io/remote-control-port";

// Target label <- the first node label present (well-known labels first, then the clouds' own).
struct NodeLabelMap {
  const char* label;
  std::vector<const char*> node_labels;
};
extern const std::vector<NodeLabelMap> kNodeLabels;

struct KubernetesDiscovery {
  std::vector<FleetTarget> targets;  // sorted by name; not-ready pods have `down` set
  std::string source;                // "--kubernetes app=chaos-agent (namespace gameday)"
  std::string api;                   // the API server's URL
  size_t pages = 0;                  // list requests made
  size_t ready() const;
  nlohmann::json to_json() const;  // for the fleet report's "discovery"
};

// One page of a PodList or the labels of a Node, from the API server's JSON. Errors say what
// is wrong and where ("items[3].metadata.labels.app: expected a string").
struct PodPage {
  nlohmann::json items = nlohmann::json::array();
  std::string next;  // metadata.continue ("" = last page)
};
spotsim::Result<PodPage> parse_pod_list(const std::string& body);
spotsim::Result<std::map<std::string, std::string>> parse_node_labels(const std::string& body);

// The mapping above, without a server. node_labels: node name -> its labels (nodes missing
// from the map contribute only `node`).
spotsim::Result<std::vector<FleetTarget>> pods_to_targets(
    const nlohmann::json& items, const std::map<std::string, std::map<std::string, std::string>>& node_labels,
    const KubernetesOptions& o);

// Lists the pods (and their nodes) through the API server. Every error is written for the
// operator: a missing token, the API server's certificate, 401/403 (with the RBAC rule that is
// missing), malformed answers, a selector that matches no pod.
spotsim::Result<KubernetesDiscovery> discover_kubernetes(const KubernetesOptions& o);

}  // namespace agent::fleet

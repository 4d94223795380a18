// Kubernetes discovery without a server: the API server's pod list and node JSON -> fleet
// targets (names, addresses, labels, why a pod is not ready), the plan's selection on them,
// and garbage (mutated text and mutated JSON trees) that must give an error or targets, never
// a crash. The HTTPS side, RBAC errors and a game day are tests/chaos_agent/clients/fleet_kubernetes.py.
#include <catch2/catch.hpp>

#include <random>

#include "chaos-agent/fleet/kubernetes.h"

using namespace agent;
using namespace agent::fleet;
using json = nlohmann::json;

namespace {

const char* kPodList = R"({
  "kind": "PodList", "apiVersion": "v1",
  "metadata": {"resourceVersion": "7", "continue": "next-page"},
  "items": [
    {"metadata": {"name": "ca-b", "namespace": "gameday", "labels": {"app": "chaos-agent", "zone": "bogus"},
                  "annotations": {"chaos-agent.spotsim.io/remote-control-port": "9443"}},
     "spec": {"nodeName": "n1"},
     "status": {"phase": "Running", "podIP": "10.0.0.2",
                "conditions": [{"type": "Ready", "status": "True"}]}},
    {"metadata": {"name": "ca-a", "namespace": "gameday", "labels": {"app": "chaos-agent"}},
     "spec": {"nodeName": "n2"},
     "status": {"phase": "Running", "podIP": "fd00::5", "conditions": [{"type": "Ready", "status": "True"}]}},
    {"metadata": {"name": "ca-c", "namespace": "gameday", "labels": {"app": "chaos-agent"}},
     "spec": {}, "status": {"phase": "Pending", "reason": "Unschedulable"}},
    {"metadata": {"name": "ca-d", "namespace": "gameday", "labels": {"app": "chaos-agent"}},
     "spec": {"nodeName": "n1"},
     "status": {"phase": "Running", "podIP": "10.0.0.2", "conditions": [{"type": "Ready", "status": "True"}]}},
    {"metadata": {"name": "ca-e", "namespace": "gameday", "labels": {"app": "chaos-agent"},
                  "annotations": {"chaos-agent.spotsim.io/remote-control-port": "http"}},
     "spec": {"nodeName": "n2"},
     "status": {"phase": "Running", "podIP": "10.0.0.9", "conditions": [{"type": "Ready", "status": "True"}]}},
    {"metadata": {"name": "ca-g", "namespace": "gameday",
                  "annotations": {"chaos-agent.spotsim.io/remote-control-port": "9443"}},
     "spec": {"nodeName": "n1"},
     "status": {"phase": "Running", "podIP": "10.0.0.2", "conditions": [{"type": "Ready", "status": "True"}]}},
    {"metadata": {"name": "ca-f", "namespace": "gameday"},
     "status": {"phase": "Running", "podIP": "10.0.0.10",
                "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}]}}
  ]})";

const std::map<std::string, std::map<std::string, std::string>> kNodes = {
    {"n1",
     {{"topology.kubernetes.io/zone", "us-east-1a"},
      {"node.kubernetes.io/instance-type", "m5.large"},
      {"karpenter.sh/nodepool", "spot"}}},
    {"n2", {{"failure-domain.beta.kubernetes.io/zone", "us-east-1b"}, {"kubernetes.azure.com/agentpool", "spotpool"}}},
};

const FleetTarget& find(const std::vector<FleetTarget>& ts, const std::string& name) {
  for (const auto& t : ts)
    if (t.name == name) return t;
  FAIL("no target " << name);
  throw std::logic_error("unreachable");
}

// One random edit of a JSON tree: a value somewhere replaced by another type, removed, or
// a subtree duplicated into another place.
void mutate_tree(json& j, std::mt19937_64& rng, int depth = 0) {
  const json replacements[] = {nullptr,
                               7,
                               -1,
                               1e308,
                               "",
                               "x",
                               true,
                               json::array(),
                               json::object(),
                               json::array({1, "a"}),
                               json::object({{"type", "Ready"}}),
                               "65536",
                               "10.0.0.1"};
  bool stop = depth > 6 || !(j.is_object() || j.is_array()) || j.empty() || rng() % 4 == 0;
  if (stop) {
    j = replacements[rng() % (sizeof replacements / sizeof *replacements)];
    return;
  }
  if (j.is_object()) {
    auto it = j.begin();
    std::advance(it, static_cast<long>(rng() % j.size()));
    if (rng() % 8 == 0) {
      j.erase(it);
      return;
    }
    mutate_tree(*it, rng, depth + 1);
  } else {
    size_t i = rng() % j.size();
    if (rng() % 8 == 0) {
      j.push_back(j[i]);
      return;
    }
    mutate_tree(j[i], rng, depth + 1);
  }
}

}  // namespace

TEST_CASE("kubernetes: a pod list becomes targets with addresses, labels and not-ready reasons",
          "[chaos_agent][kubernetes]") {
  auto page = parse_pod_list(kPodList);
  INFO((page ? "" : page.status().message()));
  REQUIRE(page);
  CHECK(page->next == "next-page");
  KubernetesOptions o;
  o.namespace_name = "gameday";
  auto ts = pods_to_targets(page->items, kNodes, o);
  INFO((ts ? "" : ts.status().message()));
  REQUIRE(ts);
  REQUIRE(ts->size() == 7);
  CHECK(ts.value()[0].name == "ca-a");  // sorted by name

  const auto& b = find(ts.value(), "ca-b");
  CHECK(b.down.empty());
  CHECK(b.address() == "10.0.0.2:9443");  // the annotation's port
  CHECK(b.labels == std::map<std::string, std::string>{{"app", "chaos-agent"},
                                                       {"namespace", "gameday"},
                                                       {"node", "n1"},
                                                       {"zone", "us-east-1a"},
                                                       {"instance_type", "m5.large"},
                                                       {"pool", "spot"}});
  const auto& a = find(ts.value(), "ca-a");
  CHECK(a.down.empty());
  CHECK(a.address() == "[fd00::5]:8443");
  CHECK(a.labels.at("zone") == "us-east-1b");  // the beta label when the GA one is missing
  CHECK(a.labels.at("pool") == "spotpool");
  CHECK(a.labels.count("instance_type") == 0);

  CHECK(find(ts.value(), "ca-c").down == "pod phase Pending, not Running (Unschedulable)");
  CHECK(find(ts.value(), "ca-c").labels.count("node") == 0);
  CHECK(find(ts.value(), "ca-d").down.empty());  // same node, another port: another agent
  CHECK(find(ts.value(), "ca-d").address() == "10.0.0.2:8443");
  CHECK(find(ts.value(), "ca-g").down == "same address 10.0.0.2:9443 as pod ca-b (one agent, one target)");
  CHECK(find(ts.value(), "ca-e").down ==
        "annotation chaos-agent.spotsim.io/remote-control-port is 'http', not a port (1-65535)");
  CHECK(find(ts.value(), "ca-f").down == "pod is Running but not Ready (ContainersNotReady)");
  CHECK(find(ts.value(), "ca-f").labels == std::map<std::string, std::string>{{"namespace", "gameday"}});

  KubernetesDiscovery d;
  d.targets = ts.value();
  CHECK(d.ready() == 3);  // a, b, d
  CHECK(d.to_json()["kubernetes"]["not_ready"].size() == 4);

  // All namespaces: NAMESPACE/NAME, so two namespaces' pods of the same name stay apart.
  o.all_namespaces = true;
  auto all = pods_to_targets(page->items, kNodes, o);
  REQUIRE(all);
  CHECK(all.value()[0].name == "gameday/ca-a");
  // Without node labels: the pod's own labels, its namespace and node only; a pod's own zone
  // label is kept when no node says otherwise.
  o.all_namespaces = false;
  auto bare = pods_to_targets(page->items, {}, o);
  REQUIRE(bare);
  CHECK(find(bare.value(), "ca-b").labels ==
        std::map<std::string, std::string>{
            {"app", "chaos-agent"}, {"namespace", "gameday"}, {"node", "n1"}, {"zone", "bogus"}});
}

TEST_CASE("kubernetes: discovered targets go through the plan's selection and blast radius",
          "[chaos_agent][kubernetes]") {
  auto page = parse_pod_list(kPodList);
  REQUIRE(page);
  KubernetesOptions o;
  o.namespace_name = "gameday";
  auto ts = pods_to_targets(page->items, kNodes, o);
  REQUIRE(ts);
  DiscoveredTargets found{"--kubernetes app=chaos-agent (namespace gameday)", ts.value()};
  const std::string plan =
      "name: k\nmax_duration: 30m\nselect: {zone: us-east-1a}\n"
      "chaos:\n  - {at: 0s, storm: {fraction: 100%}}\n";
  auto p = parse_fleet_plan(plan, "plan.yaml", "", "", &found);
  INFO((p ? "" : p.status().message()));
  REQUIRE(p);
  CHECK(p->targets.size() == 7);
  REQUIRE(p->selection.size() == 3);  // ca-b, ca-d and ca-g run on n1; ca-g is down but counts
  CHECK(p->targets[p->selection[0]].name == "ca-b");
  CHECK(p->targets[p->selection[2]].name == "ca-g");
  CHECK(p->reached.size() == 3);
  auto twice =
      parse_fleet_plan(plan + "targets:\n  - {name: x, address: \"10.0.0.1:8443\"}\n", "plan.yaml", "", "", &found);
  REQUIRE_FALSE(twice);
  CHECK(twice.status().message() ==
        "plan.yaml:7:3: error: targets: given twice: here and --kubernetes app=chaos-agent (namespace gameday) (keep "
        "one)");
}

TEST_CASE("kubernetes: wrong shapes are errors naming the JSON path", "[chaos_agent][kubernetes]") {
  KubernetesOptions o;
  auto err = [&](const std::string& text) {
    auto page = parse_pod_list(text);
    if (!page) return page.status().message();
    auto ts = pods_to_targets(page->items, {}, o);
    return ts ? std::string("OK") : ts.status().message();
  };
  CHECK(err("[]") == "expected a JSON object");
  CHECK(err(R"({"kind": "Status"})") == "kind: expected PodList, got 'Status'");
  CHECK(err(R"({"items": {}})") == "items: expected an array");
  CHECK(err(R"({"items": [1]})") == "items[0]: expected an object");
  CHECK(err(R"({"items": [{}]})") == "items[0].metadata.name: required, a pod's name");
  CHECK(err(R"({"items": [{"metadata": {"name": "p", "labels": {"a": 1}}}]})") ==
        "items[0].metadata.labels.a: expected a string");
  CHECK(err(R"({"items": [{"metadata": {"name": "p"}, "status": {"phase": "Running", "conditions": [7]}}]})") ==
        "items[0].status.conditions[0]: expected an object");
  CHECK(err(R"({"items": [{"metadata": {"name": "p"}}, {"metadata": {"name": "p"}}]})") ==
        "items[1]: pod 'p' is listed twice");
  CHECK(err(R"({"items": [{"metadata": {"name": "p"}, "status": {"phase": "Running", "podIP": "not an ip",
            "conditions": [{"type": "Ready", "status": "True"}]}}]})") == "OK");
  CHECK(err(R"({"items": null, "metadata": {"continue": 5}})") == "metadata.continue: expected a string");
  CHECK(err(R"({"items": [)").rfind("malformed JSON: [json.exception.parse_error.101]", 0) == 0);
  CHECK(err(std::string(100, '[') + std::string(100, ']')) == "malformed JSON: nested deeper than 64 levels");
  CHECK(parse_node_labels(R"({"kind": "Node", "metadata": {"labels": {"a": "b"}}})").value().at("a") == "b");
  CHECK(parse_node_labels(R"({"kind": "Pod"})").status().message() == "kind: expected Node, got 'Pod'");
}

TEST_CASE("kubernetes: garbage pod lists give an error or targets, never a crash", "[chaos_agent][kubernetes]") {
  std::mt19937_64 rng(20261204);
  KubernetesOptions o;
  o.namespace_name = "gameday";
  const std::string base = kPodList;
  const json tree = json::parse(base);
  const char punct[] = "{}[]\":,0\\ ntfe-.";
  size_t ok = 0, errors = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    if (i % 2 == 0) {  // text edits: a byte replaced, bytes erased, the format's punctuation inserted
      text = base;
      for (int e = 0, n = 1 + static_cast<int>(rng() % 5); e < n; ++e) {
        size_t at = rng() % text.size();
        switch (rng() % 3) {
          case 0: text[at] = static_cast<char>(rng() % 256); break;
          case 1: text.erase(at, 1 + rng() % 8); break;
          default: text.insert(at, 1, punct[rng() % (sizeof punct - 1)]); break;
        }
      }
    } else {  // tree edits: valid JSON of the wrong shape
      json t = tree;
      for (int e = 0, n = 1 + static_cast<int>(rng() % 3); e < n; ++e) mutate_tree(t, rng);
      text = t.dump();
    }
    auto page = parse_pod_list(text);
    if (!page) {
      CHECK_FALSE(page.status().message().empty());
      ++errors;
      continue;
    }
    auto ts = pods_to_targets(page->items, kNodes, o);
    if (!ts) {
      CHECK_FALSE(ts.status().message().empty());
      ++errors;
      continue;
    }
    ++ok;
    for (const auto& t : ts.value()) {
      CHECK_FALSE(t.name.empty());
      CHECK((t.down.empty() ? !t.host.empty() && t.port > 0 : true));
    }
  }
  CHECK(ok > 100);  // the loop reaches the mapping, not only the JSON parser
  CHECK(errors > 100);
}

// The `kubernetes:` section: quantities, defaults, and exact error texts.
#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/scenario.h"
#include "tests/scenario/scenario_test_helpers.h"

using namespace spotsim;

namespace {

const std::string kHead =
    "spotsim: 1\nname: k\nduration: 1d\n"
    "pools:\n"
    "  a: {provider: aws, region: r, instance_type: m5.xlarge, spot_price: 0.06, on_demand_price: 0.19, capacity: 50}\n"
    "  b: {provider: aws, region: r, instance_type: r5.xlarge, spot_price: 0.08, on_demand_price: 0.25, capacity: 50}\n"
    "fleets:\n"
    "  sys: {pools: [a], target: 2, on_demand_above_base: 100%}\n"
    "  spot: {pools: [a, b], target: 4}\n";

std::string error_of(const std::string& k8s) { return test::compile_error(kHead + k8s, "k.yaml"); }

}  // namespace

TEST_CASE("Kubernetes quantities parse like kubectl's", "[k8s][spec]") {
  CHECK(*parse_k8s_cpu("500m") == 500);
  CHECK(*parse_k8s_cpu("2") == 2000);
  CHECK(*parse_k8s_cpu("0.25") == 250);
  CHECK(*parse_k8s_memory("512Mi") == 512LL << 20);
  CHECK(*parse_k8s_memory("4Gi") == 4LL << 30);
  CHECK(*parse_k8s_memory("1G") == 1000000000LL);
  CHECK(*parse_k8s_memory("2048") == 2048);
  CHECK(parse_k8s_cpu("2 cores").status().message() ==
        "expected a CPU quantity like 500m, 2 or 0.5 (cores), found \"2 cores\"");
  CHECK(parse_k8s_cpu("0.0001").status().message() ==
        "expected a CPU quantity in whole millicores (like 250m or 1.5), found \"0.0001\"");
  CHECK(parse_k8s_memory("4GB").status().message() ==
        "expected a memory quantity like 512Mi, 4Gi or 1G (units Ki Mi Gi Ti, k M G T), found \"4GB\"");
}

TEST_CASE("a kubernetes section compiles with defaults", "[k8s][spec]") {
  auto r = compile_scenario(
      kHead +
          "kubernetes:\n"
          "  node_pools:\n"
          "    system: {fleet: sys, cpu: 3920m, memory: 14Gi}\n"
          "    spot: {fleet: spot, cpu: 3920m, memory: 14Gi, max: 10, sizes: {r5.xlarge: {cpu: 3920m, memory: 29Gi}}}\n"
          "  deployments:\n"
          "    web: {replicas: 6, cpu: 1, memory: 2Gi, spot_tolerant: true, pdb: {min_available: 50%}}\n"
          "    db: {replicas: 1, cpu: 500m, memory: 8Gi, node_pools: [system]}\n",
      "k.yaml");
  REQUIRE(r.is_ok());
  const K8sSpec& k = r->kubernetes;
  CHECK(k.enabled);
  CHECK(k.scheduler == K8sScheduler::kLeastAllocated);
  CHECK(k.drain_retry == Duration::seconds(5));
  CHECK(k.autoscaler.scan_interval == Duration::seconds(10));
  CHECK(k.autoscaler.scale_down_unneeded == Duration::minutes(10));
  REQUIRE(k.node_pools.size() == 2);
  CHECK(k.node_pools[0].min_nodes == 2);
  CHECK(k.node_pools[0].max_nodes == 2);
  CHECK(k.node_pools[1].min_nodes == 4);
  CHECK(k.node_pools[1].max_nodes == 10);
  CHECK(k.node_pools[1].by_pool[0].memory == 14LL << 30);
  CHECK(k.node_pools[1].by_pool[1].memory == 29LL << 30);
  CHECK(k.autoscaling());
  REQUIRE(k.deployments.size() == 2);
  CHECK(k.deployments[0].grace == Duration::seconds(30));
  CHECK(k.deployments[0].pdb.kind == K8sPdbSpec::Kind::kMinAvailable);
  CHECK(k.deployments[0].pdb.fraction == Approx(0.5));
  CHECK_FALSE(k.deployments[1].spot_tolerant);
  CHECK(k.deployments[1].node_pool_mask == 1);
}

TEST_CASE("kubernetes errors name the position the path and the fix", "[k8s][spec]") {
  CHECK(error_of("kubernetes:\n  node_pools:\n    spot: {fleet: spt, cpu: 4, memory: 16Gi}\n"
                 "  deployments:\n    web: {replicas: 2, cpu: 1, memory: 1Gi}\n") ==
        "k.yaml:12:19: error: kubernetes.node_pools.spot.fleet: no fleet named \"spt\" (did you mean \"spot\"?)");
  CHECK(error_of("kubernetes:\n  node_pools:\n    a: {fleet: spot, cpu: 4, memory: 16Gi}\n"
                 "    b: {fleet: spot, cpu: 4, memory: 16Gi}\n"
                 "  deployments:\n    web: {replicas: 2, cpu: 1, memory: 1Gi}\n") ==
        "k.yaml:13:16: error: kubernetes.node_pools.b.fleet: fleet \"spot\" already backs node pool \"a\" "
        "(one node pool per fleet: define another fleet)");
  CHECK(error_of("kubernetes:\n  node_pools:\n    spot: {fleet: spot, cpu: 4, memory: 16Gi, min: 5}\n"
                 "  deployments:\n    web: {replicas: 2, cpu: 1, memory: 1Gi}\n") ==
        "k.yaml:12:52: error: kubernetes.node_pools.spot.min: must be at most the fleet's target (4), found 5 "
        "(the fleet starts at its target; raise fleets.spot.target)");
  CHECK(error_of("kubernetes:\n  node_pools:\n    spot: {fleet: spot, cpu: 4, memory: 16Gi, sizes: {c5.xlarge: {cpu: "
                 "4, memory: 8Gi}}}\n"
                 "  deployments:\n    web: {replicas: 2, cpu: 1, memory: 1Gi}\n") ==
        "k.yaml:12:55: error: kubernetes.node_pools.spot.sizes.c5.xlarge: no pool of fleet \"spot\" has instance type "
        "\"c5.xlarge\" (did you mean \"m5.xlarge\"?) (known: m5.xlarge, r5.xlarge)");
  CHECK(error_of("kubernetes:\n  node_pools:\n    spot: {fleet: spot, cpu: 4, memory: 16GB}\n"
                 "  deployments:\n    web: {replicas: 2, cpu: 1, memory: 1Gi}\n") ==
        "k.yaml:12:41: error: kubernetes.node_pools.spot.memory: expected a memory quantity like 512Mi, 4Gi or 1G "
        "(units Ki Mi Gi Ti, k M G T), found \"16GB\"");
  CHECK(error_of("kubernetes:\n  node_pools:\n    spot: {fleet: spot, cpu: 4, memory: 16Gi}\n"
                 "  deployments:\n    web: {replicas: 2, cpu: 1, memory: 1Gi, pdb: {max_unavailable: 1, min_available: "
                 "1}}\n") ==
        "k.yaml:14:50: error: kubernetes.deployments.web.pdb: expected exactly one of max_unavailable or min_available "
        "(like a PodDisruptionBudget)");
  CHECK(
      error_of("kubernetes:\n  node_pools:\n    spot: {fleet: spot, cpu: 4, memory: 16Gi}\n"
               "  deployments:\n    web: {replicas: 2, cpu: 1, memory: 1Gi, pdb: {max_unavailable: 150%}}\n") ==
      "k.yaml:14:68: error: kubernetes.deployments.web.pdb.max_unavailable: expected a percentage between 0% and 100%, "
      "found \"150%\"");
  CHECK(error_of("kubernetes:\n  node_pools:\n    spot: {fleet: spot, cpu: 4, memory: 16Gi}\n"
                 "  deployments:\n    web: {replicas: 2, cpu: 6, memory: 1Gi}\n") ==
        "k.yaml:14:5: error: kubernetes.deployments.web: a pod (cpu 6, memory 1Gi) fits on no node of the node pools "
        "it may use (largest: cpu 4, memory 16Gi): lower the requests or add a larger node size");
  CHECK(error_of("kubernetes:\n  node_pools:\n    spot: {fleet: spot, cpu: 4, memory: 16Gi}\n"
                 "  deployments:\n    web: {replicas: 2, cpu: 1, memory: 1Gi, node_pools: [spto]}\n") ==
        "k.yaml:14:58: error: kubernetes.deployments.web.node_pools[0]: no node pool named \"spto\"");
  CHECK(error_of("kubernetes:\n  node_pools:\n    spot: {fleet: spot, cpu: 4, memory: 16Gi}\n") ==
        "k.yaml:11:3: error: kubernetes.deployments: missing required key (the deployments: "
        "{NAME: {replicas: 6, cpu: 500m, memory: 1Gi}})");
  CHECK(error_of("kubernetes:\n  scheduler: bin-pack\n  node_pools:\n    spot: {fleet: spot, cpu: 4, memory: 16Gi}\n"
                 "  deployments:\n    web: {replicas: 2, cpu: 1, memory: 1Gi}\n") ==
        "k.yaml:11:14: error: kubernetes.scheduler: \"bin-pack\" is not one of: least-allocated, first-fit");
}

// The Kubernetes model (sim/model/k8s): scheduling by requests, drains through the PDB, hard
// kills when the notice is shorter than the drain, rescheduling, the cluster autoscaler.
// Hand-checked timelines on tiny clusters: nodes of 2 CPUs, pods of 1 CPU.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/run/replication_models.h"
#include "sim/model/k8s/autoscaler.h"
#include "sim/model/k8s/cluster.h"
#include "sim/model/k8s/disruption_budget.h"
#include "sim/model/k8s/scheduler.h"
#include "sim/model/world.h"
#include "tests/common/world_metric.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"
#include "tests/common/compile.h"

using namespace spotsim;
using spotsim::test::metric;

namespace {

using test::compile;

// One spot pool without hazard, one fleet of `nodes` nodes (2 CPU, 4Gi each), one deployment.
std::string cluster(int nodes, const std::string& node_pool_extra, const std::string& deployment,
                    const std::string& extra = "") {
  return "spotsim: 1\nname: k\nseed: 3\nreplications: 1\nduration: 2h\n"
         "pools:\n  p: {provider: aws, region: r, instance_type: m5.large, spot_price: 0.03, on_demand_price: 0.1, "
         "capacity: 100}\n"
         "fleets:\n  nodes: {pools: [p], target: " +
         std::to_string(nodes) +
         ", boot_time: 60s}\n"
         "kubernetes:\n"
         "  node_pools:\n    spot: {fleet: nodes, cpu: 2, memory: 4Gi" +
         node_pool_extra +
         "}\n"
         "  deployments:\n    web: {" +
         deployment + "}\n" + extra;
}

// Gives VM `serial` a notice of `notice` at `at` (the way a storm would).
class NoticeAt : public EventHandler {
 public:
  NoticeAt(World& w, SimTime at, uint32_t serial, Duration notice) : w_(w), serial_(serial), notice_(notice) {
    w.engine().schedule_at(at, w.engine().add_handler(this), 0, 0, 0, Priority::kChaos);
  }
  void handle(Engine&, const Event&) override {
    const auto& vms = w_.vms();
    for (uint32_t s = 0; s < vms.size(); ++s) {
      if (vms[s].serial == serial_ && vms[s].state == VmState::kRunning) w_.give_notice(s, notice_);
    }
  }

 private:
  World& w_;
  uint32_t serial_;
  Duration notice_;
};

K8sNode node(uint32_t serial, int64_t cpu_m, int64_t used_m, bool spot = false, uint32_t pool = 0) {
  K8sNode n;
  n.serial = serial;
  n.node_pool = pool;
  n.spot = spot;
  n.allocatable = {cpu_m, 8LL << 30};
  n.requested = {used_m, 0};
  return n;
}

}  // namespace

TEST_CASE("the scheduler binds by requests: least-allocated spreads and first-fit packs", "[k8s]") {
  std::vector<K8sNode> nodes = {node(0, 4000, 3000), node(1, 4000, 1000), node(2, 4000, 0)};
  K8sPodShape pod{{1000, 1LL << 30}, false, ~0ull};
  CHECK(k8s_pick_node(nodes, pod, K8sScheduler::kLeastAllocated) == 2);
  CHECK(k8s_pick_node(nodes, pod, K8sScheduler::kFirstFit) == 0);
  pod.request.cpu_m = 1500;  // no longer fits on node 0
  CHECK(k8s_pick_node(nodes, pod, K8sScheduler::kFirstFit) == 1);
  pod.request.cpu_m = 4500;  // fits nowhere
  CHECK(k8s_pick_node(nodes, pod, K8sScheduler::kLeastAllocated) == -1);
  // Memory counts as well as CPU.
  pod.request = {100, 9LL << 30};
  CHECK(k8s_pick_node(nodes, pod, K8sScheduler::kFirstFit) == -1);
}

TEST_CASE("the spot taint node selectors and cordons filter nodes", "[k8s]") {
  std::vector<K8sNode> nodes = {node(0, 4000, 0, /*spot=*/true, 0), node(1, 4000, 2000, false, 1)};
  K8sPodShape pod{{1000, 0}, /*spot_tolerant=*/false, ~0ull};
  CHECK(k8s_pick_node(nodes, pod, K8sScheduler::kLeastAllocated) == 1);  // not tolerant: on-demand only
  pod.spot_tolerant = true;
  CHECK(k8s_pick_node(nodes, pod, K8sScheduler::kLeastAllocated) == 0);  // more room on the spot node
  pod.node_pool_mask = 1ull << 1;
  CHECK(k8s_pick_node(nodes, pod, K8sScheduler::kLeastAllocated) == 1);  // node selector
  nodes[1].schedulable = false;                                          // cordoned
  CHECK(k8s_pick_node(nodes, pod, K8sScheduler::kLeastAllocated) == -1);
}

TEST_CASE("PDB arithmetic rounds percentages up like Kubernetes", "[k8s]") {
  K8sPdbSpec pdb;
  CHECK(pdb_desired_healthy(pdb, 5) == 0);
  pdb.kind = K8sPdbSpec::Kind::kMinAvailable;
  pdb.percent = true;
  pdb.fraction = 0.5;
  CHECK(pdb_desired_healthy(pdb, 7) == 4);  // the Kubernetes documentation's example
  pdb.kind = K8sPdbSpec::Kind::kMaxUnavailable;
  pdb.fraction = 0.3;
  CHECK(pdb_desired_healthy(pdb, 10) == 7);  // ceil(3.0000000000000004) must stay 3
  CHECK(pdb_desired_healthy(pdb, 7) == 4);   // ceil(2.1) = 3 may be unavailable
  pdb.percent = false;
  pdb.count = 9;
  CHECK(pdb_desired_healthy(pdb, 4) == 0);
  CHECK(pdb_allows_eviction(true, 4, 3));
  CHECK_FALSE(pdb_allows_eviction(true, 3, 3));
  CHECK(pdb_allows_eviction(false, 3, 3));  // IfHealthyBudget: a not-ready pod may go while healthy
  CHECK_FALSE(pdb_allows_eviction(false, 2, 3));
}

TEST_CASE("the autoscaler plan counts upcoming nodes and respects max and the spot taint", "[k8s]") {
  const K8sPodShape pod{{1000, 1LL << 30}, true, ~0ull};
  K8sScaleUpGroup spot;
  spot.node_pool = 0;
  spot.node = {2000, 4LL << 30};
  spot.spot = true;
  spot.headroom = 10;
  K8sScaleUpGroup od = spot;
  od.node_pool = 1;
  od.spot = false;
  std::vector<K8sPodShape> pending(5, pod);
  CHECK(k8s_plan_scale_up(pending, {spot, od}) == std::vector<int64_t>{3, 0});
  spot.upcoming = 2;  // two nodes already booting take four pods
  CHECK(k8s_plan_scale_up(pending, {spot, od}) == std::vector<int64_t>{1, 0});
  spot.upcoming = 0;
  spot.headroom = 1;  // max reached after one node: the next group takes the rest
  CHECK(k8s_plan_scale_up(pending, {spot, od}) == std::vector<int64_t>{1, 2});
  std::vector<K8sPodShape> strict(3, K8sPodShape{{1000, 0}, false, ~0ull});
  CHECK(k8s_plan_scale_up(strict, {spot, od}) == std::vector<int64_t>{0, 2});  // not tolerant: on-demand
}

TEST_CASE("initial placement is by requests and pods that do not fit stay Pending", "[k8s]") {
  const CompiledScenario sc = compile(cluster(2, "", "replicas: 5, cpu: 1, memory: 1Gi, spot_tolerant: true"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  KubernetesCluster* k = kubernetes_cluster(w);
  REQUIRE(k != nullptr);
  CHECK(k->ready(0) == 4);
  CHECK(k->pending(0) == 1);
  CHECK(metric(w, "workload.web.pending_pods_max") == 1);
  CHECK(metric(w, "workload.web.pending_pods_mean") == Approx(1.0));
  CHECK(metric(w, "workload.web.availability_pct") == Approx(80.0));
  CHECK(metric(w, "workload.web.pod_hours_lost") == Approx(2.0));
}

TEST_CASE("pods that do not tolerate spot stay off spot nodes", "[k8s]") {
  const CompiledScenario sc = compile(cluster(2, "", "replicas: 2, cpu: 1, memory: 1Gi, spot_tolerant: false"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  CHECK(kubernetes_cluster(w)->pending(0) == 2);
  CHECK(metric(w, "workload.web.availability_pct") == Approx(0.0));
}

TEST_CASE("a drain respects the PDB and evicted pods are rescheduled onto free nodes", "[k8s]") {
  // 4 pods on 3 nodes (least-allocated: node 0 gets pods 0 and 3). A 10-minute notice for node 0
  // at 1h: pod 0 is evicted at once (4 healthy, 3 desired), pod 3 waits for pod 0's replacement to
  // be Ready (30 s startup), then goes. Both replacements land on the free CPU of nodes 1 and 2.
  const CompiledScenario sc =
      compile(cluster(3, "",
                      "replicas: 4, cpu: 1, memory: 1Gi, spot_tolerant: true, "
                      "pdb: {max_unavailable: 1}, startup: 30s, termination_grace_period: 10s"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  NoticeAt notice(w, SimTime{Duration::hours(1).us}, 0, Duration::minutes(10));
  w.run();
  KubernetesCluster* k = kubernetes_cluster(w);
  CHECK(metric(w, "workload.web.evictions") == 2);
  CHECK(metric(w, "workload.web.pdb_blocked_evictions") == 1);
  CHECK(metric(w, "workload.web.pods_hard_killed") == 0);
  CHECK(metric(w, "workload.web.grace_cut_short") == 0);
  CHECK(metric(w, "workload.web.reschedules") == 2);
  CHECK(metric(w, "workload.web.reschedule_time") == Approx(30.0).epsilon(0.02));
  CHECK(metric(w, "workload.web.reschedule_time_max") == Approx(30.0).epsilon(0.02));
  // One pod down for 30 s, then the other for 30 s: 60 pod-seconds lost.
  CHECK(metric(w, "workload.web.pod_hours_lost") == Approx(60.0 / 3600.0));
  CHECK(metric(w, "k8s.nodes_drained") == 1);
  CHECK(k->pod_node(0) == 1);
  CHECK(k->pod_node(3) == 2);
  CHECK(k->ready(0) == 4);
}

TEST_CASE("pods not drained within the notice are killed hard", "[k8s]") {
  // The same cluster with a 20 s notice: pod 3 is still blocked by the PDB when node 0 goes.
  // Pod 0 (evicted at once, 30 s grace) is cut short too.
  const CompiledScenario sc =
      compile(cluster(3, "",
                      "replicas: 4, cpu: 1, memory: 1Gi, spot_tolerant: true, "
                      "pdb: {max_unavailable: 1}, startup: 30s, termination_grace_period: 30s"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  NoticeAt notice(w, SimTime{Duration::hours(1).us}, 0, Duration::seconds(20));
  w.run();
  CHECK(metric(w, "workload.web.evictions") == 1);
  CHECK(metric(w, "workload.web.pdb_blocked_evictions") == 1);
  CHECK(metric(w, "workload.web.pods_hard_killed") == 1);
  CHECK(metric(w, "k8s.pods_hard_killed") == 1);
  CHECK(metric(w, "workload.web.grace_cut_short") == 1);
  // Pod 0 down 30 s (from the notice), pod 3 down 30 s (from the eviction at +20 s).
  CHECK(metric(w, "workload.web.reschedule_time") == Approx(30.0).epsilon(0.02));
  CHECK(metric(w, "workload.web.pod_hours_lost") == Approx(60.0 / 3600.0));
  CHECK(kubernetes_cluster(w)->ready(0) == 4);
}

TEST_CASE("without a PDB every pod is evicted at the notice", "[k8s]") {
  const CompiledScenario sc =
      compile(cluster(3, "", "replicas: 4, cpu: 1, memory: 1Gi, spot_tolerant: true, startup: 30s"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  NoticeAt notice(w, SimTime{Duration::hours(1).us}, 0, Duration::seconds(20));
  w.run();
  CHECK(metric(w, "workload.web.evictions") == 2);
  CHECK(metric(w, "workload.web.pdb_blocked_evictions") == 0);
  CHECK(metric(w, "workload.web.pods_hard_killed") == 0);
}

TEST_CASE("a lost notice means no drain: every pod on the node is killed hard", "[k8s]") {
  // A zero-length notice is never delivered (World::give_notice): the node just disappears.
  const CompiledScenario sc = compile(cluster(3, "",
                                              "replicas: 4, cpu: 1, memory: 1Gi, spot_tolerant: true, "
                                              "pdb: {max_unavailable: 1}, startup: 30s"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  NoticeAt notice(w, SimTime{Duration::hours(1).us}, 0, Duration{0});
  w.run();
  CHECK(metric(w, "k8s.nodes_drained") == 0);
  CHECK(metric(w, "workload.web.evictions") == 0);
  CHECK(metric(w, "workload.web.pdb_blocked_evictions") == 0);
  CHECK(metric(w, "workload.web.pods_hard_killed") == 2);
  CHECK(metric(w, "workload.web.reschedule_time") == Approx(30.0).epsilon(0.02));
  CHECK(kubernetes_cluster(w)->ready(0) == 4);
}

TEST_CASE("first-fit packs pods onto the earliest nodes", "[k8s]") {
  const CompiledScenario sc =
      compile(cluster(3, "", "replicas: 3, cpu: 1, memory: 1Gi, spot_tolerant: true", "  scheduler: first-fit\n"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  const KubernetesCluster* k = kubernetes_cluster(w);
  CHECK(k->pod_node(0) == 0);
  CHECK(k->pod_node(1) == 0);
  CHECK(k->pod_node(2) == 1);
  REQUIRE(k->nodes().size() == 3);
  CHECK(k->nodes()[2].pods.empty());
}

TEST_CASE("a min_available percentage holds back evictions like the Kubernetes example", "[k8s]") {
  // 7 pods with min_available 50% need 4 healthy (3.5 rounded up). First-fit puts 4 pods on node 0
  // (4 CPUs): its notice evicts 3 at once (7 → 4 healthy); the 4th waits for a replacement to be
  // Ready (30 s), then goes. Rounding down would have let all 4 go at once.
  const CompiledScenario sc = compile(
      "spotsim: 1\nname: k\nduration: 2h\n"
      "pools:\n  p: {provider: aws, region: r, instance_type: m5.large, spot_price: 0.03, on_demand_price: 0.1, "
      "capacity: 100}\n"
      "fleets:\n  nodes: {pools: [p], target: 3, boot_time: 60s}\n"
      "kubernetes:\n  scheduler: first-fit\n"
      "  node_pools:\n    spot: {fleet: nodes, cpu: 4, memory: 8Gi}\n"
      "  deployments:\n    web: {replicas: 7, cpu: 1, memory: 1Gi, spot_tolerant: true, pdb: {min_available: 50%}, "
      "startup: 30s}\n");
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  NoticeAt notice(w, SimTime{Duration::hours(1).us}, 0, Duration::minutes(2));
  w.run();
  CHECK(metric(w, "workload.web.evictions") == 4);
  CHECK(metric(w, "workload.web.pdb_blocked_evictions") == 1);
  CHECK(metric(w, "workload.web.pods_hard_killed") == 0);
}

TEST_CASE("pending pods make the autoscaler raise the node pool fleet's target", "[k8s]") {
  // 6 pods need 3 nodes; the fleet starts with 2. The first scan (10 s) asks for one more node,
  // which boots in 60 s; its two pods are Ready 30 s later.
  const CompiledScenario sc =
      compile(cluster(2, ", min: 2, max: 5", "replicas: 6, cpu: 1, memory: 1Gi, spot_tolerant: true, startup: 30s"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  CHECK(w.fleets()[0].target == 3);
  CHECK(metric(w, "k8s.nodes_added") == 1);
  CHECK(metric(w, "k8s.nodes_removed") == 0);
  CHECK(metric(w, "workload.web.pending_pods_max") == 2);
  CHECK(metric(w, "workload.web.pending_pods_mean") == Approx(2.0 * 70.0 / 7200.0));
  CHECK(metric(w, "workload.web.pod_hours_lost") == Approx(2.0 * 100.0 / 3600.0));
  CHECK(kubernetes_cluster(w)->ready(0) == 6);
}

TEST_CASE("the autoscaler stops at the node pool's max", "[k8s]") {
  const CompiledScenario sc =
      compile(cluster(2, ", min: 2, max: 5", "replicas: 20, cpu: 1, memory: 1Gi, spot_tolerant: true"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  CHECK(w.fleets()[0].target == 5);
  CHECK(metric(w, "k8s.nodes_added") == 3);
  CHECK(kubernetes_cluster(w)->pending(0) == 10);
}

TEST_CASE("the autoscaler removes nodes empty for the unneeded time down to min", "[k8s]") {
  const CompiledScenario sc =
      compile(cluster(4, ", min: 1, max: 4", "replicas: 2, cpu: 1, memory: 1Gi, spot_tolerant: true"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  w.run();
  CHECK(metric(w, "k8s.nodes_removed") == 2);
  CHECK(w.fleets()[0].target == 2);
  CHECK(w.fleets()[0].spot_active == 2);
  CHECK(metric(w, "workload.web.pods_hard_killed") == 0);
  CHECK(metric(w, "workload.web.availability_pct") == Approx(100.0));
}

TEST_CASE("a scale-up during a notice does not replace the noticed node twice", "[k8s]") {
  // 2 full nodes; node 0 gets a 2-minute notice; its pods (no PDB) go Pending, the autoscaler adds
  // one node, and the fleet replaces node 0 at its eviction: 3 VMs for a target of 3, not 4.
  const CompiledScenario sc =
      compile(cluster(2, ", min: 2, max: 6", "replicas: 4, cpu: 1, memory: 1Gi, spot_tolerant: true",
                      "  autoscaler: {scale_down: false}\n"));
  ReplicationModels w_models(sc, 0, kWithoutPoliciesOrChaos);
  World& w = w_models.world();
  NoticeAt notice(w, SimTime{Duration::hours(1).us}, 0, Duration::minutes(2));
  w.run();
  CHECK(metric(w, "k8s.nodes_added") == 1);
  CHECK(w.fleets()[0].target == 3);
  CHECK(w.fleets()[0].spot_active == 3);
  CHECK(kubernetes_cluster(w)->ready(0) == 4);
}

TEST_CASE("the k8s scenario is deterministic across thread counts", "[k8s]") {
  auto sc = load_scenario(SPOTSIM_SOURCE_DIR "/scenarios/k8s-spot-node-pool.yaml");
  REQUIRE(sc.is_ok());
  RunOptions one, two;
  one.threads = 1;
  two.threads = 2;
  one.replications = two.replications = 3;
  auto a = run_scenario(*sc, one);
  auto b = run_scenario(*sc, two);
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  CHECK(a->per_replication == b->per_replication);
  const int killed = a->metric_index("k8s.pods_hard_killed");
  REQUIRE(killed >= 0);
  // The autoscaler drains nodes above a lowered target: VMs above the target never lift a fleet's
  // availability over 100% (it was 100.06% when running VM-hours were compared with the target's).
  for (size_t m = 0; m < a->metrics.size(); ++m) {
    const std::string& name = a->metrics[m].name;
    const MetricKey& key = a->metrics[m].key;
    if (key.group != MetricGroup::kFleet || key.name != "availability_pct") continue;
    for (const auto& rep : a->per_replication) {
      INFO(name);
      CHECK(rep[m] <= 100.0);
      CHECK(rep[m] > 99.0);
    }
  }
}

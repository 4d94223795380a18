#pragma once
// The Kubernetes cluster of a scenario's `kubernetes:` section (docs/kubernetes.md): nodes are
// the running VMs of the node pools' fleets; deployments keep `replicas` pods each.
//
//  - A VM of a node pool's fleet that becomes running joins as a node (spot VMs carry the spot
//    taint); Pending pods are then scheduled (sim/model/k8s/scheduler.h) and become Ready after
//    the deployment's `startup`.
//  - On the provider's notice the node is cordoned and drained the way kubectl drain and the AWS
//    Node Termination Handler do: every pod is evicted through the PodDisruptionBudget check
//    (sim/model/k8s/disruption_budget.h); a refused eviction is retried every `drain_retry`. An
//    evicted pod terminates within its grace period while the ReplicaSet creates its replacement
//    at once (Pending, scheduled onto nodes with room).
//  - When the node disappears (eviction, or the fleet terminating the VM) every pod still bound
//    to it is killed hard and replaced; pods still in their grace period are cut short.
//  - The cluster autoscaler (sim/model/k8s/autoscaler.h) runs every scan interval: pending pods
//    raise node pool fleets' targets (World::submit, Command::scale) up to `max`; nodes empty for
//    `scale_down_unneeded_time` are removed down to `min`.
//
// Metrics: workload.<deployment>.* and k8s.* (docs/metrics.md). The model is deterministic (no
// random draws) and acts on the world only through World::submit.
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/model/k8s/scheduler.h"
#include "sim/model/metrics.h"
#include "sim/model/world.h"

namespace spotsim {

enum class K8sPodState : uint8_t { kPending = 0, kStarting, kReady };

class KubernetesCluster : public WorldComponent, public EventHandler, public WorldObserver {
 public:
  // REQUIRES: world.scenario().kubernetes.enabled.
  explicit KubernetesCluster(World& world);
  // Registers exactly the metrics the cluster of `spec` registers (its constructor does it
  // through this): workload.<deployment>.* for each deployment, then k8s.*.
  static void declare_metrics(const K8sSpec& spec, MetricSet& ms) { (void)declare(spec, ms); }
  void start(World& world) override;
  void finish(World& world) override;
  void handle(Engine& engine, const Event& event) override;
  void on_model_event(const World& world, const ModelEvent& event) override;

  // --- read-only views (tests, reports) --------------------------------------------------------
  // Nodes in the order they joined (cordoned ones included until their VM is gone).
  const std::vector<K8sNode>& nodes() const { return nodes_; }
  int64_t pending(uint32_t deployment) const { return deps_[deployment].pending; }
  int64_t ready(uint32_t deployment) const { return deps_[deployment].ready; }
  int64_t pending_total() const { return pending_total_; }
  // The node (VM serial) pod `pod` is bound to, or UINT32_MAX while Pending. Pods are numbered
  // deployment by deployment, replicas in order.
  uint32_t pod_node(uint32_t pod) const { return pods_[pod].node; }
  K8sPodState pod_state(uint32_t pod) const { return pods_[pod].state; }
  size_t pod_count() const { return pods_.size(); }

 private:
  enum Kind : uint16_t { kPodReady = 0, kDrainRetry = 1, kScan = 2 };
  struct Pod {
    uint32_t deployment = 0;
    K8sPodState state = K8sPodState::kPending;
    uint32_t node = UINT32_MAX;  // VM serial while bound
    uint32_t gen = 0;            // bumps on every state change (stale kPodReady events)
    int64_t lost_at_us = -1;     // when the pod it replaces was evicted or killed; -1 if none
    bool pdb_blocked = false;    // its eviction from the current node was refused at least once
    int64_t bound_us = 0;        // when it was bound to `node` (its run there, for /job_runs)
  };
  struct DeploymentMetrics {
    uint32_t pending, ready, pending_mean, pending_max, avail, lost, rs_mean, rs_p95, rs_max, reschedules, evictions,
        blocked, killed, cut;
  };
  struct ClusterMetrics {
    uint32_t pending_mean, pending_max, killed, blocked, lost, rs_mean, rs_p95, nodes_drained, nodes_added,
        nodes_removed;
  };
  struct MetricIds {
    std::vector<DeploymentMetrics> deployments;
    ClusterMetrics cluster{};
  };
  static MetricIds declare(const K8sSpec& spec, MetricSet& ms);
  struct Deployment {
    int64_t ready = 0, pending = 0;
    int64_t desired_healthy = 0;
    double ready_us = 0, pending_us = 0;  // integrals over time
    int64_t last_us = 0;
    int64_t pending_max = 0;
    LogHistogram reschedule;
    DeploymentMetrics m;
  };

  void integrate(Deployment& d);
  void set_counts(uint32_t deployment, int64_t d_ready, int64_t d_pending);
  int32_t node_index(uint32_t serial) const;
  void add_node(const ModelEvent& ev);
  void remove_node(uint32_t serial);
  void drain(uint32_t serial);
  // Tries to evict every pod on the node; schedules a retry if the PDB refused any.
  void drain_step(uint32_t serial);
  // `how` is the end of its run on the node (evicted by a drain, killed with the node).
  void unbind(uint32_t pod, int64_t lost_at_us, JobRunOutcome how);
  // Reports the pod's run on its current node to observers (WorldObserver::on_job_run).
  void emit_run(uint32_t pod, JobRunOutcome how);
  void bind(uint32_t pod, size_t node);
  void make_ready(uint32_t pod);
  void schedule_pending();
  void scan();
  void scale_up();
  void scale_down();

  World& world_;
  const K8sSpec& spec_;
  uint16_t self_;
  bool warm_ = false;                    // placing the initial pods at t=0: they are Ready at once
  std::vector<int32_t> pool_of_fleet_;   // fleet → node pool or -1
  std::vector<int32_t> node_of_serial_;  // VM serial → index in nodes_ or -1
  std::vector<K8sNode> nodes_;
  std::vector<Pod> pods_;
  std::vector<K8sPodShape> shapes_;  // per deployment
  std::vector<Deployment> deps_;
  std::vector<uint16_t> workload_of_dep_;  // deployment → index in /meta/workloads (metric order)
  std::vector<uint32_t> pending_queue_;    // pods to schedule, oldest first (stale entries skipped)
  int64_t pending_total_ = 0, pending_total_max_ = 0;
  LogHistogram reschedule_all_;
  ClusterMetrics m_{};
};

// Adds a KubernetesCluster to `world` if its scenario has a `kubernetes:` section.
void install_kubernetes(World& world);
// Registers in `ms` exactly the metrics install_kubernetes' cluster registers (none without
// `kubernetes:`), from the scenario alone.
void declare_kubernetes_metrics(const CompiledScenario& scenario, MetricSet& ms);
// The world's cluster, or nullptr.
KubernetesCluster* kubernetes_cluster(World& world);

}  // namespace spotsim

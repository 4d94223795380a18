#include "sim/model/k8s/cluster.h"

#include <algorithm>

#include "sim/model/k8s/autoscaler.h"
#include "sim/model/k8s/disruption_budget.h"

namespace spotsim {

KubernetesCluster::MetricIds KubernetesCluster::declare(const K8sSpec& spec, MetricSet& ms) {
  using U = MetricUnit;
  MetricIds ids;
  for (const K8sDeploymentSpec& ds : spec.deployments) {
    DeploymentMetrics& d = ids.deployments.emplace_back();
    const MetricOwner p{MetricGroup::kWorkload, ds.name};
    d.pending = ms.add(p + "pending_pods", U::kCount,
                       "gauge: pods Pending now (sampled in time series; at the end: when the run ended)");
    d.ready = ms.add(p + "ready_pods", U::kCount,
                     "gauge: pods Ready now (sampled in time series; at the end: when the run ended)");
    d.pending_mean =
        ms.add(p + suffixed("pending_pods", metric_suffix::kMean), U::kCount, "time-averaged number of Pending pods");
    d.pending_max = ms.add(p + suffixed("pending_pods", metric_suffix::kMax), U::kCount, "most pods Pending at once");
    d.avail = ms.add(p + "availability_pct", U::kPercent, "Ready pod-hours as a percentage of replicas × duration");
    d.lost = ms.add(p + "pod_hours_lost", U::kHours, "replicas × duration − Ready pod-hours");
    d.rs_mean = ms.add(p + "reschedule_time", U::kSeconds,
                       "mean time from a pod's eviction or kill to its replacement being Ready");
    d.rs_p95 = ms.add(p + suffixed("reschedule_time", metric_suffix::kP95), U::kSeconds,
                      "95th percentile of reschedule_time within the replication");
    d.rs_max = ms.add(p + suffixed("reschedule_time", metric_suffix::kMax), U::kSeconds,
                      "longest reschedule_time within the replication");
    d.reschedules = ms.add(p + "reschedules", U::kCount, "replacement pods that became Ready");
    d.evictions = ms.add(p + "evictions", U::kCount, "pods evicted by node drains (graceful, through the PDB)");
    d.blocked = ms.add(p + "pdb_blocked_evictions", U::kCount,
                       "pods whose eviction the PodDisruptionBudget refused at least once during a drain");
    d.killed = ms.add(p + "pods_hard_killed", U::kCount,
                      "pods still on a node when it disappeared (not drained within the notice)");
    d.cut = ms.add(p + "grace_cut_short", U::kCount,
                   "evicted pods whose node disappeared before their termination grace period ended");
  }
  ClusterMetrics& c = ids.cluster;
  c.pending_mean = ms.add(run_metric(MetricGroup::kK8s, suffixed("pending_pods", metric_suffix::kMean)), U::kCount,
                          "time-averaged number of Pending pods (all deployments)");
  c.pending_max = ms.add(run_metric(MetricGroup::kK8s, suffixed("pending_pods", metric_suffix::kMax)), U::kCount,
                         "most pods Pending at once (all deployments)");
  c.killed = ms.add(run_metric(MetricGroup::kK8s, "pods_hard_killed"), U::kCount,
                    "pods killed with their node (all deployments)");
  c.blocked = ms.add(run_metric(MetricGroup::kK8s, "pdb_blocked_evictions"), U::kCount,
                     "evictions refused by a PodDisruptionBudget (all deployments)");
  c.lost = ms.add(run_metric(MetricGroup::kK8s, "pod_hours_lost"), U::kHours, "pod-hours not Ready (all deployments)");
  c.rs_mean = ms.add(run_metric(MetricGroup::kK8s, "reschedule_time"), U::kSeconds,
                     "mean pod reschedule time (all deployments)");
  c.rs_p95 = ms.add(run_metric(MetricGroup::kK8s, suffixed("reschedule_time", metric_suffix::kP95)), U::kSeconds,
                    "95th percentile pod reschedule time (all deployments)");
  c.nodes_drained =
      ms.add(run_metric(MetricGroup::kK8s, "nodes_drained"), U::kCount, "nodes cordoned and drained on a notice");
  c.nodes_added = ms.add(run_metric(MetricGroup::kK8s, "nodes_added"), U::kCount,
                         "nodes the cluster autoscaler asked for (scale-up)");
  c.nodes_removed = ms.add(run_metric(MetricGroup::kK8s, "nodes_removed"), U::kCount,
                           "empty nodes the cluster autoscaler removed (scale-down)");
  return ids;
}

KubernetesCluster::KubernetesCluster(World& world) : world_(world), spec_(world.scenario().kubernetes) {
  self_ = world.engine().add_handler(this);
  world.signals().add_listener(this);
  const CompiledScenario& sc = world.scenario();
  pool_of_fleet_.assign(sc.fleets.size(), -1);
  for (size_t i = 0; i < spec_.node_pools.size(); ++i)
    pool_of_fleet_[spec_.node_pools[i].fleet] = static_cast<int32_t>(i);

  MetricSet& ms = world.mutable_metrics();
  const MetricIds ids = declare(spec_, ms);
  deps_.resize(spec_.deployments.size());
  for (uint32_t di = 0; di < spec_.deployments.size(); ++di) {
    const K8sDeploymentSpec& ds = spec_.deployments[di];
    Deployment& d = deps_[di];
    d.desired_healthy = pdb_desired_healthy(ds.pdb, ds.replicas);
    shapes_.push_back(K8sPodShape{ds.request, ds.spot_tolerant, ds.node_pool_mask});
    d.m = ids.deployments[di];
    for (int64_t r = 0; r < ds.replicas; ++r) {
      Pod pod;
      pod.deployment = di;
      pods_.push_back(pod);
    }
  }
  m_ = ids.cluster;
  // Pod runs name their deployment as a workload: its index among the workloads in the order their
  // "workload.<name>." metrics were registered, as the HDF5 writer's /meta/workloads.
  const std::vector<std::string> names = metric_owners(ms.defs(), MetricGroup::kWorkload);
  for (const K8sDeploymentSpec& ds : spec_.deployments) {
    const auto it = std::find(names.begin(), names.end(), ds.name);
    workload_of_dep_.push_back(it == names.end() ? UINT16_MAX : static_cast<uint16_t>(it - names.begin()));
  }
}

// --- bookkeeping --------------------------------------------------------------------------------

void KubernetesCluster::integrate(Deployment& d) {
  const int64_t now = world_.now().us;
  const double dt = static_cast<double>(now - d.last_us);
  d.ready_us += dt * static_cast<double>(d.ready);
  d.pending_us += dt * static_cast<double>(d.pending);
  d.last_us = now;
}

void KubernetesCluster::set_counts(uint32_t di, int64_t d_ready, int64_t d_pending) {
  Deployment& d = deps_[di];
  integrate(d);
  d.ready += d_ready;
  d.pending += d_pending;
  pending_total_ += d_pending;
  d.pending_max = std::max(d.pending_max, d.pending);
  pending_total_max_ = std::max(pending_total_max_, pending_total_);
  MetricSet& ms = world_.mutable_metrics();
  ms[d.m.pending] = static_cast<double>(d.pending);
  ms[d.m.ready] = static_cast<double>(d.ready);
}

int32_t KubernetesCluster::node_index(uint32_t serial) const {
  return serial < node_of_serial_.size() ? node_of_serial_[serial] : -1;
}

// --- pods -----------------------------------------------------------------------------------------

void KubernetesCluster::bind(uint32_t p, size_t ni) {
  Pod& pod = pods_[p];
  K8sNode& n = nodes_[ni];
  const K8sResources& req = shapes_[pod.deployment].request;
  n.requested.cpu_m += req.cpu_m;
  n.requested.memory += req.memory;
  n.pods.push_back(p);
  pod.node = n.serial;
  pod.bound_us = world_.now().us;
  pod.gen++;
  const Duration startup = spec_.deployments[pod.deployment].startup;
  if (warm_ || startup.us <= 0) {
    pod.state = K8sPodState::kStarting;
    set_counts(pod.deployment, 0, -1);
    make_ready(p);
    return;
  }
  pod.state = K8sPodState::kStarting;
  set_counts(pod.deployment, 0, -1);
  world_.engine().schedule_in(startup, self_, kPodReady, p, pod.gen);
}

void KubernetesCluster::make_ready(uint32_t p) {
  Pod& pod = pods_[p];
  pod.state = K8sPodState::kReady;
  pod.gen++;
  set_counts(pod.deployment, +1, 0);
  if (pod.lost_at_us >= 0 && !warm_) {
    const double t = static_cast<double>(world_.now().us - pod.lost_at_us) * 1e-6;
    Deployment& d = deps_[pod.deployment];
    d.reschedule.add(t);
    reschedule_all_.add(t);
    world_.mutable_metrics()[d.m.reschedules] += 1;
  }
  pod.lost_at_us = -1;
}

void KubernetesCluster::emit_run(uint32_t p, JobRunOutcome how) {
  const Pod& pod = pods_[p];
  if (!world_.signals().has_observers() || pod.node == UINT32_MAX) return;
  const int32_t ni = node_index(pod.node);
  JobRunSignal r;
  r.job = p;
  r.workload = workload_of_dep_[pod.deployment];
  r.fleet =
      ni < 0 ? UINT16_MAX : static_cast<uint16_t>(spec_.node_pools[nodes_[static_cast<size_t>(ni)].node_pool].fleet);
  r.vm = pod.node;
  r.outcome = how;
  r.start = static_cast<double>(pod.bound_us) * 1e-6;
  r.end = world_.now().to_seconds();
  world_.signals().emit_job_run(r);
}

void KubernetesCluster::unbind(uint32_t p, int64_t lost_at_us, JobRunOutcome how) {
  emit_run(p, how);
  Pod& pod = pods_[p];
  const int32_t ni = node_index(pod.node);
  if (ni >= 0) {
    K8sNode& n = nodes_[static_cast<size_t>(ni)];
    const K8sResources& req = shapes_[pod.deployment].request;
    n.requested.cpu_m -= req.cpu_m;
    n.requested.memory -= req.memory;
    n.pods.erase(std::find(n.pods.begin(), n.pods.end(), p));
    if (n.pods.empty()) n.empty_since_us = world_.now().us;
  }
  // A replacement lost again before it was Ready keeps the time of the first loss.
  if (pod.state == K8sPodState::kReady || pod.lost_at_us < 0) pod.lost_at_us = lost_at_us;
  set_counts(pod.deployment, pod.state == K8sPodState::kReady ? -1 : 0, +1);
  pod.state = K8sPodState::kPending;
  pod.node = UINT32_MAX;
  pod.gen++;
  pod.pdb_blocked = false;
  pending_queue_.push_back(p);
}

void KubernetesCluster::schedule_pending() {
  if (pending_queue_.empty()) return;
  std::vector<uint32_t> still;
  still.reserve(pending_queue_.size());
  for (uint32_t p : pending_queue_) {
    if (pods_[p].state != K8sPodState::kPending) continue;
    const int32_t ni = k8s_pick_node(nodes_, shapes_[pods_[p].deployment], spec_.scheduler);
    if (ni < 0) {
      still.push_back(p);
    } else {
      bind(p, static_cast<size_t>(ni));
    }
  }
  pending_queue_.swap(still);
}

// --- nodes ----------------------------------------------------------------------------------------

void KubernetesCluster::add_node(const ModelEvent& ev) {
  const int32_t np = pool_of_fleet_[ev.fleet];
  K8sNode n;
  n.serial = ev.vm;
  n.node_pool = static_cast<uint32_t>(np);
  n.spot = ev.purchase == Purchase::kSpot;
  n.allocatable = spec_.node_pools[static_cast<size_t>(np)].by_pool[ev.pool];
  n.empty_since_us = world_.now().us;
  if (ev.vm >= node_of_serial_.size())
    node_of_serial_.resize(std::max<size_t>(ev.vm + 1, node_of_serial_.size() * 2), -1);
  node_of_serial_[ev.vm] = static_cast<int32_t>(nodes_.size());
  nodes_.push_back(std::move(n));
}

void KubernetesCluster::remove_node(uint32_t serial) {
  const int32_t ni = node_index(serial);
  if (ni < 0) return;
  const int64_t now = world_.now().us;
  MetricSet& ms = world_.mutable_metrics();
  for (const auto& [until, dep] : nodes_[static_cast<size_t>(ni)].terminating) {
    if (until > now) ms[deps_[dep].m.cut] += 1;
  }
  const std::vector<uint32_t> victims = nodes_[static_cast<size_t>(ni)].pods;
  for (uint32_t p : victims) {
    ms[deps_[pods_[p].deployment].m.killed] += 1;
    ms[m_.killed] += 1;
    unbind(p, now, JobRunOutcome::kKilled);
  }
  nodes_.erase(nodes_.begin() + ni);
  node_of_serial_[serial] = -1;
  for (size_t i = static_cast<size_t>(ni); i < nodes_.size(); ++i)
    node_of_serial_[nodes_[i].serial] = static_cast<int32_t>(i);
  schedule_pending();
}

void KubernetesCluster::drain(uint32_t serial) {
  const int32_t ni = node_index(serial);
  if (ni < 0) return;
  nodes_[static_cast<size_t>(ni)].schedulable = false;  // cordon
  world_.mutable_metrics()[m_.nodes_drained] += 1;
  drain_step(serial);
}

void KubernetesCluster::drain_step(uint32_t serial) {
  const int32_t ni = node_index(serial);
  if (ni < 0) return;
  const int64_t now = world_.now().us;
  MetricSet& ms = world_.mutable_metrics();
  const std::vector<uint32_t> on_node = nodes_[static_cast<size_t>(ni)].pods;
  bool blocked = false;
  for (uint32_t p : on_node) {
    Pod& pod = pods_[p];
    Deployment& d = deps_[pod.deployment];
    if (!pdb_allows_eviction(pod.state == K8sPodState::kReady, d.ready, d.desired_healthy)) {
      if (!pod.pdb_blocked) {
        pod.pdb_blocked = true;
        ms[d.m.blocked] += 1;
        ms[m_.blocked] += 1;
      }
      blocked = true;
      continue;
    }
    const Duration grace = spec_.deployments[pod.deployment].grace;
    if (grace.us > 0) nodes_[static_cast<size_t>(ni)].terminating.emplace_back(now + grace.us, pod.deployment);
    ms[d.m.evictions] += 1;
    unbind(p, now, JobRunOutcome::kEvicted);
    schedule_pending();  // the ReplicaSet's replacement, onto a node with room
  }
  K8sNode& n = nodes_[static_cast<size_t>(ni)];
  if (blocked && !n.drain_retry_pending) {
    n.drain_retry_pending = true;
    world_.engine().schedule_in(spec_.drain_retry, self_, kDrainRetry, serial, 0);
  }
}

// --- cluster autoscaler ---------------------------------------------------------------------------

void KubernetesCluster::scale_up() {
  if (pending_total_ == 0) return;
  std::vector<K8sPodShape> pending;
  for (uint32_t p : pending_queue_) {
    if (pods_[p].state == K8sPodState::kPending) pending.push_back(shapes_[pods_[p].deployment]);
  }
  const CompiledScenario& sc = world_.scenario();
  std::vector<K8sScaleUpGroup> groups;
  for (uint32_t i = 0; i < spec_.node_pools.size(); ++i) {
    const K8sNodePoolSpec& np = spec_.node_pools[i];
    const FleetState& fs = world_.fleets()[np.fleet];
    K8sScaleUpGroup g;
    g.node_pool = i;
    g.node = np.node;
    g.spot = sc.fleets[np.fleet].on_demand_above_base < 1.0;
    // Nodes launched (or about to be) that have not joined yet. A node under notice is not
    // upcoming capacity even though the fleet will replace it: its pods need room now.
    g.upcoming = fs.booting + fs.waiting;
    g.headroom = std::max<int64_t>(0, np.max_nodes - fs.target);
    groups.push_back(g);
  }
  const std::vector<int64_t> add = k8s_plan_scale_up(pending, groups);
  for (size_t i = 0; i < add.size(); ++i) {
    if (add[i] <= 0) continue;
    const uint32_t fleet = spec_.node_pools[i].fleet;
    world_.submit(fleet, Commands{Command::scale(fleet, world_.fleets()[fleet].target + add[i])});
    world_.mutable_metrics()[m_.nodes_added] += static_cast<double>(add[i]);
  }
}

void KubernetesCluster::scale_down() {
  const int64_t now = world_.now().us;
  for (uint32_t i = 0; i < spec_.node_pools.size(); ++i) {
    const K8sNodePoolSpec& np = spec_.node_pools[i];
    if (np.min_nodes >= np.max_nodes) continue;  // not autoscaled
    int64_t target = world_.fleets()[np.fleet].target;
    // Only when the fleet is exactly at its target: removing a node then lowers both by one and
    // the fleet's own reconciliation has nothing else to do.
    if (world_.fleet_serving(np.fleet) != target) continue;
    for (size_t k = nodes_.size(); k-- > 0 && target > np.min_nodes;) {
      K8sNode& n = nodes_[k];
      if (n.node_pool != i || !n.schedulable || !n.pods.empty()) continue;
      if (now - n.empty_since_us < spec_.autoscaler.scale_down_unneeded.us) continue;
      bool terminating = false;
      for (const auto& t : n.terminating) terminating = terminating || t.first > now;
      if (terminating) continue;
      uint32_t slot = UINT32_MAX;
      const auto& vms = world_.vms();
      for (uint32_t s = 0; s < vms.size(); ++s) {
        if (vms[s].serial == n.serial && vms[s].state != VmState::kFree) slot = s;
      }
      if (slot == UINT32_MAX) continue;
      n.schedulable = false;
      --target;
      world_.submit(np.fleet,
                    Commands{Command::drain(np.fleet, VmId{slot, n.serial}), Command::scale(np.fleet, target)});
      world_.mutable_metrics()[m_.nodes_removed] += 1;
    }
  }
}

void KubernetesCluster::scan() {
  scale_up();
  if (pending_total_ == 0 && spec_.autoscaler.scale_down) scale_down();
}

// --- events ---------------------------------------------------------------------------------------

void KubernetesCluster::on_model_event(const World&, const ModelEvent& ev) {
  if (ev.vm == UINT32_MAX || ev.fleet >= pool_of_fleet_.size() || pool_of_fleet_[ev.fleet] < 0) return;
  switch (ev.kind) {
    case ModelEventKind::kRunning:
      add_node(ev);
      schedule_pending();
      break;
    case ModelEventKind::kNotice: drain(ev.vm); break;
    case ModelEventKind::kEviction:
    case ModelEventKind::kTerminate: remove_node(ev.vm); break;
    default: break;
  }
}

void KubernetesCluster::handle(Engine&, const Event& e) {
  switch (e.kind) {
    case kPodReady:
      if (e.a < pods_.size() && pods_[e.a].gen == e.b && pods_[e.a].state == K8sPodState::kStarting) make_ready(e.a);
      break;
    case kDrainRetry: {
      const int32_t ni = node_index(e.a);
      if (ni < 0) break;
      nodes_[static_cast<size_t>(ni)].drain_retry_pending = false;
      drain_step(e.a);
      break;
    }
    case kScan:
      scan();
      if (world_.now().us + spec_.autoscaler.scan_interval.us <= world_.scenario().duration.us) {
        world_.engine().schedule_in(spec_.autoscaler.scan_interval, self_, kScan, 0, 0, Priority::kLow);
      }
      break;
    default: break;
  }
}

void KubernetesCluster::start(World&) {
  for (uint32_t p = 0; p < pods_.size(); ++p) {
    pending_queue_.push_back(p);
    set_counts(pods_[p].deployment, 0, +1);
  }
  warm_ = true;  // the cluster starts settled: pods that fit at t=0 are Ready at once
  schedule_pending();
  warm_ = false;
  for (Deployment& d : deps_) d.pending_max = d.pending;  // not the instant before placement
  pending_total_max_ = pending_total_;
  if (spec_.autoscaling()) {
    world_.engine().schedule_in(spec_.autoscaler.scan_interval, self_, kScan, 0, 0, Priority::kLow);
  }
}

void KubernetesCluster::finish(World&) {
  for (uint32_t p = 0; p < pods_.size(); ++p) emit_run(p, JobRunOutcome::kUnfinished);
  MetricSet& ms = world_.mutable_metrics();
  const double dur_us = static_cast<double>(world_.scenario().duration.us);
  double pending_us = 0, lost_h = 0;
  for (uint32_t di = 0; di < deps_.size(); ++di) {
    Deployment& d = deps_[di];
    integrate(d);
    const double want_us = static_cast<double>(spec_.deployments[di].replicas) * dur_us;
    ms[d.m.pending_mean] = dur_us > 0 ? d.pending_us / dur_us : 0.0;
    ms[d.m.pending_max] = static_cast<double>(d.pending_max);
    ms[d.m.avail] = want_us > 0 ? 100.0 * d.ready_us / want_us : 100.0;
    ms[d.m.lost] = std::max(0.0, (want_us - d.ready_us) / 3.6e9);
    ms[d.m.rs_mean] = d.reschedule.mean();
    ms[d.m.rs_p95] = d.reschedule.quantile(0.95);
    ms[d.m.rs_max] = d.reschedule.max();
    ms[d.m.pending] = static_cast<double>(d.pending);
    ms[d.m.ready] = static_cast<double>(d.ready);
    pending_us += d.pending_us;
    lost_h += ms[d.m.lost];
  }
  ms[m_.pending_mean] = dur_us > 0 ? pending_us / dur_us : 0.0;
  ms[m_.pending_max] = static_cast<double>(pending_total_max_);
  ms[m_.lost] = lost_h;
  ms[m_.rs_mean] = reschedule_all_.mean();
  ms[m_.rs_p95] = reschedule_all_.quantile(0.95);
}

// --- installation ---------------------------------------------------------------------------------

void declare_kubernetes_metrics(const CompiledScenario& scenario, MetricSet& ms) {
  if (scenario.kubernetes.enabled) KubernetesCluster::declare_metrics(scenario.kubernetes, ms);
}

void install_kubernetes(World& world) {
  if (!world.scenario().kubernetes.enabled) return;
  world.add_component(std::make_unique<KubernetesCluster>(world));
}

KubernetesCluster* kubernetes_cluster(World& world) {
  for (const auto& c : world.components()) {
    if (auto* k = dynamic_cast<KubernetesCluster*>(c.get())) return k;
  }
  return nullptr;
}

}  // namespace spotsim

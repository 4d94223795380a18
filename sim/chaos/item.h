#pragma once
// One chaos item at run time: the base class every kind (storm.cpp, cliff.cpp, ...) derives from.
//
// The runtime (runtime.h) calls begin() at each occurrence and end() when an occurrence's effect
// window closes (items with a duration; windows of one item may overlap, depth() counts them).
// Items act on the world only through its public verbs, schedule their own timers through
// schedule(), draw random numbers only from their own stream rng() ("chaos.<index>"), and count
// into their own metrics chaos.<name>.*.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/chaos/scope.h"
#include "sim/core/rng.h"
#include "sim/model/metrics.h"
#include "sim/scenario/chaos_spec.h"

namespace spotsim {

class World;
class ChaosRuntime;

class ChaosItem {
 public:
  ChaosItem(ChaosRuntime& runtime, World& world, const ChaosSpec& spec, uint32_t index);
  virtual ~ChaosItem() = default;

  const ChaosSpec& spec() const { return spec_; }
  uint32_t index() const { return index_; }
  // Open effect windows of this item (0 = inactive).
  int depth() const { return depth_; }
  // How long an occurrence stays active: the item's duration (default: the rest of the run);
  // 0 for instantaneous items such as storms.
  virtual Duration active_for() const;
  // How long an occurrence shows as an interval (a storm: its window and waves).
  virtual Duration span() const { return active_for(); }

  virtual void begin() = 0;
  virtual void end() {}
  virtual void on_timer(uint16_t tag, uint64_t payload) {}

  // Fault queries (only asked while depth() > 0).
  virtual bool lose_notice(uint32_t slot) { return false; }
  virtual bool fail_boot(uint32_t slot) { return false; }
  virtual bool admit_launch(uint32_t fleet, uint32_t pool) { return true; }
  // Whether this kind answers any fault query (the runtime installs itself as the injector).
  virtual bool injects_faults() const { return false; }

 protected:
  friend class ChaosRuntime;
  // The id of the kind's i-th metric (chaos_kind_metrics(kind)[i]), registered by the constructor.
  uint32_t kind_metric(size_t i) const;
  void add(uint32_t metric, double v);
  double value(uint32_t metric) const;
  // A timer for this item at `t` (Priority::kChaos); on_timer(tag, payload) runs then.
  void schedule(SimTime t, uint16_t tag, uint64_t payload = 0);
  Rng& rng() { return rng_; }

  ChaosRuntime& runtime_;
  World& world_;
  const ChaosSpec& spec_;
  uint32_t index_;
  ScopeSelector scope_;
  int depth_ = 0;
  uint32_t m_occurrences_ = 0;

 private:
  Rng rng_;
  std::vector<uint32_t> metric_ids_;  // chaos.<name>.occurrences, then the kind's metrics
};

// A metric of a chaos kind: chaos.<item name>.<suffix>.
struct ChaosMetricDecl {
  const char* suffix;
  MetricUnit unit;
  const char* help;
};
// The metrics an item of `kind` has besides chaos.<name>.occurrences, in registration order.
std::vector<ChaosMetricDecl> chaos_kind_metrics(ChaosKind kind);
// Registers the item's metrics (occurrences first, then chaos_kind_metrics) from its spec alone;
// returns their ids. Every ChaosItem registers its metrics through this.
std::vector<uint32_t> declare_chaos_item_metrics(const ChaosSpec& spec, MetricSet& ms);

// The item for `spec` (one class per kind, in its own file).
std::unique_ptr<ChaosItem> make_chaos_item(ChaosRuntime& runtime, World& world, const ChaosSpec& spec, uint32_t index);

}  // namespace spotsim

#include "sim/scenario/provider_keys.h"

#include <algorithm>

#include "sim/scenario/dist_reader.h"

namespace spotsim {

void compile_pool_provider_keys(MapReader& r, PoolSpec& p) {
  ParseContext& ctx = r.ctx();
  const ProviderTraits& traits = provider_traits(p.provider);
  const std::string provider(traits.name);
  if (p.notice.us > 0 && p.notice < traits.minimum_notice) {
    ctx.error(r.get("notice"), r.child_path("notice"),
              provider + " gives at least " + std::to_string(traits.minimum_notice.us / 1'000'000) +
                  "s of notice; write 0s for no notice at all, or a longer notice");
  }
  r.money("disk_cost", p.disk_cost);
  p.restart = provider_restarts(traits, p.action);
  const bool has_restart = r.boolean("restart", p.restart);
  const bool has_after = read_duration_dist(r, "restart_after", p.restart_after, false, /*positive=*/false);
  if ((has_restart && p.restart) || has_after) {
    if (!eviction_keeps_vm(p.action)) {
      ctx.error(r.get(has_restart ? "restart" : "restart_after"),
                r.child_path(has_restart ? "restart" : "restart_after"),
                "only a VM that the eviction keeps can restart; eviction_action is " +
                    std::string(eviction_action_name(p.action)) + " (use stop, hibernate or deallocate)");
    }
  }
  if (const YAML::Node rb = r.value("rebalance"); rb && !traits.rebalance_recommendation) {
    ctx.error(rb, r.child_path("rebalance"), "rebalance recommendations are an AWS signal; " + provider + " has none");
  } else if (auto br = r.section("rebalance")) {
    p.rebalance = true;
    br->fraction("probability", p.rebalance_probability, true);
    read_duration_dist(*br, "lead", p.rebalance_lead, true, /*positive=*/false);
    br->finish();
  }
  ProvisioningModel model = p.provisioning;
  if (r.choice("provisioning_model", model, kProvisioningModels)) {
    if (traits.preemptible_max_lifetime.us <= 0) {
      ctx.error(r.get("provisioning_model"), r.child_path("provisioning_model"),
                "the preemptible provisioning model is GCP's; " + provider + " pools are spot");
    } else {
      p.provisioning = model;
    }
  }
}

void compile_fleet_boot_keys(MapReader& r, FleetSpec& f) {
  if (read_duration_dist(r, "boot_time", f.boot_dist, false, /*positive=*/false)) {
    f.boot_time = Duration{static_cast<int64_t>(f.boot_dist.mean() * 1e6 + 0.5)};
  }
  if (r.fraction("boot_failure", f.boot_failure) && f.boot_failure >= 1.0) {
    r.ctx().error(r.get("boot_failure"), r.child_path("boot_failure"),
                  "must be below 100% (every boot would fail and the fleet would retry forever)");
    f.boot_failure = 0;
  }
}

void compile_fleet_eviction_type(MapReader& r, FleetSpec& f, const CompiledScenario& sc) {
  ParseContext& ctx = r.ctx();
  f.eviction_type = f.max_price > 0 ? EvictionType::kPriceOrCapacity : EvictionType::kCapacityOnly;
  if (!r.choice("eviction_type", f.eviction_type, kEvictionTypes)) return;
  if (f.eviction_type != EvictionType::kPriceOrCapacity) return;
  const std::string path = r.child_path("eviction_type");
  if (f.max_price <= 0) {
    ctx.error(r.get("eviction_type"), path,
              "price-or-capacity needs a max_price (the price above which VMs are evicted)");
    return;
  }
  for (uint32_t pi : f.pools) {
    const ProviderTraits& t = provider_traits(sc.pools[pi].provider);
    if (std::find(t.eviction_types.begin(), t.eviction_types.end(), EvictionType::kPriceOrCapacity) ==
        t.eviction_types.end()) {
      ctx.error(r.get("eviction_type"), path,
                "pool \"" + sc.pools[pi].name + "\" is " + std::string(t.name) +
                    ", which evicts only for capacity (use capacity-only)");
      return;
    }
  }
}

}  // namespace spotsim

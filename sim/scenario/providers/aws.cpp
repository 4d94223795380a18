// AWS EC2 Spot: the provider table's row. Sources (docs/providers.md):
//  - "Spot Instance interruption notices": a two-minute warning (`spot/instance-action`).
//  - "EC2 instance rebalance recommendations": a signal of elevated interruption risk that can come
//    sooner than the two-minute notice, or together with it (best effort).
//  - "Behavior of Spot Instance interruptions": terminate (default), stop or hibernate; stop and
//    hibernate need a persistent request (fleets: type maintain), and for a persistent request
//    Amazon EC2 restarts the stopped instance when capacity is available in the same zone for the
//    same instance type. EBS volumes stay (and are billed) while the instance is stopped.
//  - "Billing for interrupted Spot Instances": not charged if AWS interrupts in the first
//    instance-hour; per-second billing with a 60-second minimum (Linux).
//  - "Spot Instance interruptions": reasons are capacity, or price when the request has a max
//    price above which the instance is interrupted.
#include "sim/scenario/provider.h"

namespace spotsim {

const ProviderTraits& aws_traits() {
  static const ProviderTraits kAws{
      Provider::kAws,
      "aws",
      "instance-action",
      Duration::seconds(120),
      Duration{0},
      Duration::seconds(1),
      Duration::seconds(60),
      /*free_first_hour_if_interrupted=*/true,
      /*rebalance_recommendation=*/true,
      EvictionAction::kTerminate,
      {EvictionAction::kTerminate, EvictionAction::kStop, EvictionAction::kHibernate},
      {EvictionAction::kStop, EvictionAction::kHibernate},
      {EvictionType::kCapacityOnly, EvictionType::kPriceOrCapacity},
      Duration{0},
  };
  return kAws;
}

}  // namespace spotsim

#include <catch2/catch.hpp>

#include "sim/scenario/provider.h"

using namespace spotsim;

TEST_CASE("provider table: notices and default eviction actions", "[provider]") {
  CHECK(provider_traits(Provider::kAws).notice == Duration::seconds(120));
  CHECK(provider_traits(Provider::kAzure).notice == Duration::seconds(30));
  CHECK(provider_traits(Provider::kGcp).notice == Duration::seconds(30));
  CHECK(provider_traits(Provider::kAws).default_action == EvictionAction::kTerminate);
  CHECK(provider_traits(Provider::kAzure).default_action == EvictionAction::kDeallocate);
  CHECK(provider_traits(Provider::kGcp).default_action == EvictionAction::kStop);
  CHECK(provider_from_name("gcp") == Provider::kGcp);
  CHECK_FALSE(provider_from_name("ibm").has_value());
}

TEST_CASE("billing on AWS is per second with a 60 s minimum and the first hour free when AWS interrupts",
          "[provider]") {
  const auto& aws = provider_traits(Provider::kAws);
  CHECK(billed_cost(aws, Duration::seconds(30), 3.6, true, false) == Approx(0.06));   // 60 s minimum
  CHECK(billed_cost(aws, Duration::seconds(61), 3.6, true, false) == Approx(0.061));  // per second
  CHECK(billed_cost(aws, Duration::minutes(59), 3.6, true, true) == 0.0);             // interrupted in hour 1
  CHECK(billed_cost(aws, Duration::minutes(59), 3.6, false, true) == Approx(3.54));   // on-demand: billed
  CHECK(billed_cost(aws, Duration::minutes(61), 3.6, true, true) == Approx(3.66));
}

TEST_CASE("billing on Azure is per minute and on GCP per second with a 1 minute minimum", "[provider]") {
  const auto& az = provider_traits(Provider::kAzure);
  const auto& gcp = provider_traits(Provider::kGcp);
  CHECK(billed_cost(az, Duration::seconds(61), 0.6, true, true) == Approx(0.02));  // 2 minutes
  CHECK(billed_cost(gcp, Duration::seconds(61), 3.6, true, true) == Approx(0.061));
  CHECK(billed_cost(gcp, Duration::seconds(10), 3.6, true, true) == Approx(0.06));
}

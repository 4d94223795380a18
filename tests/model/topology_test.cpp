#include <catch2/catch.hpp>

#include "sim/scenario/scenario.h"
#include "sim/scenario/topology.h"

using namespace spotsim;

namespace {

PoolSpec pool(const std::string& name, Provider provider, const std::string& region, const std::string& zone,
              const std::string& type) {
  PoolSpec p;
  p.name = name;
  p.provider = provider;
  p.region = region;
  p.zone = zone;
  p.instance_type = type;
  return p;
}

std::vector<PoolSpec> pools() {
  return {pool("m5-1a", Provider::kAws, "us-east-1", "us-east-1a", "m5.xlarge"),
          pool("m5-1b", Provider::kAws, "us-east-1", "us-east-1b", "m5.2xlarge"),
          pool("c5-1a", Provider::kAws, "us-east-1", "us-east-1a", "c5.xlarge"),
          pool("m5-w2", Provider::kAws, "us-west-2", "us-west-2a", "m5.xlarge"),
          pool("n2-c1", Provider::kGcp, "us-central1", "us-central1-a", "n2-standard-4"),
          // The same region name under another provider is another region vertex.
          pool("d4-e1", Provider::kAzure, "us-east-1", "us-east-1", "Standard_D4s_v3")};
}

}  // namespace

TEST_CASE("topology: provider region zone and pool vertices with one edge per parent", "[topology]") {
  const Topology t(pools());
  // root + 3 providers + 4 regions (aws us-east-1, aws us-west-2, gcp us-central1, azure us-east-1)
  // + 5 zones + 6 pools.
  CHECK(boost::num_vertices(t.graph()) == 1 + 3 + 4 + 5 + 6);
  CHECK(boost::num_edges(t.graph()) == 3 + 4 + 5 + 6);
  CHECK(t.pool_count() == 6);
  CHECK(t.graph()[t.pool_vertex(2)].name == "c5-1a");
  CHECK(t.graph()[t.pool_vertex(2)].level == TopoLevel::kPool);
  CHECK(t.pools_below(t.root()) == std::vector<uint32_t>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("topology select: each key returns the pool set below or matching it", "[topology]") {
  const Topology t(pools());
  using V = std::vector<uint32_t>;
  CHECK(t.select(TopoKey::kProvider, "aws") == V{0, 1, 2, 3});
  CHECK(t.select(TopoKey::kRegion, "us-east-1") == V{0, 1, 2, 5});  // both providers' us-east-1
  CHECK(t.select(TopoKey::kZone, "us-east-1a") == V{0, 2});
  CHECK(t.select(TopoKey::kInstanceFamily, "m5") == V{0, 1, 3});
  CHECK(t.select(TopoKey::kInstanceFamily, "n2") == V{4});
  CHECK(t.select(TopoKey::kInstanceFamily, "Standard_D4s_v3") == V{5});
  CHECK(t.select(TopoKey::kInstanceType, "m5.xlarge") == V{0, 3});
  CHECK(t.select(TopoKey::kPool, "c5-1a") == V{2});
  CHECK(t.select(TopoKey::kZone, "nowhere").empty());
  // Terms intersect; values within a term unite.
  CHECK(t.select({{TopoKey::kRegion, {"us-east-1"}}, {TopoKey::kInstanceFamily, {"m5"}}}) == V{0, 1});
  CHECK(t.select({{TopoKey::kProvider, {"aws"}}, {TopoKey::kRegion, {"us-east-1"}}}) == V{0, 1, 2});
  CHECK(t.select({{TopoKey::kZone, {"us-east-1a", "us-west-2a"}}}) == V{0, 2, 3});
  CHECK(t.select({}) == V{0, 1, 2, 3, 4, 5});
  CHECK(t.select_mask({{TopoKey::kPool, {"m5-1b"}}}) == std::vector<char>{0, 1, 0, 0, 0, 0});
}

TEST_CASE("topology values and attributes for messages", "[topology]") {
  const Topology t(pools());
  CHECK(t.values(TopoKey::kProvider) == std::vector<std::string>{"aws", "azure", "gcp"});
  CHECK(t.values(TopoKey::kRegion) == std::vector<std::string>{"us-central1", "us-east-1", "us-west-2"});
  CHECK(t.attribute(1, TopoKey::kInstanceFamily) == "m5");
  CHECK(t.attribute(4, TopoKey::kZone) == "us-central1-a");
  CHECK(instance_family("m5.xlarge") == "m5");
  CHECK(instance_family("n2-standard-4") == "n2");
  CHECK(instance_family("Standard_D4s_v3") == "Standard_D4s_v3");
}

TEST_CASE("compiled scenarios carry their topology", "[topology]") {
  const auto r = compile_scenario(
      "spotsim: 1\nname: t\nduration: 1h\n"
      "pools:\n"
      "  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.large, spot_price: 0.05, "
      "on_demand_price: 0.1, capacity: 5}\n"
      "  b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: m5.large, spot_price: 0.05, "
      "on_demand_price: 0.1, capacity: 5}\n"
      "fleets:\n  f: {pools: [a, b], target: 2}\n",
      "t.yaml");
  REQUIRE(r.is_ok());
  REQUIRE(r->topology);
  CHECK(r->topology->select(TopoKey::kZone, "us-east-1b") == std::vector<uint32_t>{1});
}

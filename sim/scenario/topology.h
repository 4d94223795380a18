#pragma once
// The capacity topology of a scenario as a graph (Boost.Graph): provider → region → zone → pool,
// where a pool is one instance type in one zone (a "capacity pool" in AWS's terms). Built once
// from the compiled pools; chaos scopes, `regions:` and metrics select pool sets on it.
//
// Selection keys (the same words as the scenario's `scope:` keys, docs/chaos.md):
//   provider, region, zone        a vertex of that level; every pool below it is selected
//   instance_family, instance_type, pool
//                                 attributes of the pool vertices
// select() of several terms intersects them; a term with several values unites its values.
//
// Part of the scenario library (the scenario compiler and chaos scopes use it); needs only PoolSpec.
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

namespace spotsim {

struct PoolSpec;

enum class TopoLevel : uint8_t { kRoot = 0, kProvider, kRegion, kZone, kPool };

enum class TopoKey : uint8_t { kProvider = 0, kRegion, kZone, kInstanceFamily, kInstanceType, kPool };
constexpr int kTopoKeyCount = 6;

// The family of an instance type: "m5" for "m5.xlarge", "n2" for "n2-standard-4",
// "Standard_D4s_v3" stays whole (Azure sizes have neither '.' nor '-').
std::string instance_family(const std::string& instance_type);

struct TopoVertex {
  TopoLevel level = TopoLevel::kRoot;
  std::string name;   // provider/region/zone name or pool name
  int32_t pool = -1;  // kPool: index into CompiledScenario::pools
};

// A selection: for each term, the values wanted (any of them).
struct TopoTerm {
  TopoKey key = TopoKey::kPool;
  std::vector<std::string> values;
};

class Topology {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, TopoVertex>;
  using Vertex = Graph::vertex_descriptor;

  Topology() = default;
  explicit Topology(const std::vector<PoolSpec>& pools);

  const Graph& graph() const { return g_; }
  Vertex root() const { return root_; }
  size_t pool_count() const { return pool_vertex_.size(); }
  Vertex pool_vertex(uint32_t pool) const { return pool_vertex_[pool]; }

  // Pools (indices, ascending) matching one value of one key; empty if none.
  std::vector<uint32_t> select(TopoKey key, const std::string& value) const;
  // Pools matching every term (each term: any of its values). No terms ⇒ every pool.
  std::vector<uint32_t> select(const std::vector<TopoTerm>& terms) const;
  // The same as a mask over pool indices (1 = selected).
  std::vector<char> select_mask(const std::vector<TopoTerm>& terms) const;
  // Every value of `key` that occurs in the topology, sorted, without duplicates (for messages).
  std::vector<std::string> values(TopoKey key) const;
  // The value of `key` for pool `pool`.
  const std::string& attribute(uint32_t pool, TopoKey key) const;
  // Pools below vertex `v` (ascending).
  std::vector<uint32_t> pools_below(Vertex v) const;

 private:
  Vertex child(Vertex parent, TopoLevel level, const std::string& name);

  Graph g_;
  Vertex root_ = 0;
  std::vector<Vertex> pool_vertex_;
  // Per pool: provider, region, zone, instance_family, instance_type, pool name.
  std::vector<std::array<std::string, kTopoKeyCount>> attrs_;
};

}  // namespace spotsim

#include "sim/scenario/topology.h"

#include <algorithm>

#include <boost/graph/breadth_first_search.hpp>

#include "sim/scenario/scenario.h"

namespace spotsim {

std::string instance_family(const std::string& type) {
  const size_t dot = type.find('.');
  if (dot != std::string::npos) return type.substr(0, dot);
  // GCP style "n2-standard-4": the family is the first segment.
  const size_t dash = type.find('-');
  return dash == std::string::npos ? type : type.substr(0, dash);
}

namespace {

// Collects the pool indices of the vertices a breadth-first search discovers.
class PoolCollector : public boost::default_bfs_visitor {
 public:
  explicit PoolCollector(std::vector<uint32_t>& out) : out_(out) {}
  void discover_vertex(Topology::Vertex v, const Topology::Graph& g) const {
    if (g[v].level == TopoLevel::kPool) out_.push_back(static_cast<uint32_t>(g[v].pool));
  }

 private:
  std::vector<uint32_t>& out_;
};

TopoLevel level_of(TopoKey k) {
  switch (k) {
    case TopoKey::kProvider: return TopoLevel::kProvider;
    case TopoKey::kRegion: return TopoLevel::kRegion;
    case TopoKey::kZone: return TopoLevel::kZone;
    default: return TopoLevel::kPool;
  }
}

}  // namespace

Topology::Topology(const std::vector<PoolSpec>& pools) {
  root_ = boost::add_vertex(TopoVertex{TopoLevel::kRoot, "", -1}, g_);
  for (size_t i = 0; i < pools.size(); ++i) {
    const PoolSpec& p = pools[i];
    const std::string provider(provider_traits(p.provider).name);
    const Vertex pv = child(root_, TopoLevel::kProvider, provider);
    const Vertex rv = child(pv, TopoLevel::kRegion, p.region);
    const Vertex zv = child(rv, TopoLevel::kZone, p.zone);
    const Vertex v = boost::add_vertex(TopoVertex{TopoLevel::kPool, p.name, static_cast<int32_t>(i)}, g_);
    boost::add_edge(zv, v, g_);
    pool_vertex_.push_back(v);
    attrs_.push_back({provider, p.region, p.zone, instance_family(p.instance_type), p.instance_type, p.name});
  }
}

Topology::Vertex Topology::child(Vertex parent, TopoLevel level, const std::string& name) {
  for (auto [e, end] = boost::out_edges(parent, g_); e != end; ++e) {
    const Vertex t = boost::target(*e, g_);
    if (g_[t].level == level && g_[t].name == name) return t;
  }
  const Vertex v = boost::add_vertex(TopoVertex{level, name, -1}, g_);
  boost::add_edge(parent, v, g_);
  return v;
}

std::vector<uint32_t> Topology::pools_below(Vertex v) const {
  std::vector<uint32_t> out;
  std::vector<boost::default_color_type> color(boost::num_vertices(g_));
  boost::breadth_first_visit(
      g_, v,
      boost::visitor(PoolCollector(out))
          .color_map(boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, g_))));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint32_t> Topology::select(TopoKey key, const std::string& value) const {
  std::vector<uint32_t> out;
  const TopoLevel level = level_of(key);
  if (level != TopoLevel::kPool) {
    for (auto [v, end] = boost::vertices(g_); v != end; ++v) {
      if (g_[*v].level != level || g_[*v].name != value) continue;
      for (uint32_t p : pools_below(*v)) out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  for (uint32_t p = 0; p < attrs_.size(); ++p) {
    if (attrs_[p][static_cast<size_t>(key)] == value) out.push_back(p);
  }
  return out;
}

std::vector<char> Topology::select_mask(const std::vector<TopoTerm>& terms) const {
  std::vector<char> mask(pool_vertex_.size(), 1);
  for (const TopoTerm& t : terms) {
    std::vector<char> keep(mask.size(), 0);
    for (const std::string& value : t.values) {
      for (uint32_t p : select(t.key, value)) keep[p] = 1;
    }
    for (size_t p = 0; p < mask.size(); ++p) mask[p] = mask[p] && keep[p];
  }
  return mask;
}

std::vector<uint32_t> Topology::select(const std::vector<TopoTerm>& terms) const {
  const std::vector<char> mask = select_mask(terms);
  std::vector<uint32_t> out;
  for (uint32_t p = 0; p < mask.size(); ++p) {
    if (mask[p]) out.push_back(p);
  }
  return out;
}

std::vector<std::string> Topology::values(TopoKey key) const {
  std::vector<std::string> out;
  for (const auto& a : attrs_) out.push_back(a[static_cast<size_t>(key)]);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const std::string& Topology::attribute(uint32_t pool, TopoKey key) const {
  return attrs_[pool][static_cast<size_t>(key)];
}

}  // namespace spotsim

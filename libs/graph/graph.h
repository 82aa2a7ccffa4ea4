#pragma once

// Graph: an immutable compressed-sparse-row (CSR) graph, directed or
// undirected, optionally weighted, with nodes 0..n-1 and a side table of
// external node ids and display labels. Every algorithm in libs/graph reads
// this type; it is built once by GraphBuilder and never mutated.
//
//   BuildOptions options;
//   options.directed = true;
//   options.self_loops = SelfLoopPolicy::kDrop;
//   GraphBuilder builder(options);
//   NodeId a = builder.AddNode("Beijing");
//   NodeId b = builder.AddNode("Shanghai");
//   builder.AddEdge(a, b, 2.5);
//   absl::StatusOr<Graph> graph = std::move(builder).Build();
//   for (NodeId v : graph->OutNeighbors(a)) { ... }
//
// Storage (n nodes, m stored edges): the canonical edge list (m entries) plus
// the out-adjacency (m entries directed, 2m undirected) and, for directed
// graphs, the in-adjacency (m entries); weights are stored only when the graph
// is weighted. Adjacency lists are sorted by neighbour id.
//
// Edge cases, fixed here once for every algorithm:
//   * Undirected edges are canonicalised to source <= target.
//   * An undirected self-loop {v, v} appears twice in v's adjacency list, so
//     Degree(v) counts it twice (the networkx/igraph convention). A directed
//     self-loop contributes 1 to the out-degree and 1 to the in-degree.
//   * Multi-edges are kept, merged or dropped when the graph is built
//     (MultiEdgePolicy); kept parallel edges appear repeatedly in adjacency.
//   * Isolated nodes exist (added with AddNode) and have empty adjacency.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/common/enum_names.h"

namespace innoscope::graph {

// Dense node index, 0..NumNodes()-1.
using NodeId = int32_t;

namespace internal {
// The CSR row of node v: data[offsets[v] .. offsets[v+1]).
template <typename T>
absl::Span<const T> CsrRow(const std::vector<T>& data, const std::vector<int64_t>& offsets,
                           NodeId v) {
  return absl::Span<const T>(data.data() + offsets[v],
                             static_cast<size_t>(offsets[v + 1] - offsets[v]));
}
}  // namespace internal

// One stored edge. For undirected graphs source <= target.
struct Edge {
  NodeId source = 0;
  NodeId target = 0;
  double weight = 1.0;
};

// What the builder does with several edges between the same ordered pair
// (directed) or unordered pair (undirected).
enum class MultiEdgePolicy {
  kKeep,            // keep all parallel edges (a multigraph)
  kMergeSum,        // one edge whose weight is the sum (Gephi's import default)
  kMergeKeepFirst,  // one edge with the weight of the first one added
};

// What the builder does with edges from a node to itself.
enum class SelfLoopPolicy {
  kKeep,
  kDrop,
};

struct BuildOptions {
  bool directed = false;
  MultiEdgePolicy multi_edges = MultiEdgePolicy::kMergeSum;
  SelfLoopPolicy self_loops = SelfLoopPolicy::kKeep;
};

class GraphBuilder;

class Graph {
 public:
  // An empty undirected graph.
  Graph() = default;

  Graph(const Graph&) = default;
  Graph& operator=(const Graph&) = default;
  Graph(Graph&&) noexcept = default;
  Graph& operator=(Graph&&) noexcept = default;

  // Builds directly from an edge list over nodes 0..num_nodes-1 (no labels).
  // INVALID_ARGUMENT for an endpoint out of range or a non-finite weight.
  // The graph is weighted iff `weighted`; otherwise edge weights are ignored.
  static absl::StatusOr<Graph> FromEdges(NodeId num_nodes, absl::Span<const Edge> edges,
                                         const BuildOptions& options, bool weighted = false);

  bool directed() const { return directed_; }
  bool weighted() const { return weighted_; }
  NodeId NumNodes() const { return static_cast<NodeId>(out_offsets_.size()) - 1; }
  // Stored edges (after the build policies); a kept parallel edge counts once
  // per copy, a self-loop once.
  int64_t NumEdges() const { return static_cast<int64_t>(edges_.size()); }
  int64_t NumSelfLoops() const { return num_self_loops_; }
  // True when the graph has no parallel edges and no self-loops.
  bool IsSimple() const { return is_simple_; }
  bool HasNegativeWeights() const { return has_negative_weights_; }
  const BuildOptions& build_options() const { return options_; }

  // Canonical edges sorted by (source, target). Weight is 1 when unweighted.
  const std::vector<Edge>& Edges() const { return edges_; }

  // Out-neighbours (directed) or neighbours (undirected), sorted ascending.
  absl::Span<const NodeId> OutNeighbors(NodeId v) const {
    return internal::CsrRow(out_targets_, out_offsets_, v);
  }
  // Weights parallel to OutNeighbors(v); empty span when unweighted.
  absl::Span<const double> OutWeights(NodeId v) const {
    return weighted() ? internal::CsrRow(out_weights_, out_offsets_, v)
                      : absl::Span<const double>();
  }
  // In-neighbours (directed); the same as OutNeighbors for undirected graphs.
  absl::Span<const NodeId> InNeighbors(NodeId v) const {
    return directed_ ? internal::CsrRow(in_sources_, in_offsets_, v) : OutNeighbors(v);
  }
  absl::Span<const double> InWeights(NodeId v) const {
    return directed_ ? (weighted() ? internal::CsrRow(in_weights_, in_offsets_, v)
                                   : absl::Span<const double>())
                     : OutWeights(v);
  }

  int64_t OutDegree(NodeId v) const { return out_offsets_[v + 1] - out_offsets_[v]; }
  int64_t InDegree(NodeId v) const {
    return directed_ ? in_offsets_[v + 1] - in_offsets_[v] : OutDegree(v);
  }
  // Undirected: adjacency size (self-loops twice). Directed: in + out.
  int64_t Degree(NodeId v) const { return directed_ ? OutDegree(v) + InDegree(v) : OutDegree(v); }

  // True when at least one edge u->v (undirected: u-v) exists. O(log deg(u)).
  bool HasEdge(NodeId u, NodeId v) const;

  // External id (the key edges use in the source file) and display label.
  // Both default to the decimal node index when the graph has no names.
  std::string NodeKey(NodeId v) const;
  std::string NodeLabel(NodeId v) const;
  // Node with the given external id, if any. O(1).
  std::optional<NodeId> FindNode(std::string_view key) const;

 private:
  friend class GraphBuilder;

  BuildOptions options_;
  bool directed_ = false;
  bool weighted_ = false;
  bool is_simple_ = true;
  bool has_negative_weights_ = false;
  int64_t num_self_loops_ = 0;
  std::vector<Edge> edges_;
  std::vector<int64_t> out_offsets_ = {0};
  std::vector<NodeId> out_targets_;
  std::vector<double> out_weights_;
  std::vector<int64_t> in_offsets_;
  std::vector<NodeId> in_sources_;
  std::vector<double> in_weights_;
  // Side table; empty when the graph was built without names.
  std::vector<std::string> keys_;
  std::vector<std::string> labels_;
  absl::flat_hash_map<std::string, NodeId> key_index_;
};

// Collects nodes and edges, then applies BuildOptions once in Build().
// Not thread-safe. Memory O(n + m) during the build.
class GraphBuilder {
 public:
  explicit GraphBuilder(BuildOptions options = {});

  // Adds a node with external id `key` (and display label `label`, defaulting
  // to the key) or returns the existing node with that key.
  NodeId AddNode(std::string_view key, std::string_view label = {});
  // Adds `count` anonymous nodes; returns the first new id.
  NodeId AddNodes(NodeId count);
  std::optional<NodeId> FindNode(std::string_view key) const;
  NodeId NumNodes() const { return num_nodes_; }

  // Unweighted edge (weight 1).
  void AddEdge(NodeId source, NodeId target);
  // Weighted edge; the first call makes the graph weighted.
  void AddEdge(NodeId source, NodeId target, double weight);
  // Adds every edge, weighted (making the graph weighted) or not.
  void AddEdges(absl::Span<const Edge> edges, bool weighted);

  // INVALID_ARGUMENT if an endpoint is out of range or a weight is not
  // finite. Time O(m log m) (sorting the edges), memory O(n + m).
  absl::StatusOr<Graph> Build() &&;

 private:
  BuildOptions options_;
  NodeId num_nodes_ = 0;
  bool weighted_ = false;
  bool named_ = false;
  std::vector<Edge> edges_;
  std::vector<std::string> keys_;
  std::vector<std::string> labels_;
  absl::flat_hash_map<std::string, NodeId> key_index_;
};

// The undirected view of a graph: every directed edge u->v becomes {u, v};
// reciprocal pairs u->v, v->u (and any kept parallel edges) become parallel
// undirected edges that `policy` merges (kMergeSum: weight w(u,v) + w(v,u),
// as Gephi's undirected view of a weighted graph) or keeps. Self-loops are
// kept. Names are kept. An undirected input is returned re-built with
// `policy`. Time O(m log m), memory O(n + m).
absl::StatusOr<Graph> UndirectedView(const Graph& graph,
                                     MultiEdgePolicy policy = MultiEdgePolicy::kMergeSum);

// The simple undirected neighbourhoods used by triangle and clustering code:
// for each node the sorted distinct neighbours (in and out for directed
// graphs), self excluded, plus for directed graphs the multiplicity
// s(u,v) = [u->v] + [v->u] in {1, 2}. Time O(n + m), memory O(n + m).
class SimpleNeighborhoods {
 public:
  explicit SimpleNeighborhoods(const Graph& graph);
  NodeId NumNodes() const { return static_cast<NodeId>(offsets_.size()) - 1; }
  absl::Span<const NodeId> Neighbors(NodeId v) const {
    return internal::CsrRow(neighbors_, offsets_, v);
  }
  // s(v, Neighbors(v)[i]); all ones for undirected graphs.
  absl::Span<const uint8_t> Multiplicity(NodeId v) const {
    return internal::CsrRow(multiplicity_, offsets_, v);
  }
  int64_t Degree(NodeId v) const { return offsets_[v + 1] - offsets_[v]; }

 private:
  std::vector<int64_t> offsets_;
  std::vector<NodeId> neighbors_;
  std::vector<uint8_t> multiplicity_;
};

}  // namespace innoscope::graph

namespace innoscope {

// The names of the CLI (--multi_edges, --self_loops).
template <>
struct EnumNames<graph::MultiEdgePolicy> {
  static constexpr absl::string_view kWhat = "multi-edge policy";
  static constexpr EnumName<graph::MultiEdgePolicy> kRows[] = {
      {graph::MultiEdgePolicy::kKeep, "keep"},
      {graph::MultiEdgePolicy::kMergeSum, "merge"},
      {graph::MultiEdgePolicy::kMergeKeepFirst, "first"},
  };
};

template <>
struct EnumNames<graph::SelfLoopPolicy> {
  static constexpr absl::string_view kWhat = "self-loop policy";
  static constexpr EnumName<graph::SelfLoopPolicy> kRows[] = {
      {graph::SelfLoopPolicy::kKeep, "keep"},
      {graph::SelfLoopPolicy::kDrop, "drop"},
  };
};

}  // namespace innoscope

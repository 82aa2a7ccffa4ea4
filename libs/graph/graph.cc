#include "libs/graph/graph.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/graph/string_util.h"

namespace innoscope::graph {
namespace {

// Applies the self-loop and multi-edge policies to `edges` in place. Keeps
// the relative order of parallel edges so kMergeKeepFirst means "first added".
void Canonicalize(const BuildOptions& options, bool weighted, std::vector<Edge>& edges) {
  if (!options.directed) {
    for (Edge& e : edges) {
      if (e.source > e.target) std::swap(e.source, e.target);
    }
  }
  if (options.self_loops == SelfLoopPolicy::kDrop) {
    edges.erase(std::remove_if(edges.begin(), edges.end(),
                               [](const Edge& e) { return e.source == e.target; }),
                edges.end());
  }
  std::stable_sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  if (!weighted) {
    for (Edge& e : edges) e.weight = 1.0;
  }
  if (options.multi_edges == MultiEdgePolicy::kKeep || edges.empty()) return;
  size_t out = 0;
  for (size_t i = 1; i < edges.size(); ++i) {
    Edge& last = edges[out];
    if (edges[i].source == last.source && edges[i].target == last.target) {
      if (options.multi_edges == MultiEdgePolicy::kMergeSum && weighted) {
        last.weight += edges[i].weight;
      }
      continue;
    }
    edges[++out] = edges[i];
  }
  edges.resize(out + 1);
}

// Prefix sums of per-node counts: counts[v] becomes offsets[v].
std::vector<int64_t> OffsetsFromCounts(const std::vector<int64_t>& counts) {
  std::vector<int64_t> offsets(counts.size() + 1, 0);
  for (size_t v = 0; v < counts.size(); ++v) {
    offsets[v + 1] = offsets[v] + counts[v];
  }
  return offsets;
}

}  // namespace

absl::StatusOr<Graph> Graph::FromEdges(NodeId num_nodes, absl::Span<const Edge> edges,
                                       const BuildOptions& options, bool weighted) {
  if (num_nodes < 0) {
    return absl::InvalidArgumentError("FromEdges: negative node count");
  }
  GraphBuilder builder(options);
  builder.AddNodes(num_nodes);
  builder.AddEdges(edges, weighted);
  return std::move(builder).Build();
}

bool Graph::HasEdge(NodeId u, NodeId v) const {
  if (u < 0 || v < 0 || u >= NumNodes() || v >= NumNodes()) return false;
  absl::Span<const NodeId> nbrs = OutNeighbors(u);
  return std::binary_search(nbrs.begin(), nbrs.end(), v);
}

std::string Graph::NodeKey(NodeId v) const {
  if (static_cast<size_t>(v) < keys_.size() && !keys_[v].empty()) {
    return keys_[v];
  }
  return absl::StrCat(v);
}

std::string Graph::NodeLabel(NodeId v) const {
  if (static_cast<size_t>(v) < labels_.size() && !labels_[v].empty()) {
    return labels_[v];
  }
  return NodeKey(v);
}

std::optional<NodeId> Graph::FindNode(std::string_view key) const {
  if (keys_.empty()) {
    // Anonymous graph: keys are decimal indices.
    int64_t id = 0;
    if (key.empty() || key.size() > 10) return std::nullopt;
    for (char c : key) {
      if (c < '0' || c > '9') return std::nullopt;
      id = id * 10 + (c - '0');
    }
    if (id >= NumNodes()) return std::nullopt;
    return static_cast<NodeId>(id);
  }
  auto it = key_index_.find(ToAbsl(key));
  if (it == key_index_.end()) return std::nullopt;
  return it->second;
}

GraphBuilder::GraphBuilder(BuildOptions options) : options_(options) {}

NodeId GraphBuilder::AddNode(std::string_view key, std::string_view label) {
  auto it = key_index_.find(ToAbsl(key));
  if (it != key_index_.end()) return it->second;
  if (!named_) {
    named_ = true;
    keys_.resize(num_nodes_);
    labels_.resize(num_nodes_);
  }
  NodeId id = num_nodes_++;
  keys_.emplace_back(key);
  labels_.emplace_back(label.empty() ? key : label);
  key_index_.emplace(std::string(key), id);
  return id;
}

NodeId GraphBuilder::AddNodes(NodeId count) {
  NodeId first = num_nodes_;
  num_nodes_ += std::max<NodeId>(count, 0);
  if (named_) {
    keys_.resize(num_nodes_);
    labels_.resize(num_nodes_);
  }
  return first;
}

std::optional<NodeId> GraphBuilder::FindNode(std::string_view key) const {
  auto it = key_index_.find(ToAbsl(key));
  if (it == key_index_.end()) return std::nullopt;
  return it->second;
}

void GraphBuilder::AddEdge(NodeId source, NodeId target) {
  edges_.push_back(Edge{source, target, 1.0});
}

void GraphBuilder::AddEdge(NodeId source, NodeId target, double weight) {
  weighted_ = true;
  edges_.push_back(Edge{source, target, weight});
}

void GraphBuilder::AddEdges(absl::Span<const Edge> edges, bool weighted) {
  weighted_ = weighted_ || weighted;
  for (const Edge& e : edges) {
    edges_.push_back(Edge{e.source, e.target, weighted ? e.weight : 1.0});
  }
}

absl::StatusOr<Graph> GraphBuilder::Build() && {
  for (size_t i = 0; i < edges_.size(); ++i) {
    const Edge& e = edges_[i];
    if (e.source < 0 || e.source >= num_nodes_ || e.target < 0 || e.target >= num_nodes_) {
      return absl::InvalidArgumentError(absl::StrCat("edge #", i, " (", e.source, " -> ", e.target,
                                                     ") has an endpoint outside 0..",
                                                     num_nodes_ - 1));
    }
    if (!std::isfinite(e.weight)) {
      return absl::InvalidArgumentError(
          absl::StrCat("edge #", i, " (", e.source, " -> ", e.target, ") has a non-finite weight"));
    }
  }
  Canonicalize(options_, weighted_, edges_);

  Graph g;
  g.options_ = options_;
  g.directed_ = options_.directed;
  g.weighted_ = weighted_;
  const size_t n = static_cast<size_t>(num_nodes_);

  std::vector<int64_t> out_count(n, 0);
  std::vector<int64_t> in_count(g.directed_ ? n : 0, 0);
  for (size_t i = 0; i < edges_.size(); ++i) {
    const Edge& e = edges_[i];
    if (e.source == e.target) {
      ++g.num_self_loops_;
      g.is_simple_ = false;
    }
    if (i > 0 && edges_[i - 1].source == e.source && edges_[i - 1].target == e.target) {
      g.is_simple_ = false;
    }
    if (e.weight < 0) g.has_negative_weights_ = true;
    ++out_count[e.source];
    ++(g.directed_ ? in_count[e.target] : out_count[e.target]);
  }

  g.out_offsets_ = OffsetsFromCounts(out_count);
  g.out_targets_.resize(g.out_offsets_.back());
  if (weighted_) g.out_weights_.resize(g.out_offsets_.back());
  if (g.directed_) {
    g.in_offsets_ = OffsetsFromCounts(in_count);
    g.in_sources_.resize(g.in_offsets_.back());
    if (weighted_) g.in_weights_.resize(g.in_offsets_.back());
  }
  // Edges are sorted by (source, target), so appending in edge order yields
  // sorted adjacency lists (see the header comment of graph.h).
  std::vector<int64_t> out_pos(g.out_offsets_.begin(), g.out_offsets_.end() - 1);
  std::vector<int64_t> in_pos(g.in_offsets_.begin(), g.in_offsets_.empty()
                                                         ? g.in_offsets_.begin()
                                                         : g.in_offsets_.end() - 1);
  auto push_out = [&](NodeId v, NodeId nbr, double w) {
    int64_t p = out_pos[v]++;
    g.out_targets_[p] = nbr;
    if (weighted_) g.out_weights_[p] = w;
  };
  for (const Edge& e : edges_) {
    push_out(e.source, e.target, e.weight);
    if (g.directed_) {
      int64_t p = in_pos[e.target]++;
      g.in_sources_[p] = e.source;
      if (weighted_) g.in_weights_[p] = e.weight;
    } else {
      push_out(e.target, e.source, e.weight);
    }
  }
  g.edges_ = std::move(edges_);
  if (named_) {
    g.keys_ = std::move(keys_);
    g.labels_ = std::move(labels_);
    g.key_index_ = std::move(key_index_);
  }
  return g;
}

absl::StatusOr<Graph> UndirectedView(const Graph& graph, MultiEdgePolicy policy) {
  BuildOptions options = graph.build_options();
  options.directed = false;
  options.multi_edges = policy;
  options.self_loops = SelfLoopPolicy::kKeep;
  GraphBuilder builder(options);
  for (NodeId v = 0; v < graph.NumNodes(); ++v) {
    builder.AddNode(graph.NodeKey(v), graph.NodeLabel(v));
  }
  builder.AddEdges(graph.Edges(), graph.weighted());
  return std::move(builder).Build();
}

SimpleNeighborhoods::SimpleNeighborhoods(const Graph& graph) {
  const NodeId n = graph.NumNodes();
  offsets_.assign(static_cast<size_t>(n) + 1, 0);
  neighbors_.reserve(static_cast<size_t>(2 * graph.NumEdges()));
  multiplicity_.reserve(neighbors_.capacity());
  for (NodeId v = 0; v < n; ++v) {
    // Merge the sorted out- and in-lists, dropping duplicates and v itself.
    absl::Span<const NodeId> out = graph.OutNeighbors(v);
    absl::Span<const NodeId> in =
        graph.directed() ? graph.InNeighbors(v) : absl::Span<const NodeId>();
    size_t i = 0, j = 0;
    while (i < out.size() || j < in.size()) {
      NodeId next;
      uint8_t mult = 0;
      if (j >= in.size() || (i < out.size() && out[i] < in[j])) {
        next = out[i];
        mult = 1;
      } else if (i >= out.size() || in[j] < out[i]) {
        next = in[j];
        mult = 1;
      } else {
        next = out[i];
        mult = 2;
      }
      while (i < out.size() && out[i] == next) ++i;
      while (j < in.size() && in[j] == next) ++j;
      if (next == v) continue;
      neighbors_.push_back(next);
      multiplicity_.push_back(mult);
    }
    offsets_[v + 1] = static_cast<int64_t>(neighbors_.size());
  }
}

}  // namespace innoscope::graph

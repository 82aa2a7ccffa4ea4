#pragma once

// Breadth-first search machinery shared by the distance-based measures
// (PathStatistics, Closeness, HarmonicCloseness, Betweenness): a per-thread
// workspace that is reset in O(visited) instead of O(n), and a driver that
// runs one BFS per source node on several threads. Distances are hop counts:
// edge weights are ignored (Gephi's GraphDistance convention). Internal to
// libs/graph.
//
//   RETURN_IF_ERROR(ForEachSourceBfs(
//       graph, Direction::kOut, threads, interrupt,
//       [&](int thread, NodeId source, const BfsWorkspace& bfs) {
//         for (NodeId v : bfs.Order()) sum[thread] += bfs.Distance(v);
//       }));

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "libs/graph/algorithm.h"
#include "libs/graph/graph.h"
#include "libs/graph/parallel.h"

namespace innoscope::graph {

// Which edges a search follows. For undirected graphs both are the same.
enum class Direction {
  kOut,  // u -> v: distances from the source
  kIn,   // v -> u: distances to the source
};

inline absl::Span<const NodeId> Neighbors(const Graph& graph, Direction direction, NodeId v) {
  return direction == Direction::kOut ? graph.OutNeighbors(v) : graph.InNeighbors(v);
}

class BfsWorkspace {
 public:
  explicit BfsWorkspace(NodeId num_nodes) : distance_(static_cast<size_t>(num_nodes), -1) {
    order_.reserve(static_cast<size_t>(num_nodes));
  }

  // Searches from `source`; Order() then lists the reached nodes (source
  // first) in non-decreasing distance. Time O(reached nodes + their edges).
  void Run(const Graph& graph, Direction direction, NodeId source) {
    Run(graph, direction, source, [](NodeId) { return true; });
  }
  // The same, entering only nodes v with admit(v) (e.g. one component).
  template <typename Admit>
  void Run(const Graph& graph, Direction direction, NodeId source, const Admit& admit) {
    Reset();
    distance_[source] = 0;
    order_.push_back(source);
    for (size_t head = 0; head < order_.size(); ++head) {
      const NodeId u = order_[head];
      const int32_t next = distance_[u] + 1;
      for (NodeId v : Neighbors(graph, direction, u)) {
        if (distance_[v] < 0 && admit(v)) {
          distance_[v] = next;
          order_.push_back(v);
        }
      }
    }
  }

  absl::Span<const NodeId> Order() const { return order_; }
  // Hop distance from the last source, or -1 when not reached.
  int32_t Distance(NodeId v) const { return distance_[v]; }

 private:
  void Reset() {
    for (NodeId v : order_) distance_[v] = -1;
    order_.clear();
  }

  std::vector<int32_t> distance_;
  std::vector<NodeId> order_;
};

// Runs a BFS from every node on `num_threads` threads (0 = all cores), one
// workspace per thread, and calls visit(thread, source, workspace) after each.
// `visit` must only write thread-local state. Polls `interrupt` per source.
template <typename Visit>
absl::Status ForEachSourceBfs(const Graph& graph, Direction direction, int num_threads,
                              const Interrupt& interrupt, const Visit& visit) {
  const NodeId n = graph.NumNodes();
  const int threads = ResolveThreads(num_threads, n);
  std::vector<BfsWorkspace> workspaces(static_cast<size_t>(threads), BfsWorkspace(n));
  return ParallelFor(n, threads, interrupt, [&](int thread, int64_t item) {
    const NodeId source = static_cast<NodeId>(item);
    workspaces[thread].Run(graph, direction, source);
    visit(thread, source, workspaces[thread]);
  });
}

}  // namespace innoscope::graph

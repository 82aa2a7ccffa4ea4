#pragma once

// Balanced bidirectional breadth-first search between two nodes, as in
// KADABRA (Borassi & Natale 2016): a forward search from s and a backward
// search from t, each step expanding one whole level of the side whose
// frontier has the smaller total degree, until the two meet. It gives the
// hop distance d(s, t), the number of shortest paths and a uniformly random
// shortest path, usually touching a small part of the graph: on
// heavy-tailed graphs both sides reach a hub within a few levels, and when t
// is unreachable the side with the smaller reach runs dry first. Internal to
// libs/graph (ApproxPathStatistics, ApproxBetweenness).
//
//   BidirectionalSearch search(graph.NumNodes());
//   int32_t d = search.Run(graph, s, t);            // -1: unreachable
//   if (d >= 2) search.SamplePath(graph, rng, [&](NodeId v) { ++hits[v]; });
//
// Why the meeting level gives d(s, t): before a step the visited sets (levels
// <= Lf forward, <= Lb backward) are disjoint, so no s-t path is shorter than
// Lf + Lb + 1; the step expanding (say) the forward side to level Lf + 1
// finds exactly the nodes w with d(s, w) = Lf + 1 and d(w, t) = Lb on a
// shortest path, and sigma_st = sum over them of sigma_s(w) sigma_t(w).
// Parallel edges multiply path counts (as Betweenness), self-loops never lie
// on a shortest path. Time O(edges of the levels expanded), memory O(n),
// reset in O(visited).

#include <cstdint>
#include <vector>

#include "libs/graph/bfs.h"
#include "libs/graph/graph.h"
#include "libs/graph/random.h"

namespace innoscope::graph {

class BidirectionalSearch {
 public:
  explicit BidirectionalSearch(NodeId num_nodes) : forward_(num_nodes), backward_(num_nodes) {}

  // d(s, t) for s != t, or -1 when t is not reachable from s.
  int32_t Run(const Graph& graph, NodeId s, NodeId t) {
    forward_.Reset(s, graph.OutDegree(s));
    backward_.Reset(t, graph.InDegree(t));
    meeting_.clear();
    while (!forward_.frontier.empty() && !backward_.frontier.empty()) {
      const bool forward = forward_.cost <= backward_.cost;
      Side& grow = forward ? forward_ : backward_;
      const Side& other = forward ? backward_ : forward_;
      const Direction direction = forward ? Direction::kOut : Direction::kIn;
      const int32_t level = grow.level + 1;
      next_.clear();
      int64_t cost = 0;
      for (NodeId u : grow.frontier) {
        for (NodeId w : Neighbors(graph, direction, u)) {
          if (grow.distance[w] < 0) {
            grow.distance[w] = level;
            grow.visited.push_back(w);
            next_.push_back(w);
            cost += forward ? graph.OutDegree(w) : graph.InDegree(w);
            if (other.distance[w] >= 0) meeting_.push_back(w);
          }
          if (grow.distance[w] == level) grow.sigma[w] += grow.sigma[u];
        }
      }
      grow.frontier.swap(next_);
      grow.level = level;
      grow.cost = cost;
      if (!meeting_.empty()) return forward_.level + backward_.level;
    }
    return -1;
  }

  // After Run() returned d >= 1: calls visit(v) for every inner node (not s,
  // not t) of one shortest s-t path drawn uniformly at random.
  template <typename Visit>
  void SamplePath(const Graph& graph, SplitMix64& rng, const Visit& visit) const {
    double total = 0;
    for (NodeId w : meeting_) total += forward_.sigma[w] * backward_.sigma[w];
    double pick = rng.UniformDouble() * total;
    NodeId middle = meeting_.back();
    for (NodeId w : meeting_) {
      pick -= forward_.sigma[w] * backward_.sigma[w];
      if (pick < 0) {
        middle = w;
        break;
      }
    }
    if (forward_.distance[middle] > 0 && backward_.distance[middle] > 0) visit(middle);
    forward_.Walk(graph, Direction::kIn, middle, rng, visit);
    backward_.Walk(graph, Direction::kOut, middle, rng, visit);
  }

 private:
  // One side's search state, reset in O(visited).
  struct Side {
    explicit Side(NodeId n)
        : distance(static_cast<size_t>(n), -1), sigma(static_cast<size_t>(n), 0.0) {}

    void Reset(NodeId root, int64_t root_cost) {
      for (NodeId v : visited) {
        distance[v] = -1;
        sigma[v] = 0;
      }
      visited.assign(1, root);
      frontier.assign(1, root);
      distance[root] = 0;
      sigma[root] = 1;
      level = 0;
      cost = root_cost;
    }

    // From `from` back to this side's root along the search's levels,
    // choosing each step's node with probability sigma(node) / sigma(here);
    // visits every node passed except the root.
    template <typename Visit>
    void Walk(const Graph& graph, Direction toward_root, NodeId from, SplitMix64& rng,
              const Visit& visit) const {
      NodeId v = from;
      while (distance[v] > 0) {
        const int32_t previous = distance[v] - 1;
        double pick = rng.UniformDouble() * sigma[v];
        NodeId chosen = -1;
        for (NodeId p : Neighbors(graph, toward_root, v)) {
          if (distance[p] != previous) continue;
          chosen = p;
          pick -= sigma[p];
          if (pick < 0) break;
        }
        if (distance[chosen] > 0) visit(chosen);
        v = chosen;
      }
    }

    std::vector<int32_t> distance;
    std::vector<double> sigma;  // shortest paths from (to) the root
    std::vector<NodeId> visited;
    std::vector<NodeId> frontier;
    int32_t level = 0;
    int64_t cost = 0;  // edges the next expansion scans
  };

  Side forward_;
  Side backward_;
  std::vector<NodeId> next_;
  std::vector<NodeId> meeting_;
};

}  // namespace innoscope::graph

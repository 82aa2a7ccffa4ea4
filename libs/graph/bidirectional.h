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
// on a shortest path. Distance() needs only d(s, t): any meeting node of
// the level being expanded gives it, so it stops at the first one and
// skips the rest of that level, on heavy-tailed graphs usually the largest
// (a hub's neighbours): ApproxPathStatistics' searches got some 25 times
// cheaper on the 1,000,000-node bench graph. Both sides' distance and path
// count of a node share one 24-byte record (one cache line for the visit
// test, the meeting test and the count). Time O(edges of the levels
// expanded), memory 24 n bytes, reset in O(visited).
//
//   int32_t d = search.Distance(graph, s, t);       // no SamplePath() after it

#include <cstdint>
#include <vector>

#include "libs/graph/bfs.h"
#include "libs/graph/graph.h"
#include "libs/graph/random.h"

namespace innoscope::graph {

class BidirectionalSearch {
 public:
  explicit BidirectionalSearch(NodeId num_nodes)
      : cells_(static_cast<size_t>(num_nodes)),
        forward_(cells_.data(), 0),
        backward_(cells_.data(), 1) {}
  // A copy is a fresh search of the same size (the state is scratch), so a
  // vector of per-thread searches can be made from one.
  BidirectionalSearch(const BidirectionalSearch& other)
      : BidirectionalSearch(static_cast<NodeId>(other.cells_.size())) {}
  BidirectionalSearch& operator=(const BidirectionalSearch&) = delete;

  // d(s, t) for s != t, or -1 when t is not reachable from s; counts the
  // shortest paths, for SamplePath().
  int32_t Run(const Graph& graph, NodeId s, NodeId t) {
    return Search</*kCountPaths=*/true>(graph, s, t);
  }

  // d(s, t) alone: the same search, without path counts, stopping at the
  // first meeting node (every meeting node of the level being expanded
  // gives the same distance), so the last level, usually the largest, is
  // mostly skipped. SamplePath() is not valid after it.
  int32_t Distance(const Graph& graph, NodeId s, NodeId t) {
    return Search</*kCountPaths=*/false>(graph, s, t);
  }

  // After Run() returned d >= 1: calls visit(v) for every inner node (not s,
  // not t) of one shortest s-t path drawn uniformly at random.
  template <typename Visit>
  void SamplePath(const Graph& graph, SplitMix64& rng, const Visit& visit) const {
    double total = 0;
    for (NodeId w : meeting_) total += forward_.Sigma(w) * backward_.Sigma(w);
    double pick = rng.UniformDouble() * total;
    NodeId middle = meeting_.back();
    for (NodeId w : meeting_) {
      pick -= forward_.Sigma(w) * backward_.Sigma(w);
      if (pick < 0) {
        middle = w;
        break;
      }
    }
    if (forward_.Distance(middle) > 0 && backward_.Distance(middle) > 0) visit(middle);
    forward_.Walk(graph, Direction::kIn, middle, rng, visit);
    backward_.Walk(graph, Direction::kOut, middle, rng, visit);
  }

 private:
  template <bool kCountPaths>
  int32_t Search(const Graph& graph, NodeId s, NodeId t) {
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
          if (grow.Distance(w) < 0) {
            grow.Distance(w) = level;
            grow.visited.push_back(w);
            next_.push_back(w);
            cost += forward ? graph.OutDegree(w) : graph.InDegree(w);
            if (other.Distance(w) >= 0) {
              if (!kCountPaths) return level + other.level;
              meeting_.push_back(w);
            }
          }
          if (kCountPaths && grow.Distance(w) == level) grow.Sigma(w) += grow.Sigma(u);
        }
      }
      grow.frontier.swap(next_);
      grow.level = level;
      grow.cost = cost;
      if (!meeting_.empty()) return forward_.level + backward_.level;
    }
    return -1;
  }

  // Both sides' state of a node in one record, so the meeting test and the
  // path counts of a node cost one cache line.
  struct Cell {
    double sigma[2] = {0, 0};  // shortest paths from s (0) / to t (1)
    int32_t distance[2] = {-1, -1};
  };

  // One side's search state, reset in O(visited).
  struct Side {
    Side(Cell* cells_in, int index_in) : cells(cells_in), index(index_in) {}

    int32_t& Distance(NodeId v) { return cells[v].distance[index]; }
    int32_t Distance(NodeId v) const { return cells[v].distance[index]; }
    double& Sigma(NodeId v) { return cells[v].sigma[index]; }
    double Sigma(NodeId v) const { return cells[v].sigma[index]; }

    void Reset(NodeId root, int64_t root_cost) {
      for (NodeId v : visited) {
        Distance(v) = -1;
        Sigma(v) = 0;
      }
      visited.assign(1, root);
      frontier.assign(1, root);
      Distance(root) = 0;
      Sigma(root) = 1;
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
      while (Distance(v) > 0) {
        const int32_t previous = Distance(v) - 1;
        double pick = rng.UniformDouble() * Sigma(v);
        NodeId chosen = -1;
        for (NodeId p : Neighbors(graph, toward_root, v)) {
          if (Distance(p) != previous) continue;
          chosen = p;
          pick -= Sigma(p);
          if (pick < 0) break;
        }
        if (Distance(chosen) > 0) visit(chosen);
        v = chosen;
      }
    }

    Cell* cells;  // the search's, shared by both sides
    int index;    // 0 forward, 1 backward
    std::vector<NodeId> visited;
    std::vector<NodeId> frontier;
    int32_t level = 0;
    int64_t cost = 0;  // edges the next expansion scans
  };

  std::vector<Cell> cells_;
  Side forward_;
  Side backward_;
  std::vector<NodeId> next_;
  std::vector<NodeId> meeting_;
};

}  // namespace innoscope::graph

#pragma once

// PathStatistics: diameter, radius, eccentricities and average shortest path
// length from a breadth-first search out of every node, run as multi-source
// bit-parallel searches of 256 sources at a time (multi_source_bfs.h; Then
// et al., VLDB 2014) over nodes relabelled in breadth-first order
// (relabel.h), on several threads.
//
//   PathStatistics paths(graph, {Convention::kGephi, /*num_threads=*/2});
//   RETURN_IF_ERROR(paths.Run());
//   double apl = paths.AveragePathLength();   // 18.989 on the US power grid
//   int64_t diameter = paths.Diameter();      // 46
//
// Definition (Gephi GraphDistance.java; Brandes 2001 for the search order):
// d(u, v) is the hop count of a shortest u->v path (following edge direction
// in directed graphs; weights ignored). Over the ordered pairs (u, v), u != v,
// with v reachable from u ("reachable pairs", R of them):
//   AveragePathLength = sum d(u, v) / R,   Diameter = max d(u, v),
//   Eccentricity(u) = max_v d(u, v),       Radius = min_u Eccentricity(u).
// Unreachable pairs, by convention:
//   kGephi, kIgraph  skipped (Gephi; igraph's unconn=TRUE default);
//   kNetworkx        Run() fails with FAILED_PRECONDITION when any ordered
//                    pair is unreachable, as networkx raises
//                    ("Graph is not connected").
// Edge cases: self-loops and parallel edges do not change distances; an
// isolated node has eccentricity 0 and contributes no pairs; a graph with no
// reachable pair has AveragePathLength 0 and Diameter 0 (Gephi would print
// NaN); Radius is taken over all nodes, as Gephi does (0 if any node is
// isolated). For n < 2 every value is 0.
//
// Time O(n / 256 x L (n + m)) word operations, L the largest eccentricity
// of a batch (the same O(n (n + m)) bound as one search per source, with
// each edge read once per level for up to 256 searches); memory
// O(m + 96 T n) bytes for T threads. Bit-identical results for any thread
// count (integer sums).

#include <cstdint>
#include <vector>

#include "libs/graph/algorithm.h"
#include "libs/graph/convention.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

class PathStatistics final : public Algorithm {
 public:
  struct Options {
    Convention convention = Convention::kGephi;
    int num_threads = 0;  // 0: all hardware threads
  };

  explicit PathStatistics(const Graph& graph) : PathStatistics(graph, Options()) {}
  PathStatistics(const Graph& graph, Options options) : graph_(graph), options_(options) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit PathStatistics(Graph&&) = delete;
  PathStatistics(Graph&&, Options) = delete;

  double AveragePathLength() const {
    AssertHasRun();
    return average_path_length_;
  }
  int64_t Diameter() const {
    AssertHasRun();
    return diameter_;
  }
  int64_t Radius() const {
    AssertHasRun();
    return radius_;
  }
  const std::vector<int32_t>& Eccentricities() const {
    AssertHasRun();
    return eccentricity_;
  }
  int64_t ReachablePairs() const {
    AssertHasRun();
    return reachable_pairs_;
  }
  int64_t UnreachablePairs() const {
    AssertHasRun();
    return unreachable_pairs_;
  }
  Convention convention() const { return options_.convention; }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Options options_;
  double average_path_length_ = 0;
  int64_t diameter_ = 0;
  int64_t radius_ = 0;
  int64_t reachable_pairs_ = 0;
  int64_t unreachable_pairs_ = 0;
  std::vector<int32_t> eccentricity_;
};

}  // namespace innoscope::graph

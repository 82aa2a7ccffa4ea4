#pragma once

// CoreDecomposition: the k-core number of every node.
//
//   CoreDecomposition cores(graph);
//   RETURN_IF_ERROR(cores.Run());
//   cores.MaxCore();          // 4 on Zachary's karate club
//   cores.CoreNumbers()[v];
//
// Definition (Seidman 1983): the k-core is the maximal subgraph in which
// every node has degree >= k; core(v) is the largest k whose k-core contains
// v. Computed with the O(m) bucket algorithm of Batagelj & Zaversnik (2003).
// Degrees are total degrees (in + out for directed graphs, as networkx
// core_number and igraph coreness(mode="all")), parallel edges count with
// their multiplicity (igraph), and self-loops are ignored (networkx rejects
// them). Isolated nodes have core number 0.
//
// Time O(n + m), memory O(n).

#include <cstdint>
#include <vector>

#include "libs/graph/algorithm.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

class CoreDecomposition final : public Algorithm {
 public:
  explicit CoreDecomposition(const Graph& graph) : graph_(graph) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit CoreDecomposition(Graph&&) = delete;

  const std::vector<int32_t>& CoreNumbers() const {
    AssertHasRun();
    return core_;
  }
  int32_t MaxCore() const {
    AssertHasRun();
    return max_core_;
  }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  std::vector<int32_t> core_;
  int32_t max_core_ = 0;
};

}  // namespace innoscope::graph

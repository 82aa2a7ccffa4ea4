#pragma once

// ClusteringCoefficient: local and average clustering, triangle counts and
// transitivity (global clustering), under a chosen tool's convention.
//
//   ClusteringCoefficient clustering(graph, Convention::kGephi);
//   RETURN_IF_ERROR(clustering.Run());
//   clustering.AverageClustering();  // 0.5879 on Zachary's karate club
//   clustering.Transitivity();       // 0.2557
//
// All counts use the simple undirected neighbourhood N(v) (distinct
// neighbours through in- or out-edges, v itself excluded), so parallel edges
// and self-loops never change a coefficient; k(v) = |N(v)|.
//
// Undirected local clustering (Watts & Strogatz 1998):
//   C(v) = t(v) / (k(v)(k(v) - 1) / 2),  t(v) = edges among N(v) (triangles).
// Directed graphs, by convention:
//   kGephi     C(v) = e(v) / (k(v)(k(v) - 1)) where e(v) counts directed edges
//              among N(v) (Gephi ClusteringCoefficient.java, brute force);
//   kNetworkx  Fagiolo (2007): C(v) = T(v) / (2 (d(v)(d(v) - 1) - 2 b(v)))
//              with T(v) = ((A + A^T)^3)_vv, d = in + out degree, b = number
//              of reciprocated neighbours (networkx.clustering);
//   kIgraph    undirected C(v) of the undirected view (igraph's
//              transitivity_local_undirected ignores direction).
// Average, by convention (the reports use Gephi's):
//   kGephi     undirected: mean over nodes with k(v) > 1;
//              directed: sum of C(v) over all nodes divided by n;
//   kNetworkx  mean over all nodes, C(v) = 0 when k(v) < 2;
//   kIgraph    mean over nodes with k(v) > 1 (transitivity_avglocal_undirected,
//              mode "nan").
// LocalClustering() is 0 for k(v) < 2 under kGephi and kNetworkx and NaN
// under kIgraph. Averages over no nodes are 0.
// Transitivity = 3 x triangles / connected triples
//              = sum t(v) / sum k(v)(k(v) - 1)/2 on the undirected view
// (the same in every tool); Triangles() counts triangles of that view.
//
// Time O(m^1.5) (degree-ordered forward triangle listing), memory O(n + m).

#include <cstdint>
#include <vector>

#include "libs/graph/algorithm.h"
#include "libs/graph/convention.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

class ClusteringCoefficient final : public Algorithm {
 public:
  ClusteringCoefficient(const Graph& graph, Convention convention)
      : graph_(graph), convention_(convention) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  ClusteringCoefficient(Graph&&, Convention) = delete;

  double AverageClustering() const {
    AssertHasRun();
    return average_;
  }
  const std::vector<double>& LocalClustering() const {
    AssertHasRun();
    return local_;
  }
  // How many nodes the average divides by.
  int64_t NodesAveraged() const {
    AssertHasRun();
    return nodes_averaged_;
  }
  int64_t Triangles() const {
    AssertHasRun();
    return triangles_;
  }
  // Triangles through each node (undirected view).
  const std::vector<int64_t>& NodeTriangles() const {
    AssertHasRun();
    return node_triangles_;
  }
  double Transitivity() const {
    AssertHasRun();
    return transitivity_;
  }
  Convention convention() const { return convention_; }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Convention convention_;
  double average_ = 0;
  int64_t nodes_averaged_ = 0;
  int64_t triangles_ = 0;
  double transitivity_ = 0;
  std::vector<double> local_;
  std::vector<int64_t> node_triangles_;
};

}  // namespace innoscope::graph

#pragma once

// Convention: which tool's definition a statistic follows where Gephi,
// networkx and igraph disagree. Every result that depends on it echoes the
// convention used. The full table is in docs/network.md; in short:
//   * unreachable pairs in average path length and diameter: skipped by
//     Gephi and igraph, FAILED_PRECONDITION for networkx (which raises);
//   * undirected average clustering: Gephi and igraph average nodes of
//     degree > 1, networkx all nodes;
//   * directed clustering: Gephi E(N(v)) / (k(k-1)) summed over all nodes
//     and divided by n, networkx Fagiolo (2007), igraph the undirected view;
//   * closeness on disconnected graphs: r / sum d (Gephi, igraph) or
//     Wasserman-Faust (networkx, over incoming distances);
//   * resolution: Gephi's r is gamma = 1/r elsewhere;
//   * modularity of a directed graph: Gephi the undirected view, networkx
//     and igraph Leicht-Newman.
//
//   ClusteringCoefficient clustering(graph, Convention::kGephi);

#include <string_view>

namespace innoscope::graph {

enum class Convention {
  kGephi,     // Gephi 0.10/0.11 StatisticsPlugin (the published reports)
  kNetworkx,  // networkx 3.x
  kIgraph,    // igraph 0.10 (C core / python-igraph defaults)
};

constexpr std::string_view ConventionName(Convention convention) {
  switch (convention) {
    case Convention::kGephi:
      return "gephi";
    case Convention::kNetworkx:
      return "networkx";
    case Convention::kIgraph:
      return "igraph";
  }
  return "unknown";
}

}  // namespace innoscope::graph

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

#include "libs/common/enum_names.h"

namespace innoscope::graph {

enum class Convention {
  kGephi,     // Gephi 0.10/0.11 StatisticsPlugin (the published reports)
  kNetworkx,  // networkx 3.x
  kIgraph,    // igraph 0.10 (C core / python-igraph defaults)
};

}  // namespace innoscope::graph

namespace innoscope {

// The names of the CLI (--convention) and of results (EnumToName).
template <>
struct EnumNames<graph::Convention> {
  static constexpr absl::string_view kWhat = "convention";
  static constexpr EnumName<graph::Convention> kRows[] = {
      {graph::Convention::kGephi, "gephi"},
      {graph::Convention::kNetworkx, "networkx"},
      {graph::Convention::kIgraph, "igraph"},
  };
};

}  // namespace innoscope

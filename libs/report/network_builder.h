#pragma once

// What the report computes itself on a graph, for both paths: the picture
// of the network (ForceAtlas2 of libs/graph on at most `max_nodes` nodes,
// coloured by Louvain community), the degree distribution with its
// power-law fit, the top nodes by degree, and a NetworkYear from the
// statistics of libs/graph/network_measures.h. Offline the graph comes from
// --edges; online from the relations ingest holds (ReadRelations).
//
//   LayoutOptions options;                 // 2,000 nodes, 300 iterations, seed 1
//   ASSIGN_OR_RETURN(NetworkLayout layout, LayoutNetwork(graph, options));
//   DegreeDistribution degrees = DegreesOf(graph);
//   std::vector<TopNode> top = TopByDegree(graph, 20);

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/graph/graph.h"
#include "libs/graph/network_measures.h"
#include "libs/report/report_data.h"

namespace innoscope::report {

struct LayoutOptions {
  // Above this many nodes, the induced subgraph of the max_nodes nodes of
  // highest degree (ties: lower node id) is drawn, and the layout says so.
  size_t max_nodes = 2000;
  int iterations = 300;
  uint64_t seed = 1;
  int labelled = 10;
  int num_threads = 0;
};

// Undirected ForceAtlas2 (Barnes-Hut) of the graph or its top nodes;
// groups are Louvain communities of the drawn graph (seed options.seed),
// numbered by size, largest first. Labels are the graph's node labels.
absl::StatusOr<NetworkLayout> LayoutNetwork(const graph::Graph& graph,
                                            const LayoutOptions& options);

// Total degree histogram (in + out for a directed graph) and the discrete
// power-law fit of its tail (graph::PowerLawFit, x_min searched, tail >= 10).
DegreeDistribution DegreesOf(const graph::Graph& graph);

// The n nodes of highest total degree, ties by node id; group = "".
std::vector<TopNode> TopByDegree(const graph::Graph& graph, size_t n);

// One row of the statistics table.
NetworkYear YearOf(const graph::NetworkStatistics& stats, int32_t year);

}  // namespace innoscope::report

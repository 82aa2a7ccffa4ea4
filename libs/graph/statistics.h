#pragma once

// Whole-graph statistics that need no search: counts, average degree,
// density, reciprocity and degree assortativity. Constant- or linear-time,
// so plain functions rather than Algorithm objects. The search-based ones
// live in components.h, paths.h, clustering.h and core_decomposition.h.
//
//   BasicStatistics basic = ComputeBasicStatistics(graph);
//   basic.average_degree;   // 83,815 / 30,765 = 2.724 for a directed graph
//   double r = DegreeAssortativity(graph);
//
// Edge counts are the stored edges (after the build policies): a kept
// parallel edge counts once per copy and a self-loop once, as in Gephi and
// networkx; build with SelfLoopPolicy::kDrop and MultiEdgePolicy::kMerge* to
// reproduce statistics computed on simple graphs.

#include <cstdint>

#include "libs/graph/convention.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

struct BasicStatistics {
  int64_t nodes = 0;
  int64_t edges = 0;
  int64_t self_loops = 0;
  bool directed = false;
  bool weighted = false;
  // Gephi's "Average Degree": E/N directed, 2E/N undirected (0 when N = 0).
  // For directed graphs this is the mean in-degree = mean out-degree.
  double average_degree = 0;
  // Mean weighted degree (strength): W/N directed, 2W/N undirected, where W
  // is the total edge weight (= average_degree when unweighted).
  double average_weighted_degree = 0;
  // E / (N(N-1)) directed, 2E / (N(N-1)) undirected; 0 when N < 2 (networkx,
  // Gephi). Exceeds 1 only with self-loops or parallel edges.
  double density = 0;
};

// O(m) (for the total weight), no allocation.
BasicStatistics ComputeBasicStatistics(const Graph& graph);

// Share of directed edges whose reverse edge also exists, over distinct
// ordered pairs (parallel edges count once). Self-loops: kNetworkx counts
// them in the denominator only (networkx.overall_reciprocity); kGephi and
// kIgraph ignore them (igraph's ignore_loops=True default; Gephi has no
// reciprocity statistic). Undirected graphs: 1 (igraph; networkx raises).
// A graph without (non-loop) edges: 0. Time O(m log d_max).
double Reciprocity(const Graph& graph, Convention convention = Convention::kIgraph);

// Degree assortativity (Newman 2002, 2003): the Pearson correlation of the
// degrees at the two ends of an edge. Undirected: every edge counted in both
// orientations with total degrees; directed: (out-degree of the source,
// in-degree of the target), the default of networkx
// degree_assortativity_coefficient and igraph assortativity_degree. Degrees
// and edges are as stored (parallel edges repeat, a self-loop adds 2 to an
// undirected degree). NaN when a variance is zero (e.g. regular graphs) or
// there are no edges. Time O(m).
double DegreeAssortativity(const Graph& graph);

}  // namespace innoscope::graph

#pragma once

// The per-node measures (centralities and the like) the network service and
// `innoscope network centrality` compute; docs/network.md section 5. Each is
// one of the algorithms of centrality.h, betweenness.h, core_decomposition.h,
// communities.h and clustering.h, run by ComputeMeasure
// (network_measures.h), which also names them (MeasureName,
// MeasureFromName).

namespace innoscope::graph {

enum class Measure {
  kDegree,        // in + out (undirected: degree)
  kInDegree,
  kOutDegree,
  kStrength,      // weighted degree (needs edge weights)
  kInStrength,
  kOutStrength,
  kBetweenness,   // exact Brandes, or sampled
  kCloseness,
  kHarmonic,      // harmonic closeness
  kPagerank,
  kEigenvector,
  kKcore,         // core number
  kCommunity,     // Louvain community id
  kClustering,    // local clustering coefficient
};

}  // namespace innoscope::graph

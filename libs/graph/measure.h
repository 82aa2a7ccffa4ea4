#pragma once

// The per-node measures (centralities and the like) the network service and
// `innoscope network centrality` compute; docs/network.md section 5. Each is
// one of the algorithms of centrality.h, betweenness.h, core_decomposition.h,
// communities.h and clustering.h, run by ComputeMeasure (network_measures.h).
//
// A new measure: the algorithm, the enumerator with its row in EnumNames
// below, its case in ComputeMeasure's switch, and the proto value with its
// row in libs/codecs/enum_codecs.h (docs/architecture.md).

#include "libs/common/enum_names.h"

namespace innoscope::graph {

enum class Measure {
  kDegree,  // in + out (undirected: degree)
  kInDegree,
  kOutDegree,
  kStrength,  // weighted degree (needs edge weights)
  kInStrength,
  kOutStrength,
  kBetweenness,  // exact Brandes, or sampled
  kCloseness,
  kHarmonic,  // harmonic closeness
  kPagerank,
  kEigenvector,
  kKcore,       // core number
  kCommunity,   // Louvain community id
  kClustering,  // local clustering coefficient
};

}  // namespace innoscope::graph

namespace innoscope {

// The names of the CLI (--measure) and of results.
template <>
struct EnumNames<graph::Measure> {
  static constexpr absl::string_view kWhat = "measure";
  static constexpr EnumName<graph::Measure> kRows[] = {
      {graph::Measure::kDegree, "degree"},           {graph::Measure::kInDegree, "in_degree"},
      {graph::Measure::kOutDegree, "out_degree"},    {graph::Measure::kStrength, "strength"},
      {graph::Measure::kInStrength, "in_strength"},  {graph::Measure::kOutStrength, "out_strength"},
      {graph::Measure::kBetweenness, "betweenness"}, {graph::Measure::kCloseness, "closeness"},
      {graph::Measure::kHarmonic, "harmonic"},       {graph::Measure::kPagerank, "pagerank"},
      {graph::Measure::kEigenvector, "eigenvector"}, {graph::Measure::kKcore, "kcore"},
      {graph::Measure::kCommunity, "community"},     {graph::Measure::kClustering, "clustering"},
  };
};

}  // namespace innoscope

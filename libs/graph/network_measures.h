#pragma once

// What the network service and the offline `innoscope network` commands
// compute on one built graph: whole-graph statistics and per-node measures,
// the algorithms of libs/graph run under one convention, with plain result
// types, so both print the same numbers. The service converts them to the
// messages of innoscope.network.v1 (services/network/measures_proto.h);
// no gRPC, protobuf or SQL here.
//
//   StatsOptions options;
//   options.convention = Convention::kGephi;
//   ASSIGN_OR_RETURN(NetworkStatistics stats, ComputeNetworkStatistics(graph, options, interrupt));
//   ASSIGN_OR_RETURN(MeasureResult pagerank,
//                    ComputeMeasure(graph, Measure::kPagerank, MeasureOptions(), interrupt));
//
// Cost: the statistics run one search from every node (exact distances) or
// the sampled ones (approximate), clustering under all three conventions
// (O(sum of squared degrees) each), components, assortativity and Louvain;
// a measure costs what its algorithm's header states.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/graph/algorithm.h"
#include "libs/graph/communities.h"
#include "libs/graph/convention.h"
#include "libs/graph/graph.h"
#include "libs/graph/measure.h"
#include "libs/graph/statistics.h"

namespace innoscope::graph {

// Louvain parameters with defaults applied.
struct LouvainParams {
  double resolution = 1.0;  // gamma, or Gephi's r under kGephi
  uint64_t seed = 0;
  bool weighted = false;
};
// INVALID_ARGUMENT "<field>.resolution: ..." unless the resolution is finite
// and > 0.
absl::Status CheckLouvainParams(const LouvainParams& params, absl::string_view field = "louvain");

// Sampling parameters (ApproxBetweenness, ApproxPathStatistics) with their
// defaults: epsilon 0.01, delta 0.1, 20,000 reachable pairs for distances.
struct ApproxParams {
  bool enabled = false;
  double epsilon = 0.01;
  double delta = 0.1;
  int64_t path_samples = 20000;
  uint64_t seed = 0;
};

// The library's Louvain options for the parameters under a convention.
Louvain::Options LouvainOptionsOf(const LouvainParams& params, Convention convention);

// What a finished Louvain run reports.
struct CommunitySummary {
  // At the requested resolution (Gephi's Q_r under gephi, Q_gamma
  // otherwise) and at resolution 1.
  double modularity = 0;
  double modularity_at_resolution_1 = 0;
  int64_t communities = 0;
  double resolution = 1;  // as requested (r under gephi)
  double gamma = 1;       // the gamma optimised (1/r under gephi)
  uint64_t seed = 0;
  bool weighted = false;
};
CommunitySummary CommunitySummaryOf(const Louvain& louvain, const LouvainParams& params,
                                    Convention convention);

// Distances: exact (a search from every node) or sampled.
struct PathSummary {
  // Mean over reachable ordered pairs (gephi, igraph); absent under
  // networkx when any pair is unreachable (networkx raises), see note.
  std::optional<double> average_path_length;
  std::optional<int64_t> diameter;  // longest finite distance
  std::optional<int64_t> radius;    // exact only
  int64_t reachable_pairs = 0;      // ordered pairs; estimated when not exact
  int64_t unreachable_pairs = 0;
  bool exact = true;
  // Approximation only: the (1 - delta) interval of the average path
  // length and bounds that always hold for the diameter.
  double average_path_length_low = 0;
  double average_path_length_high = 0;
  int64_t diameter_lower_bound = 0;
  int64_t diameter_upper_bound = 0;
  int64_t sources = 0;  // exact: BFS sources; approximate: node pairs searched
  std::string note;     // why a value is absent
};

struct ClusteringSummary {
  double average_clustering = 0;  // under the convention asked for
  int64_t nodes_averaged = 0;
  double transitivity = 0;  // 3 x triangles / connected triples
  int64_t triangles = 0;
  // Every definition, whatever the convention: Gephi's, Gephi's undirected
  // one on the undirected view (= igraph's), and networkx's.
  double average_clustering_gephi = 0;
  double average_clustering_undirected = 0;
  double average_clustering_networkx = 0;
};

struct NetworkStatistics {
  Convention convention = Convention::kGephi;
  BasicStatistics basic;  // nodes, edges, self-loops, degrees, density
  int32_t weak_components = 0;
  int32_t strong_components = 0;
  double giant_weak_component_share = 0;
  double giant_strong_component_share = 0;
  PathSummary paths;
  ClusteringSummary clustering;
  std::optional<double> reciprocity;            // directed graphs
  std::optional<double> degree_assortativity;   // absent when undefined
  std::optional<CommunitySummary> communities;  // absent when skipped
};

struct StatsOptions {
  Convention convention = Convention::kGephi;
  LouvainParams louvain;
  bool communities = true;
  ApproxParams approximation;  // average path length and diameter
  int num_threads = 0;         // 0: every core
};

// Every statistic of NetworkStatistics. Distances are exact (a search from
// every node) unless approximation is enabled. Under networkx the average
// path length, diameter and radius are absent, with a note, when a pair is
// unreachable (networkx raises); communities are absent for a graph without
// edges.
absl::StatusOr<NetworkStatistics> ComputeNetworkStatistics(const Graph& graph,
                                                           const StatsOptions& options,
                                                           const Interrupt& interrupt);

// The measures' and conventions' names are their EnumNames tables
// (measure.h, convention.h): EnumToName, ParseEnumIgnoringCase.

struct MeasureOptions {
  Convention convention = Convention::kGephi;
  bool normalized = false;     // degrees / (n-1), betweenness / number of pairs
  bool weighted = false;       // PageRank and eigenvector use edge weights
  ApproxParams approximation;  // betweenness
  LouvainParams louvain;       // Measure::kCommunity
  int num_threads = 0;
};

// How a measure was computed.
struct MeasureInfo {
  Measure measure = Measure::kDegree;
  bool exact = true;
  // Sampled betweenness: every value is within this of the exact one with
  // probability >= 1 - delta, and the sample size.
  double absolute_error_bound = 0;
  int64_t samples = 0;
  // Power iterations (PageRank, eigenvector).
  bool converged = false;
  int32_t iterations = 0;
};

struct MeasureResult {
  std::vector<double> scores;  // per node
  MeasureInfo info;
};

// One per-node measure. Strengths need a weighted graph (INVALID_ARGUMENT
// otherwise).
absl::StatusOr<MeasureResult> ComputeMeasure(const Graph& graph, Measure measure,
                                             const MeasureOptions& options,
                                             const Interrupt& interrupt);

}  // namespace innoscope::graph

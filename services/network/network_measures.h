#pragma once

// What the network service computes on one built graph, as the messages of
// innoscope.network.v1: whole-graph statistics and per-node measures, with
// libs/graph doing the work. Shared by the service and by the offline
// `innoscope network` commands, so both print the same numbers. No gRPC, no
// SQL: the graph comes in, protobuf results go out.
//
//   StatsOptions options;
//   options.convention = graph::Convention::kGephi;
//   ASSIGN_OR_RETURN(v1::NetworkStats stats, ComputeStats(graph, options, interrupt));
//   ASSIGN_OR_RETURN(MeasureResult pagerank,
//                    ComputeMeasure(graph, graph::Measure::kPagerank, {}, interrupt));
//
// Conventions and measures cross the wire through libs/codecs/enum_codecs.h
// and are named by libs/graph's tables (EnumToName, ParseEnum).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "innoscope/network/v1/network.pb.h"
#include "libs/graph/algorithm.h"
#include "libs/graph/communities.h"
#include "libs/graph/convention.h"
#include "libs/graph/graph.h"
#include "libs/graph/measure.h"

namespace innoscope::network {

// Louvain parameters with defaults applied.
struct LouvainParams {
  double resolution = 1.0;  // gamma, or Gephi's r under kGephi
  uint64_t seed = 0;
  bool weighted = false;
};
// INVALID_ARGUMENT "<field>.resolution: ..." unless the resolution is > 0.
absl::StatusOr<LouvainParams> ToLouvainParams(const v1::LouvainOptions& options,
                                              absl::string_view field = "louvain");

// Sampling parameters with defaults applied (epsilon 0.01, delta 0.1, 20,000
// reachable pairs for distances).
struct ApproxParams {
  bool enabled = false;
  double epsilon = 0.01;
  double delta = 0.1;
  int64_t path_samples = 20000;
  uint64_t seed = 0;
};
// INVALID_ARGUMENT naming the field for epsilon or delta outside (0, 1) or a
// sample size <= 0.
absl::StatusOr<ApproxParams> ToApproxParams(const v1::Approximation& approximation,
                                            absl::string_view field = "approximation");

// The library's Louvain options for the parameters under a convention.
graph::Louvain::Options LouvainOptionsOf(const LouvainParams& params, graph::Convention convention);
// What a finished Louvain run reports (modularity at the resolution and at 1,
// communities, resolution and the gamma optimised).
v1::CommunityStats CommunityStatsOf(const graph::Louvain& louvain, const LouvainParams& params,
                                    graph::Convention convention);

struct StatsOptions {
  graph::Convention convention = graph::Convention::kGephi;
  LouvainParams louvain;
  bool communities = true;
  ApproxParams approximation;  // average path length and diameter
  int num_threads = 0;         // 0: every core
};

// Every field of v1::NetworkStats except the node counts by role, which need
// the actors (nodes.total only). Distances are exact (a search from every
// node) unless approximation is enabled. Under networkx the average path
// length and diameter are absent, with a note, when a pair is unreachable
// (networkx raises); communities are absent for a graph without edges.
absl::StatusOr<v1::NetworkStats> ComputeStats(const graph::Graph& graph,
                                              const StatsOptions& options,
                                              const graph::Interrupt& interrupt);

struct MeasureOptions {
  graph::Convention convention = graph::Convention::kGephi;
  bool normalized = false;     // degrees / (n-1), betweenness / number of pairs
  bool weighted = false;       // PageRank and eigenvector use edge weights
  ApproxParams approximation;  // betweenness
  LouvainParams louvain;       // MEASURE_COMMUNITY
  int num_threads = 0;
};

struct MeasureResult {
  std::vector<double> scores;  // per node
  v1::MeasureInfo info;
};

// One per-node measure (docs/network.md section 5). Strengths need a
// weighted graph (INVALID_ARGUMENT otherwise).
absl::StatusOr<MeasureResult> ComputeMeasure(const graph::Graph& graph, graph::Measure measure,
                                             const MeasureOptions& options,
                                             const graph::Interrupt& interrupt);

}  // namespace innoscope::network

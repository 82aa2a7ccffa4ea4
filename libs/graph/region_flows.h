#pragma once

// Region flows: the origin-destination (OD) matrix of relations between
// regions (provinces, cities), intra- vs inter-regional shares, top flows and
// each region's share of outgoing and incoming relations. Pure computation
// on arrays: a region label per node and a directed edge list.
//
//   std::vector<std::string> province = ...;  // one label per node
//   RegionFlowOptions options;
//   options.top_n = 10;
//   ASSIGN_OR_RETURN(RegionFlows flows,
//                    ComputeRegionFlows(province, graph.Edges(), options));
//   flows.intra_count_percent;                 // share of intra-provincial
//   relations flows.Count(flows.RegionIndex("Beijing"),
//   flows.RegionIndex("Shanghai"));
//
// Every edge is a relation from its source's region to its target's region
// (pass the edges of a directed graph; an undirected graph's canonical edges
// run from the smaller node id). Edges with an unlabeled endpoint ("") are
// skipped and counted. Percentages are of the counted relations (counts) or
// of their total weight (weights) and each family sums to 100 (0 when there
// is nothing to share). Time O(m + R^2 + R log R), memory O(R^2) for R
// regions (dense matrix; more than 4096 regions is INVALID_ARGUMENT).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

struct RegionFlowOptions {
  // Number of largest flows to list (by weight, then count).
  int top_n = 10;
  // Whether intra-regional cells (origin == destination) may appear in top
  // flows.
  bool include_intra_in_top = false;
};

struct RegionFlow {
  int32_t origin = 0;  // index into RegionFlows::regions
  int32_t destination = 0;
  int64_t count = 0;
  double weight = 0;
};

struct RegionFlows {
  // Distinct non-empty labels, sorted; a region's index is its position.
  std::vector<std::string> regions;
  // Row-major R x R matrices: cell (o, d) at o * R + d.
  std::vector<int64_t> counts;
  std::vector<double> weights;

  int64_t total_count = 0;
  double total_weight = 0;
  int64_t skipped_edges = 0;
  // Intra- (origin == destination) and inter-regional shares, in percent.
  double intra_count_percent = 0;
  double inter_count_percent = 0;
  double intra_weight_percent = 0;
  double inter_weight_percent = 0;
  // Per region: share of all relations that leave it (row sums) and that
  // arrive in it (column sums), intra-regional ones included, in percent.
  std::vector<double> outgoing_count_percent;
  std::vector<double> incoming_count_percent;
  std::vector<double> outgoing_weight_percent;
  std::vector<double> incoming_weight_percent;
  std::vector<RegionFlow> top_flows;

  int32_t NumRegions() const { return static_cast<int32_t>(regions.size()); }
  int64_t Count(int32_t origin, int32_t destination) const {
    return counts[static_cast<size_t>(origin) * regions.size() + destination];
  }
  double Weight(int32_t origin, int32_t destination) const {
    return weights[static_cast<size_t>(origin) * regions.size() + destination];
  }
  // Index of a region label, if present.
  std::optional<int32_t> RegionIndex(std::string_view label) const;
};

// INVALID_ARGUMENT if an edge endpoint has no label entry or a weight is not
// finite.
absl::StatusOr<RegionFlows> ComputeRegionFlows(absl::Span<const std::string> node_region,
                                               absl::Span<const Edge> edges,
                                               const RegionFlowOptions& options = {});

}  // namespace innoscope::graph

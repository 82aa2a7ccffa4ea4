#pragma once

// Region profiles: for one region, every node's score and rank with the
// universe mean and median beside it, radar-chart series at a level, and
// strengths and weaknesses -- nodes ranked far better or worse than the
// region's composite rank (the reading the report narratives give).
//
//   absl::StatusOr<RegionProfile> p = BuildProfile(tree, node_scores, region);
//   std::vector<NodeProfile> radar = RadarSeries(*p, tree, 2);
//   for (int node : p->strengths) ...
//
// `node_scores` is the regions x nodes matrix from Aggregate (natural or
// global-weighted scale: ranks do not depend on it). The universe is every
// row of the matrix, so a clusters x nodes matrix from ClusterMatrix profiles
// a cluster among clusters. Ranks are competition ranks (ranking.h).
//
// Complexity: O(n R log R) for n nodes and R regions (every node is ranked).

#include <vector>

#include "absl/status/statusor.h"
#include "libs/index/data_matrix.h"
#include "libs/scoring/aggregation_tree.h"
#include "libs/scoring/ranking.h"

namespace innoscope::scoring {

struct NodeProfile {
  int node = 0;
  double score = index::kMissing;
  int rank = kUnranked;  // among the regions with a score at this node
  double universe_mean = index::kMissing;
  double universe_median = index::kMissing;  // type-7 median
};

struct ProfileOptions {
  RankOptions rank_options;
  // A node is a strength when its rank is at least this many places better
  // than the composite rank, a weakness when at least this many worse; >= 1.
  int strength_threshold = 5;
  // Nodes considered for strengths and weaknesses: this level only, or every
  // node below the root when 0.
  int level = 0;
};

struct RegionProfile {
  int region = 0;
  int composite_rank = kUnranked;
  std::vector<NodeProfile> nodes;  // indexed by node id
  // Node ids, largest rank gap first (ties by node id). Empty when the
  // region has no composite rank.
  std::vector<int> strengths;
  std::vector<int> weaknesses;
};

// INVALID_ARGUMENT for a region out of range, a matrix without one column
// per node, or bad options.
absl::StatusOr<RegionProfile> BuildProfile(const AggregationTree& tree,
                                           const index::DataMatrix& node_scores, int region,
                                           const ProfileOptions& options = {});

// The profile's nodes at `level`, in node id order: one radar axis each.
std::vector<NodeProfile> RadarSeries(const RegionProfile& profile, const AggregationTree& tree,
                                     int level);

}  // namespace innoscope::scoring

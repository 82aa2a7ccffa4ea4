#include "libs/scoring/profile.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/statistics.h"

namespace innoscope::scoring {
namespace {

// Nodes whose rank gap (gap_sign * (composite - node rank)) is at least
// `threshold`, largest gap first.
std::vector<int> RankGapNodes(const RegionProfile& profile, const std::vector<int>& candidates,
                              int threshold, int gap_sign) {
  std::vector<std::pair<int, int>> gaps;  // (gap, node)
  for (int node : candidates) {
    const int rank = profile.nodes[node].rank;
    if (rank == kUnranked) continue;
    const int gap = gap_sign * (profile.composite_rank - rank);
    if (gap >= threshold) gaps.emplace_back(gap, node);
  }
  std::sort(gaps.begin(), gaps.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<int> nodes;
  nodes.reserve(gaps.size());
  for (const auto& [gap, node] : gaps) nodes.push_back(node);
  return nodes;
}

}  // namespace

absl::StatusOr<RegionProfile> BuildProfile(const AggregationTree& tree,
                                           const index::DataMatrix& node_scores, int region,
                                           const ProfileOptions& options) {
  if (node_scores.cols() != tree.size()) {
    return absl::InvalidArgumentError(absl::StrCat("node score matrix has ", node_scores.cols(),
                                                   " columns for ", tree.size(), " tree nodes"));
  }
  if (region < 0 || static_cast<size_t>(region) >= node_scores.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat("region ", region, " is out of range (", node_scores.rows(), " regions)"));
  }
  if (options.strength_threshold < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("strength threshold must be >= 1, got ", options.strength_threshold));
  }

  RegionProfile profile;
  profile.region = region;
  profile.nodes.resize(tree.size());
  for (size_t id = 0; id < tree.size(); ++id) {
    absl::Span<const double> column = node_scores.Column(id);
    ASSIGN_OR_RETURN(std::vector<int> ranks, CompetitionRanks(column, options.rank_options));
    NodeProfile& node = profile.nodes[id];
    node.node = static_cast<int>(id);
    node.score = column[region];
    node.rank = ranks[region];
    node.universe_mean = Mean(column);
    node.universe_median = Median(column);
  }
  profile.composite_rank = profile.nodes[tree.Root()].rank;
  if (profile.composite_rank == kUnranked) return profile;

  std::vector<int> candidates;
  if (options.level > 0) {
    candidates = tree.NodesAtLevel(options.level);
  } else {
    for (size_t id = 0; id < tree.size(); ++id) {
      if (static_cast<int>(id) != tree.Root()) {
        candidates.push_back(static_cast<int>(id));
      }
    }
  }
  profile.strengths = RankGapNodes(profile, candidates, options.strength_threshold, +1);
  profile.weaknesses = RankGapNodes(profile, candidates, options.strength_threshold, -1);
  return profile;
}

std::vector<NodeProfile> RadarSeries(const RegionProfile& profile, const AggregationTree& tree,
                                     int level) {
  std::vector<NodeProfile> series;
  for (int node : tree.NodesAtLevel(level)) {
    if (static_cast<size_t>(node) < profile.nodes.size()) {
      series.push_back(profile.nodes[node]);
    }
  }
  return series;
}

}  // namespace innoscope::scoring

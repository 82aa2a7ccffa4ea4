#include "libs/scoring/ranking.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/index/data_matrix.h"

namespace innoscope::scoring {

absl::Status ValidateRankOptions(const RankOptions& options) {
  if (options.decimals < -1 || options.decimals > 15) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rank decimals must be in -1..15, got ", options.decimals));
  }
  if (!std::isfinite(options.tolerance) || options.tolerance < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rank tolerance must be finite and >= 0, got ", options.tolerance));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int>> CompetitionRanks(
    absl::Span<const double> scores, const RankOptions& options) {
  RETURN_IF_ERROR(ValidateRankOptions(options));
  std::vector<double> keys(scores.begin(), scores.end());
  if (options.decimals >= 0) {
    const double scale = std::pow(10.0, options.decimals);
    for (double& key : keys) key = std::round(key * scale) / scale;
  }
  std::vector<size_t> order;
  order.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!index::IsMissingValue(keys[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&keys](size_t a, size_t b) { return keys[a] > keys[b]; });

  std::vector<int> ranks(scores.size(), kUnranked);
  double group_top = 0;
  int group_rank = 0;
  for (size_t pos = 0; pos < order.size(); ++pos) {
    const double key = keys[order[pos]];
    if (pos == 0 || group_top - key > options.tolerance) {
      group_top = key;
      group_rank = static_cast<int>(pos) + 1;
    }
    ranks[order[pos]] = group_rank;
  }
  return ranks;
}

absl::StatusOr<std::vector<int>> CompetitionRanksWithin(
    absl::Span<const double> scores, absl::Span<const int> members,
    const RankOptions& options) {
  std::vector<double> masked(scores.size(), index::kMissing);
  std::vector<bool> seen(scores.size(), false);
  for (int member : members) {
    if (member < 0 || static_cast<size_t>(member) >= scores.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("sub-universe member ", member, " is out of range (",
                       scores.size(), " regions)"));
    }
    if (seen[member]) {
      return absl::InvalidArgumentError(
          absl::StrCat("sub-universe member ", member, " is listed twice"));
    }
    seen[member] = true;
    masked[member] = scores[member];
  }
  return CompetitionRanks(masked, options);
}

}  // namespace innoscope::scoring

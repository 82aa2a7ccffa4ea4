#include "libs/scoring/changes.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace innoscope::scoring {
namespace {

using index::IsMissingValue;
using index::kMissing;

absl::Status CheckSameSize(size_t a, size_t b) {
  if (a != b) {
    return absl::InvalidArgumentError(
        absl::StrCat("the two runs have ", a, " and ", b, " regions"));
  }
  return absl::OkStatus();
}

// The comparable changes satisfying `keep`, ordered by `before`, truncated.
std::vector<RankChange> Extremes(
    const std::vector<RankChange>& changes, size_t count,
    const std::function<bool(const RankChange&)>& keep,
    const std::function<bool(const RankChange&, const RankChange&)>& before) {
  std::vector<RankChange> selected;
  for (const RankChange& change : changes) {
    if (change.comparable && keep(change)) selected.push_back(change);
  }
  std::sort(selected.begin(), selected.end(), before);
  if (selected.size() > count) selected.resize(count);
  return selected;
}

}  // namespace

absl::StatusOr<std::vector<RankChange>> CompareRanks(absl::Span<const int> previous_ranks,
                                                     absl::Span<const int> current_ranks) {
  RETURN_IF_ERROR(CheckSameSize(previous_ranks.size(), current_ranks.size()));
  std::vector<RankChange> changes(previous_ranks.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    RankChange& change = changes[i];
    change.region = static_cast<int>(i);
    change.previous_rank = previous_ranks[i];
    change.current_rank = current_ranks[i];
    change.comparable = change.previous_rank != kUnranked && change.current_rank != kUnranked;
    if (change.comparable) {
      change.rank_change = change.previous_rank - change.current_rank;
    }
  }
  return changes;
}

absl::StatusOr<std::vector<RankChange>> CompareScores(absl::Span<const double> previous_scores,
                                                      absl::Span<const double> current_scores,
                                                      const RankOptions& options) {
  RETURN_IF_ERROR(CheckSameSize(previous_scores.size(), current_scores.size()));
  ASSIGN_OR_RETURN(std::vector<int> previous_ranks, CompetitionRanks(previous_scores, options));
  ASSIGN_OR_RETURN(std::vector<int> current_ranks, CompetitionRanks(current_scores, options));
  ASSIGN_OR_RETURN(std::vector<RankChange> changes, CompareRanks(previous_ranks, current_ranks));
  for (size_t i = 0; i < changes.size(); ++i) {
    changes[i].previous_score = previous_scores[i];
    changes[i].current_score = current_scores[i];
    changes[i].score_change = current_scores[i] - previous_scores[i];
  }
  return changes;
}

std::vector<RankChange> LargestRisers(const std::vector<RankChange>& changes, size_t count) {
  return Extremes(
      changes, count, [](const RankChange& c) { return c.rank_change > 0; },
      [](const RankChange& a, const RankChange& b) {
        return a.rank_change != b.rank_change ? a.rank_change > b.rank_change : a.region < b.region;
      });
}

std::vector<RankChange> LargestFallers(const std::vector<RankChange>& changes, size_t count) {
  return Extremes(
      changes, count, [](const RankChange& c) { return c.rank_change < 0; },
      [](const RankChange& a, const RankChange& b) {
        return a.rank_change != b.rank_change ? a.rank_change < b.rank_change : a.region < b.region;
      });
}

absl::StatusOr<std::vector<double>> GrowthRates(absl::Span<const double> previous,
                                                absl::Span<const double> current) {
  RETURN_IF_ERROR(CheckSameSize(previous.size(), current.size()));
  std::vector<double> growth(previous.size(), kMissing);
  for (size_t i = 0; i < growth.size(); ++i) {
    if (IsMissingValue(current[i]) || !(previous[i] > 0)) continue;
    growth[i] = current[i] / previous[i] - 1;
  }
  return growth;
}

absl::StatusOr<std::vector<double>> CompoundAnnualGrowth(absl::Span<const double> first,
                                                         absl::Span<const double> last,
                                                         double years) {
  RETURN_IF_ERROR(CheckSameSize(first.size(), last.size()));
  if (!std::isfinite(years) || years <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("years must be finite and > 0, got ", years));
  }
  std::vector<double> growth(first.size(), kMissing);
  for (size_t i = 0; i < growth.size(); ++i) {
    if (!(first[i] > 0) || !(last[i] >= 0)) continue;
    growth[i] = std::pow(last[i] / first[i], 1.0 / years) - 1;
  }
  return growth;
}

absl::StatusOr<std::vector<double>> GrowthBetweenPeriods(absl::Span<const double> previous,
                                                         absl::Span<const double> current,
                                                         int previous_period, int current_period) {
  RETURN_IF_ERROR(CheckSameSize(previous.size(), current.size()));
  if (previous_period == current_period) {
    return absl::InvalidArgumentError(
        absl::StrCat("both runs are of period ", current_period,
                     "; compound annual growth needs two different periods"));
  }
  const double years = static_cast<double>(current_period) - static_cast<double>(previous_period);
  std::vector<double> growth(previous.size(), kMissing);
  for (size_t i = 0; i < growth.size(); ++i) {
    if (!(previous[i] > 0) || !(current[i] > 0)) continue;  // NaN fails both
    growth[i] = std::pow(current[i] / previous[i], 1.0 / years) - 1;
  }
  return growth;
}

absl::StatusOr<std::vector<double>> SharesOfTotal(absl::Span<const double> values) {
  double total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (IsMissingValue(values[i])) continue;
    if (!std::isfinite(values[i]) || values[i] < 0) {
      return absl::InvalidArgumentError(absl::StrCat("value of region ", i, " is ", values[i],
                                                     " (shares need finite values >= 0)"));
    }
    total += values[i];
  }
  if (!(total > 0)) {
    return absl::InvalidArgumentError("shares need a positive total");
  }
  std::vector<double> shares(values.size(), kMissing);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!IsMissingValue(values[i])) shares[i] = 100.0 * values[i] / total;
  }
  return shares;
}

}  // namespace innoscope::scoring

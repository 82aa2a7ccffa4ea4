#pragma once

// Changes between two runs or periods: rank and score movements (the
// two-year rank table with risers and fallers), growth of raw indicators and
// shares of the universe total.
//
//   absl::StatusOr<std::vector<RankChange>> moves =
//       CompareScores(scores_2022, scores_2023);
//   std::vector<RankChange> up = LargestRisers(*moves, 5);
//   std::vector<double> yoy = GrowthRates(patents_2022, patents_2023);
//
// Regions are matched by index: both runs must list the same regions in the
// same order. Each run is ranked within its own universe (the regions with a
// score in that run), as the reports do. Rank change = previous rank -
// current rank, so a positive change is a move up (the sign of the published
// tables). Growth rates are fractions (0.25 = +25%); shares are percentages.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/index/data_matrix.h"
#include "libs/scoring/ranking.h"

namespace innoscope::scoring {

struct RankChange {
  int region = 0;
  double previous_score = index::kMissing;
  double current_score = index::kMissing;
  double score_change = index::kMissing;  // current - previous
  int previous_rank = kUnranked;
  int current_rank = kUnranked;
  int rank_change = 0;      // previous - current; > 0 moved up
  bool comparable = false;  // ranked in both runs
};

// Changes from ranks alone (scores stay NaN). INVALID_ARGUMENT when the
// sizes differ. O(n).
absl::StatusOr<std::vector<RankChange>> CompareRanks(absl::Span<const int> previous_ranks,
                                                     absl::Span<const int> current_ranks);

// Ranks both runs with `options`, then CompareRanks, with scores filled in.
// O(n log n).
absl::StatusOr<std::vector<RankChange>> CompareScores(absl::Span<const double> previous_scores,
                                                      absl::Span<const double> current_scores,
                                                      const RankOptions& options = {});

// The `count` comparable regions that rose (fell) the most, largest move
// first, ties by region index. O(n log n).
std::vector<RankChange> LargestRisers(const std::vector<RankChange>& changes, size_t count);
std::vector<RankChange> LargestFallers(const std::vector<RankChange>& changes, size_t count);

// Year-over-year growth current / previous - 1 per region; NaN when either
// is missing or previous <= 0 (growth from zero or a negative base is
// undefined). INVALID_ARGUMENT when the sizes differ. O(n).
absl::StatusOr<std::vector<double>> GrowthRates(absl::Span<const double> previous,
                                                absl::Span<const double> current);

// Compound annual growth rate (last / first)^(1 / years) - 1 per region; NaN
// when either is missing, first <= 0 or last < 0. INVALID_ARGUMENT for
// years not finite and > 0 or sizes that differ. O(n).
absl::StatusOr<std::vector<double>> CompoundAnnualGrowth(absl::Span<const double> first,
                                                         absl::Span<const double> last,
                                                         double years);

// Compound annual growth between the periods of two runs, per region:
// (current / previous)^(1 / (current_period - previous_period)) - 1, the
// constant yearly rate that turns `previous` into `current` (CompoundAnnual-
// Growth with years = the periods' distance; one year apart it is the
// year-over-year growth). The formula gives the same rate whichever period
// is earlier. NaN when either value is missing or <= 0. INVALID_ARGUMENT for
// equal periods or sizes that differ. O(n).
absl::StatusOr<std::vector<double>> GrowthBetweenPeriods(absl::Span<const double> previous,
                                                         absl::Span<const double> current,
                                                         int previous_period, int current_period);

// Each region's percentage of the total over present values (they sum to
// 100); missing stays NaN. INVALID_ARGUMENT for a negative value or a total
// that is not positive. O(n).
absl::StatusOr<std::vector<double>> SharesOfTotal(absl::Span<const double> values);

}  // namespace innoscope::scoring

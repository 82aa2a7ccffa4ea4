#pragma once

// Tiers (梯队): grouping regions into ordered classes, tier 1 at the top.
//
//   absl::StatusOr<Tiers> half = MedianSplit(scores);        // >= median: 1
//   absl::StatusOr<Tiers> jenks = NaturalBreakTiers(scores, 3);
//   absl::StatusOr<std::vector<int>> bands =
//       RankBandTiers(ranks, {6, 10, 20});   // ranks 1-6, 7-10, 11-20, rest
//
// Score-based tiers are all threshold tiers with different cut-offs: a
// region's tier is 1 + the number of cut-offs strictly above its score, so a
// score equal to a cut-off belongs to the higher tier ("at or above the
// median"). Missing (NaN) scores get tier kUnranked (0). Equal scores always
// share a tier.

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace innoscope::scoring {

// Natural breaks are exact and O(k n^2) time, O(k n) memory; these bound n
// and k (10^4 values in 20 classes take about a second).
inline constexpr size_t kMaxJenksValues = 10000;
inline constexpr int kMaxJenksClasses = 20;

struct Tiers {
  // Per region: 1 = top tier; kUnranked (0) for a missing score.
  std::vector<int> tier;
  // Descending lower bounds: tier t (1-based) holds the scores >=
  // cutoffs[t - 1] not in a higher tier; the last tier, cutoffs.size() + 1,
  // holds the rest. A tier may be empty (e.g. equal quantiles).
  std::vector<double> cutoffs;
};

// Tiers from explicit cut-offs (finite, in any order). O(n c).
absl::StatusOr<Tiers> ThresholdTiers(absl::Span<const double> scores,
                                     absl::Span<const double> cutoffs);

// `num_tiers` (1..100) tiers cut at the type-7 quantiles j / num_tiers of the
// present scores, j = 1..num_tiers - 1. O(n log n + n k).
absl::StatusOr<Tiers> QuantileTiers(absl::Span<const double> scores, int num_tiers);

// QuantileTiers(scores, 2): tier 1 = at or above the median (16 of 31
// provinces in the 2023 digital-innovation report).
absl::StatusOr<Tiers> MedianSplit(absl::Span<const double> scores);

struct NaturalBreaks {
  // num_classes + 1 values: the minimum, then each class's maximum (the form
  // of jenkspy and R classInt's "fisher" style).
  std::vector<double> breaks;
  // Each class's smallest value, ascending (the tier cut-offs).
  std::vector<double> class_minima;
  // Goodness of variance fit, 1 - SDCM / SDAM (Jenks 1967): 1 for a perfect
  // split, 0 for none; NaN when all values are equal.
  double goodness_of_variance_fit = 0;
};

// Exact natural breaks of the present values (Fisher 1958; Jenks 1967):
// the partition of the sorted values into num_classes contiguous classes
// minimising the sum of squared deviations from the class means, found by
// dynamic programming over prefix sums. Equal values are never split between
// classes; among equally good partitions the one with the earliest class
// starts wins. INVALID_ARGUMENT when num_classes is outside
// 1..kMaxJenksClasses, there are fewer distinct values than classes, a value
// is infinite, or there are more than kMaxJenksValues values. O(k n^2) time,
// O(k n) memory.
absl::StatusOr<NaturalBreaks> JenksBreaks(absl::Span<const double> values, int num_classes);

// Tiers from natural breaks: the top class is tier 1.
absl::StatusOr<Tiers> NaturalBreakTiers(absl::Span<const double> scores, int num_tiers);

// Tiers by rank band: `band_last_ranks` (strictly increasing, >= 1) are the
// last ranks of tiers 1, 2, ...; ranks after the last band form one more
// tier. Rank kUnranked gives tier kUnranked. With competition ranks, tied
// regions share a band. O(n b).
absl::StatusOr<std::vector<int>> RankBandTiers(absl::Span<const int> ranks,
                                               absl::Span<const int> band_last_ranks);

}  // namespace innoscope::scoring

#pragma once

// Competition ranking ("1224" ranking, R's rank(-x, ties.method = "min")):
// descending by score, tied regions share the best rank of their group and
// the next group's rank skips the places they occupy. Used for the composite,
// every dimension, clusters and the Monte Carlo replicates.
//
//   RankOptions options;
//   options.decimals = 2;   // tie what the report prints as equal
//   absl::StatusOr<std::vector<int>> ranks = CompetitionRanks(scores, options);
//   // {81.57, 73.56, 73.56, 36.09} -> {1, 2, 2, 4}
//
// Ties are declared, never broken: equal ranks are the declaration. Two
// scores tie when they are equal after optional rounding to `decimals`
// (std::round, half away from zero, on the binary value), or, with a
// positive `tolerance`, when a score is within `tolerance` of the highest
// score of the current tie group (groups form greedily from the top, so the
// relation is well defined although "within tolerance" is not transitive).
// A missing (NaN) score is not ranked: its rank is kUnranked (0) and it does
// not take a place.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/index/radix_sort.h"

namespace innoscope::scoring {

inline constexpr int kUnranked = 0;

struct RankOptions {
  // Round to this many decimals before comparing (0..15); -1 compares the
  // unrounded values.
  int decimals = -1;
  // Scores within this distance of a tie group's highest score join the
  // group; finite and >= 0.
  double tolerance = 0.0;
};

// INVALID_ARGUMENT for decimals outside -1..15 or a bad tolerance.
absl::Status ValidateRankOptions(const RankOptions& options);

// Rank of every score, 1 = highest. O(n log n).
absl::StatusOr<std::vector<int>> CompetitionRanks(absl::Span<const double> scores,
                                                  const RankOptions& options = {});

// CompetitionRanks for many score vectors in a row (Monte Carlo
// replicates): the same ranks, written into the caller's span, with the
// working buffers kept between calls, so a replicate allocates nothing.
// Not thread-safe: one ranker per thread.
//
//   CompetitionRanker ranker;
//   RETURN_IF_ERROR(ranker.Rank(scores, options, absl::MakeSpan(ranks)));
//
// How: with no tolerance, a present score's rank is 1 + the number of
// present scores strictly above it (the definition of "1224" ranks). Up to
// kCountingRankLimit scores this count is taken directly, O(n^2) compares
// without branches, which beats sorting at that size; beyond it, the scores
// are sorted in descending order by their position in their range
// quantised to 16 bits (two 8-bit counting-sort passes, no comparisons),
// the few scores sharing a quantised value sorted among themselves (O(n)
// unless the scores cluster, O(n log n) at worst; about twice as fast as
// the bucket sort, with n buckets over the range and each bucket's members
// sorted, that ranks with a tolerance, and the radix sort of
// libs/index/radix_sort.h, which remains for a range that overflows).
// Equal scores share a rank, so the order among them does not matter.
class CompetitionRanker {
 public:
  static constexpr size_t kCountingRankLimit = 64;

  // INVALID_ARGUMENT for bad options or ranks.size() != scores.size().
  absl::Status Rank(absl::Span<const double> scores, const RankOptions& options,
                    absl::Span<int> ranks);

 private:
  // With no tolerance: the ranks of keys_ from index::SortByQuantisedValue.
  // False, with nothing written, when the range is empty or overflows.
  bool RankByQuantisedSort(absl::Span<int> ranks);
  // Sorts order_ by key (descending score); scores in [hi - (m-1)/scale, hi].
  void SortDescending(double hi, double scale);

  std::vector<double> keys_;
  std::vector<index::KeyedRow> order_;
  std::vector<index::KeyedRow> buffer_;
  std::vector<uint32_t> bucket_start_;
  std::vector<index::QuantisedRow> quantised_;
  std::vector<index::QuantisedRow> quantised_buffer_;
};

// Ranks within a sub-universe: the `members` (region indices) are ranked
// among themselves, every other region gets kUnranked. Used, for example, to
// rank a country's cities inside a global city list. INVALID_ARGUMENT for a
// member out of range or listed twice. O(n log n).
absl::StatusOr<std::vector<int>> CompetitionRanksWithin(absl::Span<const double> scores,
                                                        absl::Span<const int> members,
                                                        const RankOptions& options = {});

}  // namespace innoscope::scoring

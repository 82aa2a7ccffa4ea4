#pragma once

// Descriptive statistics, correlation and internal consistency for composite
// indicators: the building blocks the rest of libs/scoring uses (quantiles for
// tiers and rank intervals, average ranks for Spearman) and the per-group
// diagnostics of the OECD/JRC Handbook (2008), section 4 (multivariate
// analysis). Mean, Median and PearsonCorrelation follow the same conventions
// as libs/index/stats.h; they are repeated here because scoring must not
// link libs/index.
//
//   double q = Quantile(scores, 0.95);  // type 7, NaN ignored
//   SquareMatrix r =
//       CorrelationMatrix(node_scores, CorrelationMethod::kSpearman);
//   absl::StatusOr<double> alpha = CronbachAlpha(leaf_scores, {0, 1, 2});
//
// Conventions, shared by every function here:
//   * a missing value is NaN (index::kMissing) and is ignored ("pairwise
//     complete" for correlations, "complete cases" for Cronbach's alpha);
//   * variances use the denominator n - 1 (two-pass, for accuracy);
//   * quantiles are Hyndman & Fan (1996) type 7, R's default and NumPy's
//     "linear": for sorted x_1..x_n and h = (n - 1) p + 1,
//     Q(p) = x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)).

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/index/data_matrix.h"
#include "libs/scoring/aggregation_tree.h"

namespace innoscope::scoring {

// Mean of the non-missing values; NaN when there is none. O(n).
double Mean(absl::Span<const double> values);

// Type-7 quantile of the non-missing values for p in [0, 1] (p is clamped);
// NaN when there is no value. O(n log n) (copies and sorts).
double Quantile(absl::Span<const double> values, double p);

// Type-7 quantile of values already sorted ascending with no NaN; NaN when
// empty. O(1).
double QuantileOfSorted(absl::Span<const double> sorted, double p);

// QuantileOfSorted of the n sorted values at(0), ..., at(n - 1), read
// through `at` (two calls), for a caller that never materialises them (the
// rank intervals read them off counts). The same operations, so the same
// result.
template <typename At>
double QuantileOfSortedAt(size_t n, double p, const At& at) {
  if (n == 0) return index::kMissing;
  p = p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
  // 0-based form of type 7: h = (n - 1) p.
  const double h = (static_cast<double>(n) - 1) * p;
  const auto lo = static_cast<size_t>(std::floor(h));
  const size_t hi = lo + 1 < n - 1 ? lo + 1 : n - 1;
  const double low = at(lo);
  return low + (h - static_cast<double>(lo)) * (at(hi) - low);
}

// Quantile(values, 0.5): for odd n the middle value, for even n the mean of
// the two middle values.
double Median(absl::Span<const double> values);

// Fractional ("average") ranks in ascending order, 1-based: tied values get
// the mean of the positions they occupy (1, 2.5, 2.5, 4). NaN stays NaN and is
// not counted. O(n log n).
std::vector<double> AverageRanks(absl::Span<const double> values);

// Pearson product-moment correlation over the pairs where both values are
// present; NaN when fewer than two pairs or a variance is zero. O(n).
// Requires x.size() == y.size() (checked; a mismatch gives NaN).
double PearsonCorrelation(absl::Span<const double> x, absl::Span<const double> y);

// Spearman's rho: Pearson correlation of the average ranks, ranks taken over
// the pairwise-complete observations (R: cor(x, y, method = "spearman",
// use = "pairwise.complete.obs")). O(n log n).
double SpearmanCorrelation(absl::Span<const double> x, absl::Span<const double> y);

enum class CorrelationMethod { kPearson, kSpearman };

// A symmetric matrix with named rows and columns (row-major).
struct SquareMatrix {
  std::vector<std::string> names;
  std::vector<double> values;

  size_t size() const { return names.size(); }
  double at(size_t row, size_t col) const { return values[row * names.size() + col]; }
};

// Correlations between every pair of columns of `data` (diagonal 1, or NaN
// for a column with zero variance). O(c^2 n) for Pearson, O(c^2 n log n) for
// Spearman, c = columns, n = rows.
SquareMatrix CorrelationMatrix(const index::DataMatrix& data, CorrelationMethod method);

// Cronbach's (1951) alpha of the items `columns` of `data`, over the rows
// where every item is present (listwise deletion):
//   alpha = k / (k - 1) * (1 - sum_i var(item_i) / var(sum of items)).
// NaN when fewer than two complete rows or the total has zero variance.
// INVALID_ARGUMENT for fewer than two items or a column out of range.
// O(k n).
absl::StatusOr<double> CronbachAlpha(const index::DataMatrix& data, absl::Span<const int> columns);

// Cronbach's alpha of each aggregation group: entry `id` is the alpha of the
// children of node `id` computed on `node_scores` (regions x tree nodes, the
// output of Aggregate); NaN for leaves and nodes with one child.
// INVALID_ARGUMENT when `node_scores` does not have one column per node.
absl::StatusOr<std::vector<double>> CronbachAlphaByNode(const AggregationTree& tree,
                                                        const index::DataMatrix& node_scores);

}  // namespace innoscope::scoring

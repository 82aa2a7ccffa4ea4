#pragma once

// Power means (arithmetic, geometric, harmonic, generalised) up a tree one
// node at a time over whole columns of regions, with exactly the operations
// of Aggregate's power means (aggregation.cc) in the same order, so the
// scores are Aggregate's bit for bit; for the uncertainty model, which
// aggregates thousands of times the same tree with other weights.
//
//   ColumnTree tree = ColumnTreeFrom(aggregation_tree, leaf_columns);
//   ColumnMeans means;  // one per thread: its buffers are reused
//   if (means.Run(tree, node_means, weights, inputs, regions)) {
//     absl::Span<const double> composite = means.Column(tree, root);
//   } else {
//     ...Aggregate(...)   // it would do something else: let it
//   }
//
// Why not Aggregate: it goes region by region, so every child costs a
// branch, a load and a store per region, and it computes log and exp one
// value at a time; here a node's children are combined column by column,
// sums stay in vector registers, and Log/Exp run over whole columns
// (vector_math.h). Run declines (returns false) whenever Aggregate would
// do anything but a plain power mean: TOPSIS, a missing (NaN) value, a
// value outside the mean's domain (Aggregate then applies its
// NonPositivePolicy and MissingPolicy, or fails), a node whose children's
// weights do not sum to more than 0.
//
// Complexity: O(R * E) for R regions and E edges, like Aggregate; memory
// R doubles per inner node, in buffers kept between calls.

#include <cstddef>
#include <vector>

#include "absl/types/span.h"
#include "libs/scoring/aggregation.h"
#include "libs/scoring/aggregation_tree.h"

namespace innoscope::scoring {

// How one inner node is aggregated.
struct NodeMean {
  bool topsis = false;  // Run declines
  double p = 1.0;       // power-mean exponent (PowerOf)
  double shift = 0.0;   // NonPositivePolicy::kShift's, for p != 1
};

// The NodeMean Aggregate uses for a node at `level` under `options`: the
// level's own method, else the default.
NodeMean MeanAt(const AggregationOptions& options, int level);

// The tree: nodes are indices 0..n-1.
struct ColumnTree {
  std::vector<std::vector<int>> children;  // per node; empty for an input
  std::vector<int> input;                  // per node: its input column, -1 if inner
  std::vector<int> bottom_up;              // inner nodes, children before parents
  std::vector<int> inner_slot;             // per node: its place in bottom_up, or -1
};

// The tree of `tree`, its leaves reading input columns `leaf_column[leaf]`.
ColumnTree ColumnTreeFrom(const AggregationTree& tree, const std::vector<int>& leaf_column);

// The input columns, `regions` values each.
struct ColumnInputs {
  std::vector<const double*> values;
  // Per input column, log(x + shift) of its values (the shift of the
  // geometric means reading it) when the caller has them, else empty:
  // computed when needed. For a column holding a geometric mean's scores,
  // its log-means instead (LogMean below; a geometric parent reads those,
  // aggregation.h): the caller must then give them.
  std::vector<const double*> logs;
};

// Not thread-safe: one per thread.
class ColumnMeans {
 public:
  // Which scores Run must leave: every inner node's, or the root's only
  // (the last of tree.bottom_up; then a geometric mean read only by
  // geometric parents keeps its log-mean and skips its Exp).
  enum class Columns { kAll, kRoot };

  // Every inner node's scores, with `means[v]` and the weights
  // `weights[child]` (relative to the siblings; renormalised here as
  // Aggregate does). False when Aggregate would do anything else (also,
  // conservatively, when a geometric mean's log-mean falls below
  // log(shift) - 40 ln 2, or -700 without a shift, where a parent's domain
  // check on its score would need the score itself).
  bool Run(const ColumnTree& tree, absl::Span<const NodeMean> means,
           absl::Span<const double> weights, const ColumnInputs& inputs, size_t regions,
           Columns wanted = Columns::kAll);

  // An inner node's scores after Run returned true (with Columns::kRoot,
  // the root's only).
  absl::Span<const double> Column(const ColumnTree& tree, int node) const;
  // A geometric mean's log-mean sum_j w_j log(x_j + shift) per region after
  // Run returned true: what a geometric parent takes as the logarithm of
  // its score (aggregation.h).
  absl::Span<const double> LogMean(const ColumnTree& tree, int node) const;

 private:
  // The least log-mean Run takes without a parent's domain check failing
  // (see Run), for this shift; cached (a std::log per node otherwise).
  double LogMeanBound(double shift);

  size_t regions_ = 0;
  // Inner node v's scores at inner_slot[v] * regions.
  std::vector<double> computed_;
  std::vector<const double*> xs_;    // one node's children's values
  std::vector<double> ws_;           // and normalised weights
  std::vector<char> logged_;         // whether xs_ holds logarithms
  std::vector<double> transformed_;  // the other children's logarithms
  // Geometric node v's log-means at inner_slot[v] * regions.
  std::vector<double> log_means_;
  std::vector<char> needed_;  // per inner slot: whether Run computes its scores
  double bound_shift_ = -1;   // the shift of bound_
  double bound_ = 0;
};

}  // namespace innoscope::scoring

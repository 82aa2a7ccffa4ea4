#pragma once

// Aggregation of normalised leaf scores up an AggregationTree into a score
// for every node (dimensions, sub-dimensions, the composite), following the
// OECD/JRC Handbook (2008, section 6) and COINr's aggregation functions.
//
//   AggregationOptions options;  // arithmetic means everywhere, except
//   options.by_level[3] = {AggregationMethod::kGeometric};  // into level 3
//   absl::StatusOr<index::DataMatrix> scores =
//       Aggregate(tree, normalised_leaf_scores, options);
//   double composite = scores->Get(region, tree.Root());
//
// Methods, for the children x_1..x_m of a node with local weights w_j
// (w_j >= 0, renormalised to sum to 1 over the children used):
//   kArithmetic   sum_j w_j x_j                               (p = 1)
//   kGeometric    prod_j x_j^w_j        requires x > 0        (p -> 0)
//   kHarmonic     1 / sum_j (w_j / x_j) requires x > 0        (p = -1)
//   kGeneralised  (sum_j w_j x_j^p)^(1/p); p > 0 requires x >= 0, p <= 0
//                 requires x > 0 (p = 0 is the geometric mean)
//   kTopsis       closeness to the ideal (Hwang & Yoon 1981), below.
// Every p != 1 mean obeys `non_positive` when a value is outside its domain:
//   kFail   INVALID_ARGUMENT naming the region, the node and the child;
//   kShift  every value at the node is shifted: M_p(x + s) - s with s =
//           `shift` (the "shifted geometric mean"), for all regions alike so
//           rankings stay comparable; a value with x + s still outside the
//           domain fails;
//   kSkip   the offending child is treated as missing for that region.
//
// TOPSIS at a node treats the regions x children scores as a decision matrix,
// every child "more is better". With kVector normalisation the column j is
// divided by its Euclidean norm over the regions, r_ij = x_ij / ||x_.j||
// (Hwang & Yoon's own normalisation); with kNone the given (already
// normalised, e.g. min-max) values are used as r_ij. Then A+_j = max_i r_ij,
// A-_j = min_i r_ij, D+-_i = sqrt(sum_j (w_j (r_ij - A+-_j))^2) (the weighted
// matrix v = w r of the original method), and the score is
// `topsis_scale` * D-_i / (D+_i + D-_i), or `topsis_scale` / 2 when every
// column is constant. Unlike the means, TOPSIS scores depend on the other
// regions.
//
// Children with weight 0 take no part (not even in domain checks).
//
// Missing child scores (NaN):
//   kRenormalise  the weights are renormalised over the children present (a
//                 node with no child present is missing) -- COINr's default;
//   kPropagate    any missing child makes the node missing.
//
// ScoreScale::kGlobalWeighted reports every node's score multiplied by its
// global weight, the published form of the 2023 AI competitiveness index:
// with arithmetic means and complete data a parent's score is then the sum of
// its children's, so the composite is the sum of the dimension scores
// (Beijing 31.90 + 20.09 + 18.65 + 7.72 + 2.59 + 0.62 = 81.57) and a
// dimension's maximum is 100 x its weight. Parents are always computed from
// the unscaled child means; only the output is scaled.
//
// Complexity: O(R * E) time for R regions and E tree edges, O(R * n) memory
// for the n-node result.

#include <map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/common/enum_names.h"
#include "libs/index/data_matrix.h"
#include "libs/scoring/aggregation_tree.h"

namespace innoscope::scoring {

// A new method: the enumerator, its row in EnumNames below, its cases in
// aggregation.cc's switches, and (for the services) the proto value with its
// row in libs/codecs/enum_codecs.h (docs/architecture.md).
enum class AggregationMethod {
  kArithmetic,
  kGeometric,
  kHarmonic,
  kGeneralised,
  kTopsis,
};

enum class NonPositivePolicy { kFail, kShift, kSkip };
enum class MissingPolicy { kRenormalise, kPropagate };
enum class TopsisNormalisation { kVector, kNone };
enum class ScoreScale { kMean, kGlobalWeighted };

struct AggregationSpec {
  AggregationMethod method = AggregationMethod::kArithmetic;
  double power = 1.0;  // exponent p, used by kGeneralised only
};

struct AggregationOptions {
  // Method for aggregating into a node, chosen by the node's level: by_level
  // when it has the level, else `spec`.
  AggregationSpec spec;
  std::map<int, AggregationSpec> by_level;
  NonPositivePolicy non_positive = NonPositivePolicy::kFail;
  double shift = 1.0;  // s for kShift; finite and > 0
  MissingPolicy missing = MissingPolicy::kRenormalise;
  TopsisNormalisation topsis_normalisation = TopsisNormalisation::kVector;
  double topsis_scale = 100.0;  // closeness in [0, 1] times this
  ScoreScale scale = ScoreScale::kMean;
};

// INVALID_ARGUMENT for options Aggregate refuses (a non-finite generalised
// exponent, a shift or TOPSIS scale not finite and > 0), else OK.
absl::Status ValidateAggregationOptions(const AggregationOptions& options);

// The exponent p of a power-mean method: arithmetic 1, geometric 0,
// harmonic -1, generalised its power (TOPSIS has none: 1, never used).
double PowerOf(const AggregationSpec& spec);

// The power mean M_p of `values` with non-negative `weights` (normalised
// here; their sum must be > 0). p == 1 accepts any real values; otherwise the
// values must lie in the domain stated above, else the result is NaN.
// The geometric mean (p == 0) is Exp(sum_j w_j Log(x_j)) with vector_math.h's
// Log and Exp, which the uncertainty model applies to whole columns, so both
// give the same bits (Aggregate's geometric mean of geometric means differs:
// see below). O(m).
double WeightedPowerMean(absl::Span<const double> values, absl::Span<const double> weights,
                         double p);

// Scores for every tree node: a regions x nodes matrix whose column `id` is
// node `id` (indicator codes are the node codes); leaf columns repeat the
// input (scaled when options.scale says so). Leaves are matched to columns
// of `leaf_scores` by code; extra columns are ignored. INVALID_ARGUMENT for
// a leaf without a column, an infinite leaf score, bad options, or a value
// outside a mean's domain under NonPositivePolicy::kFail.
//
// A geometric mean (p == 0) computes a node as Exp(L) - s from its log-mean
// L = sum_j w_j log(x_j + s). A geometric mean over such a child takes L
// as the child's log(x + s) instead of Log(Exp(L) - s + s) (after the
// same domain check on the child's score): mathematically the same, one
// rounding fewer, and no Log/Exp round trip per child and region (why: the
// uncertainty model's replicates of a geometric aggregation were bound by
// them; column_means.h does the same, so both stay equal bit for bit).
absl::StatusOr<index::DataMatrix> Aggregate(const AggregationTree& tree,
                                            const index::DataMatrix& leaf_scores,
                                            const AggregationOptions& options = {});

// As above, and into `*log_means` (one vector per node) every geometric
// node's log-mean L per region (NaN where its score is missing; empty for
// the other nodes), as a geometric parent would read it.
absl::StatusOr<index::DataMatrix> Aggregate(const AggregationTree& tree,
                                            const index::DataMatrix& leaf_scores,
                                            const AggregationOptions& options,
                                            std::vector<std::vector<double>>* log_means);

// Whether inner node `node` is aggregated by a geometric mean (p == 0, not
// TOPSIS) under `options`; false for a leaf and for -1.
bool IsGeometricNode(const AggregationTree& tree, const AggregationOptions& options, int node);

}  // namespace innoscope::scoring

namespace innoscope {

// The names of the CLI (--aggregate, --aggregate_by_level; the generalised
// mean is written generalised:P there) and of logs.
template <>
struct EnumNames<scoring::AggregationMethod> {
  static constexpr absl::string_view kWhat = "aggregation";
  static constexpr EnumName<scoring::AggregationMethod> kRows[] = {
      {scoring::AggregationMethod::kArithmetic, "arithmetic"},
      {scoring::AggregationMethod::kGeometric, "geometric"},
      {scoring::AggregationMethod::kHarmonic, "harmonic"},
      {scoring::AggregationMethod::kGeneralised, "generalised"},
      {scoring::AggregationMethod::kTopsis, "topsis"},
  };
  static constexpr EnumName<scoring::AggregationMethod> kAliases[] = {
      {scoring::AggregationMethod::kGeneralised, "generalized"},
  };
};

// --non_positive.
template <>
struct EnumNames<scoring::NonPositivePolicy> {
  static constexpr absl::string_view kWhat = "non-positive value policy";
  static constexpr EnumName<scoring::NonPositivePolicy> kRows[] = {
      {scoring::NonPositivePolicy::kFail, "fail"},
      {scoring::NonPositivePolicy::kShift, "shift"},
      {scoring::NonPositivePolicy::kSkip, "skip"},
  };
};

// --missing.
template <>
struct EnumNames<scoring::MissingPolicy> {
  static constexpr absl::string_view kWhat = "missing-children policy";
  static constexpr EnumName<scoring::MissingPolicy> kRows[] = {
      {scoring::MissingPolicy::kRenormalise, "renormalise"},
      {scoring::MissingPolicy::kPropagate, "propagate"},
  };
  static constexpr EnumName<scoring::MissingPolicy> kAliases[] = {
      {scoring::MissingPolicy::kRenormalise, "renormalize"},
  };
};

template <>
struct EnumNames<scoring::TopsisNormalisation> {
  static constexpr absl::string_view kWhat = "TOPSIS normalisation";
  static constexpr EnumName<scoring::TopsisNormalisation> kRows[] = {
      {scoring::TopsisNormalisation::kVector, "vector"},
      {scoring::TopsisNormalisation::kNone, "none"},
  };
};

}  // namespace innoscope

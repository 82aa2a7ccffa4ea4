#pragma once

// Weights on an indicator tree: fixed (from the framework), equal within
// each parent, the products down the tree (global weights), weights derived
// from leaf weights, combinations of a subjective and an objective vector,
// and rounding as the published tables do it. AHP lives in ahp.h, the
// data-driven methods (entropy, CRITIC, CV, PCA) in objective_weights.h.
//
// Conventions. Node weights are vectors indexed by node id (Framework::Nodes
// order). LOCAL weights are relative to the parent: every sibling group sums
// to 1 and the root has weight 1. GLOBAL weights are the share of the whole
// index: the product of local weights on the path from the root, so leaves
// under a node sum to its global weight and every level sums to 1 (DOMAIN.md
// section 5).
//
// Every function here is O(nodes).
//
//   ASSIGN_OR_RETURN(std::vector<double> local, FixedWeights(framework));
//   ASSIGN_OR_RETURN(std::vector<double> global, GlobalWeights(framework, local));
//   ASSIGN_OR_RETURN(std::vector<double> printed,
//                    RoundWeights(framework, global, 4,
//                                 RoundingPolicy::kParentsSumRoundedChildren));

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/common/enum_names.h"
#include "libs/index/framework.h"

namespace innoscope::index {

// How a weight set is computed (the weighting service's Method, the CLI's
// `innoscope weights METHOD`). A new method: the enumerator, its row in
// EnumNames below, its case in IsDataDriven and in the weighting service's
// switch, and the proto value with its row in libs/codecs/enum_codecs.h.
enum class WeightingMethod {
  kFixed,    // the framework's own weights (FixedWeights)
  kEqual,    // equal within each parent (EqualWeights)
  kAhp,      // judgement matrices (ahp.h)
  kEntropy,  // data-driven (objective_weights.h)
  kCritic,
  kCv,  // coefficient of variation
  kPca,
  kCombined,  // a subjective (AHP or fixed) with a data-driven vector (CombineWeights)
};

// Entropy, CRITIC, CV and PCA: weights computed from observations.
constexpr bool IsDataDriven(WeightingMethod method) {
  switch (method) {
    case WeightingMethod::kEntropy:
    case WeightingMethod::kCritic:
    case WeightingMethod::kCv:
    case WeightingMethod::kPca:
      return true;
    case WeightingMethod::kFixed:
    case WeightingMethod::kEqual:
    case WeightingMethod::kAhp:
    case WeightingMethod::kCombined:
      return false;
  }
  return false;
}

// Local weights from FrameworkNode.weight, rescaled within each sibling
// group to sum to 1 (COINr treats weights as relative, too). A node without
// a weight is an error unless it is the root or an only child (then 1).
// INVALID_ARGUMENT names the node, or the parent whose children all weigh 0.
absl::StatusOr<std::vector<double>> FixedWeights(const Framework& framework);

// 1 / (number of siblings) for every node; the root gets 1.
std::vector<double> EqualWeights(const Framework& framework);

// Global weights from local ones (one per node). O(nodes).
absl::StatusOr<std::vector<double>> GlobalWeights(const Framework& framework,
                                                  absl::Span<const double> local);

// Local weights from weights given to the leaves only (in Leaves() order),
// e.g. entropy weights computed over all indicators at once: an inner node
// weighs the sum of its leaves, and local = global(node) / global(parent).
// A parent whose leaves all weigh 0 gives its children equal local weights.
// Errors: wrong count, negative or non-finite values, all zero.
absl::StatusOr<std::vector<double>> LocalWeightsFromLeaves(const Framework& framework,
                                                           absl::Span<const double> leaf_weights);

enum class WeightCombination {
  // w = alpha * s + (1 - alpha) * o  (both rescaled to sum 1 first)
  kLinear,
  // w_j = s_j * o_j / sum_k s_k * o_k
  kMultiplicative,
};

// Combines a subjective (e.g. AHP) and an objective (e.g. entropy) weight
// vector over the same indicators; the result sums to 1. Errors: different
// lengths, negative or non-finite entries, a zero sum, alpha outside [0, 1]
// (kLinear only).
absl::StatusOr<std::vector<double>> CombineWeights(absl::Span<const double> subjective,
                                                   absl::Span<const double> objective,
                                                   WeightCombination method, double alpha = 0.5);

enum class RoundingPolicy {
  // Every node's weight rounded on its own.
  kEachNode,
  // Leaves rounded; every inner node printed as the sum of its children's
  // printed values, so printed tables add up (the AI competitiveness report
  // prints level-2 weights this way; see docs/methods.md).
  kParentsSumRoundedChildren,
};

// Rounds global weights (one per node) to `decimals` places, half away from
// zero as Excel ROUND does. decimals must be in [0, 12].
absl::StatusOr<std::vector<double>> RoundWeights(const Framework& framework,
                                                 absl::Span<const double> global, int decimals,
                                                 RoundingPolicy policy);

// x rounded to `decimals` places, half away from zero; a value within
// 1e-9 (relative) of a half is treated as the half, so 0.12345 (stored as
// 0.123449999...) rounds to 0.1235 as it does in a spreadsheet.
double RoundHalfAwayFromZero(double x, int decimals);

}  // namespace innoscope::index

namespace innoscope {

// The names of the CLI (innoscope weights METHOD, --weighting) and of logs.
template <>
struct EnumNames<index::WeightingMethod> {
  static constexpr absl::string_view kWhat = "weighting method";
  static constexpr EnumName<index::WeightingMethod> kRows[] = {
      {index::WeightingMethod::kFixed, "fixed"},   {index::WeightingMethod::kEqual, "equal"},
      {index::WeightingMethod::kAhp, "ahp"},       {index::WeightingMethod::kEntropy, "entropy"},
      {index::WeightingMethod::kCritic, "critic"}, {index::WeightingMethod::kCv, "cv"},
      {index::WeightingMethod::kPca, "pca"},       {index::WeightingMethod::kCombined, "combined"},
  };
};

template <>
struct EnumNames<index::WeightCombination> {
  static constexpr absl::string_view kWhat = "weight combination";
  static constexpr EnumName<index::WeightCombination> kRows[] = {
      {index::WeightCombination::kLinear, "linear"},
      {index::WeightCombination::kMultiplicative, "multiplicative"},
  };
};

}  // namespace innoscope

#pragma once

// Normalisation: brings indicators with different units onto a common scale
// (OECD/JRC Handbook 2008, section 5; COINr Normalise()). Each method works
// on one indicator column; missing values stay missing and do not take part
// in the statistics (min, max, mean, ranks). Direction -1 ("less is better")
// reverses the scale so that higher normalised values are always better.
//
// Methods (exact formulas, conventions and references in docs/methods.md):
//   kMinMax             lower + (x - min) / (max - min) * (upper - lower)
//   kGoalposts          as min-max with fixed goalposts instead of the data's
//                       min and max; values outside are clipped; optionally
//                       on log values (UNDP HDI income index)
//   kZScore             (x - mean) / sd, sample sd (n - 1)
//   kRank               competition rank, 1 = worst ("1224" for ties)
//   kPercentileRank     lower + (upper - lower) * (#values worse than x) / (n - 1)
//                       (Excel PERCENTRANK.INC)
//   kDistanceToTarget   lower + (upper - lower) * min(1, (x - min) / (target - min))
//   kDistanceToBest     (upper - lower) * (x - best) / |best|, <= 0 (relative
//                       gap to the best performer)
//   kProportionOfMax    lower + (upper - lower) * x / max (direction -1: min / x)
//
// Degenerate columns (max == min, a single region, zero sd): min-max,
// goalposts-free percentile rank and z-score give the scale's neutral value
// under DegeneratePolicy::kMidpoint ((lower + upper) / 2; 0 for z-scores),
// or missing under kLeaveMissing. An all-missing column stays all missing.
//
//   NormaliseSpec spec;                       // min-max onto [0, 100]
//   ASSIGN_OR_RETURN(DataMatrix n, Normalise(data, spec, directions));
//   NormaliseSpec income{NormaliseMethod::kGoalposts};
//   income.lower = 0; income.upper = 1;
//   income.goal_min = 100; income.goal_max = 75000; income.log_scale = true;

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/common/enum_names.h"
#include "libs/index/data_matrix.h"
#include "libs/index/framework.h"

namespace innoscope::index {

// A new method: the enumerator, its row in EnumNames below, its case in
// NormaliseColumn's switch, and (for the services) the proto value and its
// row in libs/codecs/enum_codecs.h (docs/architecture.md).
enum class NormaliseMethod {
  kMinMax,
  kGoalposts,
  kZScore,
  kRank,
  kPercentileRank,
  kDistanceToTarget,
  kDistanceToBest,
  kProportionOfMax,
};

enum class DegeneratePolicy {
  kMidpoint,      // neutral value of the scale
  kLeaveMissing,  // leave the column missing
};

struct NormaliseSpec {
  NormaliseMethod method = NormaliseMethod::kMinMax;
  int direction = 1;  // +1 more is better, -1 less is better
  // Output scale for the bounded methods (COINr n_minmax's c(l, u)).
  double lower = 0;
  double upper = 100;
  // kGoalposts: the goalposts (required), and whether to compare logs.
  std::optional<double> goal_min;
  std::optional<double> goal_max;
  bool log_scale = false;
  // kDistanceToTarget: the target (required); cap at 1 when reached.
  std::optional<double> target;
  DegeneratePolicy degenerate = DegeneratePolicy::kMidpoint;
};

// Normalises one column. INVALID_ARGUMENT for an invalid spec (direction not
// +-1, lower >= upper, missing goalposts/target, a target that is not better
// than the worst value, a non-positive value under log_scale or
// kProportionOfMax, best == 0 for kDistanceToBest). O(n), ranks O(n log n).
absl::StatusOr<std::vector<double>> NormaliseColumn(absl::Span<const double> x,
                                                    const NormaliseSpec& spec);

// One spec per indicator column; errors name the indicator.
absl::StatusOr<DataMatrix> Normalise(const DataMatrix& data, absl::Span<const NormaliseSpec> specs);

// Normalise's step for one column: column `c` of `data` under `spec` into
// column `c` of `out` (data's shape); the error names the indicator.
// Columns are independent, so a caller may spread them over threads.
absl::Status NormaliseColumnInto(const DataMatrix& data, const NormaliseSpec& spec, size_t c,
                                 DataMatrix& out);

// The same spec for every column, with per-column directions (one per
// column, or empty for all +1).
absl::StatusOr<DataMatrix> Normalise(const DataMatrix& data, const NormaliseSpec& spec,
                                     absl::Span<const int> directions = {});

// One spec per column of `data`, copied from `base` and filled from the
// framework leaf with the column's code: direction, goalposts and target
// when the leaf has them. INVALID_ARGUMENT naming a column that is not a
// leaf of the framework.
absl::StatusOr<std::vector<NormaliseSpec>> SpecsFromFramework(const DataMatrix& data,
                                                              const Framework& framework,
                                                              const NormaliseSpec& base);

}  // namespace innoscope::index

namespace innoscope {

// The names of the CLI (--normalise, N.csv's method column) and of logs.
template <>
struct EnumNames<index::NormaliseMethod> {
  static constexpr absl::string_view kWhat = "normalisation";
  static constexpr EnumName<index::NormaliseMethod> kRows[] = {
      {index::NormaliseMethod::kMinMax, "minmax"},
      {index::NormaliseMethod::kGoalposts, "goalposts"},
      {index::NormaliseMethod::kZScore, "zscore"},
      {index::NormaliseMethod::kRank, "rank"},
      {index::NormaliseMethod::kPercentileRank, "percentile"},
      {index::NormaliseMethod::kDistanceToTarget, "target"},
      {index::NormaliseMethod::kDistanceToBest, "best"},
      {index::NormaliseMethod::kProportionOfMax, "pmax"},
  };
};

}  // namespace innoscope

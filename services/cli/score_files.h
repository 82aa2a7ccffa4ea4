#pragma once

// The files and flag values of `innoscope score` and `innoscope uncertainty`
// (offline_scoring.h puts them together), parsed into the types of
// libs/index and libs/scoring. Kept apart from the commands so they are unit
// tested without a process. docs/cli.md ("Scoring from files") describes
// every layout:
//
//   F.csv  framework: COINr metadata (Level,iCode,iName,Direction,Weight,
//          Unit,Target,Denominator,Parent,Type) or the level1_/level2_/...
//          layout of the Chinese reports, told apart by the header.
//   D.csv  wide data: one row per region, one column per indicator.
//   N.csv  per-indicator normalisation:
//          indicator,method[,lower,upper,goal_min,goal_max,target,log]
//   W.csv  weights: node,weight (relative to siblings), or leaf weights over
//          all leaves (e.g. from `innoscope weights entropy`).
//
//   ASSIGN_OR_RETURN(FrameworkFile f, ParseFrameworkFile(framework_text));
//   ASSIGN_OR_RETURN(ScoringData d, ParseScoringData(data_text, f, {}));
//   ASSIGN_OR_RETURN(auto by_indicator, ParseNormalisationCsv(n_text, f.framework, base));

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/common/enum_names.h"
#include "libs/index/data_matrix.h"
#include "libs/index/framework.h"
#include "libs/index/normalise.h"
#include "libs/scoring/aggregation.h"
#include "libs/scoring/pipeline.h"

namespace innoscope::cli {

struct FrameworkFile {
  index::Framework framework;
  std::string layout;  // "coinr" or "levels"
  // COINr rows of Type Denominator and Group (empty for the levels layout).
  std::vector<std::string> denominator_codes;
  std::vector<std::string> group_codes;
};

// COINr metadata when the header has iCode; the levels layout when it has
// level1_zh or level1_en (its depth is the largest K with a levelK_ column).
// Errors name the line and node (libs/index/framework_csv.h).
absl::StatusOr<FrameworkFile> ParseFrameworkFile(absl::string_view text);

struct ScoringDataOptions {
  // Column holding region codes; empty: the first of region_code, uCode,
  // iso3, code, region present, else the first column.
  std::string region_column;
  // Read the framework leaves' denominator columns too.
  bool denominators = false;
  // Text column whose labels group regions (group imputation); empty: none.
  std::string group_column;
};

struct ScoringData {
  index::DataMatrix leaves;                       // regions x leaf codes, Leaves() order
  std::optional<index::DataMatrix> denominators;  // regions x denominator codes
  std::vector<std::string> groups;                // one label per region, when asked
  std::vector<std::string> skipped_columns;       // neither leaf, denominator nor group
};

// Reads the leaf columns (all required: the error lists those missing),
// the denominators and the group labels; every other column (names, ranks,
// published results, Time) is skipped and listed. Empty and NA cells are
// missing; other cells must be finite numbers (the error names line,
// column and text).
absl::StatusOr<ScoringData> ParseScoringData(absl::string_view text, const FrameworkFile& framework,
                                             const ScoringDataOptions& options);

// N.csv: one row per leaf to override, columns indicator and method (a
// name of EnumNames<index::NormaliseMethod>; empty: `base`'s method),
// optional lower, upper (output scale; empty: `base`'s), goal_min, goal_max
// (goalposts), target, log (true/false, 1/0,
// yes/no: compare logarithms, e.g. income in the HDI). Errors name the line:
// an unknown indicator or method, an indicator listed twice, a bad number.
absl::StatusOr<std::map<std::string, index::NormaliseSpec>> ParseNormalisationCsv(
    absl::string_view text, const index::Framework& framework, const index::NormaliseSpec& base);

// A name of EnumNames<scoring::AggregationMethod> (arithmetic, geometric,
// harmonic, topsis, ...); the generalised mean with its exponent,
// generalised:P (P a finite number; also generalized:P).
absl::StatusOr<scoring::AggregationSpec> ParseAggregation(absl::string_view text);
std::string AggregationName(const scoring::AggregationSpec& spec);

// "3=geometric,2=generalised:0.5": the method per node level (COINr
// levels: leaves 1, the root the highest).
absl::StatusOr<std::map<int, scoring::AggregationSpec>> ParseAggregationByLevel(
    absl::string_view text);

enum class WeightsScope {
  kSiblings,   // W.csv weights are relative to their siblings (COINr Weight)
  kAllLeaves,  // W.csv lists every leaf; inner nodes weigh the sum of theirs
};

// Local weights, one per framework node (Nodes() order), from W.csv: a key
// column (node, indicator, item, code or iCode) and a weight column (weight
// or Weight). kSiblings: listed nodes override the framework's Weight, then
// each sibling group is rescaled to sum 1 (index::FixedWeights). kAllLeaves:
// every leaf must be listed and only leaves (index::LocalWeightsFromLeaves).
absl::StatusOr<std::vector<double>> ParseWeightsCsv(absl::string_view text,
                                                    const index::Framework& framework,
                                                    WeightsScope scope);

// "region,node,score,rank" and one row per region (in data order) and node
// (in framework order, so the root, the composite, is included); a missing
// score or rank is an empty field. Scores are the shortest round-trip text.
std::string ScoresCsv(const index::Framework& framework, const scoring::PipelineResult& result);

}  // namespace innoscope::cli

namespace innoscope {

// --weights_scope.
template <>
struct EnumNames<cli::WeightsScope> {
  static constexpr absl::string_view kWhat = "weights scope";
  static constexpr EnumName<cli::WeightsScope> kRows[] = {
      {cli::WeightsScope::kSiblings, "siblings"},
      {cli::WeightsScope::kAllLeaves, "all_leaves"},
  };
};

}  // namespace innoscope

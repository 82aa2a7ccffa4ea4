#pragma once

// Readers that turn a framework published as CSV into a validated Framework.
// Two layouts are supported:
//
// (a) COINr's indicator metadata ("iMeta"), one row per node:
//       Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type
//     Rows of Type Indicator/Aggregate are tree nodes. Rows of Type Group,
//     Denominator or Other describe extra data columns (group labels,
//     denominators) and are returned in `auxiliary`, not in the tree. `NA`
//     or an empty cell means absent. Weight is COINr's weight relative to the
//     node's siblings. COINr's ASEM_iMeta.csv loads unchanged.
//
//       ASSIGN_OR_RETURN(CoinrMeta meta, ParseCoinrMetaCsv(text));
//       meta.framework.LeafCodes();       // 49 ASEM indicators
//       meta.CodesOfType("Denominator");  // Area, Energy, GDP, Population
//
// (b) The level-column layout of the Chinese reports' indicator tables
//     (../shared/reference/frameworks/ai_competitiveness_2023.csv), one row
//     per deepest-level indicator with the path spelled out:
//       level1_zh,level1_en,level1_weight,level2_zh,...,level3_weight,
//       [code],[polarity],[unit_zh|unit_en],[measurement_zh|measurement_en]
//     Report level k (1 = top dimension) becomes COINr level L + 1 - k, so
//     the deepest indicators are level 1 and the generated root is L + 1.
//     Node codes: an explicit `levelK_code` column (or `code` for the deepest
//     level) when present, else the slugged English name ("Enterprise
//     capability" -> "enterprise_capability"), else the Chinese name as is.
//     Codes must be unique across the whole tree.
//     Weights: the reports print GLOBAL weights (a leaf's share of the whole
//     index). FrameworkNode.weight stores LOCAL weights, relative to the
//     parent: local = global(node) / global(parent), global(root) = 1, so
//     GlobalWeights() recovers the printed values.
//
//       ASSIGN_OR_RETURN(Framework f, ParseLeveledFrameworkCsv(text));
//
// Both readers never crash on any input (fuzzed); errors are INVALID_ARGUMENT
// naming the CSV line and the node code. O(rows) after CSV parsing.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/index/framework.h"

namespace innoscope::index {

// A COINr iMeta row that is not a tree node.
struct AuxiliaryVariable {
  std::string code;
  std::string name;
  std::string type;  // "Group", "Denominator" or "Other"
  std::string unit;
};

struct CoinrMeta {
  Framework framework;
  std::vector<AuxiliaryVariable> auxiliary;  // in file order

  // Codes of the auxiliary rows of one type, in file order.
  std::vector<std::string> CodesOfType(absl::string_view type) const;
};

absl::StatusOr<CoinrMeta> ParseCoinrMetaCsv(absl::string_view text);

struct LeveledCsvOptions {
  int levels = 3;  // number of levelK_ column groups in the file
  std::string root_code = "index";
  std::string root_name = "Composite index";
};

absl::StatusOr<Framework> ParseLeveledFrameworkCsv(absl::string_view text,
                                                   const LeveledCsvOptions& options = {});

// "Average patents (AI universities)" -> "average_patents_ai_universities":
// ASCII letters and digits lower-cased, every other run of bytes becomes one
// '_', no leading or trailing '_'. Empty when the text has no ASCII
// alphanumerics (e.g. a purely Chinese name).
std::string SlugCode(absl::string_view text);

}  // namespace innoscope::index

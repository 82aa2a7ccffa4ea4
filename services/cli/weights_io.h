#pragma once

// The files and printed forms of `innoscope weights` (weights_command.cc),
// kept apart from the command so they are unit tested without a process:
//
//   M.csv    a judgement matrix: item names in the header row (after one
//            corner cell, which may be empty) and, in the same order, in
//            the first column; cells are numbers ("3", "0.333") or
//            fractions ("1/3"), so spreadsheets and yaahp exports load as
//            they are.
//   DIR.csv  directions: a column `indicator` (or `code`, `iCode`) and a
//            column `direction` (or `Direction`, `polarity`) holding 1, +1,
//            -1, benefit or cost. Indicators it does not list are +1, so a
//            COINr iMeta file works as a directions file too.
//
//   ASSIGN_OR_RETURN(LabelledMatrix m, ParseJudgementMatrixCsv(text));
//   ASSIGN_OR_RETURN(index::AhpResult r, index::Ahp(m.values, m.items, options));
//   PrintLine(JsonLine(AhpJson(m.items, r, /*cr_threshold=*/0.1)));
//
// Numbers are printed as the shortest text that parses back to the same
// double (number_text.h in CSV, nlohmann::json in JSON), so output loses
// nothing.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "libs/index/ahp.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {

struct LabelledMatrix {
  std::vector<std::string> items;
  index::JudgementMatrix values;  // row-major, items x items
};

// INVALID_ARGUMENT naming the line and item for a row that is not square,
// a row name that differs from the header's name at that position, a
// duplicate item, or a cell that is not a positive finite number or
// fraction. Reciprocity is checked by index::Ahp (ValidateJudgementMatrix).
absl::StatusOr<LabelledMatrix> ParseJudgementMatrixCsv(absl::string_view text);

// "3", " 0.2 ", "1/3": a finite number or a fraction of two finite numbers
// with a non-zero denominator; INVALID_ARGUMENT quoting the text otherwise.
absl::StatusOr<double> ParseJudgementCell(absl::string_view text);

// One direction per indicator, in the order given; indicators DIR.csv does
// not list are +1. INVALID_ARGUMENT for missing columns, an unknown
// direction text (naming its line), an indicator listed twice, or a listed
// indicator that is not among `indicators` (a typo would otherwise go
// unnoticed).
absl::StatusOr<std::vector<int>> ParseDirectionsCsv(absl::string_view text,
                                                    const std::vector<std::string>& indicators);

// {"weights": {"item": w, ...}, "lambda_max": x, "ci": x, "cr": x,
//  "consistent": true|false} with consistent = cr < cr_threshold.
Json AhpJson(const std::vector<std::string>& items, const index::AhpResult& result,
             double cr_threshold);

// {"weights": {"name": w, ...}}.
Json WeightsJson(const std::vector<std::string>& names, absl::Span<const double> weights);

// "<key_column>,weight" then one row per name: the layout
// `innoscope score --weights` reads.
std::string WeightsCsv(const std::string& key_column, const std::vector<std::string>& names,
                       absl::Span<const double> weights);

}  // namespace innoscope::cli

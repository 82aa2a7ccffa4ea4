#pragma once

// Reads a wide data CSV (one row per region, one column per indicator) into
// a DataMatrix: the layout of COINr's iData, of UNDP's HDR extracts and of
// most spreadsheets users upload. Text columns that are not indicators
// (country names, group labels such as COINr's EurAsia_group) are returned
// separately, keyed by column name; columns can also be ignored (e.g. Time).
//
// Cells equal to a missing token after trimming ASCII whitespace ("" and "NA"
// by default) become missing; anything else must parse as a finite number,
// else INVALID_ARGUMENT names the line, column and text. Duplicate or empty
// region codes are errors. Never crashes on any input (fuzzed); O(size).
//
//   WideCsvOptions opt;
//   opt.region_column = "uCode";
//   opt.label_columns = {"uName", "EurAsia_group"};
//   opt.ignore_columns = {"Time"};
//   ASSIGN_OR_RETURN(WideCsvData d, ParseWideCsv(text, opt));
//   const std::vector<std::string>& groups = d.labels.at("EurAsia_group");

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/index/csv.h"
#include "libs/index/data_matrix.h"

namespace innoscope::index {

struct WideCsvOptions {
  CsvOptions csv;
  // Column holding region codes; empty means the first column.
  std::string region_column;
  // Text columns kept as labels instead of indicators.
  std::vector<std::string> label_columns;
  // Columns dropped altogether.
  std::vector<std::string> ignore_columns;
  // Cell texts (after trimming) that mean "missing".
  std::vector<std::string> missing_tokens = {"", "NA"};
};

struct WideCsvData {
  // Regions in file order; indicators in column order.
  DataMatrix matrix;
  // Label column name -> one label per region, in matrix row order.
  std::map<std::string, std::vector<std::string>> labels;
};

absl::StatusOr<WideCsvData> ParseWideCsv(absl::string_view text,
                                         const WideCsvOptions& options = {});

// Parses one numeric cell: kMissing for a missing token (after trimming), a
// finite double otherwise, or INVALID_ARGUMENT quoting the text. Shared by
// the framework readers so every reader applies the same rules.
absl::StatusOr<double> ParseNumberCell(absl::string_view text,
                                       const std::vector<std::string>& missing_tokens);

}  // namespace innoscope::index

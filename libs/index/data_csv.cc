#include "libs/index/data_csv.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace innoscope::index {
namespace {

bool Contains(const std::vector<std::string>& list, absl::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// Checks that every named column exists, so that a typo in the options is an
// error rather than a silently kept or dropped column.
absl::Status RequireColumns(const CsvTable& table, const std::vector<std::string>& names,
                            absl::string_view role) {
  for (const std::string& name : names) {
    if (table.Column(name) < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(role, " column '", name, "' is not in the CSV header"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<double> ParseNumberCell(absl::string_view text,
                                       const std::vector<std::string>& missing_tokens) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (Contains(missing_tokens, trimmed)) return kMissing;
  double value = 0;
  if (!absl::SimpleAtod(trimmed, &value) || !std::isfinite(value)) {
    return absl::InvalidArgumentError(absl::StrCat("'", trimmed, "' is not a finite number"));
  }
  return value;
}

absl::StatusOr<WideCsvData> ParseWideCsv(absl::string_view text, const WideCsvOptions& options) {
  absl::StatusOr<CsvTable> table = ParseCsvTable(text, options.csv);
  if (!table.ok()) return table.status();
  if (table->header.empty()) {
    return absl::InvalidArgumentError("data CSV has an empty header");
  }
  int region_col = 0;
  if (!options.region_column.empty()) {
    region_col = table->Column(options.region_column);
    if (region_col < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("region column '", options.region_column, "' is not in the CSV header"));
    }
  }
  if (absl::Status s = RequireColumns(*table, options.label_columns, "label"); !s.ok()) {
    return s;
  }
  if (absl::Status s = RequireColumns(*table, options.ignore_columns, "ignored"); !s.ok()) {
    return s;
  }

  std::vector<int> indicator_cols;
  std::vector<std::string> indicators;
  for (size_t c = 0; c < table->header.size(); ++c) {
    const std::string& name = table->header[c];
    if (static_cast<int>(c) == region_col || Contains(options.label_columns, name) ||
        Contains(options.ignore_columns, name)) {
      continue;
    }
    if (name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("data CSV column ", c + 1, " has no name"));
    }
    indicator_cols.push_back(static_cast<int>(c));
    indicators.push_back(name);
  }

  std::vector<std::string> regions;
  std::unordered_set<std::string> seen;
  for (const CsvRow& row : table->rows) {
    std::string code(absl::StripAsciiWhitespace(row.fields[region_col]));
    if (code.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("CSV line ", row.line, ": empty region code"));
    }
    if (!seen.insert(code).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("CSV line ", row.line, ": duplicate region '", code, "'"));
    }
    regions.push_back(std::move(code));
  }

  WideCsvData out;
  out.matrix = DataMatrix(std::move(regions), std::move(indicators));
  for (size_t r = 0; r < table->rows.size(); ++r) {
    const CsvRow& row = table->rows[r];
    for (size_t k = 0; k < indicator_cols.size(); ++k) {
      const int c = indicator_cols[k];
      absl::StatusOr<double> v = ParseNumberCell(row.fields[c], options.missing_tokens);
      if (!v.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("CSV line ", row.line, ", column '", table->header[c], "' (field ", c + 1,
                         "), region '", out.matrix.regions()[r], "': ", v.status().message()));
      }
      out.matrix.Set(r, k, *v);
    }
  }
  for (const std::string& name : options.label_columns) {
    const int c = table->Column(name);
    std::vector<std::string>& labels = out.labels[name];
    labels.reserve(table->rows.size());
    for (const CsvRow& row : table->rows) labels.push_back(row.fields[c]);
  }
  return out;
}

}  // namespace innoscope::index

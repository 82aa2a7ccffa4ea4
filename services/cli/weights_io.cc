#include "services/cli/weights_io.h"

#include <cmath>
#include <set>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/index/csv.h"
#include "services/cli/number_text.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

// The first of `names` present in the header, or -1.
int FirstColumn(const index::CsvTable& table, std::initializer_list<absl::string_view> names) {
  for (absl::string_view name : names) {
    if (int c = table.Column(name); c >= 0) return c;
  }
  return -1;
}

absl::StatusOr<double> ParseFinite(absl::string_view text) {
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
    return absl::InvalidArgumentError("");
  }
  return value;
}

Json WeightsObject(const std::vector<std::string>& names, absl::Span<const double> weights) {
  Json out = Json::object();
  for (size_t i = 0; i < names.size() && i < weights.size(); ++i) out[names[i]] = weights[i];
  return out;
}

}  // namespace

absl::StatusOr<double> ParseJudgementCell(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  const size_t slash = trimmed.find('/');
  absl::StatusOr<double> value = absl::InvalidArgumentError("");
  if (slash == absl::string_view::npos) {
    value = ParseFinite(trimmed);
  } else {
    absl::StatusOr<double> num = ParseFinite(absl::StripAsciiWhitespace(trimmed.substr(0, slash)));
    absl::StatusOr<double> den = ParseFinite(absl::StripAsciiWhitespace(trimmed.substr(slash + 1)));
    if (num.ok() && den.ok() && *den != 0) value = *num / *den;
  }
  if (!value.ok() || !std::isfinite(*value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", trimmed, "' is not a number or a fraction such as 1/3"));
  }
  return *value;
}

absl::StatusOr<LabelledMatrix> ParseJudgementMatrixCsv(absl::string_view text) {
  absl::StatusOr<index::CsvTable> table = index::ParseCsvTable(text);
  if (!table.ok()) return table.status();
  if (table->header.size() < 2) {
    return absl::InvalidArgumentError(
        "the judgement matrix needs a header row: a corner cell, then the item names");
  }
  LabelledMatrix out;
  const size_t n = table->header.size() - 1;
  std::set<std::string> seen;
  for (size_t j = 1; j < table->header.size(); ++j) {
    std::string item(absl::StripAsciiWhitespace(table->header[j]));
    if (item.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", table->header_line, ": header column ", j + 1, " has no item name"));
    }
    if (!seen.insert(item).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", table->header_line, ": item '", item, "' appears twice"));
    }
    out.items.push_back(std::move(item));
  }
  if (table->rows.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the header names ", n, " items but the file has ", table->rows.size(),
        " rows; a judgement matrix is square (one row per item, in the header's order)"));
  }
  out.values.assign(n, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i) {
    const index::CsvRow& row = table->rows[i];
    const std::string name(absl::StripAsciiWhitespace(row.fields[0]));
    if (name != out.items[i]) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", row.line, ": row ", i + 1, " is '", name, "' but header item ",
                       i + 1, " is '", out.items[i], "'; list the rows in the header's order"));
    }
    for (size_t j = 0; j < n; ++j) {
      absl::StatusOr<double> v = ParseJudgementCell(row.fields[j + 1]);
      if (!v.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("line ", row.line, ", cell (", out.items[i],
                                                       ", ", out.items[j],
                                                       "): ", v.status().message()));
      }
      out.values[i][j] = *v;
    }
  }
  return out;
}

absl::StatusOr<std::vector<int>> ParseDirectionsCsv(absl::string_view text,
                                                    const std::vector<std::string>& indicators) {
  absl::StatusOr<index::CsvTable> table = index::ParseCsvTable(text);
  if (!table.ok()) return table.status();
  const int code_col = FirstColumn(*table, {"indicator", "code", "iCode"});
  const int dir_col = FirstColumn(*table, {"direction", "Direction", "polarity"});
  if (code_col < 0 || dir_col < 0) {
    return absl::InvalidArgumentError(
        "the directions file needs a column 'indicator' (or code, iCode) and a column "
        "'direction' (or Direction, polarity)");
  }
  std::unordered_map<std::string, size_t> position;
  for (size_t i = 0; i < indicators.size(); ++i) position.emplace(indicators[i], i);
  std::vector<int> out(indicators.size(), 1);
  std::set<std::string> listed;
  for (const index::CsvRow& row : table->rows) {
    const std::string code(absl::StripAsciiWhitespace(row.fields[code_col]));
    const std::string text_value =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(row.fields[dir_col]));
    if (code.empty() || text_value.empty() || text_value == "na") continue;  // iMeta's aggregates
    int direction = 0;
    if (text_value == "1" || text_value == "+1" || text_value == "benefit") direction = 1;
    if (text_value == "-1" || text_value == "cost") direction = -1;
    if (direction == 0) {
      return absl::InvalidArgumentError(absl::StrCat("line ", row.line, ": direction '", text_value,
                                                     "' of '", code,
                                                     "' must be 1, -1, benefit or cost"));
    }
    if (!listed.insert(code).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", row.line, ": indicator '", code, "' is listed twice"));
    }
    auto it = position.find(code);
    if (it == position.end()) {
      // A COINr iMeta (it has a Type column) also lists aggregates and
      // indicators of other tables; any other file naming an unknown
      // indicator probably has a typo.
      if (table->Column("Type") >= 0) continue;
      return absl::InvalidArgumentError(
          absl::StrCat("line ", row.line, ": indicator '", code, "' is not a column of the data"));
    }
    out[it->second] = direction;
  }
  return out;
}

Json AhpJson(const std::vector<std::string>& items, const index::AhpResult& result,
             double cr_threshold) {
  return {{"weights", WeightsObject(items, result.weights)},
          {"lambda_max", result.lambda_max},
          {"ci", result.ci},
          {"cr", result.cr},
          {"consistent", result.cr < cr_threshold}};
}

Json WeightsJson(const std::vector<std::string>& names, absl::Span<const double> weights) {
  return {{"weights", WeightsObject(names, weights)}};
}

std::string WeightsCsv(const std::string& key_column, const std::vector<std::string>& names,
                       absl::Span<const double> weights) {
  std::string out = absl::StrCat(CsvField(key_column), ",weight\n");
  for (size_t i = 0; i < names.size() && i < weights.size(); ++i) {
    absl::StrAppend(&out, CsvField(names[i]), ",", FormatDouble(weights[i]), "\n");
  }
  return out;
}

}  // namespace innoscope::cli

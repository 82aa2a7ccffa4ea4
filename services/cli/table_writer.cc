#include "services/cli/table_writer.h"

#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/cli/number_text.h"

namespace innoscope::cli {

absl::StatusOr<TableFormat> ParseTableFormat(absl::string_view text) {
  if (text == "csv") return TableFormat::kCsv;
  if (text == "json") return TableFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat("--format: \"", text, "\" is not csv or json"));
}

TableWriter::TableWriter(TableFormat format, std::vector<std::string> columns, std::string* out)
    : format_(format), columns_(std::move(columns)), out_(out) {
  if (format_ == TableFormat::kCsv) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) out_->push_back(',');
      out_->append(CsvField(columns_[i]));
    }
    out_->push_back('\n');
  } else {
    out_->append("[");
  }
}

void TableWriter::Row(const std::vector<Cell>& cells) {
  if (format_ == TableFormat::kCsv) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out_->push_back(',');
      if (cells[i].kind != Cell::Kind::kAbsent) out_->append(CsvField(cells[i].text));
    }
    out_->push_back('\n');
    first_row_ = false;
    return;
  }
  Json row = Json::object();
  for (size_t i = 0; i < cells.size() && i < columns_.size(); ++i) {
    if (cells[i].kind == Cell::Kind::kAbsent) continue;
    row[columns_[i]] =
        cells[i].kind == Cell::Kind::kNumber ? JsonNumberOf(cells[i].text) : Json(cells[i].text);
  }
  absl::StrAppend(out_, first_row_ ? "\n  " : ",\n  ", JsonLine(row));
  first_row_ = false;
}

void TableWriter::Finish() {
  if (format_ == TableFormat::kJson) out_->append(first_row_ ? "]\n" : "\n]\n");
}

std::string CsvField(absl::string_view text) {
  const bool quote = text.find_first_of(",\"\r\n") != absl::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string JsonLine(const Json& doc) {
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string JsonText(const Json& doc) {
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Json JsonNumberOf(absl::string_view text) {
  int64_t whole = 0;
  // "-0" stays the double -0.0.
  if (absl::SimpleAtoi(text, &whole) && !(whole == 0 && absl::StartsWith(text, "-"))) {
    return whole;
  }
  double value = 0;
  if (absl::SimpleAtod(text, &value) && std::isfinite(value)) return value;
  return nullptr;
}

Cell CellOf(const Json& value) {
  if (value.is_string()) return Cell::Text(value.get<std::string>());
  if (value.is_boolean()) return Cell::Text(value.get<bool>() ? "true" : "false");
  if (value.is_number_integer()) return Cell::Number(value.dump());
  if (value.is_number_float() && std::isfinite(value.get<double>())) {
    return Cell::Number(FormatDouble(value.get<double>()));
  }
  return Cell::Absent();
}

}  // namespace innoscope::cli

#include "services/cli/table_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace innoscope::cli {

absl::StatusOr<TableFormat> ParseTableFormat(absl::string_view text) {
  if (text == "csv") return TableFormat::kCsv;
  if (text == "json") return TableFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--format: \"", text, "\" is not csv or json"));
}

TableWriter::TableWriter(TableFormat format, std::vector<std::string> columns,
                         std::string* out)
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
  out_->append(first_row_ ? "\n  {" : ",\n  {");
  first_row_ = false;
  bool first_key = true;
  for (size_t i = 0; i < cells.size() && i < columns_.size(); ++i) {
    if (cells[i].kind == Cell::Kind::kAbsent) continue;
    if (!first_key) out_->append(", ");
    first_key = false;
    absl::StrAppend(out_, JsonString(columns_[i]), ": ",
                    cells[i].kind == Cell::Kind::kNumber ? cells[i].text
                                                         : JsonString(cells[i].text));
  }
  out_->push_back('}');
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

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace innoscope::cli

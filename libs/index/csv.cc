#include "libs/index/csv.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace innoscope::index {
namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

absl::Status CsvError(int64_t line, size_t field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("CSV line ", line, ", field ", field, ": ", what));
}

// Single pass over the text. pos_ only ever indexes text_ after a bounds
// check, so no input can make the reader step outside it.
class CsvScanner {
 public:
  CsvScanner(absl::string_view text, const CsvOptions& options) : text_(text), options_(options) {}

  absl::StatusOr<std::vector<CsvRow>> Run() {
    std::vector<CsvRow> rows;
    while (pos_ < text_.size()) {
      if (AtLineEnd()) {  // a blank line
        if (!options_.skip_blank_lines) rows.push_back({line_, {""}});
        ConsumeLineEnd();
        continue;
      }
      if (options_.comment != '\0' && text_[pos_] == options_.comment) {
        SkipLine();
        continue;
      }
      CsvRow row;
      row.line = line_;
      if (absl::Status s = ReadRecord(row.fields); !s.ok()) return s;
      rows.push_back(std::move(row));
    }
    return rows;
  }

 private:
  // Requires pos_ < text_.size().
  bool AtLineEnd() const { return text_[pos_] == '\n' || text_[pos_] == '\r'; }

  // Consumes "\r\n", "\n" or "\r" at pos_ (requires AtLineEnd()).
  void ConsumeLineEnd() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
      ++pos_;
    }
    ++pos_;
    ++line_;
  }

  void SkipLine() {
    while (pos_ < text_.size() && !AtLineEnd()) ++pos_;
    if (pos_ < text_.size()) ConsumeLineEnd();
  }

  // Reads fields up to and including the record's line end (or end of text).
  absl::Status ReadRecord(std::vector<std::string>& fields) {
    while (true) {
      std::string field;
      const size_t field_no = fields.size() + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        if (absl::Status s = ReadQuoted(field, field_no); !s.ok()) return s;
      } else {
        while (pos_ < text_.size() && text_[pos_] != options_.delimiter && !AtLineEnd()) {
          if (text_[pos_] == '"') {
            return CsvError(line_, field_no,
                            "quote inside an unquoted field (quote the whole "
                            "field and double the inner quotes)");
          }
          field.push_back(text_[pos_++]);
        }
      }
      fields.push_back(std::move(field));
      if (pos_ >= text_.size()) return absl::OkStatus();
      if (text_[pos_] == options_.delimiter) {
        ++pos_;
        continue;
      }
      if (AtLineEnd()) {
        ConsumeLineEnd();
        return absl::OkStatus();
      }
      // Only reachable after a closing quote followed by other text.
      return CsvError(line_, field_no, "unexpected text after a closing quote");
    }
  }

  // pos_ is at the opening quote. Leaves pos_ just after the closing quote.
  absl::Status ReadQuoted(std::string& field, size_t field_no) {
    const int64_t start_line = line_;
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field.push_back('"');
          pos_ += 2;
          continue;
        }
        ++pos_;
        return absl::OkStatus();
      }
      if (c == '\r' || c == '\n') {
        // Line breaks inside quotes are data; count them for later messages.
        const size_t before = pos_;
        ConsumeLineEnd();
        field.append(text_.data() + before, pos_ - before);
        continue;
      }
      field.push_back(c);
      ++pos_;
    }
    return CsvError(start_line, field_no, "quoted field is never closed");
  }

  absl::string_view text_;
  const CsvOptions& options_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

}  // namespace

int CsvTable::Column(absl::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<std::vector<CsvRow>> ParseCsvRecords(absl::string_view text,
                                                    const CsvOptions& options) {
  if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r') {
    return absl::InvalidArgumentError("CSV delimiter cannot be a quote or line break");
  }
  if (absl::StartsWith(text, kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  return CsvScanner(text, options).Run();
}

absl::StatusOr<CsvTable> ParseCsvTable(absl::string_view text, const CsvOptions& options) {
  absl::StatusOr<std::vector<CsvRow>> records = ParseCsvRecords(text, options);
  if (!records.ok()) return records.status();
  if (records->empty()) {
    return absl::InvalidArgumentError("CSV has no header line");
  }
  CsvTable table;
  table.header = std::move(records->front().fields);
  table.header_line = records->front().line;
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < table.header.size(); ++i) {
    const std::string& name = table.header[i];
    if (name.empty()) continue;
    auto [it, inserted] = seen.emplace(name, i);
    if (!inserted) {
      return CsvError(
          table.header_line, i + 1,
          absl::StrCat("duplicate column name '", name, "' (also field ", it->second + 1, ")"));
    }
  }
  table.rows.reserve(records->size() - 1);
  for (size_t r = 1; r < records->size(); ++r) {
    CsvRow& row = (*records)[r];
    if (row.fields.size() != table.header.size()) {
      return CsvError(row.line, std::min(row.fields.size(), table.header.size()) + 1,
                      absl::StrCat("row has ", row.fields.size(), " fields but the header has ",
                                   table.header.size()));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace innoscope::index

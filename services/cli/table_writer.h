#pragma once

// Writes exported rows as CSV (RFC 4180, header first, fields quoted only
// when needed) or as a JSON array of objects. Cells arrive already as text:
// numbers formatted with FormatDouble (shortest round-trip), so what is
// stored is what is written; an absent cell is an empty CSV field and a
// key left out of the JSON object.
//
//   TableWriter w(TableFormat::kCsv, {"region", "indicator", "period", "value"}, &out);
//   w.Row({Cell::Text("AUT"), Cell::Text("LPI"), Cell::Number("2018"), Cell::Number("4.1")});
//   w.Finish();

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace innoscope::cli {

enum class TableFormat { kCsv, kJson };

// "csv" or "json"; INVALID_ARGUMENT otherwise.
absl::StatusOr<TableFormat> ParseTableFormat(absl::string_view text);

struct Cell {
  enum class Kind { kAbsent, kText, kNumber };
  Kind kind = Kind::kAbsent;
  std::string text;

  static Cell Text(std::string text) { return {Kind::kText, std::move(text)}; }
  static Cell Number(std::string text) { return {Kind::kNumber, std::move(text)}; }
  static Cell Absent() { return {}; }
};

// Appends to a string the caller flushes when it grows (so output streams
// without holding the whole export).
class TableWriter {
 public:
  TableWriter(TableFormat format, std::vector<std::string> columns, std::string* out);

  void Row(const std::vector<Cell>& cells);
  // Closes the JSON array (CSV needs nothing). Call once, at the end.
  void Finish();

 private:
  TableFormat format_;
  std::vector<std::string> columns_;
  std::string* out_;
  bool first_row_ = true;
};

// CSV field, quoted when it holds a comma, quote, line break or leading or
// trailing space.
std::string CsvField(absl::string_view text);
// JSON string literal with quotes, escaping control characters.
std::string JsonString(absl::string_view text);

}  // namespace innoscope::cli

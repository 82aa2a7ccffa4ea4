#pragma once

// Writes exported rows as CSV (RFC 4180, header first, fields quoted only
// when needed) or as a JSON array of objects, one object per line. Cells
// arrive already as text: numbers formatted with FormatDouble (shortest
// round-trip), so what is stored is what is written; an absent cell is an
// empty CSV field and a key left out of the JSON object.
//
//   TableWriter w(TableFormat::kCsv, {"region", "indicator", "period", "value"}, &out);
//   w.Row({Cell::Text("AUT"), Cell::Text("LPI"), Cell::Number("2018"), Cell::Number("4.1")});
//   w.Finish();
//
// Every JSON document the CLI prints or writes is built as a Json value
// (nlohmann::ordered_json: keys stay in the order they are added) and
// serialised by nlohmann, never by string concatenation:
//
//   Json doc = {{"weights", Json::object()}, {"consistent", true}};
//   PrintLine(JsonLine(doc));   // {"weights":{},"consistent":true}
//
// Doubles print as nlohmann's shortest text that reads back as the same
// double (0.1, 1e-300, 2.0 for a whole number); NaN and infinities as null.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

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

using Json = nlohmann::ordered_json;

// `doc` as compact JSON on one line (no newline at the end). Text that is
// not UTF-8 is written with U+FFFD in place of the bad bytes.
std::string JsonLine(const Json& doc);
// `doc` indented by two spaces, with a newline at the end: files and
// multi-line output.
std::string JsonText(const Json& doc);

// A Cell::Number's text as a JSON number: an integer when it is one
// ("2022"), else the double it reads as ("0.1", "1e-300"); null when it is
// not a finite number.
Json JsonNumberOf(absl::string_view text);
// A JSON scalar as a table cell: null -> absent, strings and booleans ->
// text, integers and finite doubles -> numbers (doubles via FormatDouble),
// NaN -> absent.
Cell CellOf(const Json& value);

}  // namespace innoscope::cli

#pragma once

// A small, strict CSV reader (RFC 4180) for the framework and data files the
// index methods read. It accepts what spreadsheets and R/Python write: quoted
// fields with "" escapes and embedded delimiters or line breaks, CRLF, LF or
// lone CR line ends, a UTF-8 byte-order mark, an optional trailing line break.
// It rejects malformed input with INVALID_ARGUMENT naming the line and field
// instead of guessing: a quote inside an unquoted field, text after a closing
// quote, an unterminated quote, rows whose width differs from the header.
//
// It never crashes or reads out of bounds on any input (it is fuzzed), keeps
// no state between calls, and runs in O(size of text) time and memory.
//
//   absl::StatusOr<CsvTable> t = ParseCsvTable(text);
//   int code = t->Column("iCode");
//   for (const CsvRow& row : t->rows) Use(row.fields[code], row.line);

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace innoscope::index {

struct CsvOptions {
  char delimiter = ',';
  // Records whose first character is `comment` are skipped ('\0': none).
  // Used for files with a provenance header such as "# Transcribed from ...".
  char comment = '\0';
  // Skip lines with no characters at all (a line holding only spaces is a
  // record with one field).
  bool skip_blank_lines = true;
};

struct CsvRow {
  int64_t line = 0;  // 1-based physical line where the record starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::vector<std::string> header;
  int64_t header_line = 0;
  std::vector<CsvRow> rows;  // each has exactly header.size() fields

  // Index of the column named `name` (exact match), or -1.
  int Column(absl::string_view name) const;
};

// Splits `text` into records. Fields keep their text verbatim (no trimming);
// quotes are removed and "" becomes ".
absl::StatusOr<std::vector<CsvRow>> ParseCsvRecords(absl::string_view text,
                                                    const CsvOptions& options = {});

// Like ParseCsvRecords, with the first record as the header. Errors: no
// header, a duplicate non-empty header name, a row with a different number
// of fields than the header.
absl::StatusOr<CsvTable> ParseCsvTable(absl::string_view text, const CsvOptions& options = {});

}  // namespace innoscope::index

#pragma once

// Reads a large CSV text in bounded chunks of records, with the strict
// RFC 4180 reader of libs/index/csv.h. Parsing the whole file at once would
// hold every field of every row as a std::string (about 200 bytes per
// five-field row); the importers instead convert each chunk into their
// compact form and drop it, so memory stays O(file text + compact rows).
//
// A chunk ends at a line break outside quotes, found by tracking quote
// parity (exact for every text the strict reader accepts); line numbers are
// those of the whole text, and any malformed text is still rejected with
// the reader's own message. The first record is the header; every data row
// must have as many fields as the header.
//
//   ASSIGN_OR_RETURN(CsvStream csv, CsvStream::Open(text));
//   int code = csv.Column("code");
//   std::vector<CsvRow> rows;
//   while (true) {
//     ASSIGN_OR_RETURN(bool more, csv.Next(&rows));
//     if (!more) break;
//     for (const CsvRow& row : rows) Use(row.fields[code], row.line);
//   }

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/index/csv.h"

namespace innoscope::index {

// Splits `text` into pieces that each end at a record boundary and hold
// about `records_per_chunk` line ends; no piece but the first starts with a
// UTF-8 byte-order mark (the reader would drop it).
// Exposed for tests and the fuzz target; CsvStream is the usual entry point.
class CsvChunker {
 public:
  CsvChunker(absl::string_view text, size_t records_per_chunk);

  // Next piece and the 1-based line it starts on; false at the end.
  bool Next(absl::string_view* chunk, int* first_line);

 private:
  absl::string_view text_;
  size_t records_per_chunk_;
  size_t pos_ = 0;
  int line_ = 1;
};

class CsvStream {
 public:
  // Reads the header. `text` must outlive the stream. Errors: no header,
  // duplicate non-empty column names, malformed CSV (line and field named).
  static absl::StatusOr<CsvStream> Open(absl::string_view text, size_t records_per_chunk = 65536);

  const std::vector<std::string>& header() const { return header_; }
  int header_line() const { return header_line_; }
  // Index of the column named exactly `name`, or -1.
  int Column(absl::string_view name) const;

  // Replaces *rows with the next chunk of data rows (never empty when true
  // is returned); false at the end of the text.
  absl::StatusOr<bool> Next(std::vector<CsvRow>* rows);

 private:
  CsvStream(absl::string_view text, size_t records_per_chunk) : chunker_(text, records_per_chunk) {}
  absl::StatusOr<bool> NextRecords(std::vector<CsvRow>* rows);

  CsvChunker chunker_;
  std::vector<CsvRow> pending_;  // data rows read with the header
  std::vector<std::string> header_;
  int header_line_ = 0;
};

// Reads a whole file; NOT_FOUND / PERMISSION_DENIED name the path.
absl::StatusOr<std::string> ReadFileText(const std::string& path);

}  // namespace innoscope::index

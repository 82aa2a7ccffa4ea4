#include "libs/index/csv_stream.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace innoscope::index {
namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

absl::Status ShiftLines(const absl::Status& status, int first_line) {
  // The reader numbers lines from 1 within the chunk it was given; its
  // messages start "CSV line N, field F: ...". Re-number for the whole text.
  constexpr absl::string_view kPrefix = "CSV line ";
  absl::string_view message = status.message();
  if (first_line == 1 || !absl::StartsWith(message, kPrefix)) return status;
  absl::string_view rest = message.substr(kPrefix.size());
  size_t digits = 0;
  int64_t line = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9' && digits < 10) {
    line = line * 10 + (rest[digits] - '0');
    ++digits;
  }
  if (digits == 0) return status;
  return absl::Status(status.code(),
                      absl::StrCat(kPrefix, line + first_line - 1, rest.substr(digits)));
}

}  // namespace

CsvChunker::CsvChunker(absl::string_view text, size_t records_per_chunk)
    : text_(text), records_per_chunk_(std::max<size_t>(records_per_chunk, 1)) {}

bool CsvChunker::Next(absl::string_view* chunk, int* first_line) {
  if (pos_ >= text_.size()) return false;
  const size_t start = pos_;
  *first_line = line_;
  bool quoted = false;
  size_t records = 0;
  size_t i = start;
  while (i < text_.size()) {
    const char c = text_[i];
    if (c == '"') {
      quoted = !quoted;
      ++i;
      continue;
    }
    if (c != '\n' && c != '\r') {
      ++i;
      continue;
    }
    // One line end: "\r\n", "\n" or a lone "\r", counted as the reader does.
    i += (c == '\r' && i + 1 < text_.size() && text_[i + 1] == '\n') ? 2 : 1;
    ++line_;
    if (quoted) continue;
    ++records;
    // Never start a chunk with a byte-order mark: the reader would drop it.
    if (records >= records_per_chunk_ && !absl::StartsWith(text_.substr(i), kUtf8Bom)) {
      break;
    }
  }
  pos_ = i;
  *chunk = text_.substr(start, i - start);
  return true;
}

absl::StatusOr<CsvStream> CsvStream::Open(absl::string_view text, size_t records_per_chunk) {
  // The reader drops a leading byte-order mark of the text it is given; the
  // first chunk starts where the text does, so the mark is dropped exactly
  // once, and later chunks never start with one (CsvChunker).
  CsvStream stream(text, records_per_chunk);
  std::vector<CsvRow> first;
  // The header is the first record; keep reading past chunks of blank lines.
  while (first.empty()) {
    absl::StatusOr<bool> more = stream.NextRecords(&first);
    if (!more.ok()) return more.status();
    if (!*more) return absl::InvalidArgumentError("CSV has no header line");
  }
  stream.header_ = std::move(first.front().fields);
  stream.header_line_ = first.front().line;
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < stream.header_.size(); ++i) {
    const std::string& name = stream.header_[i];
    if (name.empty()) continue;
    auto [it, inserted] = seen.emplace(name, i);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat("CSV line ", stream.header_line_, ", field ",
                                                     i + 1, ": duplicate column name '", name,
                                                     "' (also field ", it->second + 1, ")"));
    }
  }
  // Rows after the header in the first chunk are served by the next Next().
  first.erase(first.begin());
  stream.pending_ = std::move(first);
  return stream;
}

int CsvStream::Column(absl::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<bool> CsvStream::NextRecords(std::vector<CsvRow>* rows) {
  absl::string_view chunk;
  int first_line = 1;
  if (!chunker_.Next(&chunk, &first_line)) return false;
  absl::StatusOr<std::vector<CsvRow>> records = index::ParseCsvRecords(chunk);
  if (!records.ok()) return ShiftLines(records.status(), first_line);
  for (index::CsvRow& row : *records) row.line += first_line - 1;
  *rows = std::move(*records);
  return true;
}

absl::StatusOr<bool> CsvStream::Next(std::vector<CsvRow>* rows) {
  rows->clear();
  if (!pending_.empty()) {
    rows->swap(pending_);
  } else {
    while (rows->empty()) {
      absl::StatusOr<bool> more = NextRecords(rows);
      if (!more.ok()) return more.status();
      if (!*more) return false;
    }
  }
  for (const CsvRow& row : *rows) {
    if (row.fields.size() != header_.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("CSV line ", row.line, ": row has ", row.fields.size(),
                       " fields but the header has ", header_.size()));
    }
  }
  return true;
}

absl::StatusOr<std::string> ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    std::string reason = error != 0 ? std::strerror(error) : "cannot open";
    if (error == EACCES) {
      return absl::PermissionDeniedError(absl::StrCat(path, ": ", reason));
    }
    return absl::NotFoundError(
        absl::StrCat(path, ": ", reason, " (check the path and the working directory)"));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return buffer.str();
}

}  // namespace innoscope::index

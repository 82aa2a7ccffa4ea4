#include "libs/storage/copy_writer.h"

#include <charconv>

// pqxx::tablewriter is deprecated in libpqxx 6 (removed in 7), and the one
// public way to send COPY lines that are already formatted (copy_writer.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/tablewriter>

namespace innoscope::storage {

CopyWriter::CopyWriter(pqxx::transaction_base& tx, const std::string& table,
                       const std::vector<std::string>& columns, size_t chunk_bytes)
    : writer_(std::make_unique<pqxx::tablewriter>(tx, table, columns.begin(), columns.end())),
      chunk_bytes_(chunk_bytes) {
  buffer_.reserve(chunk_bytes_ + 4096);
}

// The tablewriter's destructor ends an unfinished COPY (swallowing errors);
// the transaction is then aborted by its owner.
CopyWriter::~CopyWriter() = default;

void CopyWriter::Separate() {
  if (row_started_) {
    buffer_.push_back('\t');
  } else {
    row_started_ = true;
  }
}

CopyWriter& CopyWriter::Text(absl::string_view text) {
  Separate();
  size_t plain = 0;  // the start of the run not yet appended
  for (size_t i = 0; i < text.size(); ++i) {
    char escaped;
    switch (text[i]) {
      case '\\':
        escaped = '\\';
        break;
      case '\t':
        escaped = 't';
        break;
      case '\n':
        escaped = 'n';
        break;
      case '\r':
        escaped = 'r';
        break;
      default:
        continue;
    }
    buffer_.append(text.data() + plain, i - plain);
    buffer_.push_back('\\');
    buffer_.push_back(escaped);
    plain = i + 1;
  }
  buffer_.append(text.data() + plain, text.size() - plain);
  return *this;
}

template <typename Number>
void CopyWriter::AppendNumber(Number value) {
  Separate();
  char digits[32];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  buffer_.append(digits, end);
}

CopyWriter& CopyWriter::Int(int64_t value) {
  AppendNumber(value);
  return *this;
}

// Doubles: std::to_chars' shortest form, which reads back to the same bits
// (the form sql_text's ExactDouble gives the service's other SQL).
CopyWriter& CopyWriter::Double(double value) {
  AppendNumber(value);
  return *this;
}

CopyWriter& CopyWriter::Bool(bool value) { return Raw(value ? "t" : "f"); }

CopyWriter& CopyWriter::Raw(absl::string_view text) {
  Separate();
  buffer_.append(text.data(), text.size());
  return *this;
}

CopyWriter& CopyWriter::Null() { return Raw("\\N"); }

CopyWriter& CopyWriter::Optional(const std::optional<std::string>& text) {
  return text.has_value() ? Text(*text) : Null();
}

void CopyWriter::EndRow() {
  buffer_.push_back('\n');
  row_started_ = false;
  if (buffer_.size() >= chunk_bytes_) Flush();
}

void CopyWriter::Flush() {
  if (buffer_.empty()) return;
  // write_raw_line drops one final newline and the connection adds it back.
  writer_->write_raw_line(buffer_);
  buffer_.clear();
}

void CopyWriter::Complete() {
  Flush();
  writer_->complete();
}

}  // namespace innoscope::storage

#pragma GCC diagnostic pop

#pragma once

// CopyWriter: rows into a table with one text-format COPY, the fields
// escaped and the lines buffered by us and sent in large chunks.
//
// libpqxx 6.4 (Debian bookworm's) writes a COPY row by row through
// `pqxx::stream_to`, which converts each field with `to_string` into a new
// string, escapes it into another and sends each line with its own
// PQputCopyData: for the ingest service's bulk path that was a sixth of its
// CPU in the escaper and a third in malloc and free (perf, 1,000,000
// observations). It has no binary COPY and no public raw-line writer on
// `stream_to`; the older `pqxx::tablewriter` (deprecated, kept in 6.x) has
// one, `write_raw_line`, which this class feeds with many lines at a time
// (a COPY's data need not be split at row boundaries). Errors are libpqxx's
// exceptions, as with `stream_to`: a unique violation surfaces as
// `pqxx::unique_violation` from Complete() (or earlier).
//
//   storage::CopyWriter copy(tx, "observations", {"region_code", "period", "value"});
//   copy.Text("R01").Int(2021).Raw("1.5").EndRow();
//   copy.Complete();
//
// Cost: O(bytes) per row with no allocation once the buffer has grown.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <pqxx/transaction_base>

#include "absl/strings/string_view.h"

namespace pqxx {
class tablewriter;
}

namespace innoscope::storage {

class CopyWriter final {
 public:
  // Starts `COPY table (columns) FROM STDIN` (text format) in `tx`.
  // `chunk_bytes`: buffered bytes sent at once (tests make it small).
  CopyWriter(pqxx::transaction_base& tx, const std::string& table,
             const std::vector<std::string>& columns, size_t chunk_bytes = 1 << 18);
  ~CopyWriter();
  CopyWriter(const CopyWriter&) = delete;
  CopyWriter& operator=(const CopyWriter&) = delete;

  // The next field of the current row, in column order.
  CopyWriter& Text(absl::string_view text);  // escaped: \\, \t, \n, \r
  CopyWriter& Int(int64_t value);
  CopyWriter& Bool(bool value);
  // Text known to need no escaping, e.g. a number PostgreSQL parses.
  CopyWriter& Raw(absl::string_view text);
  CopyWriter& Null();
  CopyWriter& Optional(const std::optional<std::string>& text);
  // A double in its shortest form that reads back to the same bits.
  CopyWriter& Double(double value);
  // Ends the current row.
  void EndRow();

  // One whole row from a tuple of fields: strings as Text, bool as Bool,
  // other integers as Int, std::optional<std::string> as Optional.
  template <typename Tuple>
  void Row(const Tuple& fields) {
    std::apply([this](const auto&... field) { (this->Field(field), ...); }, fields);
    EndRow();
  }

  // Sends what is buffered and ends the COPY; throws libpqxx's exception
  // when the server refused a row.
  void Complete();

 private:
  template <typename T>
  void Field(const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      Bool(value);
    } else if constexpr (std::is_integral_v<T>) {
      Int(value);
    } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
      Optional(value);
    } else {
      Text(value);
    }
  }
  template <typename Number>
  void AppendNumber(Number value);
  void Separate();
  void Flush();

  std::unique_ptr<pqxx::tablewriter> writer_;
  std::string buffer_;
  size_t chunk_bytes_;
  bool row_started_ = false;
};

}  // namespace innoscope::storage

// Fuzzes the CSV reader of libs/index (ParseCsvRecords, ParseCsvTable) and
// its chunked reading (libs/index/csv_stream.h): neither may
// crash, and reading in chunks of any size must give exactly the rows and
// line numbers of reading the whole text, and fail exactly when it fails.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "libs/index/csv.h"
#include "libs/index/csv_stream.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using ::innoscope::index::CsvRow;
using ::innoscope::index::CsvStream;

// Header and rows through CsvStream, or nothing on error.
bool ReadChunked(absl::string_view text, size_t per_chunk, std::vector<std::string>* header,
                 std::vector<CsvRow>* rows) {
  absl::StatusOr<CsvStream> csv = CsvStream::Open(text, per_chunk);
  if (!csv.ok()) return false;
  *header = csv->header();
  std::vector<CsvRow> chunk;
  while (true) {
    absl::StatusOr<bool> more = csv->Next(&chunk);
    if (!more.ok()) return false;
    if (!*more) return true;
    rows->insert(rows->end(), chunk.begin(), chunk.end());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text = innoscope::fuzz::AsText(data, size);
  innoscope::index::ParseCsvRecords(text).IgnoreError();
  innoscope::index::CsvOptions semicolons;
  semicolons.delimiter = ';';
  semicolons.comment = '#';
  semicolons.skip_blank_lines = false;
  innoscope::index::ParseCsvRecords(text, semicolons).IgnoreError();

  const absl::StatusOr<innoscope::index::CsvTable> whole = innoscope::index::ParseCsvTable(text);
  for (size_t per_chunk : {1, 2, 5}) {
    std::vector<std::string> header;
    std::vector<CsvRow> rows;
    const bool ok = ReadChunked(text, per_chunk, &header, &rows);
    FUZZ_CHECK(ok == whole.ok());
    if (!ok) continue;
    FUZZ_CHECK(header == whole->header);
    FUZZ_CHECK(rows.size() == whole->rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      FUZZ_CHECK(rows[i].line == whole->rows[i].line);
      FUZZ_CHECK(rows[i].fields == whole->rows[i].fields);
    }
  }
  return 0;
}

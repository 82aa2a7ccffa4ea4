#include "libs/index/csv_stream.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/csv.h"

namespace innoscope::index {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

// Every data row of `text`, read in chunks of `per_chunk` records.
absl::StatusOr<std::vector<index::CsvRow>> ReadAll(const std::string& text, size_t per_chunk) {
  absl::StatusOr<index::CsvStream> csv = index::CsvStream::Open(text, per_chunk);
  if (!csv.ok()) return csv.status();
  std::vector<index::CsvRow> all, rows;
  while (true) {
    absl::StatusOr<bool> more = csv->Next(&rows);
    if (!more.ok()) return more.status();
    if (!*more) return all;
    all.insert(all.end(), rows.begin(), rows.end());
  }
}

// The reference: libs/index's whole-text reader.
void ExpectSameAsWholeText(const std::string& text) {
  absl::StatusOr<index::CsvTable> whole = index::ParseCsvTable(text);
  ASSERT_TRUE(whole.ok()) << whole.status();
  for (size_t per_chunk : {1, 2, 3, 7, 1000}) {
    SCOPED_TRACE(per_chunk);
    absl::StatusOr<std::vector<index::CsvRow>> chunked = ReadAll(text, per_chunk);
    ASSERT_TRUE(chunked.ok()) << chunked.status();
    ASSERT_EQ(chunked->size(), whole->rows.size());
    for (size_t i = 0; i < chunked->size(); ++i) {
      EXPECT_EQ((*chunked)[i].line, whole->rows[i].line);
      EXPECT_EQ((*chunked)[i].fields, whole->rows[i].fields);
    }
  }
}

TEST(CsvStreamTest, ChunksGiveTheSameRowsAndLinesAsTheWholeTextReader) {
  ExpectSameAsWholeText("a,b\n1,2\n3,4\n5,6\n");
  ExpectSameAsWholeText(
      "\xEF\xBB\xBF"
      "a,b\r\n1,\"x\r\ny\"\r\n\r\n3,\"q\"\"uote\"\r\n5,6");
  ExpectSameAsWholeText("a,b\n1,\"multi\nline\nfield\"\n\n\n2,\"\"\n3,x\r4,y\r");
  ExpectSameAsWholeText(
      "a\n\"\xEF\xBB\xBF\"\n\xEF\xBB\xBF"
      "b\n");
  // Found by tests/fuzz/csv_fuzz: only the first mark is dropped.
  ExpectSameAsWholeText(
      "\xEF\xBB\xBF\xEF\xBB\xBF"
      "co\n1\n");
}

TEST(CsvStreamTest, ErrorsNameTheLineOfTheWholeText) {
  const std::string text = "a,b\n1,2\n3,4\n5,6\n7,x\"y\n";
  EXPECT_THAT(ReadAll(text, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("CSV line 5, field 2")));
  EXPECT_THAT(ReadAll("a,b\n1,2\n3\n", 1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("CSV line 3: row has 1 fields but the header has 2")));
  EXPECT_THAT(ReadAll("a,b\n1,\"open\n2,3\n", 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("CSV line 2")));
}

TEST(CsvStreamTest, HeaderMustExistAndHaveDistinctNames) {
  EXPECT_THAT(index::CsvStream::Open("\n\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no header")));
  EXPECT_THAT(index::CsvStream::Open("a,b,a\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duplicate column")));
  absl::StatusOr<index::CsvStream> csv = index::CsvStream::Open("\n\nx,y\n1,2\n", 1);
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->header_line(), 3);
  EXPECT_EQ(csv->Column("y"), 1);
  EXPECT_EQ(csv->Column("z"), -1);
}

TEST(ReadFileTextTest, MissingFileSaysWhatToCheck) {
  EXPECT_THAT(index::ReadFileText("/nonexistent/file.csv"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/file.csv")));
}

}  // namespace
}  // namespace innoscope::index

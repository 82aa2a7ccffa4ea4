#include "services/cli/table_writer.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::cli {
namespace {

TEST(TableWriterTest, CsvQuotesOnlyWhenNeededAndLeavesAbsentCellsEmpty) {
  std::string out;
  TableWriter writer(TableFormat::kCsv, {"region", "value", "source"}, &out);
  writer.Row({Cell::Text("AUT"), Cell::Number("0.1"), Cell::Text("UN, \"HDR\"")});
  writer.Row({Cell::Text("BEL"), Cell::Absent(), Cell::Text(" padded")});
  writer.Finish();
  EXPECT_EQ(out, "region,value,source\nAUT,0.1,\"UN, \"\"HDR\"\"\"\nBEL,,\" padded\"\n");
}

TEST(TableWriterTest, JsonIsAnArrayOfObjectsWithRawNumbers) {
  std::string out;
  TableWriter writer(TableFormat::kJson, {"region", "value"}, &out);
  writer.Row({Cell::Text("A\"\n\x01"), Cell::Number("1e-300")});
  writer.Row({Cell::Text("B"), Cell::Absent()});
  writer.Finish();
  EXPECT_EQ(out, "[\n  {\"region\": \"A\\\"\\n\\u0001\", \"value\": 1e-300},\n"
                 "  {\"region\": \"B\"}\n]\n");
  std::string empty;
  TableWriter none(TableFormat::kJson, {"a"}, &empty);
  none.Finish();
  EXPECT_EQ(empty, "[]\n");
}

TEST(ParseTableFormatTest, AcceptsCsvAndJson) {
  EXPECT_EQ(*ParseTableFormat("csv"), TableFormat::kCsv);
  EXPECT_EQ(*ParseTableFormat("json"), TableFormat::kJson);
  EXPECT_FALSE(ParseTableFormat("xml").ok());
}

}  // namespace
}  // namespace innoscope::cli

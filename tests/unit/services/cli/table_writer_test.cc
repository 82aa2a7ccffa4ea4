#include "services/cli/table_writer.h"

#include <cmath>
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
  // One compact object per line (nlohmann::json's dump).
  EXPECT_EQ(out,
            "[\n  {\"region\":\"A\\\"\\n\\u0001\",\"value\":1e-300},\n"
            "  {\"region\":\"B\"}\n]\n");
  std::string empty;
  TableWriter none(TableFormat::kJson, {"a"}, &empty);
  none.Finish();
  EXPECT_EQ(empty, "[]\n");
}

TEST(TableWriterTest, JsonNumbersKeepTheCellsTextAndBadUtf8IsReplaced) {
  std::string out;
  TableWriter writer(TableFormat::kJson, {"period", "value", "name"}, &out);
  // Whole numbers stay whole (as FormatDouble(4.0) = "4" wrote them), -0
  // keeps its sign, 17 digits are kept, a non-number is null, and the bytes
  // ff fe (not UTF-8) become U+FFFD each.
  writer.Row({Cell::Number("2022"), Cell::Number("4"), Cell::Text("ok")});
  writer.Row({Cell::Number("-0"), Cell::Number("0.30000000000000004"), Cell::Text("\xff\xfe")});
  writer.Row({Cell::Number("nan"), Cell::Number("1e+300"), Cell::Text("")});
  writer.Finish();
  EXPECT_EQ(
      out,
      "[\n  {\"period\":2022,\"value\":4,\"name\":\"ok\"},\n"
      "  {\"period\":-0.0,\"value\":0.30000000000000004,\"name\":\"\xef\xbf\xbd\xef\xbf\xbd\"},\n"
      "  {\"period\":null,\"value\":1e+300,\"name\":\"\"}\n]\n");
}

TEST(JsonTest, CellsAndJsonValuesConvertBothWays) {
  EXPECT_EQ(JsonNumberOf("12"), Json(12));
  EXPECT_EQ(JsonNumberOf("0.1"), Json(0.1));
  EXPECT_TRUE(JsonNumberOf("inf").is_null());
  EXPECT_EQ(CellOf(Json(0.1)).text, "0.1");
  EXPECT_EQ(CellOf(Json(2.0)).text, "2");  // FormatDouble, as the CSV has it
  EXPECT_EQ(CellOf(Json(7)).kind, Cell::Kind::kNumber);
  EXPECT_EQ(CellOf(Json(true)).text, "true");
  EXPECT_EQ(CellOf(Json(true)).kind, Cell::Kind::kText);
  EXPECT_EQ(CellOf(Json()).kind, Cell::Kind::kAbsent);
  EXPECT_EQ(CellOf(Json(std::nan(""))).kind, Cell::Kind::kAbsent);
  EXPECT_EQ(JsonLine({{"b", 1}, {"a", {1.5, nullptr}}}), "{\"b\":1,\"a\":[1.5,null]}");
  EXPECT_EQ(JsonText({{"k", "v"}}), "{\n  \"k\": \"v\"\n}\n");
}

TEST(ParseTableFormatTest, AcceptsCsvAndJson) {
  EXPECT_EQ(*ParseTableFormat("csv"), TableFormat::kCsv);
  EXPECT_EQ(*ParseTableFormat("json"), TableFormat::kJson);
  EXPECT_FALSE(ParseTableFormat("xml").ok());
}

}  // namespace
}  // namespace innoscope::cli

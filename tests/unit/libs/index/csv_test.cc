#include "libs/index/csv.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/data_csv.h"
#include "tests/shared_data.h"
#include "tests/unit/libs/index/test_util.h"

namespace innoscope::index {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::vector<std::string>> Fields(const std::vector<CsvRow>& rows) {
  std::vector<std::vector<std::string>> out;
  for (const CsvRow& r : rows) out.push_back(r.fields);
  return out;
}

TEST(CsvTest, ReadsQuotedFieldsWithEscapesDelimitersAndLineBreaks) {
  ASSERT_OK_AND_ASSIGN(std::vector<CsvRow> rows,
                       ParseCsvRecords("a,\"b, c\",\"say \"\"hi\"\"\"\n\"multi\nline\",,x\n"));
  EXPECT_THAT(Fields(rows), ElementsAre(ElementsAre("a", "b, c", "say \"hi\""),
                                        ElementsAre("multi\nline", "", "x")));
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[1].line, 2);
}

TEST(CsvTest, AcceptsCrlfLoneCrBomAndMissingFinalNewline) {
  ASSERT_OK_AND_ASSIGN(std::vector<CsvRow> rows, ParseCsvRecords("\xEF\xBB\xBFh1,h2\r\n1,2\r3,4"));
  EXPECT_THAT(Fields(rows),
              ElementsAre(ElementsAre("h1", "h2"), ElementsAre("1", "2"), ElementsAre("3", "4")));
  EXPECT_EQ(rows[2].line, 3);
}

TEST(CsvTest, SkipsBlankAndCommentLinesButCountsThem) {
  CsvOptions opt;
  opt.comment = '#';
  ASSERT_OK_AND_ASSIGN(std::vector<CsvRow> rows,
                       ParseCsvRecords("# provenance\n\na,b\n\n1,2\n", opt));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 3);
  EXPECT_EQ(rows[1].line, 5);
}

TEST(CsvTest, LineNumbersCountLineBreaksInsideQuotes) {
  EXPECT_THAT(ParseCsvTable("a,b\n\"x\r\ny\",1\n2,3,4\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("CSV line 4, field 3: row has 3 fields but the header has 2")));
}

TEST(CsvTest, RejectsMalformedQuotingNamingLineAndField) {
  EXPECT_THAT(ParseCsvRecords("a,b\nc,d\"e\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2, field 2: quote inside an unquoted field")));
  EXPECT_THAT(ParseCsvRecords("a,\"b\"x,c\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 1, field 2: unexpected text after a closing quote")));
  EXPECT_THAT(ParseCsvRecords("a\n1,\"never\nclosed"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2, field 2: quoted field is never closed")));
}

TEST(CsvTest, TableRejectsDuplicateColumnsAndEmptyInput) {
  EXPECT_THAT(ParseCsvTable("a,b,a\n1,2,3\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("duplicate column name 'a' (also field 1)")));
  EXPECT_THAT(ParseCsvTable(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no header")));
}

TEST(CsvTest, TableFindsColumnsByName) {
  ASSERT_OK_AND_ASSIGN(CsvTable t, ParseCsvTable("x,y\n1,2\n"));
  EXPECT_EQ(t.Column("y"), 1);
  EXPECT_EQ(t.Column("z"), -1);
}

// Inputs a fuzzer would try: every prefix of a tricky document must give a
// result or an error, never a crash. CI runs this test again under ASan and
// UBSan (deploy/sanitize.sh: the unit and pg labels in build-asan/) and
// fuzzes the CSV readers there with libFuzzer (tests/fuzz/run.sh).
TEST(CsvTest, NeverCrashesOnPrefixesOfTrickyInput) {
  const std::string doc = "\xEF\xBB\xBF\"a\"\"\",b\r\n\"x\ny\",\r\n,,\"\"\r\r\n\"\",\"z";
  for (size_t n = 0; n <= doc.size(); ++n) {
    (void)ParseCsvRecords(doc.substr(0, n));
    (void)ParseCsvTable(doc.substr(0, n));
    (void)ParseWideCsv(doc.substr(0, n));
  }
}

TEST(WideCsvTest, ReadsRegionsIndicatorsLabelsAndMissingValues) {
  WideCsvOptions opt;
  opt.region_column = "code";
  opt.label_columns = {"group", "name"};
  opt.ignore_columns = {"year"};
  ASSERT_OK_AND_ASSIGN(WideCsvData d, ParseWideCsv("name,code,group,year,gdp,pop\n"
                                                   "Beijing,CN-BJ,North,2022, 41.6 ,NA\n"
                                                   "Shanghai,CN-SH,East,2022,,24.8\n",
                                                   opt));
  EXPECT_THAT(d.matrix.regions(), ElementsAre("CN-BJ", "CN-SH"));
  EXPECT_THAT(d.matrix.indicators(), ElementsAre("gdp", "pop"));
  EXPECT_DOUBLE_EQ(d.matrix.Get(0, 0), 41.6);
  EXPECT_TRUE(d.matrix.IsMissing(0, 1));
  EXPECT_TRUE(d.matrix.IsMissing(1, 0));
  EXPECT_DOUBLE_EQ(d.matrix.Get(1, 1), 24.8);
  EXPECT_THAT(d.labels.at("group"), ElementsAre("North", "East"));
  EXPECT_THAT(d.labels.at("name"), ElementsAre("Beijing", "Shanghai"));
}

TEST(WideCsvTest, DefaultsToTheFirstColumnForRegions) {
  ASSERT_OK_AND_ASSIGN(WideCsvData d, ParseWideCsv("region,x\nA,1e-05\nB,-2\n"));
  EXPECT_THAT(d.matrix.regions(), ElementsAre("A", "B"));
  EXPECT_DOUBLE_EQ(d.matrix.Get(0, 0), 1e-05);
}

TEST(WideCsvTest, ErrorsNameLineColumnRegionAndText) {
  EXPECT_THAT(ParseWideCsv("r,x,y\nA,1,2\nB,3,abc\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("CSV line 3, column 'y' (field 3), region 'B': 'abc' is "
                                 "not a finite number")));
  EXPECT_THAT(ParseWideCsv("r,x\nA,inf\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'inf'")));
  EXPECT_THAT(
      ParseWideCsv("r,x\nA,1\nA,2\n"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("CSV line 3: duplicate region 'A'")));
  EXPECT_THAT(ParseWideCsv("r,x\n ,1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty region code")));
  WideCsvOptions opt;
  opt.label_columns = {"nope"};
  EXPECT_THAT(ParseWideCsv("r,x\nA,1\n", opt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("label column 'nope' is not in the CSV header")));
}

TEST(WideCsvTest, ReadsCoinrAsemData) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  ASSERT_OK_AND_ASSIGN(WideCsvData d, ReadAsemData(dir));
  // datasets/README.md: 51 rows x 60 columns = uName, uCode, 4 groups, Time,
  // 4 denominators and 49 indicators.
  EXPECT_EQ(d.matrix.rows(), 51u);
  EXPECT_EQ(d.matrix.cols(), 53u);
  EXPECT_EQ(d.matrix.regions().front(), "AUT");
  EXPECT_EQ(d.labels.at("EurAsia_group").front(), "Europe");
}

}  // namespace
}  // namespace innoscope::index

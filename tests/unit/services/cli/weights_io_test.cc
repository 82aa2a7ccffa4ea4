#include "services/cli/weights_io.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::cli {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

// The classic matrix [1 3 5; 1/3 1 3; 1/5 1/3 1] as a spreadsheet writes it.
constexpr char kClassic[] =
    ",cost,safety,style\n"
    "cost,1,3,5\n"
    "safety,1/3,1,3\n"
    "style,0.2,1/3,1\n";

TEST(ParseJudgementMatrixCsvTest, ReadsNumbersAndFractions) {
  ASSERT_OK_AND_ASSIGN(LabelledMatrix m, ParseJudgementMatrixCsv(kClassic));
  EXPECT_THAT(m.items, ElementsAre("cost", "safety", "style"));
  EXPECT_DOUBLE_EQ(m.values[1][0], 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.values[2][0], 0.2);
  EXPECT_DOUBLE_EQ(m.values[0][2], 5);
}

TEST(ParseJudgementMatrixCsvTest, NamesTheProblem) {
  EXPECT_THAT(ParseJudgementMatrixCsv(",a,b\na,1,2\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("square")));
  EXPECT_THAT(ParseJudgementMatrixCsv(",a,b\nb,1,2\na,1/2,1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2: row 1 is 'b' but header item 1 is 'a'")));
  EXPECT_THAT(ParseJudgementMatrixCsv(",a,b\na,1,x\nb,1/2,1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2, cell (a, b): 'x' is not a number")));
  EXPECT_THAT(ParseJudgementMatrixCsv(",a, a\na,1,1\na,1,1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'a' appears twice")));
  EXPECT_THAT(ParseJudgementCell("1/0"),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  ASSERT_OK_AND_ASSIGN(double half, ParseJudgementCell(" 2 / 4 "));
  EXPECT_EQ(half, 0.5);
}

// Hand calculation (docs/methods.md section 9): for a 3 x 3 reciprocal
// matrix lambda_max = 1 + t^(1/3) + t^(-1/3) with t = a12 a23 / a13 = 9/5:
// 1 + 1.216440 + 0.822071 = 3.038511; CI = 0.038511 / 2 = 0.019256;
// CR = 0.019256 / 0.58 = 0.0332 (Saaty) or / 0.52 = 0.0370 (cn);
// w = (0.6370, 0.2583, 0.1047).
TEST(AhpJsonTest, PrintsTheClassicExample) {
  ASSERT_OK_AND_ASSIGN(LabelledMatrix m, ParseJudgementMatrixCsv(kClassic));
  index::AhpOptions options;
  options.reciprocal_tolerance = 1e-3;
  ASSERT_OK_AND_ASSIGN(index::AhpResult r, index::Ahp(m.values, m.items, options));
  EXPECT_THAT(r.weights, Pointwise(DoubleNear(5e-5), {0.6370, 0.2583, 0.1047}));
  EXPECT_NEAR(r.lambda_max, 3.038511, 5e-7);
  EXPECT_NEAR(r.cr, 0.0332, 5e-5);
  const std::string json = JsonLine(AhpJson(m.items, r, 0.1));
  EXPECT_THAT(json, HasSubstr("{\"weights\":{\"cost\":0.63698"));
  EXPECT_THAT(json, HasSubstr("\"lambda_max\":3.03851"));
  EXPECT_THAT(json, HasSubstr("\"cr\":0.0331992"));
  EXPECT_THAT(json, HasSubstr("\"consistent\":true}"));
  options.random_index = index::RandomIndexTable::kChineseCommon;
  ASSERT_OK_AND_ASSIGN(r, index::Ahp(m.values, m.items, options));
  EXPECT_NEAR(r.cr, 0.0370, 5e-5);
  EXPECT_THAT(JsonLine(AhpJson(m.items, r, 0.03)), HasSubstr("\"consistent\":false}"));
}

TEST(ParseDirectionsCsvTest, ReadsDirectionsAndDefaultsToPlusOne) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<int> d,
      ParseDirectionsCsv("indicator,direction\nb,-1\nc,benefit\n", {"a", "b", "c"}));
  EXPECT_THAT(d, ElementsAre(1, -1, 1));
  ASSERT_OK_AND_ASSIGN(d, ParseDirectionsCsv("code,polarity\na,cost\n", {"a", "b"}));
  EXPECT_THAT(d, ElementsAre(-1, 1));
  EXPECT_THAT(ParseDirectionsCsv("indicator,direction\nb,2\n", {"b"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2: direction '2'")));
  EXPECT_THAT(
      ParseDirectionsCsv("indicator,direction\nzz,1\n", {"b"}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'zz' is not a column of the data")));
  EXPECT_THAT(ParseDirectionsCsv("name,dir\n", {"b"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a column")));
  // A COINr iMeta works as it is: aggregates (NA) and other rows are skipped.
  ASSERT_OK_AND_ASSIGN(d,
                       ParseDirectionsCsv("Level,iCode,Direction,Parent,Type\n1,b,-1,d,Indicator\n"
                                          "1,other,1,d,Indicator\n2,d,NA,NA,Aggregate\n",
                                          {"a", "b"}));
  EXPECT_THAT(d, ElementsAre(1, -1));
}

TEST(WeightsJsonTest, PrintsShortestRoundTripNumbers) {
  EXPECT_EQ(JsonLine(WeightsJson({"a", "b\"c"}, std::vector<double>{0.25, 0.75})),
            "{\"weights\":{\"a\":0.25,\"b\\\"c\":0.75}}");
  EXPECT_EQ(WeightsCsv("indicator", {"a", "b"}, std::vector<double>{0.1, 0.9}),
            "indicator,weight\na,0.1\nb,0.9\n");
}

}  // namespace
}  // namespace innoscope::cli

#include "services/cli/number_text.h"

#include <cstdint>
#include <cstring>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/data_csv.h"

namespace innoscope::cli {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof(b));
  return b;
}

// The shortest round-trip texts below are those of Python's repr(), an
// independent implementation of the same rule (David Gay / Steele-White).
TEST(FormatDoubleTest, PrintsShortestRoundTripText) {
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(1e-300), "1e-300");
  EXPECT_EQ(FormatDouble(123456789.123456789), "123456789.12345679");
  EXPECT_EQ(FormatDouble(-2.5), "-2.5");
  EXPECT_EQ(FormatDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatDouble(5e-324), "5e-324");
  EXPECT_EQ(FormatDouble(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(FormatDouble(-0.0), "-0");
  EXPECT_EQ(FormatDouble(100), "100");
}

TEST(FormatDoubleTest, RoundTripsEveryBitPatternThroughTheImportParser) {
  std::mt19937_64 rng(20240501);
  for (int i = 0; i < 200000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof(v));
    if (!std::isfinite(v)) continue;
    absl::StatusOr<double> back = index::ParseNumberCell(FormatDouble(v), {"", "NA"});
    ASSERT_TRUE(back.ok()) << FormatDouble(v);
    ASSERT_EQ(Bits(*back), bits) << FormatDouble(v);
  }
}

TEST(ParsePeriodTest, AcceptsYearsOnly) {
  EXPECT_EQ(*ParsePeriod("2022"), 2022);
  EXPECT_EQ(*ParsePeriod(" 1990 "), 1990);
  EXPECT_THAT(ParsePeriod("2022.0"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'2022.0' is not a year")));
  EXPECT_FALSE(ParsePeriod("-5").ok());
  EXPECT_FALSE(ParsePeriod("").ok());
  EXPECT_FALSE(ParsePeriod("99999999999").ok());
}

TEST(ParsePeriodSpanTest, ParsesRangesAndSingleYears) {
  absl::StatusOr<PeriodSpan> span = ParsePeriodSpan("2019-2022");
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(span->first, 2019);
  EXPECT_EQ(span->last, 2022);
  span = ParsePeriodSpan("2020");
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(span->first, 2020);
  EXPECT_EQ(span->last, 2020);
  EXPECT_THAT(ParsePeriodSpan("2022-2019"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("FIRST <= LAST")));
  EXPECT_FALSE(ParsePeriodSpan("2019-").ok());
}

}  // namespace
}  // namespace innoscope::cli

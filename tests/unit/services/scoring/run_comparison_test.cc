#include "services/scoring/run_comparison.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::scoring {
namespace {

constexpr double kNaN = index::kMissing;

RunResultRow Row(const std::string& region, double score, int rank, double raw) {
  RunResultRow row;
  row.region = region;
  row.node = "patents";
  row.score = score;
  row.rank = rank;
  row.raw = raw;
  return row;
}

std::map<std::string, v1::RegionChange> ByRegion(const v1::CompareRunsResponse& r) {
  std::map<std::string, v1::RegionChange> out;
  for (const v1::RegionChange& c : r.changes()) out[c.region_code()] = c;
  return out;
}

// A leaf ("patents") in 2020 and in 2023, three periods later:
//
//   region  2020 raw  score rank   2023 raw  score rank
//   A          100     10    2       133.1    30    1
//   B           64     20    1        27      15    2
//   C            0      5    3        39.9    12    3
//   D           50      8    4         -       -    -   (not in 2023)
//   E            -      -    -         0       0    4   (new in 2023)
//
// A: rank 2 -> 1 (+1), score +20, growth 133.1 / 100 - 1 = 0.331, CAGR
//    1.331^(1/3) - 1 = 0.1 (1.1^3 = 1.331), share 100 x 133.1 / 200 =
//    66.55 (the 2023 total is 133.1 + 27 + 39.9 + 0 = 200);
// B: 1 -> 2 (-1), growth 27 / 64 - 1 = -0.578125, CAGR (27/64)^(1/3) - 1 =
//    3/4 - 1 = -0.25, share 13.5;
// C: 3 -> 3, growth and CAGR from 0 undefined, share 19.95;
// D: no current value: no rank change, no growth, no share;
// E: share 0, no previous value.
TEST(CompareNodeRowsTest, RankScoreGrowthCagrAndShareByHand) {
  const std::vector<RunResultRow> before = {Row("A", 10, 2, 100), Row("B", 20, 1, 64),
                                            Row("C", 5, 3, 0), Row("D", 8, 4, 50)};
  const std::vector<RunResultRow> now = {Row("A", 30, 1, 133.1), Row("B", 15, 2, 27),
                                         Row("C", 12, 3, 39.9), Row("E", 0, 4, 0)};
  ASSERT_OK_AND_ASSIGN(v1::CompareRunsResponse r,
                       CompareNodeRows(before, 2020, now, 2023, /*leaf=*/true, 5));
  EXPECT_EQ(r.period(), 2023);
  EXPECT_EQ(r.previous_period(), 2020);
  ASSERT_EQ(r.changes_size(), 5);
  EXPECT_EQ(r.changes(0).region_code(), "A");  // by code
  auto c = ByRegion(r);
  EXPECT_EQ(c["A"].previous_rank(), 2);
  EXPECT_EQ(c["A"].current_rank(), 1);
  EXPECT_EQ(c["A"].rank_change(), 1);
  EXPECT_NEAR(c["A"].score_change(), 20, 1e-12);
  EXPECT_NEAR(c["A"].raw_growth(), 0.331, 1e-12);
  EXPECT_NEAR(c["A"].raw_cagr(), 0.1, 1e-12);
  EXPECT_NEAR(c["A"].raw_share(), 66.55, 1e-12);
  EXPECT_EQ(c["B"].rank_change(), -1);
  EXPECT_NEAR(c["B"].raw_growth(), -0.578125, 1e-12);
  EXPECT_NEAR(c["B"].raw_cagr(), -0.25, 1e-12);
  EXPECT_NEAR(c["B"].raw_share(), 13.5, 1e-12);
  EXPECT_EQ(c["C"].rank_change(), 0);
  EXPECT_FALSE(c["C"].has_raw_growth());
  EXPECT_FALSE(c["C"].has_raw_cagr());
  EXPECT_NEAR(c["C"].raw_share(), 19.95, 1e-12);
  EXPECT_FALSE(c["D"].has_current_rank());
  EXPECT_FALSE(c["D"].has_rank_change());
  EXPECT_FALSE(c["D"].has_raw_growth());
  EXPECT_FALSE(c["D"].has_raw_share());
  EXPECT_EQ(c["E"].current_rank(), 4);
  EXPECT_FALSE(c["E"].has_previous_rank());
  EXPECT_EQ(c["E"].raw_share(), 0);
  EXPECT_FALSE(c["E"].has_raw_cagr());
  ASSERT_EQ(r.risers_size(), 1);
  EXPECT_EQ(r.risers(0).region_code(), "A");
  ASSERT_EQ(r.fallers_size(), 1);
  EXPECT_EQ(r.fallers(0).region_code(), "B");
}

TEST(CompareNodeRowsTest, SamePeriodAndInnerNodesLeaveTheRawFieldsOut) {
  const std::vector<RunResultRow> before = {Row("A", 10, 2, 100), Row("B", 20, 1, 64)};
  const std::vector<RunResultRow> now = {Row("A", 30, 1, 125), Row("B", 15, 2, 80)};
  // Two runs of one period (e.g. two normalisations): growth, no CAGR.
  ASSERT_OK_AND_ASSIGN(v1::CompareRunsResponse same,
                       CompareNodeRows(before, 2023, now, 2023, /*leaf=*/true, 5));
  auto c = ByRegion(same);
  EXPECT_NEAR(c["A"].raw_growth(), 0.25, 1e-12);
  EXPECT_FALSE(c["A"].has_raw_cagr());
  // One year apart the CAGR is the year-over-year growth.
  ASSERT_OK_AND_ASSIGN(v1::CompareRunsResponse yoy,
                       CompareNodeRows(before, 2022, now, 2023, /*leaf=*/true, 5));
  c = ByRegion(yoy);
  EXPECT_NEAR(c["A"].raw_cagr(), 0.25, 1e-15);
  EXPECT_NEAR(c["B"].raw_cagr(), 0.25, 1e-15);  // 80 / 64
  // An inner node has no raw values to compare.
  std::vector<RunResultRow> inner_before = before, inner_now = now;
  for (auto* rows : {&inner_before, &inner_now}) {
    for (RunResultRow& row : *rows) row.raw = kNaN;
  }
  ASSERT_OK_AND_ASSIGN(v1::CompareRunsResponse inner,
                       CompareNodeRows(inner_before, 2022, inner_now, 2023, /*leaf=*/false, 1));
  c = ByRegion(inner);
  EXPECT_FALSE(c["A"].has_raw_growth());
  EXPECT_FALSE(c["A"].has_raw_cagr());
  EXPECT_FALSE(c["A"].has_raw_share());
  EXPECT_EQ(c["A"].rank_change(), 1);
}

}  // namespace
}  // namespace innoscope::scoring

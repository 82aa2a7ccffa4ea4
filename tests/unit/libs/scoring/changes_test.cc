#include "libs/scoring/changes.h"

#include <cmath>
#include <numeric>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"

namespace innoscope::scoring {
namespace {

using index::kMissing;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Table 4 of the 2023 AI competitiveness report (published/
// ai_index_ranks.csv): overall ranks 2023 and 2022 of the 30 listed
// provinces, and the published change (positive = up).
struct PublishedRow {
  const char* province;
  int rank_2023;
  int rank_2022;
  int change;
};
const std::vector<PublishedRow> kTable4 = {
    {"Beijing", 1, 1, 0},     {"Guangdong", 2, 2, 0},        {"Shanghai", 3, 3, 0},
    {"Zhejiang", 4, 4, 0},    {"Jiangsu", 5, 5, 0},          {"Shandong", 6, 6, 0},
    {"Sichuan", 7, 7, 0},     {"Liaoning", 8, 9, 1},         {"Anhui", 9, 8, -1},
    {"Hunan", 10, 10, 0},     {"Fujian", 11, 14, 3},         {"Hubei", 12, 12, 0},
    {"Shaanxi", 13, 13, 0},   {"Tianjin", 14, 15, 1},        {"Chongqing", 15, 11, -4},
    {"Jilin", 16, 18, 2},     {"Heilongjiang", 17, 17, 0},   {"Henan", 18, 16, -2},
    {"Hebei", 19, 23, 4},     {"Jiangxi", 20, 22, 2},        {"Guangxi", 21, 21, 0},
    {"Shanxi", 22, 19, -3},   {"Guizhou", 23, 24, 1},        {"Yunnan", 24, 25, 1},
    {"Xinjiang", 25, 20, -5}, {"Inner Mongolia", 26, 27, 1}, {"Gansu", 27, 26, -1},
    {"Hainan", 28, 30, 2},    {"Qinghai", 29, 28, -1},       {"Ningxia", 30, 29, -1}};

TEST(CompareRanksTest, ReproducesPublishedRankChanges) {
  std::vector<int> previous;
  std::vector<int> current;
  for (const PublishedRow& row : kTable4) {
    previous.push_back(row.rank_2022);
    current.push_back(row.rank_2023);
  }
  ASSERT_OK_AND_ASSIGN(std::vector<RankChange> changes, CompareRanks(previous, current));
  for (size_t i = 0; i < kTable4.size(); ++i) {
    EXPECT_EQ(changes[i].rank_change, kTable4[i].change) << kTable4[i].province;
    EXPECT_TRUE(changes[i].comparable);
    EXPECT_TRUE(std::isnan(changes[i].score_change));
  }
  // Largest risers: Hebei +4, Fujian +3, then Jilin, Jiangxi, Hainan +2 (by
  // table order). Largest fallers: Xinjiang -5, Chongqing -4, Shanxi -3.
  std::vector<int> risers;
  for (const RankChange& c : LargestRisers(changes, 4)) risers.push_back(c.region);
  EXPECT_THAT(risers, ElementsAre(18, 10, 15, 19));
  std::vector<int> fallers;
  for (const RankChange& c : LargestFallers(changes, 3)) fallers.push_back(c.region);
  EXPECT_THAT(fallers, ElementsAre(24, 14, 21));
}

TEST(CompareScoresTest, RanksEachRunInItsOwnUniverse) {
  // Previous: B 60 1st, A 50 2nd, C missing (unranked).
  // Current: C 80 1st, A 70 2nd, B 65 3rd.
  ASSERT_OK_AND_ASSIGN(std::vector<RankChange> changes,
                       CompareScores({50, 60, kMissing}, {70, 65, 80}));
  EXPECT_EQ(changes[0].previous_rank, 2);
  EXPECT_EQ(changes[0].current_rank, 2);
  EXPECT_EQ(changes[0].rank_change, 0);
  EXPECT_DOUBLE_EQ(changes[0].score_change, 20);
  EXPECT_EQ(changes[1].rank_change, -2);
  EXPECT_FALSE(changes[2].comparable);
  EXPECT_EQ(changes[2].previous_rank, kUnranked);
  EXPECT_EQ(changes[2].rank_change, 0);
  EXPECT_TRUE(LargestRisers(changes, 10).empty());
  EXPECT_THAT(CompareScores({1, 2}, {1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("regions")));
}

TEST(GrowthTest, YearOverYearAndCagrByHand) {
  // 100 -> 125: +25%; 50 -> 25: -50%; from 0 or missing: undefined.
  ASSERT_OK_AND_ASSIGN(std::vector<double> yoy,
                       GrowthRates({100, 0, kMissing, 50}, {125, 10, 3, 25}));
  EXPECT_DOUBLE_EQ(yoy[0], 0.25);
  EXPECT_TRUE(std::isnan(yoy[1]));
  EXPECT_TRUE(std::isnan(yoy[2]));
  EXPECT_DOUBLE_EQ(yoy[3], -0.5);
  // 100 -> 121 over 2 years: sqrt(1.21) - 1 = 10% a year.
  ASSERT_OK_AND_ASSIGN(std::vector<double> cagr, CompoundAnnualGrowth({100, -1}, {121, 5}, 2));
  EXPECT_NEAR(cagr[0], 0.1, 1e-12);
  EXPECT_TRUE(std::isnan(cagr[1]));
  EXPECT_THAT(CompoundAnnualGrowth({1}, {2}, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("years")));
}

TEST(GrowthBetweenPeriodsTest, CompoundsOverTheDistanceBetweenPeriods) {
  // 2020 -> 2023, three periods apart:
  //   100 -> 133.1: 1.331^(1/3) = 1.1, +10% a year (1.1^3 = 1.331);
  //   64 -> 27: (27/64)^(1/3) = 3/4, -25% a year;
  //   0 -> 5, 5 -> 0, -1 -> 5, missing -> 5: undefined.
  ASSERT_OK_AND_ASSIGN(
      std::vector<double> cagr,
      GrowthBetweenPeriods({100, 64, 0, 5, -1, kMissing}, {133.1, 27, 5, 0, 5, 5}, 2020, 2023));
  EXPECT_NEAR(cagr[0], 0.10, 1e-12);
  EXPECT_NEAR(cagr[1], -0.25, 1e-12);
  for (int i : {2, 3, 4, 5}) EXPECT_TRUE(std::isnan(cagr[i])) << i;
  // The "previous" run may be the later one: (100 / 133.1)^(1 / (2020 -
  // 2023)) = 1.331^(1/3), the same +10% from 2020 to 2023.
  ASSERT_OK_AND_ASSIGN(std::vector<double> reversed,
                       GrowthBetweenPeriods({133.1}, {100}, 2023, 2020));
  EXPECT_NEAR(reversed[0], 0.10, 1e-12);
  // One period apart it is the year-over-year growth: 100 -> 125, +25%.
  ASSERT_OK_AND_ASSIGN(std::vector<double> yoy, GrowthBetweenPeriods({100}, {125}, 2022, 2023));
  EXPECT_NEAR(yoy[0], 0.25, 1e-15);
  EXPECT_THAT(GrowthBetweenPeriods({1}, {2}, 2023, 2023),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("different periods")));
  EXPECT_THAT(GrowthBetweenPeriods({1, 2}, {2}, 2022, 2023),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("regions")));
}

TEST(SharesOfTotalTest, PercentagesSumToHundred) {
  ASSERT_OK_AND_ASSIGN(std::vector<double> shares, SharesOfTotal({1, 3, kMissing, 4}));
  EXPECT_DOUBLE_EQ(shares[0], 12.5);
  EXPECT_DOUBLE_EQ(shares[1], 37.5);
  EXPECT_TRUE(std::isnan(shares[2]));
  EXPECT_DOUBLE_EQ(shares[3], 50);
  EXPECT_DOUBLE_EQ(shares[0] + shares[1] + shares[3], 100);
  EXPECT_THAT(SharesOfTotal({1, -2}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("region 1")));
  EXPECT_THAT(SharesOfTotal({0, 0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("positive total")));
}

}  // namespace
}  // namespace innoscope::scoring

#include "libs/scoring/tiers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"
#include "libs/index/data_matrix.h"
#include "libs/scoring/ranking.h"

namespace innoscope::scoring {
namespace {

using index::kMissing;
using ::innoscope::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

TEST(MedianSplitTest, AtOrAboveTheMedianIsTierOne) {
  // 31 provinces: the median is the 16th value, so 16 are at or above it
  // (the 2023 digital-innovation report's "16 provinces at or above the
  // median").
  std::vector<double> scores(31);
  std::iota(scores.begin(), scores.end(), 1.0);
  ASSERT_OK_AND_ASSIGN(Tiers tiers, MedianSplit(scores));
  EXPECT_THAT(tiers.cutoffs, ElementsAre(16.0));
  EXPECT_EQ(std::count(tiers.tier.begin(), tiers.tier.end(), 1), 16);
  // Even n: the median is the mean of the middle two (2.5).
  ASSERT_OK_AND_ASSIGN(Tiers even, MedianSplit({4, 1, kMissing, 3, 2}));
  EXPECT_THAT(even.tier, ElementsAre(1, 2, kUnranked, 1, 2));
  EXPECT_THAT(even.cutoffs, ElementsAre(2.5));
}

TEST(QuantileTiersTest, CutsAtType7Quantiles) {
  // 1..10, type 7: h = 9p (0-based). p = .25: x[2] + .25 (x[3] - x[2]) = 3.25;
  // p = .5: 5.5; p = .75: 7.75.
  std::vector<double> scores(10);
  std::iota(scores.begin(), scores.end(), 1.0);
  ASSERT_OK_AND_ASSIGN(Tiers tiers, QuantileTiers(scores, 4));
  EXPECT_THAT(tiers.cutoffs, ElementsAre(7.75, 5.5, 3.25));
  EXPECT_THAT(tiers.tier, ElementsAre(4, 4, 4, 3, 3, 2, 2, 1, 1, 1));
}

TEST(ThresholdTiersTest, ScoreOnACutOffBelongsToTheHigherTier) {
  ASSERT_OK_AND_ASSIGN(Tiers tiers, ThresholdTiers({85, 80, 79.9, 40, 10, kMissing}, {40, 80, 60}));
  EXPECT_THAT(tiers.cutoffs, ElementsAre(80, 60, 40));
  EXPECT_THAT(tiers.tier, ElementsAre(1, 1, 2, 3, 4, kUnranked));
}

// jenkspy's test suite (tests/test_jenks.py, data2 and res2/res6) gives, for
// these 50 integers in 4 classes, the breaks (1, 416, 767, 1083, 1424) and
// classes of 20, 9, 10 and 11 values.
const std::vector<double> kJenkspyData = {
    132, 915, 312, 1424, 1240, 1370, 113, 1028, 1078, 416, 963,  359,  1422, 658,  73,  1326, 245,
    848, 683, 255, 1223, 253,  654,  736, 1079, 39,   583, 1367, 1237, 327,  1083, 328, 951,  678,
    927, 301, 96,  297,  179,  230,  767, 1248, 1,    37,  1352, 1009, 663,  1283, 679, 230};

TEST(JenksBreaksTest, MatchesJenkspyReference) {
  ASSERT_OK_AND_ASSIGN(NaturalBreaks breaks, JenksBreaks(kJenkspyData, 4));
  EXPECT_THAT(breaks.breaks, ElementsAre(1, 416, 767, 1083, 1424));
  EXPECT_THAT(breaks.class_minima, ElementsAre(1, 583, 848, 1223));
  ASSERT_OK_AND_ASSIGN(Tiers tiers, NaturalBreakTiers(kJenkspyData, 4));
  EXPECT_EQ(std::count(tiers.tier.begin(), tiers.tier.end(), 1), 11);
  EXPECT_EQ(std::count(tiers.tier.begin(), tiers.tier.end(), 2), 10);
  EXPECT_EQ(std::count(tiers.tier.begin(), tiers.tier.end(), 3), 9);
  EXPECT_EQ(std::count(tiers.tier.begin(), tiers.tier.end(), 4), 20);
}

TEST(JenksBreaksTest, GoodnessOfVarianceFitByHand) {
  // {1,2} | {9,10,11}. Mean 6.6; SDAM = 31.36 + 21.16 + 5.76 + 11.56 +
  // 19.36 = 89.2; SDCM = 0.5 + 2 = 2.5; GVF = 1 - 2.5 / 89.2.
  ASSERT_OK_AND_ASSIGN(NaturalBreaks breaks, JenksBreaks({11, 1, 9, 2, 10}, 2));
  EXPECT_THAT(breaks.breaks, ElementsAre(1, 2, 11));
  EXPECT_NEAR(breaks.goodness_of_variance_fit, 1 - 2.5 / 89.2, 1e-12);
}

// Sum of squared deviations from class means for the partition of sorted x
// with classes starting at `starts`.
double Sdcm(const std::vector<double>& x, const std::vector<size_t>& starts) {
  double total = 0;
  for (size_t c = 0; c < starts.size(); ++c) {
    const size_t end = c + 1 < starts.size() ? starts[c + 1] : x.size();
    double mean = 0;
    for (size_t i = starts[c]; i < end; ++i) mean += x[i];
    mean /= static_cast<double>(end - starts[c]);
    for (size_t i = starts[c]; i < end; ++i) total += (x[i] - mean) * (x[i] - mean);
  }
  return total;
}

// Independent oracle: enumerate every split of 12 values into 3 classes.
TEST(JenksBreaksTest, AgreesWithExhaustiveSearch) {
  std::vector<double> x = {4.1, 0.3, 7.7, 2.2, 9.9, 5.0, 1.1, 8.4, 3.3, 6.6, 0.9, 9.1};
  ASSERT_OK_AND_ASSIGN(NaturalBreaks breaks, JenksBreaks(x, 3));
  std::sort(x.begin(), x.end());
  double best = std::numeric_limits<double>::infinity();
  std::vector<double> best_minima;
  for (size_t a = 1; a < x.size(); ++a) {
    for (size_t b = a + 1; b < x.size(); ++b) {
      const double sdcm = Sdcm(x, {0, a, b});
      if (sdcm < best - 1e-12) {
        best = sdcm;
        best_minima = {x[0], x[a], x[b]};
      }
    }
  }
  EXPECT_THAT(breaks.class_minima, Pointwise(DoubleNear(1e-12), best_minima));
  const double sdam = Sdcm(x, {0});
  EXPECT_NEAR(breaks.goodness_of_variance_fit, 1 - best / sdam, 1e-12);
}

TEST(JenksBreaksTest, NeverSplitsEqualValues) {
  ASSERT_OK_AND_ASSIGN(NaturalBreaks breaks, JenksBreaks({1, 1, 1, 1, 2}, 2));
  EXPECT_THAT(breaks.class_minima, ElementsAre(1, 2));
  // Three distinct values in three classes: the four 1s share the last tier.
  ASSERT_OK_AND_ASSIGN(Tiers tiers, NaturalBreakTiers({1, 1, 2, 1, 1, 5}, 3));
  EXPECT_THAT(tiers.tier, ElementsAre(3, 3, 2, 3, 3, 1));
  EXPECT_THAT(JenksBreaks({1, 1, 1, 1, 2}, 3),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2 distinct values")));
}

TEST(JenksBreaksTest, RejectsBadInput) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(JenksBreaks({1, 2}, 0), StatusIs(kInvalid, HasSubstr("classes")));
  EXPECT_THAT(JenksBreaks({1, 2}, kMaxJenksClasses + 1), StatusIs(kInvalid, HasSubstr("classes")));
  EXPECT_THAT(JenksBreaks({1, HUGE_VAL}, 1), StatusIs(kInvalid, HasSubstr("infinite")));
  EXPECT_THAT(JenksBreaks(std::vector<double>(kMaxJenksValues + 1, 1.0), 1),
              StatusIs(kInvalid, HasSubstr("at most")));
}

TEST(RankBandTiersTest, BandsOfTheAiIndexReport) {
  // Ranks 1-6 first tier, 7-10, 11-20, the rest; ties share a band.
  ASSERT_OK_AND_ASSIGN(std::vector<int> tiers,
                       RankBandTiers({1, 6, 6, 8, 10, 11, 20, 21, 31, kUnranked}, {6, 10, 20}));
  EXPECT_THAT(tiers, ElementsAre(1, 1, 1, 2, 2, 3, 3, 4, 4, kUnranked));
  EXPECT_THAT(RankBandTiers({1}, {6, 6}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("strictly increasing")));
  EXPECT_THAT(RankBandTiers({-1}, {6}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("negative")));
}

}  // namespace
}  // namespace innoscope::scoring

#include "libs/scoring/ranking.h"

#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"
#include "libs/index/data_matrix.h"

namespace innoscope::scoring {
namespace {

using index::kMissing;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CompetitionRanksTest, TiesShareTheBestRankAndSkipPlaces) {
  // "1224": a tie for second takes places 2 and 3.
  ASSERT_OK_AND_ASSIGN(std::vector<int> ranks, CompetitionRanks({81.57, 73.56, 73.56, 36.09}));
  EXPECT_THAT(ranks, ElementsAre(1, 2, 2, 4));
  ASSERT_OK_AND_ASSIGN(ranks, CompetitionRanks({3, 5, 1, 3, 3}));
  EXPECT_THAT(ranks, ElementsAre(2, 1, 5, 2, 2));
}

TEST(CompetitionRanksTest, MissingScoresAreUnrankedAndTakeNoPlace) {
  ASSERT_OK_AND_ASSIGN(std::vector<int> ranks, CompetitionRanks({10, kMissing, 5, 7}));
  EXPECT_THAT(ranks, ElementsAre(1, kUnranked, 3, 2));
  ASSERT_OK_AND_ASSIGN(ranks, CompetitionRanks({}));
  EXPECT_TRUE(ranks.empty());
}

// The 2023 AI index prints Shandong and Shaanxi at 7.91 in the academic
// ecosystem yet ranks them 7 and 8 (published/ai_index_scores_2023.csv, note
// "tie at 7.91"): it broke the tie on unrounded values. With decimals = 2
// the tie is declared instead. (Unrounded values made up for the test.)
TEST(CompetitionRanksTest, DecimalsDeclareTiesAtThePresentationPrecision) {
  const std::vector<double> scores = {8.2431, 7.9138, 7.9062, 6.97};
  ASSERT_OK_AND_ASSIGN(std::vector<int> unrounded, CompetitionRanks(scores));
  EXPECT_THAT(unrounded, ElementsAre(1, 2, 3, 4));
  RankOptions options;
  options.decimals = 2;
  ASSERT_OK_AND_ASSIGN(std::vector<int> rounded, CompetitionRanks(scores, options));
  EXPECT_THAT(rounded, ElementsAre(1, 2, 2, 4));
}

TEST(CompetitionRanksTest, ToleranceGroupsFromTheTop) {
  // tolerance 0.5: 9.6 is within 0.4 of 10 (tie); 9.2 is 0.8 below the
  // group's top, so it starts a new group at place 3; 9.0 joins it.
  RankOptions options;
  options.tolerance = 0.5;
  ASSERT_OK_AND_ASSIGN(std::vector<int> ranks, CompetitionRanks({9.0, 10, 9.2, 9.6}, options));
  EXPECT_THAT(ranks, ElementsAre(3, 1, 3, 1));
}

// Global city industrial-innovation index 2025 (published/
// city_index_2025_results.csv): Shenzhen 2nd, Beijing 5th and Shanghai 9th
// of the world's top ten; in China Shenzhen is 1st (and, inferred, Beijing
// 2nd, Shanghai 3rd). Scores made up to give the published global order.
TEST(CompetitionRanksTest, RanksWithinASubUniverse) {
  // Global order: Tokyo, Shenzhen, New York, c4, Beijing, c6, c7, c8,
  // Shanghai, c10.
  const std::vector<double> scores = {90, 89.5, 85, 80, 78, 75, 70, 66, 65, 60};
  ASSERT_OK_AND_ASSIGN(std::vector<int> global, CompetitionRanks(scores));
  EXPECT_EQ(global[1], 2);
  EXPECT_EQ(global[4], 5);
  EXPECT_EQ(global[8], 9);
  const std::vector<int> china = {8, 1, 4};
  ASSERT_OK_AND_ASSIGN(std::vector<int> within, CompetitionRanksWithin(scores, china));
  EXPECT_THAT(within, ElementsAre(kUnranked, 1, kUnranked, kUnranked, 2, kUnranked, kUnranked,
                                  kUnranked, 3, kUnranked));
}

// The definition of "1224" ranks, checked directly: a present score's rank
// is 1 + the number of present scores strictly above it. Both of the
// ranker's methods (direct counting up to kCountingRankLimit scores, bucket
// sort beyond) on values with many ties, negative values, -0 next to +0
// (equal, so tied) and missing ones; one ranker reused across sizes.
TEST(CompetitionRankerTest, MatchesTheDefinitionAtEverySize) {
  CompetitionRanker ranker;
  for (size_t n : {0, 1, 2, 5, 63, 64, 65, 200, 3001}) {
    std::vector<double> scores(n);
    uint64_t state = 12345 + n;  // a small LCG: any values will do
    for (size_t i = 0; i < n; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const int v = static_cast<int>((state >> 33) % 41) - 20;  // -20..20: ties
      scores[i] = v == 0 ? (((state >> 20) & 1) != 0 ? -0.0 : 0.0) : v * 0.37;
      if (v == 20) scores[i] = kMissing;
    }
    std::vector<int> ranks(n, -1);
    ASSERT_OK(ranker.Rank(scores, RankOptions{}, absl::MakeSpan(ranks)));
    for (size_t i = 0; i < n; ++i) {
      int expected = kUnranked;
      if (!index::IsMissingValue(scores[i])) {
        expected = 1;
        for (double other : scores) expected += other > scores[i] ? 1 : 0;
      }
      ASSERT_EQ(ranks[i], expected) << "n=" << n << " i=" << i;
    }
    ASSERT_OK_AND_ASSIGN(std::vector<int> allocated, CompetitionRanks(scores));
    EXPECT_EQ(allocated, ranks);
  }
  std::vector<int> wrong(2);
  EXPECT_THAT(ranker.Rank({1.0}, RankOptions{}, absl::MakeSpan(wrong)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("slots")));
}

// The sorting cases beyond the counting limit, against the definition:
// distinct scores spread evenly (about one per quantised value), a dense
// cluster next to a few outliers (one quantised value for the cluster,
// sorted by std::sort), all scores equal (no range: the radix sort), a
// range that overflows (-1e308 .. 1e308: the radix sort), and runs of 25
// and of 7 distinct and tied scores closer than the quantisation step
// (sorted by std::sort beyond 16, by insertion up to 16), with missing ones,
// and a range of subnormal width (the radix sort; the sanitizer build
// reports the undefined float-to-integer conversion a quantised sort made).
TEST(CompetitionRankerTest, BucketSortCasesMatchTheDefinition) {
  CompetitionRanker ranker;
  std::vector<std::vector<double>> cases(6);
  uint64_t state = 99;
  for (int i = 0; i < 500; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) * 0x1.0p-53;  // [0, 1)
    cases[0].push_back(1 + 99 * u);
    cases[1].push_back(i < 3 ? 1e6 * (i + 1) : 50 + 1e-9 * static_cast<int>(u * 40));
    cases[2].push_back(7.5);
    cases[3].push_back(i % 2 == 0 ? 1e308 * u : -1e308 * u);
    // Runs of 25 (the first 250 scores), then of 7, run r near r, its
    // members 1e-12 apart in groups of 3 equal ones; every 50th missing.
    const int run = i < 250 ? i / 25 : 10 + (i - 250) / 7;
    cases[4].push_back(i % 50 == 49 ? kMissing : run + 1e-12 * (i % 13 / 3));
    // A range of subnormal width: (m - 1) / (hi - lo) overflows to
    // infinity, and 0 * inf would be NaN (the radix sort instead).
    cases[5].push_back((i % 3) * std::numeric_limits<double>::denorm_min());
  }
  for (size_t c = 0; c < cases.size(); ++c) {
    const std::vector<double>& scores = cases[c];
    std::vector<int> ranks(scores.size(), -1);
    ASSERT_OK(ranker.Rank(scores, RankOptions{}, absl::MakeSpan(ranks)));
    for (size_t i = 0; i < scores.size(); ++i) {
      int expected = kUnranked;
      if (!index::IsMissingValue(scores[i])) {
        expected = 1;
        for (double other : scores) expected += other > scores[i] ? 1 : 0;
      }
      ASSERT_EQ(ranks[i], expected) << "case " << c << " i=" << i;
    }
  }
}

// Tolerance groups above kCountingRankLimit scores (the bucket path): 100
// scores 100, 99.9, ..., 90.1 with tolerance 0.25 form groups from the top
// of three scores each (100, 99.9, 99.8 | 99.7, 99.6, 99.5 | ...), since the
// fourth is 0.3 below its group's top; group g (from 0) ranks 3 g + 1.
TEST(CompetitionRankerTest, ToleranceGroupsAboveTheCountingLimit) {
  std::vector<double> scores;
  for (int i = 99; i >= 0; --i) scores.push_back(100 - 0.1 * i);  // ascending
  RankOptions options;
  options.tolerance = 0.25;
  ASSERT_OK_AND_ASSIGN(std::vector<int> ranks, CompetitionRanks(scores, options));
  for (int i = 0; i < 100; ++i) {
    const int from_top = 99 - i;
    EXPECT_EQ(ranks[i], 3 * (from_top / 3) + 1) << i;
  }
}

TEST(CompetitionRanksTest, RejectsBadOptionsAndMembers) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  RankOptions options;
  options.decimals = 16;
  EXPECT_THAT(CompetitionRanks({1.0}, options), StatusIs(kInvalid, HasSubstr("decimals")));
  options = {};
  options.tolerance = -1;
  EXPECT_THAT(CompetitionRanks({1.0}, options), StatusIs(kInvalid, HasSubstr("tolerance")));
  EXPECT_THAT(CompetitionRanksWithin({1.0, 2.0}, std::vector<int>{2}),
              StatusIs(kInvalid, HasSubstr("out of range")));
  EXPECT_THAT(CompetitionRanksWithin({1.0, kMissing}, std::vector<int>{1, 1}),
              StatusIs(kInvalid, HasSubstr("twice")));
}

}  // namespace
}  // namespace innoscope::scoring

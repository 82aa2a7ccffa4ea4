#include "libs/scoring/clusters.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"
#include "libs/scoring/ranking.h"

namespace innoscope::scoring {
namespace {

using index::DataMatrix;
using index::kMissing;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Published 2023 composite scores (published/ai_index_scores_2023.csv).
enum Province { kBJ, kTJ, kHE, kSH, kJS, kZJ, kAH, kGD, kSC, kCQ };
const std::vector<double> kComposite = {81.57, 9.80,  6.45,  36.09, 28.45,
                                        29.20, 13.19, 73.56, 13.68, 9.02};
const std::vector<Cluster> kCircles = {
    {"JJJ", {kBJ, kTJ, kHE}}, {"YRD", {kSH, kZJ, kJS, kAH}}, {"PRD", {kGD}}, {"CY", {kSC, kCQ}}};

// Table 5 of the report (published/ai_index_circle_ranks.csv) scores the
// circles as sums of their members: 京津冀 97.83 (rank 2), 长三角 106.93 (1),
// 珠三角 73.56 (3), 川渝 22.70 (4). The report summed unrounded scores: the
// printed members of 京津冀 add up to 81.57 + 9.80 + 6.45 = 97.82, within
// the rounding of three two-decimal values (3 x 0.005).
TEST(ClusterValuesTest, SumsReproducePublishedCircleScores) {
  ASSERT_OK_AND_ASSIGN(std::vector<double> sums,
                       ClusterValues(kComposite, kCircles, ClusterAggregate::kSum));
  // 36.09 + 29.20 + 28.45 + 13.19 = 106.93.
  EXPECT_NEAR(sums[1], 106.93, 1e-9);
  EXPECT_NEAR(sums[0], 97.83, 0.015);
  EXPECT_NEAR(sums[2], 73.56, 1e-9);
  EXPECT_NEAR(sums[3], 22.70, 1e-9);
  ASSERT_OK_AND_ASSIGN(std::vector<int> ranks, CompetitionRanks(sums));
  EXPECT_THAT(ranks, ElementsAre(2, 1, 3, 4));
}

TEST(ClusterValuesTest, MeanAndPopulationWeightedMean) {
  ASSERT_OK_AND_ASSIGN(std::vector<double> means,
                       ClusterValues(kComposite, kCircles, ClusterAggregate::kMean));
  EXPECT_NEAR(means[1], 106.93 / 4, 1e-9);
  // (1 * 10 + 3 * 40) / 4 = 32.5.
  ASSERT_OK_AND_ASSIGN(
      std::vector<double> weighted,
      ClusterValues({10, 40, 7}, {{"c", {0, 1}}}, ClusterAggregate::kWeightedMean, {1, 3, 100}));
  EXPECT_NEAR(weighted[0], 32.5, 1e-12);
}

TEST(ClusterValuesTest, AMissingMemberMakesTheClusterMissing) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<double> v,
      ClusterValues({1, kMissing, 3}, {{"a", {0, 1}}, {"b", {0, 2}}}, ClusterAggregate::kSum));
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], 4);
}

// Sub-indicator ranks of circles come from summed raw indicator values.
TEST(ClusterMatrixTest, SumsEveryRawIndicator) {
  DataMatrix raw({"r0", "r1", "r2"}, {"firms", "patents"});
  raw.Set(0, 0, 10);
  raw.Set(1, 0, 5);
  raw.Set(2, 0, 30);
  raw.Set(0, 1, 100);
  raw.Set(1, 1, 200);
  raw.Set(2, 1, 50);
  ASSERT_OK_AND_ASSIGN(DataMatrix circles,
                       ClusterMatrix(raw, {{"A", {0, 1}}, {"B", {2}}}, ClusterAggregate::kSum));
  EXPECT_THAT(circles.regions(), ElementsAre("A", "B"));
  EXPECT_THAT(circles.indicators(), ElementsAre("firms", "patents"));
  EXPECT_EQ(circles.Get(0, 0), 15);
  EXPECT_EQ(circles.Get(1, 0), 30);
  EXPECT_EQ(circles.Get(0, 1), 300);
  ASSERT_OK_AND_ASSIGN(std::vector<int> firm_ranks, CompetitionRanks(circles.Column(0)));
  EXPECT_THAT(firm_ranks, ElementsAre(2, 1));
}

TEST(ClusterValuesTest, RejectsBadClusters) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(ClusterValues({1, 2}, {{"e", {}}}, ClusterAggregate::kSum),
              StatusIs(kInvalid, HasSubstr("'e' has no members")));
  EXPECT_THAT(ClusterValues({1, 2}, {{"o", {0, 2}}}, ClusterAggregate::kSum),
              StatusIs(kInvalid, HasSubstr("out of range")));
  EXPECT_THAT(ClusterValues({1, 2}, {{"d", {1, 1}}}, ClusterAggregate::kSum),
              StatusIs(kInvalid, HasSubstr("twice")));
  EXPECT_THAT(ClusterValues({1, 2}, {{"w", {0}}}, ClusterAggregate::kWeightedMean),
              StatusIs(kInvalid, HasSubstr("member weight")));
  EXPECT_THAT(ClusterValues({1, 2}, {{"w", {0}}}, ClusterAggregate::kWeightedMean, {0, 1}),
              StatusIs(kInvalid, HasSubstr("zero total member weight")));
}

}  // namespace
}  // namespace innoscope::scoring

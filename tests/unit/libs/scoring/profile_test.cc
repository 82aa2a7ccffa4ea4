#include "libs/scoring/profile.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"
#include "libs/scoring/aggregation.h"

namespace innoscope::scoring {
namespace {

using index::DataMatrix;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// CI = mean(D1, D2); D1 = mean(x1, x2); D2 = x3. Node ids: CI 0, D1 1,
// D2 2, x1 3, x2 4, x3 5.
AggregationTree Tree() {
  return *AggregationTree::Create(
      {{"CI", {1, 2}}, {"D1", {3, 4}}, {"D2", {5}}, {"x1", {}}, {"x2", {}}, {"x3", {}}});
}

// Leaves (x1, x2, x3) -> D1, D2, CI by hand:
//   R0 (100,  0, 10) -> 50, 10, 30      composite rank 3
//   R1 ( 60, 60, 20) -> 60, 20, 40      2
//   R2 ( 10, 30, 90) -> 20, 90, 55      1
//   R3 ( 20, 20, 30) -> 20, 30, 25      4
//   R4 (  0, 10, 40) ->  5, 40, 22.5    5
DataMatrix NodeScores(const AggregationTree& tree) {
  DataMatrix leaves({"R0", "R1", "R2", "R3", "R4"}, {"x1", "x2", "x3"});
  const double rows[5][3] = {{100, 0, 10}, {60, 60, 20}, {10, 30, 90}, {20, 20, 30}, {0, 10, 40}};
  for (size_t r = 0; r < 5; ++r) {
    for (size_t c = 0; c < 3; ++c) leaves.Set(r, c, rows[r][c]);
  }
  return *Aggregate(tree, leaves);
}

TEST(BuildProfileTest, ScoresRanksAndUniverseStatistics) {
  const AggregationTree tree = Tree();
  ASSERT_OK_AND_ASSIGN(RegionProfile p, BuildProfile(tree, NodeScores(tree), 0));
  EXPECT_EQ(p.composite_rank, 3);
  EXPECT_DOUBLE_EQ(p.nodes[0].score, 30);
  EXPECT_DOUBLE_EQ(p.nodes[1].score, 50);
  EXPECT_EQ(p.nodes[1].rank, 2);  // D1: only R1 (60) is higher
  EXPECT_EQ(p.nodes[3].rank, 1);  // x1 = 100
  EXPECT_EQ(p.nodes[4].rank, 5);  // x2 = 0
  // D1 over the universe: (50 + 60 + 20 + 20 + 5) / 5 = 31; median 20.
  EXPECT_DOUBLE_EQ(p.nodes[1].universe_mean, 31);
  EXPECT_DOUBLE_EQ(p.nodes[1].universe_median, 20);
  // CI: 172.5 / 5 = 34.5; median 30.
  EXPECT_DOUBLE_EQ(p.nodes[0].universe_mean, 34.5);
  EXPECT_DOUBLE_EQ(p.nodes[0].universe_median, 30);
}

TEST(BuildProfileTest, StrengthsAndWeaknessesAgainstTheCompositeRank) {
  const AggregationTree tree = Tree();
  const DataMatrix scores = NodeScores(tree);
  ProfileOptions options;
  options.strength_threshold = 2;
  // R0 is 3rd overall. x1 is 1st (2 places better); D1 2nd (only 1).
  // x2, x3 and D2 are 5th (2 places worse); equal gaps by node id.
  ASSERT_OK_AND_ASSIGN(RegionProfile p, BuildProfile(tree, scores, 0, options));
  EXPECT_THAT(p.strengths, ElementsAre(3));
  EXPECT_THAT(p.weaknesses, ElementsAre(2, 4, 5));
  // Only the level-2 dimensions.
  options.level = 2;
  ASSERT_OK_AND_ASSIGN(p, BuildProfile(tree, scores, 0, options));
  EXPECT_THAT(p.strengths, IsEmpty());
  EXPECT_THAT(p.weaknesses, ElementsAre(2));
  // R2 is 1st overall and cannot be better anywhere; its x1 is 4th.
  options.level = 0;
  options.strength_threshold = 3;
  ASSERT_OK_AND_ASSIGN(p, BuildProfile(tree, scores, 2, options));
  EXPECT_THAT(p.strengths, IsEmpty());
  EXPECT_THAT(p.weaknesses, ElementsAre(3));
}

TEST(RadarSeriesTest, LevelNodesInIdOrder) {
  const AggregationTree tree = Tree();
  ASSERT_OK_AND_ASSIGN(RegionProfile p, BuildProfile(tree, NodeScores(tree), 0));
  std::vector<NodeProfile> radar = RadarSeries(p, tree, 2);
  ASSERT_EQ(radar.size(), 2u);
  EXPECT_EQ(radar[0].node, 1);
  EXPECT_DOUBLE_EQ(radar[0].score, 50);
  EXPECT_EQ(radar[1].node, 2);
  EXPECT_DOUBLE_EQ(radar[1].score, 10);
  EXPECT_DOUBLE_EQ(radar[1].universe_mean, 38);  // (10+20+90+30+40) / 5
}

TEST(BuildProfileTest, RejectsBadArguments) {
  const AggregationTree tree = Tree();
  const DataMatrix scores = NodeScores(tree);
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(BuildProfile(tree, scores, 5), StatusIs(kInvalid, HasSubstr("region 5")));
  EXPECT_THAT(BuildProfile(tree, DataMatrix({"a"}, {"x"}), 0),
              StatusIs(kInvalid, HasSubstr("columns")));
  ProfileOptions options;
  options.strength_threshold = 0;
  EXPECT_THAT(BuildProfile(tree, scores, 0, options), StatusIs(kInvalid, HasSubstr("threshold")));
}

}  // namespace
}  // namespace innoscope::scoring

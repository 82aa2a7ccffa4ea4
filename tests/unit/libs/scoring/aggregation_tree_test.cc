#include "libs/scoring/aggregation_tree.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"

namespace innoscope::scoring {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// CI = 0.6 D1 + 0.4 D2; D1 = mean(x1, x2); D2 = x3.
std::vector<AggregationNode> SmallTree() {
  return {{"CI", {1, 2}, 1.0}, {"D1", {3, 4}, 0.6}, {"D2", {5}, 0.4},
          {"x1", {}, 1.0},     {"x2", {}, 1.0},     {"x3", {}, 1.0}};
}

TEST(AggregationTreeTest, DerivesStructureLevelsAndWeights) {
  ASSERT_OK_AND_ASSIGN(AggregationTree tree, AggregationTree::Create(SmallTree()));
  EXPECT_EQ(tree.size(), 6u);
  EXPECT_EQ(tree.Root(), 0);
  EXPECT_EQ(tree.Parent(3), 1);
  EXPECT_EQ(tree.Parent(0), -1);
  EXPECT_THAT(tree.Leaves(), ElementsAre(3, 4, 5));
  // Children before parents, root last.
  EXPECT_THAT(tree.BottomUp(), ElementsAre(1, 2, 0));
  EXPECT_EQ(tree.Level(3), 1);
  EXPECT_EQ(tree.Level(1), 2);
  EXPECT_EQ(tree.Level(0), 3);
  EXPECT_EQ(tree.MaxLevel(), 3);
  EXPECT_THAT(tree.NodesAtLevel(2), ElementsAre(1, 2));
  EXPECT_EQ(tree.Find("x2"), 4);
  EXPECT_EQ(tree.Find("nope"), -1);
  // Hand: x1 = 0.6 * 1/2 = 0.3, x3 = 0.4 * 1/1 = 0.4.
  EXPECT_DOUBLE_EQ(tree.LocalWeight(3), 0.5);
  EXPECT_DOUBLE_EQ(tree.GlobalWeight(3), 0.3);
  EXPECT_DOUBLE_EQ(tree.GlobalWeight(4), 0.3);
  EXPECT_DOUBLE_EQ(tree.GlobalWeight(5), 0.4);
  EXPECT_DOUBLE_EQ(tree.GlobalWeight(0), 1.0);
}

TEST(AggregationTreeTest, OnlyWeightRatiosAmongSiblingsMatter) {
  std::vector<AggregationNode> nodes = SmallTree();
  nodes[1].weight = 3;  // 3 : 2 = 0.6 : 0.4
  nodes[2].weight = 2;
  nodes[3].weight = nodes[4].weight = 7;
  ASSERT_OK_AND_ASSIGN(AggregationTree tree, AggregationTree::Create(nodes));
  EXPECT_DOUBLE_EQ(tree.GlobalWeight(1), 0.6);
  EXPECT_DOUBLE_EQ(tree.GlobalWeight(3), 0.3);
}

// DOMAIN.md section 5: leaf weights under a node sum to its weight and the
// weights at a level sum to 1. The 2023 AI index prints global weights at
// every level (enterprise capability 0.4368 = scale 0.2045 + innovation
// 0.2323); given as sibling-relative weights they reproduce themselves.
TEST(AggregationTreeTest, PublishedGlobalWeightsReproduceThemselves) {
  ASSERT_OK_AND_ASSIGN(AggregationTree tree,
                       AggregationTree::Create({{"CI", {1, 2}, 1.0},
                                                {"enterprise", {3, 4}, 0.4368},
                                                {"academic", {5}, 0.2127},
                                                {"scale", {}, 0.2045},
                                                {"innovation", {}, 0.2323},
                                                {"universities", {}, 0.2127}}));
  const double total = 0.4368 + 0.2127;
  EXPECT_NEAR(tree.GlobalWeight(1), 0.4368 / total, 1e-12);
  EXPECT_NEAR(tree.GlobalWeight(3) + tree.GlobalWeight(4), tree.GlobalWeight(1), 1e-12);
  EXPECT_NEAR(tree.GlobalWeight(3), 0.2045 / total, 1e-12);
  EXPECT_NEAR(tree.GlobalWeight(1) + tree.GlobalWeight(2), 1.0, 1e-12);
}

TEST(AggregationTreeTest, AcceptsExplicitLevelsThatSkip) {
  std::vector<AggregationNode> nodes = SmallTree();
  nodes[0].level = 4;
  nodes[2].level = 3;  // D2 sits directly over a leaf two levels down
  ASSERT_OK_AND_ASSIGN(AggregationTree tree, AggregationTree::Create(nodes));
  EXPECT_EQ(tree.Level(0), 4);
  EXPECT_EQ(tree.Level(1), 2);
  EXPECT_EQ(tree.Level(2), 3);
}

TEST(AggregationTreeTest, WithWeightsRevalidates) {
  ASSERT_OK_AND_ASSIGN(AggregationTree tree, AggregationTree::Create(SmallTree()));
  ASSERT_OK_AND_ASSIGN(AggregationTree reweighted, tree.WithWeights({1, 1, 1, 1, 3, 1}));
  EXPECT_DOUBLE_EQ(reweighted.GlobalWeight(4), 0.5 * 0.75);
  EXPECT_THAT(tree.WithWeights({1, 1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weights")));
  EXPECT_THAT(
      tree.WithWeights({1, 0, 0, 1, 1, 1}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'CI' have zero total weight")));
}

TEST(AggregationTreeTest, RejectsInvalidTrees) {
  using Nodes = std::vector<AggregationNode>;
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(AggregationTree::Create({}), StatusIs(kInvalid, HasSubstr("empty")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"a", {1}}, {"a", {}}}),
              StatusIs(kInvalid, HasSubstr("duplicate node code 'a'")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"r", {1}}, {"", {}}}),
              StatusIs(kInvalid, HasSubstr("empty code")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"r", {1, 2}}, {"a", {2}}, {"b", {}}}),
              StatusIs(kInvalid, HasSubstr("'b' has two parents")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"r", {1}}, {"a", {}}, {"s", {}}}),
              StatusIs(kInvalid, HasSubstr("two roots")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"r", {}}, {"a", {2}}, {"b", {1}}}),
              StatusIs(kInvalid, HasSubstr("cycle")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"a", {1}}, {"b", {0}}}),
              StatusIs(kInvalid, HasSubstr("cycle")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"r", {7}}, {"a", {}}}),
              StatusIs(kInvalid, HasSubstr("invalid child id 7")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"r", {1}}, {"a", {}, -1.0}}),
              StatusIs(kInvalid, HasSubstr("'a' has weight -1")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"r", {1, 2}}, {"a", {}, 0.0}, {"b", {}, 0.0}}),
              StatusIs(kInvalid, HasSubstr("'r' have zero total weight")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"r", {1}}, {"a", {}, 1.0, 2}}),
              StatusIs(kInvalid, HasSubstr("leaf 'a' has level 2")));
  EXPECT_THAT(AggregationTree::Create(Nodes{{"r", {1}, 1.0, 2}, {"d", {2}, 1.0, 2}, {"x", {}}}),
              StatusIs(kInvalid, HasSubstr("'r' has level 2, not above")));
}

}  // namespace
}  // namespace innoscope::scoring

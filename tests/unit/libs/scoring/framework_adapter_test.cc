#include "libs/scoring/framework_adapter.h"

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

index::FrameworkNode Node(const char* code, const char* parent, int level) {
  index::FrameworkNode node;
  node.code = code;
  node.parent = parent;
  node.level = level;
  return node;
}

TEST(AggregationTreeFromFrameworkTest, KeepsIdsChildrenLevelsAndWeights) {
  ASSERT_OK_AND_ASSIGN(
      index::Framework framework,
      index::Framework::Create({Node("CI", "", 3), Node("D1", "CI", 2), Node("x1", "D1", 1),
                                Node("x2", "D1", 1), Node("x3", "CI", 1)}));
  // Global weights as a weighting method would return them: D1 0.6 split
  // 0.2 / 0.4; x3 0.4 directly under the root (a skipped level).
  ASSERT_OK_AND_ASSIGN(AggregationTree tree,
                       AggregationTreeFromFramework(framework, {1.0, 0.6, 0.2, 0.4, 0.4}));
  EXPECT_EQ(tree.Root(), 0);
  EXPECT_THAT(tree.Children(0), ElementsAre(1, 4));
  EXPECT_THAT(tree.Children(1), ElementsAre(2, 3));
  EXPECT_EQ(tree.Level(0), 3);
  EXPECT_EQ(tree.Level(4), 1);
  EXPECT_EQ(tree.Code(3), "x2");
  EXPECT_NEAR(tree.GlobalWeight(2), 0.2, 1e-12);
  EXPECT_NEAR(tree.GlobalWeight(3), 0.4, 1e-12);
  EXPECT_NEAR(tree.GlobalWeight(4), 0.4, 1e-12);
  EXPECT_THAT(
      AggregationTreeFromFramework(framework, {1.0}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("one weight per framework node")));
}

}  // namespace
}  // namespace innoscope::scoring

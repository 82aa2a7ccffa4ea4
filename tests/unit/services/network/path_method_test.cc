#include "services/network/path_method.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::network {
namespace {

using ::testing::HasSubstr;

// Thresholds 100 nodes / 1,000 edges, caps 1,000 nodes / 10,000 edges.
ExactLimits SmallLimits() {
  ExactLimits limits;
  limits.max_nodes = 100;
  limits.max_edges = 1000;
  limits.cap_nodes = 1000;
  limits.cap_edges = 10000;
  return limits;
}

TEST(PathMethodTest, AutoIsExactUpToTheThresholdsAndSampledAbove) {
  const ExactLimits limits = SmallLimits();
  auto at = ChoosePathMethod(PathRequest::kAuto, 100, 1000, limits, "paths");
  ASSERT_TRUE(at.ok());
  EXPECT_FALSE(at->approximate);
  auto nodes_above = ChoosePathMethod(PathRequest::kAuto, 101, 5, limits, "paths");
  ASSERT_TRUE(nodes_above.ok());
  EXPECT_TRUE(nodes_above->approximate);
  EXPECT_THAT(nodes_above->reason, HasSubstr("101 nodes and 5 edges"));
  EXPECT_THAT(nodes_above->reason, HasSubstr("--exact_max_nodes=100"));
  auto edges_above = ChoosePathMethod(PathRequest::kAuto, 10, 1001, limits, "paths");
  ASSERT_TRUE(edges_above.ok());
  EXPECT_TRUE(edges_above->approximate);
}

TEST(PathMethodTest, ExplicitExactRunsUpToTheCapAndIsRefusedAbove) {
  const ExactLimits limits = SmallLimits();
  auto within = ChoosePathMethod(PathRequest::kExact, 1000, 10000, limits, "paths");
  ASSERT_TRUE(within.ok());
  EXPECT_FALSE(within->approximate);
  auto above = ChoosePathMethod(PathRequest::kExact, 1001, 10, limits, "diameter");
  EXPECT_EQ(above.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(above.status().message(), HasSubstr("1001 nodes and 10 edges"));
  EXPECT_THAT(above.status().message(), HasSubstr("--exact_cap_nodes=1000"));
  EXPECT_THAT(above.status().message(), HasSubstr("--exact_cap_edges=10000"));
  EXPECT_THAT(above.status().message(), HasSubstr("approximation.exact"));
}

TEST(PathMethodTest, ExplicitSamplingIsSampledAtAnySize) {
  auto small = ChoosePathMethod(PathRequest::kApproximate, 3, 2, SmallLimits(), "paths");
  ASSERT_TRUE(small.ok());
  EXPECT_TRUE(small->approximate);
}

TEST(PathMethodTest, MeasuresWithoutSamplingAreRefusedOnlyAboveTheCap) {
  const ExactLimits limits = SmallLimits();
  auto between = ExactOnlyMethod(500, 5000, limits, "closeness centrality");
  ASSERT_TRUE(between.ok());
  EXPECT_FALSE(between->approximate);
  auto above = ExactOnlyMethod(10, 10001, limits, "closeness centrality");
  EXPECT_EQ(above.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(above.status().message(), HasSubstr("closeness centrality"));
  EXPECT_THAT(above.status().message(), HasSubstr("10 nodes and 10001 edges"));
}

TEST(PathMethodTest, ExactAndEnabledTogetherAreInvalid) {
  EXPECT_EQ(PathRequestOf(true, true).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*PathRequestOf(true, false), PathRequest::kExact);
  EXPECT_EQ(*PathRequestOf(false, true), PathRequest::kApproximate);
  EXPECT_EQ(*PathRequestOf(false, false), PathRequest::kAuto);
}

TEST(PathMethodTest, LimitsMustBePositiveWithCapsAboveThresholds) {
  EXPECT_TRUE(ValidateExactLimits(ExactLimits()).ok());
  ExactLimits zero = SmallLimits();
  zero.max_edges = 0;
  EXPECT_THAT(ValidateExactLimits(zero).message(), HasSubstr("--exact_max_edges"));
  ExactLimits inverted = SmallLimits();
  inverted.cap_nodes = 50;
  EXPECT_EQ(ValidateExactLimits(inverted).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace innoscope::network

// Region flows on a five-node example computed by hand.

#include "libs/graph/region_flows.h"

#include <numeric>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"

namespace innoscope::graph {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

// Nodes 0, 1 in region A, 2 in B, 3 in C, 4 unlabeled. Relations:
// 0->1 (w 1, intra A), 0->2 (w 2) and 1->2 (w 3) A->B, 2->3 (w 4) B->C,
// 3->0 (w 10) C->A, and 4->0 (w 5) which is skipped.
const std::vector<std::string> kRegion = {"A", "A", "B", "C", ""};
const std::vector<Edge> kEdges = {{0, 1, 1}, {0, 2, 2},  {1, 2, 3},
                                  {2, 3, 4}, {3, 0, 10}, {4, 0, 5}};

TEST(RegionFlowsTest, MatrixSharesAndTopFlowsByHand) {
  RegionFlowOptions options;
  options.top_n = 2;
  ASSERT_OK_AND_ASSIGN(RegionFlows flows, ComputeRegionFlows(kRegion, kEdges, options));
  EXPECT_THAT(flows.regions, ElementsAre("A", "B", "C"));
  EXPECT_EQ(flows.skipped_edges, 1);
  // Counts: A->A 1, A->B 2, B->C 1, C->A 1; total 5, weight 20.
  EXPECT_THAT(flows.counts, ElementsAre(1, 2, 0, 0, 0, 1, 1, 0, 0));
  EXPECT_EQ(flows.Weight(0, 1), 5.0);
  EXPECT_EQ(flows.Count(*flows.RegionIndex("C"), *flows.RegionIndex("A")), 1);
  EXPECT_EQ(flows.total_count, 5);
  EXPECT_EQ(flows.total_weight, 20.0);
  // Intra: 1 of 5 relations (20%), weight 1 of 20 (5%).
  EXPECT_DOUBLE_EQ(flows.intra_count_percent, 20.0);
  EXPECT_DOUBLE_EQ(flows.inter_count_percent, 80.0);
  EXPECT_DOUBLE_EQ(flows.intra_weight_percent, 5.0);
  EXPECT_DOUBLE_EQ(flows.inter_weight_percent, 95.0);
  // Outgoing relations A 3, B 1, C 1 of 5; incoming A 2 (A->A, C->A), B 2, C 1.
  EXPECT_THAT(flows.outgoing_count_percent, Pointwise(DoubleNear(1e-12), {60.0, 20.0, 20.0}));
  EXPECT_THAT(flows.incoming_count_percent, Pointwise(DoubleNear(1e-12), {40.0, 40.0, 20.0}));
  // Outgoing weight A 1+2+3 = 6, B 4, C 10; incoming A 1+10, B 5, C 4 (of 20).
  EXPECT_THAT(flows.outgoing_weight_percent, Pointwise(DoubleNear(1e-12), {30.0, 20.0, 50.0}));
  EXPECT_THAT(flows.incoming_weight_percent, Pointwise(DoubleNear(1e-12), {55.0, 25.0, 20.0}));
  for (const std::vector<double>* shares :
       {&flows.outgoing_count_percent, &flows.incoming_count_percent,
        &flows.outgoing_weight_percent, &flows.incoming_weight_percent}) {
    EXPECT_NEAR(std::accumulate(shares->begin(), shares->end(), 0.0), 100.0, 1e-9);
  }
  // Largest inter-regional flows by weight: C->A (10), A->B (5).
  ASSERT_EQ(flows.top_flows.size(), 2u);
  EXPECT_EQ(flows.top_flows[0].origin, 2);
  EXPECT_EQ(flows.top_flows[0].destination, 0);
  EXPECT_EQ(flows.top_flows[1].weight, 5.0);
  EXPECT_EQ(flows.top_flows[1].count, 2);
}

TEST(RegionFlowsTest, IntraFlowsCanJoinTheTopList) {
  RegionFlowOptions options;
  options.top_n = 10;
  options.include_intra_in_top = true;
  ASSERT_OK_AND_ASSIGN(RegionFlows flows, ComputeRegionFlows(kRegion, kEdges, options));
  ASSERT_EQ(flows.top_flows.size(), 4u);
  EXPECT_EQ(flows.top_flows.back().origin, 0);  // A->A, weight 1
  EXPECT_EQ(flows.top_flows.back().destination, 0);
  EXPECT_EQ(flows.RegionIndex("Z"), std::nullopt);
}

TEST(RegionFlowsTest, EmptyInputHasZeroShares) {
  ASSERT_OK_AND_ASSIGN(RegionFlows flows, ComputeRegionFlows({"A", "B"}, {}));
  EXPECT_EQ(flows.total_count, 0);
  EXPECT_EQ(flows.intra_count_percent, 0.0);
  EXPECT_THAT(flows.outgoing_count_percent, ElementsAre(0.0, 0.0));
}

TEST(RegionFlowsTest, RejectsEdgesBeyondTheLabels) {
  EXPECT_THAT(ComputeRegionFlows({"A"}, {{0, 3, 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("edge #0 (0 -> 3)")));
}

}  // namespace
}  // namespace innoscope::graph

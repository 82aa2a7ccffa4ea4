// ApproxPathStatistics and BoundDiameter: bounds derived by hand on tiny
// graphs, and on random graphs the exact values of PathStatistics inside the
// stated bounds; BidirectionalSearch: distances and uniform path sampling.

#include "libs/graph/approx_paths.h"

#include <atomic>
#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "libs/graph/algorithm.h"
#include "libs/graph/bidirectional.h"
#include "libs/graph/paths.h"
#include "libs/graph/random.h"
#include "tests/unit/libs/graph/graph_test_util.h"

namespace innoscope::graph {
namespace {

using ::innoscope::graph::testing::MakeGraph;
using ::innoscope::testing::StatusIs;

ApproxPathStatistics::Options Samples(int64_t k, int threads = 2) {
  ApproxPathStatistics::Options options;
  options.samples = k;
  options.seed = 3;
  options.num_threads = threads;
  return options;
}

TEST(EmpiricalBernsteinTest, MatchesTheFormula) {
  // variance 0.25, range 2, k = 101, delta 0.1: ln(40) = 3.6888795;
  // sqrt(2 * 0.25 * 3.6888795 / 101) = sqrt(0.0182618) = 0.1351361;
  // 7 * 2 * 3.6888795 / 300 = 0.1721477; sum 0.3072838.
  EXPECT_NEAR(EmpiricalBernsteinHalfWidth(0.25, 2, 101, 0.1), 0.3072838, 1e-6);
  EXPECT_TRUE(std::isinf(EmpiricalBernsteinHalfWidth(0, 1, 1, 0.1)));
}

TEST(ApproxPathStatisticsTest, UndirectedPathHasExactBounds) {
  // 0 - 1 - 2 - 3: distances 1,2,3,1,2,1 (each twice): APL = 20/12 = 5/3,
  // diameter 3. Centre = node 1 (degree 2, smaller id than node 2): ecc 2,
  // bound min(2 * 2, 4 - 1) = 3, and the double sweep finds 3.
  const Graph g = MakeGraph(4, {{0, 1}, {1, 2}, {2, 3}});
  ASSERT_OK_AND_ASSIGN(DiameterBounds bounds, BoundDiameter(g, 1, 2, Interrupt()));
  EXPECT_EQ(bounds.lower, 3);
  EXPECT_EQ(bounds.upper, 3);
  ApproxPathStatistics paths(g, Samples(400));
  ASSERT_OK(paths.Run());
  EXPECT_EQ(paths.DiameterLowerBound(), 3);
  EXPECT_EQ(paths.DiameterUpperBound(), 3);
  EXPECT_DOUBLE_EQ(paths.ReachablePairs(), 12);
  EXPECT_EQ(paths.PairsDrawn(), 400);  // every pair is reachable
  EXPECT_LE(paths.AveragePathLengthLow(), 5.0 / 3);
  EXPECT_GE(paths.AveragePathLengthHigh(), 5.0 / 3);
  EXPECT_NEAR(paths.AveragePathLength(), 5.0 / 3, 0.1);
}

TEST(ApproxPathStatisticsTest, OnlyReachablePairsCountAndComponentsGiveR) {
  // Path 0-1-2, edge 3-4, isolated 5. R = 3*2 + 2*1 = 8 ordered pairs of 30;
  // distances 1,2,1 (twice) and 1 (twice): APL = 10/8 = 1.25; diameter 2.
  const Graph g = MakeGraph(6, {{0, 1}, {1, 2}, {3, 4}});
  ApproxPathStatistics paths(g, Samples(4000));
  ASSERT_OK(paths.Run());
  EXPECT_DOUBLE_EQ(paths.ReachablePairs(), 8);
  EXPECT_GE(paths.ReachablePairsSampled(), 4000);
  EXPECT_GT(paths.PairsDrawn(), paths.ReachablePairsSampled());
  EXPECT_EQ(paths.DiameterLowerBound(), 2);
  EXPECT_EQ(paths.DiameterUpperBound(), 2);
  EXPECT_NEAR(paths.AveragePathLength(), 1.25, 0.03);
  EXPECT_LE(paths.AveragePathLengthLow(), 1.25);
  EXPECT_GE(paths.AveragePathLengthHigh(), 1.25);
}

TEST(ApproxPathStatisticsTest, DirectedBoundFollowsTheCondensation) {
  // Cycle 0 -> 1 -> 2 -> 0 with a tail 2 -> 3. The strongly connected
  // component {0, 1, 2} has centre 2 (degree 3): out-eccentricity 2 (2->0->1),
  // in-eccentricity 2 (0->1->2), bound min(2 + 2, 3 - 1) = 2. The
  // condensation path {0,1,2} -> {3} gives 2 + 1 + 0 = 3 = d(0, 3), which a
  // sampled pair finds (the sweeps alone see distance 2).
  const Graph g = MakeGraph(4, {{0, 1}, {1, 2}, {2, 0}, {2, 3}}, /*directed=*/true);
  ApproxPathStatistics paths(g, Samples(200));
  ASSERT_OK(paths.Run());
  EXPECT_EQ(paths.DiameterUpperBound(), 3);
  EXPECT_EQ(paths.DiameterLowerBound(), 3);
  // Exact: from 0: 1,2,3; from 1: 2->0 (2), 2 (1), 3 (2); from 2: 0 (1),
  // 1 (2), 3 (1); from 3: nothing. Sum 6 + 5 + 4 = 15 over 9 pairs = 5/3.
  EXPECT_NEAR(paths.AveragePathLength(), 15.0 / 9, 0.1);
  EXPECT_LE(paths.AveragePathLengthLow(), 15.0 / 9);
  EXPECT_GE(paths.AveragePathLengthHigh(), 15.0 / 9);
  EXPECT_NEAR(paths.ReachablePairs(), 9, 1.5);
}

// A sparse random graph (SplitMix64, deterministic) with a few hubs.
Graph RandomGraph(NodeId n, int64_t m, bool directed, uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<Edge> edges;
  for (int64_t i = 0; i < m; ++i) {
    NodeId u = static_cast<NodeId>(rng.Uniform(n));
    // Every fourth edge ends at one of 5 hubs: heavy-tailed in-degrees.
    NodeId v =
        i % 4 == 0 ? static_cast<NodeId>(rng.Uniform(5)) : static_cast<NodeId>(rng.Uniform(n));
    if (u != v) edges.push_back({u, v, 1.0});
  }
  BuildOptions options;
  options.directed = directed;
  absl::StatusOr<Graph> g = Graph::FromEdges(n, edges, options);
  EXPECT_TRUE(g.ok());
  return *std::move(g);
}

TEST(ApproxPathStatisticsTest, ExactValuesLieWithinTheBoundsOnRandomGraphs) {
  for (bool directed : {false, true}) {
    const Graph g = RandomGraph(1500, 2200, directed, directed ? 11 : 12);
    PathStatistics exact(g, {Convention::kGephi, 2});
    ASSERT_OK(exact.Run());
    ApproxPathStatistics approx(g, Samples(300));
    ASSERT_OK(approx.Run());
    SCOPED_TRACE(directed ? "directed" : "undirected");
    EXPECT_LE(approx.DiameterLowerBound(), exact.Diameter());
    EXPECT_GE(approx.DiameterUpperBound(), exact.Diameter());
    EXPECT_LE(approx.AveragePathLengthLow(), exact.AveragePathLength());
    EXPECT_GE(approx.AveragePathLengthHigh(), exact.AveragePathLength());
    EXPECT_NEAR(approx.AveragePathLength(), exact.AveragePathLength(),
                0.1 * exact.AveragePathLength());
    if (!directed) {
      EXPECT_DOUBLE_EQ(approx.ReachablePairs(), exact.ReachablePairs());
    }
  }
}

TEST(ApproxPathStatisticsTest, ResultsDoNotDependOnTheThreadCount) {
  const Graph g = RandomGraph(800, 1600, true, 5);
  ApproxPathStatistics one(g, Samples(64, 1));
  ApproxPathStatistics two(g, Samples(64, 2));
  ASSERT_OK(one.Run());
  ASSERT_OK(two.Run());
  EXPECT_EQ(one.AveragePathLength(), two.AveragePathLength());
  EXPECT_EQ(one.AveragePathLengthHigh(), two.AveragePathLengthHigh());
  EXPECT_EQ(one.DiameterLowerBound(), two.DiameterLowerBound());
  EXPECT_EQ(one.DiameterUpperBound(), two.DiameterUpperBound());
}

TEST(ApproxPathStatisticsTest, EmptyAndEdgelessGraphsGiveZeros) {
  const Graph none = MakeGraph(3, {});
  ApproxPathStatistics paths(none, Samples(10));
  ASSERT_OK(paths.Run());
  EXPECT_EQ(paths.AveragePathLength(), 0);
  EXPECT_EQ(paths.DiameterUpperBound(), 0);
  EXPECT_EQ(paths.ReachablePairs(), 0);
}

TEST(ApproxPathStatisticsTest, RejectsBadOptionsAndHonoursCancellation) {
  const Graph g = MakeGraph(3, {{0, 1}, {1, 2}});
  ApproxPathStatistics none(g, Samples(0));
  EXPECT_THAT(none.Run(), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  std::atomic<bool> cancelled{true};
  ApproxPathStatistics paths(g, Samples(10));
  paths.set_interrupt(Interrupt(&cancelled));
  EXPECT_THAT(paths.Run(), StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  ApproxPathStatistics probed(g, Samples(10));
  probed.set_interrupt(Interrupt::WithProbe([] { return true; }));
  EXPECT_THAT(probed.Run(), StatusIs(absl::StatusCode::kCancelled, ::testing::_));
}

TEST(BidirectionalSearchTest, DistancesAndUnreachablePairs) {
  // 0 -> 1 -> 2 -> 3 and 4 -> 3: d(0, 3) = 3; 3 reaches nothing; 0 never
  // reaches 4.
  const Graph g = MakeGraph(5, {{0, 1}, {1, 2}, {2, 3}, {4, 3}}, /*directed=*/true);
  BidirectionalSearch search(g.NumNodes());
  EXPECT_EQ(search.Run(g, 0, 3), 3);
  EXPECT_EQ(search.Run(g, 0, 1), 1);
  EXPECT_EQ(search.Run(g, 3, 0), -1);
  EXPECT_EQ(search.Run(g, 0, 4), -1);
  EXPECT_EQ(search.Run(g, 4, 3), 1);
}

TEST(BidirectionalSearchTest, SamplesShortestPathsUniformly) {
  // 0 - 1 - 3, 0 - 2 - 3 and 3 - 4: two shortest 0-4 paths,
  // through 1 or 2, each with probability 1/2; node 3 is on both.
  const Graph g = MakeGraph(5, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}});
  BidirectionalSearch search(g.NumNodes());
  SplitMix64 rng(1);
  std::vector<int> hits(5, 0);
  constexpr int kDraws = 4000;
  for (int i = 0; i < kDraws; ++i) {
    ASSERT_EQ(search.Run(g, 0, 4), 3);
    search.SamplePath(g, rng, [&](NodeId v) { ++hits[v]; });
  }
  EXPECT_EQ(hits[0], 0);  // endpoints are not inner nodes
  EXPECT_EQ(hits[4], 0);
  EXPECT_EQ(hits[3], kDraws);
  EXPECT_NEAR(hits[1], kDraws / 2, 4 * std::sqrt(kDraws / 4.0));  // 4 sigma
  EXPECT_EQ(hits[1] + hits[2], kDraws);
}

}  // namespace
}  // namespace innoscope::graph

namespace innoscope::graph {
namespace {

// The diameter by definition: a plain BFS from every node.
int64_t DiameterByDefinition(const Graph& g) {
  int64_t diameter = 0;
  for (NodeId s = 0; s < g.NumNodes(); ++s) {
    std::vector<int> d(static_cast<size_t>(g.NumNodes()), -1);
    std::vector<NodeId> queue = {s};
    d[s] = 0;
    for (size_t head = 0; head < queue.size(); ++head) {
      for (NodeId v : g.OutNeighbors(queue[head])) {
        if (d[v] < 0) {
          d[v] = d[queue[head]] + 1;
          diameter = std::max<int64_t>(diameter, d[v]);
          queue.push_back(v);
        }
      }
    }
  }
  return diameter;
}

TEST(IfubTest, MakesTheUndirectedDiameterExactWithinTheBudget) {
  // Sparse random graphs (long paths, several components) and a path with
  // a pendant cycle, whose double sweep alone does not meet the bound.
  std::vector<Graph> graphs;
  for (uint64_t seed : {1, 2, 3, 4}) {
    SplitMix64 rng(seed);
    std::vector<std::pair<NodeId, NodeId>> edges;
    for (int i = 0; i < 260; ++i) {
      edges.emplace_back(static_cast<NodeId>(rng.Uniform(250)),
                         static_cast<NodeId>(rng.Uniform(250)));
    }
    graphs.push_back(MakeGraph(250, edges));
  }
  graphs.push_back(MakeGraph(
      9, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 4}, {2, 0}}));
  for (const Graph& g : graphs) {
    const int64_t expected = DiameterByDefinition(g);
    ASSERT_OK_AND_ASSIGN(DiameterBounds exact,
                         BoundDiameter(g, 0, 1, Interrupt(), /*exact_searches=*/1000));
    EXPECT_EQ(exact.lower, expected);
    EXPECT_EQ(exact.upper, expected);
    // Any budget leaves bounds that hold.
    for (int64_t budget : {0, 1, 2, 5}) {
      ASSERT_OK_AND_ASSIGN(DiameterBounds bounds, BoundDiameter(g, 0, 1, Interrupt(), budget));
      EXPECT_LE(bounds.lower, expected) << budget;
      EXPECT_GE(bounds.upper, expected) << budget;
    }
  }
}

TEST(IfubTest, ApproxPathStatisticsReportsTheExactUndirectedDiameter) {
  // A path 0 - ... - 11 with a triangle on each end (12 on 0-1, 13 on
  // 10-11): diameter 11 (12 to 13). The centre, node 1 (degree 3, the
  // smallest id), has eccentricity 10, so without sweeps the bound is
  // min(20, 13) = 13 while the searches find less; the ASSERT checks that
  // the bounds do not meet without iFUB, and the expected value is the
  // definition's.
  std::vector<std::pair<NodeId, NodeId>> edges;
  for (NodeId v = 0; v + 1 < 12; ++v) edges.emplace_back(v, v + 1);
  edges.emplace_back(0, 12);
  edges.emplace_back(1, 12);
  edges.emplace_back(11, 13);
  edges.emplace_back(10, 13);
  const Graph g = MakeGraph(14, edges);
  const int64_t expected = DiameterByDefinition(g);
  ApproxPathStatistics::Options without = Samples(200);
  without.sweeps = 0;
  without.exact_diameter_searches = 0;
  ApproxPathStatistics bounded(g, without);
  ASSERT_OK(bounded.Run());
  ASSERT_LT(bounded.DiameterLowerBound(), bounded.DiameterUpperBound());  // the case iFUB closes
  ApproxPathStatistics::Options with = without;
  with.exact_diameter_searches = 64;
  ApproxPathStatistics paths(g, with);
  ASSERT_OK(paths.Run());
  EXPECT_EQ(paths.DiameterLowerBound(), expected);
  EXPECT_EQ(paths.DiameterUpperBound(), expected);
}

}  // namespace
}  // namespace innoscope::graph

// Centralities on tiny graphs whose values are derived by hand in the
// comments.

#include "libs/graph/centrality.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "libs/graph/betweenness.h"
#include "libs/graph/random.h"
#include "tests/unit/libs/graph/graph_test_util.h"

namespace innoscope::graph {
namespace {

using ::innoscope::graph::testing::MakeGraph;
using ::innoscope::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::Pointwise;

constexpr double kEps = 1e-12;

// 0 - 1 - 2 - 3
Graph Path4() { return MakeGraph(4, {{0, 1}, {1, 2}, {2, 3}}); }
// Centre 0 with leaves 1..4.
Graph Star5() { return MakeGraph(5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}}); }
// Path 0-1-2, edge 3-4, isolated node 5.
Graph TwoComponentsAndIsolated() { return MakeGraph(6, {{0, 1}, {1, 2}, {3, 4}}); }
// 0 -> 1 -> 2 -> 0
Graph DirectedCycle() { return MakeGraph(3, {{0, 1}, {1, 2}, {2, 0}}, true); }

TEST(DegreeCentralityTest, ModesWeightsLoopsAndNormalisation) {
  // 0->1 (w 2), 0->2 (w 3), 2->2 (w 5).
  GraphBuilder builder(BuildOptions{true, MultiEdgePolicy::kKeep, SelfLoopPolicy::kKeep});
  builder.AddNodes(3);
  builder.AddEdge(0, 1, 2);
  builder.AddEdge(0, 2, 3);
  builder.AddEdge(2, 2, 5);
  ASSERT_OK_AND_ASSIGN(Graph g, std::move(builder).Build());
  auto scores = [&](DegreeCentrality::Options options) {
    DegreeCentrality degree(g, options);
    EXPECT_OK(degree.Run());
    return degree.Scores();
  };
  EXPECT_THAT(scores({DegreeMode::kOut, false, false}), ElementsAre(2, 0, 1));
  EXPECT_THAT(scores({DegreeMode::kIn, false, false}), ElementsAre(0, 1, 2));
  EXPECT_THAT(scores({DegreeMode::kTotal, false, false}), ElementsAre(2, 1, 3));
  EXPECT_THAT(scores({DegreeMode::kOut, true, false}), ElementsAre(5, 0, 5));
  EXPECT_THAT(scores({DegreeMode::kTotal, true, false}), ElementsAre(5, 2, 13));
  // Normalised by n - 1 = 2.
  EXPECT_THAT(scores({DegreeMode::kTotal, false, true}), ElementsAre(1, 0.5, 1.5));
}

TEST(DegreeCentralityTest, UndirectedSelfLoopCountsTwice) {
  const Graph g = MakeGraph(2, {{0, 0}, {0, 1}});
  DegreeCentrality degree(g);
  ASSERT_OK(degree.Run());
  EXPECT_THAT(degree.Scores(), ElementsAre(3, 1));
}

TEST(BetweennessTest, PathStarAndDirectedCycle) {
  // Path: node 1 is inside the shortest paths 0-2 and 0-3, node 2 inside
  // 1-3 and 0-3: raw 2 each; normalised by (n-1)(n-2)/2 = 3: 2/3.
  const Graph path = Path4();
  Betweenness raw(path);
  Betweenness normalized(path, {true, 2});
  ASSERT_OK(raw.Run());
  ASSERT_OK(normalized.Run());
  EXPECT_THAT(raw.Scores(), ElementsAre(0, 2, 2, 0));
  EXPECT_THAT(normalized.Scores(), Pointwise(DoubleNear(kEps), {0.0, 2.0 / 3, 2.0 / 3, 0.0}));
  // Star: the centre is on all C(4,2) = 6 leaf-leaf paths: normalised 1.
  const Graph star = Star5();
  Betweenness star_normalized(star, {true, 2});
  ASSERT_OK(star_normalized.Run());
  EXPECT_THAT(star_normalized.Scores(), ElementsAre(1, 0, 0, 0, 0));
  // Directed cycle: each node is inside exactly one path (e.g. 0->1->2):
  // raw 1, normalised by (n-1)(n-2) = 2: 0.5.
  const Graph cycle = DirectedCycle();
  Betweenness cycle_normalized(cycle, {true, 1});
  ASSERT_OK(cycle_normalized.Run());
  EXPECT_THAT(cycle_normalized.Scores(), ElementsAre(0.5, 0.5, 0.5));
}

TEST(BetweennessTest, SplitsOverEqualShortestPaths) {
  // Square 0-1-2-3-0: two shortest paths between opposite corners, so each
  // node gets 1/2 from the one opposite pair it sits between.
  const Graph square = MakeGraph(4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}});
  Betweenness b(square);
  ASSERT_OK(b.Run());
  EXPECT_THAT(b.Scores(), ElementsAre(0.5, 0.5, 0.5, 0.5));
}

// A reproducible random graph for consistency checks.
Graph RandomGraph(NodeId n, int64_t m, uint64_t seed, bool directed) {
  SplitMix64 rng(seed);
  std::vector<std::pair<NodeId, NodeId>> edges;
  for (int64_t i = 0; i < m; ++i) {
    edges.emplace_back(static_cast<NodeId>(rng.Uniform(n)), static_cast<NodeId>(rng.Uniform(n)));
  }
  return MakeGraph(n, edges, directed);
}

TEST(BetweennessTest, ResultsDoNotDependOnTheThreadCountBeyondRounding) {
  const Graph g = RandomGraph(300, 900, 1, false);
  Betweenness one(g, {false, 1});
  Betweenness three(g, {false, 3});
  ASSERT_OK(one.Run());
  ASSERT_OK(three.Run());
  EXPECT_THAT(three.Scores(), Pointwise(DoubleNear(1e-9), one.Scores()));
}

TEST(ApproxBetweennessTest, StaysWithinItsErrorBoundAndIsThreadIndependent) {
  for (bool directed : {false, true}) {
    const Graph g = RandomGraph(400, 1200, 2, directed);
    Betweenness exact(g, {true, 2});
    ASSERT_OK(exact.Run());
    ApproxBetweenness::Options options;
    options.epsilon = 0.02;
    options.delta = 0.1;
    options.seed = 5;
    options.normalized = true;
    options.num_threads = 1;
    ApproxBetweenness single(g, options);
    options.num_threads = 2;
    ApproxBetweenness parallel(g, options);
    ASSERT_OK(single.Run());
    ASSERT_OK(parallel.Run());
    EXPECT_EQ(single.Scores(), parallel.Scores());
    EXPECT_GT(single.SampleSize(), 0);
    for (NodeId v = 0; v < g.NumNodes(); ++v) {
      EXPECT_NEAR(single.Scores()[v], exact.Scores()[v], single.AbsoluteErrorBound())
          << "node " << v << " directed " << directed;
    }
  }
}

TEST(ApproxBetweennessTest, RejectsBadParameters) {
  const Graph g = Path4();
  ApproxBetweenness::Options options;
  options.epsilon = 0;
  ApproxBetweenness approx(g, options);
  EXPECT_THAT(approx.Run(), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST(BetweennessTest, HonoursCancellation) {
  std::atomic<bool> cancelled{true};
  const Graph g = Path4();
  Betweenness b(g);
  b.set_interrupt(Interrupt(&cancelled));
  EXPECT_THAT(b.Run(), StatusIs(absl::StatusCode::kCancelled, ::testing::_));
}

TEST(ClosenessTest, ConventionsOnADisconnectedGraph) {
  // Node 0 reaches 1 and 2 (r = 2, distance sum 3); node 1 reaches 0 and 2
  // (r = 2, sum 2); node 3 reaches 4 (r = 1, sum 1); node 5 reaches nothing.
  // Gephi/igraph r/S: 2/3, 1, 2/3, 1, 1, then 0 (Gephi) or NaN (igraph).
  // networkx (r/S)(r/(n-1)), n - 1 = 5: 2/3*2/5, 1*2/5, ..., 1*1/5, 0.
  const Graph g = TwoComponentsAndIsolated();
  Closeness gephi(g, {Convention::kGephi, 2});
  Closeness nx(g, {Convention::kNetworkx, 2});
  Closeness igraph(g, {Convention::kIgraph, 2});
  ASSERT_OK(gephi.Run());
  ASSERT_OK(nx.Run());
  ASSERT_OK(igraph.Run());
  EXPECT_THAT(gephi.Scores(), Pointwise(DoubleNear(kEps), {2.0 / 3, 1.0, 2.0 / 3, 1.0, 1.0, 0.0}));
  EXPECT_THAT(nx.Scores(), Pointwise(DoubleNear(kEps), {4.0 / 15, 0.4, 4.0 / 15, 0.2, 0.2, 0.0}));
  EXPECT_DOUBLE_EQ(igraph.Scores()[1], 1.0);
  EXPECT_TRUE(std::isnan(igraph.Scores()[5]));
}

TEST(ClosenessTest, NetworkxUsesIncomingDistancesOnDirectedGraphs) {
  // 0 -> 1 -> 2. Outgoing: node 0 reaches 1, 2 (sum 3): Gephi 2/3; node 2
  // reaches nothing: 0. Incoming (networkx): node 2 is reached from 1 and 0
  // (r = 2, sum 3): (2/3)(2/2) = 2/3; node 0 is reached by nobody: 0.
  const Graph g = MakeGraph(3, {{0, 1}, {1, 2}}, true);
  Closeness gephi(g, {Convention::kGephi, 1});
  Closeness nx(g, {Convention::kNetworkx, 1});
  ASSERT_OK(gephi.Run());
  ASSERT_OK(nx.Run());
  EXPECT_THAT(gephi.Scores(), Pointwise(DoubleNear(kEps), {2.0 / 3, 1.0, 0.0}));
  EXPECT_THAT(nx.Scores(), Pointwise(DoubleNear(kEps), {0.0, 0.5, 2.0 / 3}));
}

TEST(HarmonicClosenessTest, ConventionsOnAPath) {
  // Node 0: 1 + 1/2 + 1/3 = 11/6 over r = 3 reachable nodes; node 1:
  // 1 + 1 + 1/2 = 5/2. Gephi divides by r = 3, igraph by n - 1 = 3,
  // networkx does not divide.
  const Graph g = Path4();
  HarmonicCloseness gephi(g, {Convention::kGephi, 2});
  HarmonicCloseness nx(g, {Convention::kNetworkx, 2});
  HarmonicCloseness igraph(g, {Convention::kIgraph, 2});
  ASSERT_OK(gephi.Run());
  ASSERT_OK(nx.Run());
  ASSERT_OK(igraph.Run());
  EXPECT_THAT(nx.Scores(), Pointwise(DoubleNear(kEps), {11.0 / 6, 2.5, 2.5, 11.0 / 6}));
  EXPECT_THAT(gephi.Scores(),
              Pointwise(DoubleNear(kEps), {11.0 / 18, 2.5 / 3, 2.5 / 3, 11.0 / 18}));
  EXPECT_THAT(igraph.Scores(), Pointwise(DoubleNear(kEps), gephi.Scores()));
}

TEST(HarmonicClosenessTest, GephiDividesByReachableNodesOnly) {
  // Node 0 of the disconnected graph: (1 + 1/2) / r = 1.5 / 2 in Gephi,
  // 1.5 / (n - 1) = 1.5 / 5 in igraph.
  const Graph g = TwoComponentsAndIsolated();
  HarmonicCloseness gephi(g, {Convention::kGephi, 1});
  HarmonicCloseness igraph(g, {Convention::kIgraph, 1});
  ASSERT_OK(gephi.Run());
  ASSERT_OK(igraph.Run());
  EXPECT_DOUBLE_EQ(gephi.Scores()[0], 0.75);
  EXPECT_DOUBLE_EQ(igraph.Scores()[0], 0.3);
  EXPECT_EQ(gephi.Scores()[5], 0.0);
}

TEST(PageRankTest, DirectedCycleIsUniform) {
  const Graph g = DirectedCycle();
  PageRank pagerank(g);
  ASSERT_OK(pagerank.Run());
  EXPECT_TRUE(pagerank.converged());
  EXPECT_THAT(pagerank.Scores(), Pointwise(DoubleNear(kEps), {1.0 / 3, 1.0 / 3, 1.0 / 3}));
}

TEST(PageRankTest, StarSolvesTheLinearSystem) {
  // Centre c, leaves x: c = 0.15/5 + 0.85 * 4x, x = 0.15/5 + 0.85 c / 4,
  // c + 4x = 1  =>  0.2775 c = 0.132, c = 0.132 / 0.2775, x = (1 - c) / 4.
  const Graph g = Star5();
  PageRank::Options options;
  options.tolerance = 1e-14;
  options.max_iterations = 1000;
  PageRank pagerank(g, options);
  ASSERT_OK(pagerank.Run());
  const double c = 0.132 / 0.2775;
  EXPECT_NEAR(pagerank.Scores()[0], c, 1e-12);
  EXPECT_NEAR(pagerank.Scores()[1], (1 - c) / 4, 1e-12);
}

TEST(PageRankTest, DanglingNodesSpreadTheirScoreUniformly) {
  // 0 -> 1, node 1 dangling: x0 = 0.075 + 0.85 x1 / 2, x0 + x1 = 1
  // => 1.425 x0 = 0.5.
  const Graph g = MakeGraph(2, {{0, 1}}, true);
  PageRank::Options options;
  options.tolerance = 1e-14;
  options.max_iterations = 1000;
  PageRank pagerank(g, options);
  ASSERT_OK(pagerank.Run());
  EXPECT_NEAR(pagerank.Scores()[0], 0.5 / 1.425, 1e-12);
  EXPECT_NEAR(pagerank.Scores()[1], 1 - 0.5 / 1.425, 1e-12);
}

TEST(PageRankTest, ReportsNonConvergenceAndRejectsNegativeWeights) {
  const Graph g = Star5();
  PageRank::Options options;
  options.tolerance = 1e-15;
  options.max_iterations = 3;
  PageRank pagerank(g, options);
  ASSERT_OK(pagerank.Run());
  EXPECT_FALSE(pagerank.converged());
  EXPECT_EQ(pagerank.iterations(), 3);

  GraphBuilder builder;
  builder.AddNodes(2);
  builder.AddEdge(0, 1, -1.0);
  ASSERT_OK_AND_ASSIGN(Graph negative, std::move(builder).Build());
  PageRank bad(negative);
  EXPECT_THAT(bad.Run(), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST(EigenvectorCentralityTest, StarMatchesThePrincipalEigenvector) {
  // A's principal eigenvalue is 2 with eigenvector (2, 1, 1, 1, 1);
  // normalised: 2/sqrt(8) and 1/sqrt(8).
  const Graph g = Star5();
  EigenvectorCentrality::Options options;
  options.tolerance = 1e-15;
  options.max_iterations = 1000;
  EigenvectorCentrality eigenvector(g, options);
  ASSERT_OK(eigenvector.Run());
  EXPECT_NEAR(eigenvector.Scores()[0], 2 / std::sqrt(8.0), 1e-12);
  EXPECT_NEAR(eigenvector.Scores()[3], 1 / std::sqrt(8.0), 1e-12);
}

TEST(TopNTest, SortsDescendingBreaksTiesByIdAndPutsNanLast) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> scores = {1, nan, 3, 3, 2};
  std::vector<NodeScore> top = TopN(scores, 4);
  ASSERT_EQ(top.size(), 4u);
  EXPECT_EQ(top[0].node, 2);
  EXPECT_EQ(top[1].node, 3);
  EXPECT_EQ(top[2].node, 4);
  EXPECT_EQ(top[3].node, 0);
  EXPECT_EQ(TopN(scores, 10).back().node, 1);
  EXPECT_TRUE(TopN(scores, 0).empty());
}

}  // namespace
}  // namespace innoscope::graph

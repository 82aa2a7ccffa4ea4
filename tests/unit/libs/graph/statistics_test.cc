// Whole-graph statistics on tiny graphs whose values are derived by hand in
// the comments.

#include "libs/graph/statistics.h"

#include <atomic>
#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "libs/graph/clustering.h"
#include "libs/graph/components.h"
#include "libs/graph/core_decomposition.h"
#include "libs/graph/paths.h"
#include "tests/unit/libs/graph/graph_test_util.h"

namespace innoscope::graph {
namespace {

using ::innoscope::graph::testing::MakeGraph;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kEps = 1e-12;

// 0 - 1 - 2 - 3
Graph Path4() { return MakeGraph(4, {{0, 1}, {1, 2}, {2, 3}}); }
// Triangle 0-1-2 with a pendant 3 on node 2.
Graph TriangleWithPendant() { return MakeGraph(4, {{0, 1}, {0, 2}, {1, 2}, {2, 3}}); }
// Path 0-1-2, edge 3-4, isolated node 5.
Graph TwoComponentsAndIsolated() { return MakeGraph(6, {{0, 1}, {1, 2}, {3, 4}}); }
// 0 -> 1 -> 2 -> 0
Graph DirectedCycle() { return MakeGraph(3, {{0, 1}, {1, 2}, {2, 0}}, /*directed=*/true); }

TEST(BasicStatisticsTest, PathCountsDegreeAndDensity) {
  // m = 3, n = 4: average degree 2*3/4 = 1.5; density 2*3/(4*3) = 0.5.
  BasicStatistics s = ComputeBasicStatistics(Path4());
  EXPECT_EQ(s.nodes, 4);
  EXPECT_EQ(s.edges, 3);
  EXPECT_DOUBLE_EQ(s.average_degree, 1.5);
  EXPECT_DOUBLE_EQ(s.density, 0.5);
}

TEST(BasicStatisticsTest, DirectedAverageDegreeIsEdgesOverNodes) {
  // Gephi: E/N = 3/3 = 1 for a directed graph; density E/(N(N-1)) = 3/6.
  BasicStatistics s = ComputeBasicStatistics(DirectedCycle());
  EXPECT_DOUBLE_EQ(s.average_degree, 1.0);
  EXPECT_DOUBLE_EQ(s.density, 0.5);
}

TEST(BasicStatisticsTest, EmptyAndSingleNodeGraphsAreZero) {
  BasicStatistics empty = ComputeBasicStatistics(Graph());
  EXPECT_EQ(empty.average_degree, 0);
  EXPECT_EQ(empty.density, 0);
  BasicStatistics single = ComputeBasicStatistics(MakeGraph(1, {}));
  EXPECT_EQ(single.density, 0);
}

TEST(ComponentsTest, CountsComponentsAndGiantShare) {
  // {0,1,2}, {3,4}, {5}: giant share 3/6.
  const Graph g = TwoComponentsAndIsolated();
  ConnectedComponents components(g);
  ASSERT_OK(components.Run());
  EXPECT_EQ(components.NumComponents(), 3);
  EXPECT_THAT(components.ComponentOf(), ElementsAre(0, 0, 0, 1, 1, 2));
  EXPECT_THAT(components.Sizes(), ElementsAre(3, 2, 1));
  EXPECT_EQ(components.Largest(), 0);
  EXPECT_DOUBLE_EQ(components.GiantComponentShare(), 0.5);
}

TEST(ComponentsTest, StrongComponentsFollowDirection) {
  // 0->1->2->0 is one strong component; 3 hangs off it (2->3) alone.
  Graph g = MakeGraph(4, {{0, 1}, {1, 2}, {2, 0}, {2, 3}}, true);
  ConnectedComponents strong(g, ComponentKind::kStrong);
  ConnectedComponents weak(g, ComponentKind::kWeak);
  ASSERT_OK(strong.Run());
  ASSERT_OK(weak.Run());
  EXPECT_EQ(strong.NumComponents(), 2);
  EXPECT_THAT(strong.ComponentOf(), ElementsAre(0, 0, 0, 1));
  EXPECT_EQ(weak.NumComponents(), 1);
}

TEST(ComponentsTest, HonoursCancellation) {
  std::atomic<bool> cancelled{true};
  const Graph g = Path4();
  ConnectedComponents components(g);
  components.set_interrupt(Interrupt(&cancelled));
  EXPECT_THAT(components.Run(), StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));
  EXPECT_FALSE(components.has_run());
}

TEST(PathStatisticsTest, PathDiameterRadiusAndAverage) {
  // Distances 1,2,3,1,2,1 over the 6 pairs: APL 10/6; diameter 3;
  // eccentricities 3,2,2,3 so the radius is 2.
  const Graph g = Path4();
  for (int threads : {1, 2, 3}) {
    PathStatistics paths(g, {Convention::kGephi, threads});
    ASSERT_OK(paths.Run());
    EXPECT_NEAR(paths.AveragePathLength(), 10.0 / 6, kEps);
    EXPECT_EQ(paths.Diameter(), 3);
    EXPECT_EQ(paths.Radius(), 2);
    EXPECT_THAT(paths.Eccentricities(), ElementsAre(3, 2, 2, 3));
    EXPECT_EQ(paths.ReachablePairs(), 12);
    EXPECT_EQ(paths.UnreachablePairs(), 0);
  }
}

TEST(PathStatisticsTest, DisconnectedGraphSkipsUnreachablePairsOrFailsForNetworkx) {
  // Reachable ordered pairs: 0-1,1-2 (1), 0-2 (2) both ways = 8 in {0,1,2}
  // ... sum 2*(1+1+2) = 8; plus 3-4 both ways, sum 2. APL = 10 / 8 = 1.25.
  // Unreachable: 6*5 - 8 = 22. The isolated node makes the radius 0.
  const Graph g = TwoComponentsAndIsolated();
  for (Convention convention : {Convention::kGephi, Convention::kIgraph}) {
    PathStatistics paths(g, {convention, 2});
    ASSERT_OK(paths.Run());
    EXPECT_DOUBLE_EQ(paths.AveragePathLength(), 1.25);
    EXPECT_EQ(paths.Diameter(), 2);
    EXPECT_EQ(paths.Radius(), 0);
    EXPECT_EQ(paths.UnreachablePairs(), 22);
  }
  PathStatistics nx(g, {Convention::kNetworkx, 2});
  EXPECT_THAT(nx.Run(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                 HasSubstr("not connected: 22 ordered pairs")));
}

TEST(PathStatisticsTest, DirectedCycleFollowsEdgeDirection) {
  // From each node: distance 1 and 2, so APL = 9/6 = 1.5, diameter 2.
  const Graph g = DirectedCycle();
  PathStatistics paths(g, {Convention::kNetworkx, 1});
  ASSERT_OK(paths.Run());
  EXPECT_DOUBLE_EQ(paths.AveragePathLength(), 1.5);
  EXPECT_EQ(paths.Diameter(), 2);
}

TEST(PathStatisticsTest, TinyGraphsAreZero) {
  const Graph empty_graph;
  PathStatistics empty(empty_graph, {Convention::kGephi, 2});
  ASSERT_OK(empty.Run());
  EXPECT_EQ(empty.AveragePathLength(), 0);
  const Graph loop = MakeGraph(1, {{0, 0}});
  PathStatistics single(loop, {Convention::kNetworkx, 2});
  ASSERT_OK(single.Run());  // a self-loop adds no pair
  EXPECT_EQ(single.Diameter(), 0);
}

TEST(PathStatisticsTest, HonoursDeadline) {
  absl::Time now = absl::UnixEpoch();
  const Graph g = Path4();
  PathStatistics paths(g, {Convention::kGephi, 2});
  paths.set_interrupt(Interrupt::WithDeadline(now, [&] { return now; }));
  EXPECT_THAT(paths.Run(), StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("deadline")));
}

TEST(ClusteringTest, TriangleWithPendantInEachConvention) {
  // Local C: nodes 0 and 1 have k = 2 and one triangle -> 1; node 2 has
  // k = 3 and one of its 3 neighbour pairs linked -> 1/3; node 3 has k = 1.
  // Gephi/igraph average over k > 1: (1 + 1 + 1/3) / 3 = 7/9.
  // networkx averages over all four nodes: (7/3) / 4 = 7/12.
  // Transitivity: 3 * 1 triangle / (1 + 1 + 3 + 0) triples = 0.6.
  const Graph g = TriangleWithPendant();
  ClusteringCoefficient gephi(g, Convention::kGephi);
  ClusteringCoefficient nx(g, Convention::kNetworkx);
  ClusteringCoefficient igraph(g, Convention::kIgraph);
  ASSERT_OK(gephi.Run());
  ASSERT_OK(nx.Run());
  ASSERT_OK(igraph.Run());
  EXPECT_NEAR(gephi.AverageClustering(), 7.0 / 9, kEps);
  EXPECT_EQ(gephi.NodesAveraged(), 3);
  EXPECT_NEAR(nx.AverageClustering(), 7.0 / 12, kEps);
  EXPECT_EQ(nx.NodesAveraged(), 4);
  EXPECT_NEAR(igraph.AverageClustering(), 7.0 / 9, kEps);
  EXPECT_NEAR(gephi.LocalClustering()[2], 1.0 / 3, kEps);
  EXPECT_EQ(gephi.LocalClustering()[3], 0.0);
  EXPECT_TRUE(std::isnan(igraph.LocalClustering()[3]));
  EXPECT_EQ(gephi.Triangles(), 1);
  EXPECT_THAT(gephi.NodeTriangles(), ElementsAre(1, 1, 1, 0));
  EXPECT_NEAR(gephi.Transitivity(), 0.6, kEps);
  EXPECT_EQ(gephi.convention(), Convention::kGephi);
}

TEST(ClusteringTest, DirectedCycleInEachConvention) {
  // Every node has N(v) = {predecessor, successor}, k = 2, and exactly one
  // directed edge between them (e.g. for 0: 1 -> 2).
  // Gephi: e / (k(k-1)) = 1/2 for every node, divided by all 3 nodes: 1/2.
  // networkx (Fagiolo): T = (A+A^T)^3_vv = 2 (the triangle both ways),
  //   d_tot = 2, d_bi = 0: C = 2 / (2 (2*1 - 0)) = 1/2.
  // igraph ignores direction: the undirected triangle has C = 1.
  const Graph g = DirectedCycle();
  ClusteringCoefficient gephi(g, Convention::kGephi);
  ClusteringCoefficient nx(g, Convention::kNetworkx);
  ClusteringCoefficient igraph(g, Convention::kIgraph);
  ASSERT_OK(gephi.Run());
  ASSERT_OK(nx.Run());
  ASSERT_OK(igraph.Run());
  EXPECT_NEAR(gephi.AverageClustering(), 0.5, kEps);
  EXPECT_NEAR(nx.AverageClustering(), 0.5, kEps);
  EXPECT_NEAR(igraph.AverageClustering(), 1.0, kEps);
}

TEST(ClusteringTest, GephiDirectedDividesByAllNodesAndReciprocalEdgesCountTwice) {
  // 0 <-> 1, 0 <-> 2, 1 -> 2, plus an isolated node 3.
  // Node 0: N = {1, 2}, edges among them: 1->2 only: e = 1, C = 1/2.
  // Node 1: N = {0, 2}: 0->2 and 2->0: e = 2, C = 1. Node 2: N = {0, 1}:
  // 0->1, 1->0: e = 2, C = 1. Gephi: (1/2 + 1 + 1) / 4 nodes = 0.625.
  // Fagiolo for node 0: d_tot = 4, d_bi = 2, T = 2 s01 s02 s12 = 2*2*2*1 = 8:
  //   C = 8 / (2 (4*3 - 4)) = 1/2; node 1: d_tot = 3, d_bi = 1, T = 8:
  //   C = 8 / (2 (3*2 - 2)) = 1; node 2 likewise 1; average over 4 = 0.625.
  Graph g = MakeGraph(4, {{0, 1}, {1, 0}, {0, 2}, {2, 0}, {1, 2}}, true);
  ClusteringCoefficient gephi(g, Convention::kGephi);
  ClusteringCoefficient nx(g, Convention::kNetworkx);
  ASSERT_OK(gephi.Run());
  ASSERT_OK(nx.Run());
  EXPECT_NEAR(gephi.AverageClustering(), 0.625, kEps);
  EXPECT_THAT(gephi.LocalClustering(), ElementsAre(0.5, 1.0, 1.0, 0.0));
  EXPECT_NEAR(nx.AverageClustering(), 0.625, kEps);
}

TEST(ClusteringTest, ParallelEdgesAndSelfLoopsDoNotChangeCoefficients) {
  BuildOptions keep;
  keep.multi_edges = MultiEdgePolicy::kKeep;
  ASSERT_OK_AND_ASSIGN(Graph g,
                       Graph::FromEdges(3, {{0, 1}, {0, 1}, {1, 2}, {0, 2}, {2, 2}}, keep));
  ClusteringCoefficient clustering(g, Convention::kGephi);
  ASSERT_OK(clustering.Run());
  EXPECT_NEAR(clustering.AverageClustering(), 1.0, kEps);
  EXPECT_NEAR(clustering.Transitivity(), 1.0, kEps);
}

TEST(ReciprocityTest, CountsReciprocatedPairsAndLoopsByConvention) {
  // Non-loop pairs 0->1, 1->0, 1->2: 2 of 3 reciprocated; the loop 2->2
  // counts in networkx's denominator only: 2/4.
  Graph g = MakeGraph(3, {{0, 1}, {1, 0}, {1, 2}, {2, 2}}, true);
  EXPECT_NEAR(Reciprocity(g, Convention::kIgraph), 2.0 / 3, kEps);
  EXPECT_NEAR(Reciprocity(g, Convention::kNetworkx), 0.5, kEps);
  EXPECT_EQ(Reciprocity(DirectedCycle()), 0.0);
  EXPECT_EQ(Reciprocity(Path4()), 1.0);
}

TEST(AssortativityTest, HandComputedValues) {
  // Path: degree pairs over both orientations x = 1,2,2,2,2,1 and
  // y = 2,1,2,2,1,2; means 5/3; covariance sum -2/3, variance sum 4/3:
  // r = -0.5.
  EXPECT_NEAR(DegreeAssortativity(Path4()), -0.5, kEps);
  // Triangle with pendant: degrees 2,2,3,1; samples (2,2),(2,2),(2,3),(3,2),
  // (2,3),(3,2),(3,1),(1,3); mean 9/4; covariance sum -2.5, variance sum
  // 3.5: r = -5/7.
  EXPECT_NEAR(DegreeAssortativity(TriangleWithPendant()), -5.0 / 7, kEps);
  // Star: every edge joins degree 4 and degree 1: r = -1.
  EXPECT_NEAR(DegreeAssortativity(MakeGraph(5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}})), -1.0, kEps);
  // Regular graphs have zero variance.
  EXPECT_TRUE(std::isnan(DegreeAssortativity(DirectedCycle())));
  EXPECT_TRUE(std::isnan(DegreeAssortativity(MakeGraph(2, {}))));
}

TEST(CoreDecompositionTest, TriangleWithPendantAndDirectedCycle) {
  // The triangle is a 2-core; the pendant only reaches the 1-core.
  const Graph triangle = TriangleWithPendant();
  CoreDecomposition cores(triangle);
  ASSERT_OK(cores.Run());
  EXPECT_THAT(cores.CoreNumbers(), ElementsAre(2, 2, 2, 1));
  EXPECT_EQ(cores.MaxCore(), 2);
  // Directed degrees are in + out = 2 for every node of a cycle (networkx).
  const Graph directed_cycle = DirectedCycle();
  CoreDecomposition cycle(directed_cycle);
  ASSERT_OK(cycle.Run());
  EXPECT_THAT(cycle.CoreNumbers(), ElementsAre(2, 2, 2));
  // Isolated nodes have core 0; self-loops are ignored.
  const Graph with_loop = MakeGraph(3, {{0, 0}, {0, 1}});
  CoreDecomposition loops(with_loop);
  ASSERT_OK(loops.Run());
  EXPECT_THAT(loops.CoreNumbers(), ElementsAre(1, 1, 0));
}

}  // namespace
}  // namespace innoscope::graph

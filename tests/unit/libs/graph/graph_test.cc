#include "libs/graph/graph.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "tests/unit/libs/graph/graph_test_util.h"

namespace innoscope::graph {
namespace {

using ::innoscope::graph::testing::MakeGraph;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<NodeId> Vec(absl::Span<const NodeId> span) {
  return std::vector<NodeId>(span.begin(), span.end());
}

// Three parallel 0-1 edges (one written 1-0) and a self-loop on 2.
GraphBuilder MultiEdgeBuilder(BuildOptions options) {
  GraphBuilder builder(options);
  builder.AddNodes(3);
  builder.AddEdge(0, 1, 1.0);
  builder.AddEdge(1, 0, 2.0);
  builder.AddEdge(0, 1, 4.0);
  builder.AddEdge(2, 2, 8.0);
  return builder;
}

TEST(GraphBuilderTest, KeepsParallelEdgesAndLoopsWhenAsked) {
  BuildOptions options;
  options.multi_edges = MultiEdgePolicy::kKeep;
  ASSERT_OK_AND_ASSIGN(Graph g, MultiEdgeBuilder(options).Build());
  EXPECT_EQ(g.NumEdges(), 4);
  EXPECT_EQ(g.NumSelfLoops(), 1);
  EXPECT_FALSE(g.IsSimple());
  EXPECT_TRUE(g.weighted());
  EXPECT_THAT(Vec(g.OutNeighbors(0)), ElementsAre(1, 1, 1));
  // An undirected self-loop is listed twice, so it adds 2 to the degree.
  EXPECT_THAT(Vec(g.OutNeighbors(2)), ElementsAre(2, 2));
  EXPECT_EQ(g.Degree(2), 2);
  // Undirected edges are canonicalised to source <= target, in input order.
  EXPECT_EQ(g.Edges()[1].source, 0);
  EXPECT_EQ(g.Edges()[1].target, 1);
  EXPECT_EQ(g.Edges()[1].weight, 2.0);
}

TEST(GraphBuilderTest, MergeSumAddsWeightsOfParallelEdges) {
  BuildOptions options;
  options.multi_edges = MultiEdgePolicy::kMergeSum;
  ASSERT_OK_AND_ASSIGN(Graph g, MultiEdgeBuilder(options).Build());
  ASSERT_EQ(g.NumEdges(), 2);
  EXPECT_EQ(g.Edges()[0].weight, 7.0);  // 1 + 2 + 4
  EXPECT_EQ(g.Degree(0), 1);
}

TEST(GraphBuilderTest, MergeKeepFirstKeepsTheFirstWeight) {
  BuildOptions options;
  options.multi_edges = MultiEdgePolicy::kMergeKeepFirst;
  ASSERT_OK_AND_ASSIGN(Graph g, MultiEdgeBuilder(options).Build());
  ASSERT_EQ(g.NumEdges(), 2);
  EXPECT_EQ(g.Edges()[0].weight, 1.0);
}

TEST(GraphBuilderTest, DropsSelfLoops) {
  BuildOptions options;
  options.self_loops = SelfLoopPolicy::kDrop;
  ASSERT_OK_AND_ASSIGN(Graph g, MultiEdgeBuilder(options).Build());
  EXPECT_EQ(g.NumSelfLoops(), 0);
  EXPECT_TRUE(g.IsSimple());
  EXPECT_THAT(Vec(g.OutNeighbors(2)), IsEmpty());
}

TEST(GraphBuilderTest, DirectedGraphKeepsBothDirectionsApart) {
  BuildOptions options;
  options.directed = true;
  ASSERT_OK_AND_ASSIGN(Graph g, MultiEdgeBuilder(options).Build());
  // 0->1 (1 + 4 merged), 1->0, 2->2.
  ASSERT_EQ(g.NumEdges(), 3);
  EXPECT_EQ(g.Edges()[0].weight, 5.0);
  EXPECT_THAT(Vec(g.OutNeighbors(0)), ElementsAre(1));
  EXPECT_THAT(Vec(g.InNeighbors(0)), ElementsAre(1));
  // A directed self-loop counts once out and once in.
  EXPECT_EQ(g.OutDegree(2), 1);
  EXPECT_EQ(g.InDegree(2), 1);
  EXPECT_EQ(g.Degree(2), 2);
  EXPECT_TRUE(g.HasEdge(1, 0));
  EXPECT_FALSE(g.HasEdge(1, 2));
}

TEST(GraphBuilderTest, RejectsOutOfRangeEndpointsAndNonFiniteWeights) {
  GraphBuilder builder;
  builder.AddNodes(2);
  builder.AddEdge(0, 5);
  EXPECT_THAT(std::move(builder).Build(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("edge #0")));
  GraphBuilder nan_builder;
  nan_builder.AddNodes(2);
  nan_builder.AddEdge(0, 1, 1.0);
  nan_builder.AddEdge(0, 1, std::nan(""));
  EXPECT_THAT(std::move(nan_builder).Build(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("edge #1")));
}

TEST(GraphBuilderTest, KeysAndLabelsLiveInTheSideTable) {
  GraphBuilder builder;
  NodeId a = builder.AddNode("BJ", "Beijing");
  NodeId b = builder.AddNode("SH");
  EXPECT_EQ(builder.AddNode("BJ"), a);  // existing key
  NodeId anonymous = builder.AddNodes(1);
  builder.AddEdge(a, b);
  ASSERT_OK_AND_ASSIGN(Graph g, std::move(builder).Build());
  EXPECT_EQ(g.NumNodes(), 3);
  EXPECT_EQ(g.NodeKey(a), "BJ");
  EXPECT_EQ(g.NodeLabel(a), "Beijing");
  EXPECT_EQ(g.NodeLabel(b), "SH");  // label defaults to the key
  EXPECT_EQ(g.NodeKey(anonymous), "2");
  EXPECT_EQ(g.FindNode("SH"), b);
  EXPECT_EQ(g.FindNode("GZ"), std::nullopt);
}

TEST(GraphTest, AnonymousGraphKeysAreIndices) {
  Graph g = MakeGraph(3, {{0, 1}});
  EXPECT_EQ(g.NodeKey(2), "2");
  EXPECT_EQ(g.FindNode("2"), 2);
  EXPECT_EQ(g.FindNode("3"), std::nullopt);
  EXPECT_EQ(g.FindNode("x"), std::nullopt);
  // Node 2 is isolated.
  EXPECT_EQ(g.Degree(2), 0);
}

TEST(GraphTest, AdjacencyIsSortedAndSymmetric) {
  Graph g = MakeGraph(4, {{3, 0}, {0, 2}, {1, 0}, {2, 3}});
  EXPECT_THAT(Vec(g.OutNeighbors(0)), ElementsAre(1, 2, 3));
  EXPECT_THAT(Vec(g.OutNeighbors(3)), ElementsAre(0, 2));
  EXPECT_THAT(Vec(g.InNeighbors(3)), ElementsAre(0, 2));
  EXPECT_TRUE(g.OutWeights(0).empty());  // unweighted
}

TEST(UndirectedViewTest, MergesReciprocalEdgesSummingWeights) {
  // 0->1 (2), 1->0 (3), 1->2 (5).
  GraphBuilder builder(BuildOptions{true, MultiEdgePolicy::kKeep, SelfLoopPolicy::kKeep});
  builder.AddNode("a");
  builder.AddNode("b");
  builder.AddNode("c");
  builder.AddEdge(0, 1, 2.0);
  builder.AddEdge(1, 0, 3.0);
  builder.AddEdge(1, 2, 5.0);
  ASSERT_OK_AND_ASSIGN(Graph directed, std::move(builder).Build());
  ASSERT_OK_AND_ASSIGN(Graph view, UndirectedView(directed));
  EXPECT_FALSE(view.directed());
  ASSERT_EQ(view.NumEdges(), 2);
  EXPECT_EQ(view.Edges()[0].weight, 5.0);  // 2 + 3
  EXPECT_EQ(view.NodeKey(2), "c");
  ASSERT_OK_AND_ASSIGN(Graph kept, UndirectedView(directed, MultiEdgePolicy::kKeep));
  EXPECT_EQ(kept.NumEdges(), 3);
}

TEST(SimpleNeighborhoodsTest, MergesInAndOutNeighboursWithMultiplicity) {
  // 0->1, 1->0, 0->2, 2->2 (loop), 0->2 again (parallel).
  Graph g = MakeGraph(3, {{0, 1}, {1, 0}, {0, 2}, {2, 2}, {0, 2}}, /*directed=*/true);
  SimpleNeighborhoods nbhd(g);
  EXPECT_THAT(Vec(nbhd.Neighbors(0)), ElementsAre(1, 2));
  EXPECT_THAT(std::vector<int>(nbhd.Multiplicity(0).begin(), nbhd.Multiplicity(0).end()),
              ElementsAre(2, 1));
  // The loop is excluded.
  EXPECT_THAT(Vec(nbhd.Neighbors(2)), ElementsAre(0));
  EXPECT_EQ(nbhd.Degree(1), 1);
}

}  // namespace
}  // namespace innoscope::graph

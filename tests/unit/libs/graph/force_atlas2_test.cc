// ForceAtlas2 (libs/graph/force_atlas2.h): two cliques joined by one edge
// come apart, a seed fixes the coordinates (whatever the thread count), and
// bad options are refused.

#include "libs/graph/force_atlas2.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace innoscope::graph {
namespace {

// Two K6 cliques, nodes 0-5 and 6-11, joined by the single edge 5-6.
Graph TwoCliques() {
  std::vector<Edge> edges;
  for (NodeId base : {0, 6}) {
    for (NodeId a = 0; a < 6; ++a) {
      for (NodeId b = a + 1; b < 6; ++b) edges.push_back({base + a, base + b, 1});
    }
  }
  edges.push_back({5, 6, 1});
  absl::StatusOr<Graph> g = Graph::FromEdges(12, edges, BuildOptions());
  EXPECT_TRUE(g.ok()) << g.status();
  return *std::move(g);
}

double Distance(const ForceAtlas2& l, NodeId a, NodeId b) {
  return std::hypot(l.X()[a] - l.X()[b], l.Y()[a] - l.Y()[b]);
}

TEST(ForceAtlas2Test, SeparatesTwoCliquesJoinedByOneEdge) {
  const Graph g = TwoCliques();
  for (bool barnes_hut : {false, true}) {
    ForceAtlas2::Options options;
    options.barnes_hut = barnes_hut;
    options.iterations = 500;
    ForceAtlas2 layout(g, options);
    ASSERT_TRUE(layout.Run().ok());
    // Every pair inside a clique is closer than every pair across, the
    // bridge 5-6 excepted (its ends sit on the facing sides).
    double inside = 0, across = 1e300;
    for (NodeId a = 0; a < 12; ++a) {
      for (NodeId b = a + 1; b < 12; ++b) {
        const bool same = (a < 6) == (b < 6);
        if (same) inside = std::max(inside, Distance(layout, a, b));
        if (!same && !(a == 5 && b == 6)) across = std::min(across, Distance(layout, a, b));
      }
    }
    EXPECT_LT(inside, across) << "barnes_hut=" << barnes_hut;
  }
}

TEST(ForceAtlas2Test, TheSameSeedGivesTheSameCoordinatesOnAnyThreadCount) {
  const Graph g = TwoCliques();
  ForceAtlas2::Options options;
  options.seed = 7;
  options.num_threads = 1;
  ForceAtlas2 one(g, options);
  ASSERT_TRUE(one.Run().ok());
  options.num_threads = 3;
  ForceAtlas2 three(g, options);
  ASSERT_TRUE(three.Run().ok());
  EXPECT_EQ(one.X(), three.X());
  EXPECT_EQ(one.Y(), three.Y());
  options.seed = 8;
  ForceAtlas2 other(g, options);
  ASSERT_TRUE(other.Run().ok());
  EXPECT_NE(one.X(), other.X());
}

TEST(ForceAtlas2Test, BarnesHutApproximatesTheExactRepulsion) {
  // theta = 0 never lumps a cell: the exact O(n^2) forces, summed in
  // another order. After a few steps the layouts agree to rounding (over
  // hundreds of steps, rounding differences grow: the dynamics are chaotic).
  const Graph g = TwoCliques();
  ForceAtlas2::Options options;
  options.iterations = 5;
  options.barnes_hut = false;
  ForceAtlas2 exact(g, options);
  ASSERT_TRUE(exact.Run().ok());
  options.barnes_hut = true;
  options.theta = 0;
  ForceAtlas2 tree(g, options);
  ASSERT_TRUE(tree.Run().ok());
  for (NodeId v = 0; v < 12; ++v) {
    EXPECT_NEAR(exact.X()[v], tree.X()[v], 1e-9 * (1 + std::abs(exact.X()[v])));
    EXPECT_NEAR(exact.Y()[v], tree.Y()[v], 1e-9 * (1 + std::abs(exact.Y()[v])));
  }
}

TEST(ForceAtlas2Test, RefusesBadOptions) {
  const Graph g = TwoCliques();
  ForceAtlas2::Options options;
  options.theta = -1;
  ForceAtlas2 layout(g, options);
  const absl::Status s = layout.Run();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("force_atlas2.theta"), std::string::npos) << s;
  options.theta = 1.2;
  options.iterations = -1;
  ForceAtlas2 negative(g, options);
  EXPECT_EQ(negative.Run().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace innoscope::graph

// The all-pairs algorithms (PathStatistics' multi-source BFS over
// relabelled nodes, Betweenness' relabelled Brandes) against the textbook
// definitions, computed here one search per source on the graph as built:
// random directed and undirected multigraphs with self-loops, isolated
// nodes and unreachable pairs, large enough for several batches of 256
// sources and a partial last batch.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "libs/graph/betweenness.h"
#include "libs/graph/graph.h"
#include "libs/graph/paths.h"
#include "libs/graph/random.h"
#include "tests/unit/libs/graph/graph_test_util.h"

namespace innoscope::graph {
namespace {

using testing::MakeGraph;

// n nodes, m random edges (self-loops and parallel edges included), the
// last `isolated` nodes without edges.
Graph RandomGraph(NodeId n, int m, NodeId isolated, bool directed, uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<std::pair<NodeId, NodeId>> edges;
  const NodeId span = n - isolated;
  for (int i = 0; i < m; ++i) {
    edges.emplace_back(static_cast<NodeId>(rng.Uniform(span)),
                       static_cast<NodeId>(rng.Uniform(span)));
  }
  return MakeGraph(n, edges, directed);
}

// Hop distances from s along out-edges, -1 when unreachable.
std::vector<int> Distances(const Graph& g, NodeId s) {
  std::vector<int> d(static_cast<size_t>(g.NumNodes()), -1);
  std::deque<NodeId> queue = {s};
  d[s] = 0;
  while (!queue.empty()) {
    const NodeId u = queue.front();
    queue.pop_front();
    for (NodeId v : g.OutNeighbors(u)) {
      if (d[v] < 0) {
        d[v] = d[u] + 1;
        queue.push_back(v);
      }
    }
  }
  return d;
}

struct Expected {
  int64_t distance_sum = 0;
  int64_t pairs = 0;
  std::vector<int32_t> eccentricity;
};

Expected AllPairs(const Graph& g) {
  Expected e;
  for (NodeId s = 0; s < g.NumNodes(); ++s) {
    int32_t ecc = 0;
    for (int d : Distances(g, s)) {
      if (d > 0) {
        e.distance_sum += d;
        ++e.pairs;
        ecc = std::max(ecc, d);
      }
    }
    e.eccentricity.push_back(ecc);
  }
  return e;
}

// Betweenness by the definition: sigma from every source by counting, and
// sigma_st(v) = sigma_sv sigma_vt when d(s, v) + d(v, t) = d(s, t).
std::vector<double> BetweennessByDefinition(const Graph& g) {
  const NodeId n = g.NumNodes();
  std::vector<std::vector<int>> dist;
  std::vector<std::vector<double>> sigma;
  for (NodeId s = 0; s < n; ++s) {
    dist.push_back(Distances(g, s));
    std::vector<NodeId> order;
    for (NodeId v = 0; v < n; ++v) {
      if (dist[s][v] >= 0) order.push_back(v);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](NodeId a, NodeId b) { return dist[s][a] < dist[s][b]; });
    std::vector<double> count(static_cast<size_t>(n), 0.0);
    count[s] = 1;
    for (NodeId u : order) {
      for (NodeId v : g.OutNeighbors(u)) {
        if (dist[s][v] == dist[s][u] + 1) count[v] += count[u];
      }
    }
    sigma.push_back(count);
  }
  std::vector<double> b(static_cast<size_t>(n), 0.0);
  for (NodeId s = 0; s < n; ++s) {
    for (NodeId t = 0; t < n; ++t) {
      if (s == t || dist[s][t] <= 0) continue;
      for (NodeId v = 0; v < n; ++v) {
        if (v == s || v == t || dist[s][v] < 0 || dist[v][t] < 0) continue;
        if (dist[s][v] + dist[v][t] == dist[s][t]) {
          b[v] += sigma[s][v] * sigma[v][t] / sigma[s][t];
        }
      }
    }
  }
  if (!g.directed()) {
    for (double& x : b) x /= 2;
  }
  return b;
}

class AllPairsTest : public ::testing::TestWithParam<bool> {};

TEST_P(AllPairsTest, PathStatisticsMatchOneSearchPerSource) {
  const bool directed = GetParam();
  // 700 nodes: batches of 256, 256 and a partial 188.
  const Graph g = RandomGraph(700, directed ? 1400 : 600, 20, directed, 11);
  const Expected expected = AllPairs(g);
  for (int threads : {1, 2, 3}) {
    PathStatistics paths(g, {Convention::kGephi, threads});
    ASSERT_TRUE(paths.Run().ok());
    EXPECT_EQ(paths.ReachablePairs(), expected.pairs);
    EXPECT_EQ(paths.UnreachablePairs(), 700LL * 699 - expected.pairs);
    EXPECT_DOUBLE_EQ(paths.AveragePathLength(),
                     static_cast<double>(expected.distance_sum) / expected.pairs);
    EXPECT_EQ(paths.Eccentricities(), expected.eccentricity);
    EXPECT_EQ(paths.Diameter(),
              *std::max_element(expected.eccentricity.begin(), expected.eccentricity.end()));
    EXPECT_EQ(paths.Radius(), 0);  // isolated nodes
  }
}

TEST_P(AllPairsTest, BetweennessMatchesTheDefinition) {
  const bool directed = GetParam();
  const Graph g = RandomGraph(300, directed ? 700 : 400, 5, directed, 5);
  const std::vector<double> expected = BetweennessByDefinition(g);
  for (int threads : {1, 2}) {
    Betweenness betweenness(g, {/*normalized=*/false, threads});
    ASSERT_TRUE(betweenness.Run().ok());
    ASSERT_EQ(betweenness.Scores().size(), expected.size());
    for (size_t v = 0; v < expected.size(); ++v) {
      EXPECT_NEAR(betweenness.Scores()[v], expected[v], 1e-9 * std::max(1.0, expected[v]))
          << "node " << v;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DirectedAndUndirected, AllPairsTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Directed" : "Undirected";
                         });

}  // namespace
}  // namespace innoscope::graph

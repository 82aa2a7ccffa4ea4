// ComputeNetworkStatistics and ComputeMeasure on tiny graphs with
// hand-derived values, and the names and checks shared by the network
// service and the CLI.

#include "libs/graph/network_measures.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"

namespace innoscope::graph {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kEps = 1e-12;

Graph MakeGraph(NodeId n, const std::vector<std::pair<int, int>>& edges, bool directed = false) {
  std::vector<Edge> list;
  for (const auto& [u, v] : edges) list.push_back({u, v, 1.0});
  BuildOptions options;
  options.directed = directed;
  return *Graph::FromEdges(n, list, options);
}

TEST(ComputeNetworkStatisticsTest, PathOfFourNodes) {
  // 0 - 1 - 2 - 3: average degree 2*3/4 = 1.5, density 6/12 = 0.5;
  // distances 1,2,3,1,2,1 (twice): APL 20/12, diameter 3, radius 2; no
  // triangle; Louvain splits {0,1} {2,3}: Q = 2 * (1/3 - (3/6)^2) = 1/6.
  const Graph g = MakeGraph(4, {{0, 1}, {1, 2}, {2, 3}});
  StatsOptions options;
  ASSERT_OK_AND_ASSIGN(NetworkStatistics s, ComputeNetworkStatistics(g, options, Interrupt()));
  EXPECT_EQ(s.convention, Convention::kGephi);
  EXPECT_EQ(s.basic.nodes, 4);
  EXPECT_EQ(s.basic.edges, 3);
  EXPECT_NEAR(s.basic.average_degree, 1.5, kEps);
  EXPECT_NEAR(s.basic.density, 0.5, kEps);
  EXPECT_EQ(s.weak_components, 1);
  EXPECT_EQ(s.strong_components, 1);
  EXPECT_NEAR(*s.paths.average_path_length, 20.0 / 12, kEps);
  EXPECT_EQ(*s.paths.diameter, 3);
  EXPECT_EQ(*s.paths.radius, 2);
  EXPECT_EQ(s.paths.unreachable_pairs, 0);
  EXPECT_EQ(s.clustering.triangles, 0);
  EXPECT_FALSE(s.reciprocity.has_value());  // undirected
  EXPECT_EQ(s.communities->communities, 2);
  EXPECT_NEAR(s.communities->modularity, 1.0 / 6, 1e-9);
}

TEST(ComputeNetworkStatisticsTest, NetworkxLeavesDistancesOfADisconnectedGraphAbsent) {
  // Path 0-1-2 and edge 3-4: 8 reachable ordered pairs of 20, 12 not.
  const Graph g = MakeGraph(5, {{0, 1}, {1, 2}, {3, 4}});
  StatsOptions options;
  options.convention = Convention::kNetworkx;
  ASSERT_OK_AND_ASSIGN(NetworkStatistics s, ComputeNetworkStatistics(g, options, Interrupt()));
  EXPECT_EQ(s.convention, Convention::kNetworkx);
  EXPECT_FALSE(s.paths.average_path_length.has_value());
  EXPECT_FALSE(s.paths.diameter.has_value());
  EXPECT_FALSE(s.paths.radius.has_value());
  EXPECT_EQ(s.paths.unreachable_pairs, 12);
  EXPECT_THAT(s.paths.note, HasSubstr("12 ordered pairs are unreachable"));
  // Gephi: APL over the 8 pairs = (2*(1+2+1) + 2*1) / 8 = 10/8.
  options.convention = Convention::kGephi;
  ASSERT_OK_AND_ASSIGN(s, ComputeNetworkStatistics(g, options, Interrupt()));
  EXPECT_NEAR(*s.paths.average_path_length, 1.25, kEps);
  EXPECT_EQ(s.weak_components, 2);
}

TEST(ComputeNetworkStatisticsTest, ClusteringUnderEveryConvention) {
  // Triangle 0-1-2 with pendant 3 on 2: local C 1, 1, 1/3, 0 (k = 1).
  // Gephi/igraph mean over k > 1: 7/9; networkx over all: 7/12;
  // transitivity 3 * 1 / 5 triples.
  const Graph g = MakeGraph(4, {{0, 1}, {0, 2}, {1, 2}, {2, 3}});
  StatsOptions options;
  options.convention = Convention::kNetworkx;
  ASSERT_OK_AND_ASSIGN(NetworkStatistics s, ComputeNetworkStatistics(g, options, Interrupt()));
  EXPECT_NEAR(s.clustering.average_clustering, 7.0 / 12, kEps);
  EXPECT_NEAR(s.clustering.average_clustering_networkx, 7.0 / 12, kEps);
  EXPECT_NEAR(s.clustering.average_clustering_gephi, 7.0 / 9, kEps);
  EXPECT_NEAR(s.clustering.average_clustering_undirected, 7.0 / 9, kEps);
  EXPECT_NEAR(s.clustering.transitivity, 0.6, kEps);
  EXPECT_EQ(s.clustering.nodes_averaged, 4);
}

TEST(ComputeNetworkStatisticsTest, ApproximateDistancesStateTheirBounds) {
  const Graph g = MakeGraph(4, {{0, 1}, {1, 2}, {2, 3}});
  StatsOptions options;
  options.approximation.enabled = true;
  options.approximation.path_samples = 200;
  ASSERT_OK_AND_ASSIGN(NetworkStatistics s, ComputeNetworkStatistics(g, options, Interrupt()));
  EXPECT_FALSE(s.paths.exact);
  EXPECT_LE(s.paths.average_path_length_low, 20.0 / 12);
  EXPECT_GE(s.paths.average_path_length_high, 20.0 / 12);
  EXPECT_EQ(*s.paths.diameter, 3);  // lower and upper bound meet
  EXPECT_EQ(s.paths.reachable_pairs, 12);
}

TEST(ComputeNetworkStatisticsTest, HonoursTheInterrupt) {
  const Graph g = MakeGraph(4, {{0, 1}, {1, 2}, {2, 3}});
  EXPECT_THAT(
      ComputeNetworkStatistics(g, StatsOptions(), Interrupt::WithProbe([] { return true; })),
      StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));
}

TEST(ComputeMeasureTest, DegreesBetweennessAndCores) {
  // Directed star 0 -> 1, 0 -> 2, 1 -> 2: out 2 1 0, in 0 1 2; the only
  // inner node of a shortest path: none (0 -> 2 is direct).
  const Graph g = MakeGraph(3, {{0, 1}, {0, 2}, {1, 2}}, /*directed=*/true);
  MeasureOptions options;
  ASSERT_OK_AND_ASSIGN(MeasureResult out,
                       ComputeMeasure(g, Measure::kOutDegree, options, Interrupt()));
  EXPECT_THAT(out.scores, ElementsAre(2, 1, 0));
  ASSERT_OK_AND_ASSIGN(MeasureResult total,
                       ComputeMeasure(g, Measure::kDegree, options, Interrupt()));
  EXPECT_THAT(total.scores, ElementsAre(2, 2, 2));
  ASSERT_OK_AND_ASSIGN(MeasureResult b,
                       ComputeMeasure(g, Measure::kBetweenness, options, Interrupt()));
  EXPECT_THAT(b.scores, ElementsAre(0, 0, 0));
  EXPECT_TRUE(b.info.exact);
  EXPECT_EQ(b.info.measure, Measure::kBetweenness);
  ASSERT_OK_AND_ASSIGN(MeasureResult k, ComputeMeasure(g, Measure::kKcore, options, Interrupt()));
  EXPECT_THAT(k.scores, ElementsAre(2, 2, 2));
  // Path 0-1-2: node 1 is on the one path between 0 and 2.
  const Graph path = MakeGraph(3, {{0, 1}, {1, 2}});
  ASSERT_OK_AND_ASSIGN(b, ComputeMeasure(path, Measure::kBetweenness, options, Interrupt()));
  EXPECT_THAT(b.scores, ElementsAre(0, 1, 0));
  EXPECT_THAT(ComputeMeasure(path, Measure::kStrength, options, Interrupt()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs edge weights")));
}

TEST(ParametersTest, NamesAndChecks) {
  // The measures' names, as docs/network.md section 5 lists them.
  EXPECT_EQ(*ParseEnum<Measure>("pagerank"), Measure::kPagerank);
  EXPECT_EQ(EnumToName(Measure::kInDegree), "in_degree");
  for (const char* name : {"degree", "in_degree", "out_degree", "strength", "in_strength",
                           "out_strength", "betweenness", "closeness", "harmonic", "pagerank",
                           "eigenvector", "kcore", "community", "clustering"}) {
    ASSERT_OK_AND_ASSIGN(Measure m, ParseEnum<Measure>(name));
    EXPECT_EQ(EnumToName(m), name);
  }
  EXPECT_THAT(ParseEnum<Measure>("pagerang"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("use one of degree")));
  EXPECT_EQ(*ParseEnum<Convention>("igraph"), Convention::kIgraph);
  EXPECT_FALSE(ParseEnum<Convention>("gephy").ok());

  LouvainParams louvain;
  EXPECT_OK(CheckLouvainParams(louvain));
  louvain.resolution = 0;
  EXPECT_THAT(CheckLouvainParams(louvain),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("louvain.resolution")));
  louvain.resolution = NAN;
  EXPECT_THAT(CheckLouvainParams(louvain, "--resolution"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--resolution.resolution")));
  EXPECT_EQ(ApproxParams().path_samples, 20000);
}

}  // namespace
}  // namespace innoscope::graph

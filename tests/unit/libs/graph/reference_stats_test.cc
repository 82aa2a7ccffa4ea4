// Checks libs/graph against the shared reference values
// (../shared/datasets/networks/reference_stats_networkx_3.6.1.json: networkx
// 3.6.1 and Gephi-convention values for seven real networks). Skips when
// ../shared is absent.

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "libs/graph/betweenness.h"
#include "libs/graph/centrality.h"
#include "libs/graph/clustering.h"
#include "libs/graph/communities.h"
#include "libs/graph/components.h"
#include "libs/graph/paths.h"
#include "libs/graph/statistics.h"
#include "tests/shared_data.h"
#include "tests/unit/libs/graph/graph_test_util.h"
#include "tests/unit/libs/graph/mini_json.h"

namespace innoscope::graph {
namespace {

using ::innoscope::graph::testing::JsonValue;
using ::innoscope::graph::testing::LoadNetwork;
using ::innoscope::graph::testing::NetworksDir;
using ::innoscope::graph::testing::ParseJson;
using ::innoscope::graph::testing::ReadFileToString;
using ::innoscope::testing::StatusIs;

constexpr double kExact = 1e-9;  // values recomputed exactly (up to rounding)

// The reference entry for one network, parsed once.
const JsonValue* Reference(const std::string& shared_dir, const std::string& name) {
  static const JsonValue* doc = [&] {
    std::optional<JsonValue> parsed = ParseJson(
        ReadFileToString(NetworksDir(shared_dir) + "reference_stats_networkx_3.6.1.json"));
    return parsed ? new JsonValue(std::move(*parsed)) : nullptr;
  }();
  if (doc == nullptr || !doc->At("graphs").Has(name)) return nullptr;
  return &doc->At("graphs").At(name);
}

class ReferenceStatsTest : public ::testing::TestWithParam<std::string> {};

#define LOAD_REFERENCE(ref, file)                                     \
  INNOSCOPE_REQUIRE_SHARED(shared);                                   \
  const JsonValue* ref = Reference(shared, GetParam());               \
  ASSERT_NE(ref, nullptr) << "no reference entry for " << GetParam(); \
  const GraphFile file = LoadNetwork(shared, GetParam());             \
  const Graph& graph = file.graph

TEST_P(ReferenceStatsTest, CountsDegreeAndDensityMatch) {
  LOAD_REFERENCE(ref, file);
  BasicStatistics basic = ComputeBasicStatistics(graph);
  EXPECT_EQ(basic.nodes, ref->At("nodes").number);
  EXPECT_EQ(basic.edges, ref->At("edges").number);
  EXPECT_EQ(basic.directed, ref->At("directed").boolean);
  EXPECT_NEAR(basic.average_degree, ref->At("avg_degree_gephi").number, kExact);
  EXPECT_NEAR(basic.density, ref->At("density").number, kExact);
}

TEST_P(ReferenceStatsTest, ComponentsMatch) {
  LOAD_REFERENCE(ref, file);
  ConnectedComponents weak(graph, ComponentKind::kWeak);
  ASSERT_OK(weak.Run());
  if (graph.directed()) {
    ConnectedComponents strong(graph, ComponentKind::kStrong);
    ASSERT_OK(strong.Run());
    EXPECT_EQ(weak.NumComponents(), ref->At("weakly_cc").number);
    EXPECT_EQ(strong.NumComponents(), ref->At("strongly_cc").number);
  } else {
    EXPECT_EQ(weak.NumComponents(), ref->At("components").number);
  }
  EXPECT_DOUBLE_EQ(weak.GiantComponentShare(), 1.0);
}

TEST_P(ReferenceStatsTest, GephiPathLengthAndDiameterMatch) {
  LOAD_REFERENCE(ref, file);
  PathStatistics paths(graph, {Convention::kGephi, /*num_threads=*/2});
  ASSERT_OK(paths.Run());
  EXPECT_NEAR(paths.AveragePathLength(), ref->At("gephi_avg_path_length").number, kExact);
  EXPECT_EQ(paths.Diameter(), ref->At("gephi_diameter").number);
  EXPECT_EQ(paths.convention(), Convention::kGephi);

  // networkx agrees on connected graphs and refuses otherwise.
  PathStatistics nx(graph, {Convention::kNetworkx, 2});
  if (paths.UnreachablePairs() == 0) {
    ASSERT_OK(nx.Run());
    EXPECT_DOUBLE_EQ(nx.AveragePathLength(), paths.AveragePathLength());
  } else {
    EXPECT_THAT(nx.Run(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                   ::testing::HasSubstr("not strongly connected")));
  }
}

TEST_P(ReferenceStatsTest, ClusteringMatchesBothConventions) {
  LOAD_REFERENCE(ref, file);
  ClusteringCoefficient gephi(graph, Convention::kGephi);
  ClusteringCoefficient nx(graph, Convention::kNetworkx);
  ASSERT_OK(gephi.Run());
  ASSERT_OK(nx.Run());
  if (graph.directed()) {
    EXPECT_NEAR(gephi.AverageClustering(), ref->At("gephi_avg_clustering_directed").number, kExact);
    EXPECT_NEAR(nx.AverageClustering(), ref->At("nx_avg_clustering_directed_fagiolo").number,
                kExact);
    EXPECT_EQ(gephi.NodesAveraged(), graph.NumNodes());  // divides by all nodes
    return;
  }
  EXPECT_NEAR(gephi.AverageClustering(), ref->At("gephi_avg_clustering(deg>1 only)").number,
              kExact);
  EXPECT_NEAR(nx.AverageClustering(), ref->At("nx_avg_clustering(count_zeros)").number, kExact);
  EXPECT_NEAR(gephi.Transitivity(), ref->At("transitivity").number, kExact);
  EXPECT_EQ(gephi.Triangles(), ref->At("triangles").number);
}

TEST_P(ReferenceStatsTest, LouvainReachesNetworkxModularity) {
  LOAD_REFERENCE(ref, file);
  // networkx's Q over seeds 0-4 (4 decimals); Louvain is randomised, so our
  // seed-0 run must land in the same band: no worse than networkx's worst
  // seed by more than 0.01 and not implausibly above its best.
  const JsonValue& runs = ref->At("louvain_unweighted_seeds0-4(Q,#comm)");
  ASSERT_EQ(runs.array.size(), 5u);
  double lowest = 1, highest = -1;
  for (const JsonValue& run : runs.array) {
    lowest = std::min(lowest, run.array[0].number);
    highest = std::max(highest, run.array[0].number);
  }
  Louvain louvain(graph);
  ASSERT_OK(louvain.Run());
  EXPECT_GE(louvain.ModularityAtResolution1(), lowest - 0.01);
  EXPECT_LE(louvain.ModularityAtResolution1(), highest + 0.01);
  // The reported value is the modularity of the returned partition.
  ModularityOptions options;
  ASSERT_OK_AND_ASSIGN(double q, Modularity(graph, louvain.Communities(), options));
  if (!graph.directed()) {
    EXPECT_NEAR(q, louvain.Modularity(), kExact);
  }
}

INSTANTIATE_TEST_SUITE_P(SevenNetworks, ReferenceStatsTest,
                         ::testing::Values("karate.gml", "les_miserables.gexf", "football.graphml",
                                           "us_airports.gexf", "power_grid.gml",
                                           "java_dependencies.gexf", "ca-GrQc-lcc.txt"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param.substr(0, param.param.find('.'));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Node-level values the reference records for Zachary's karate club (keys
// are the 1-indexed GML ids).
TEST(KarateReferenceTest, CentralitiesMatch) {
  INNOSCOPE_REQUIRE_SHARED(shared);
  const JsonValue* ref = Reference(shared, "karate.gml");
  ASSERT_NE(ref, nullptr);
  const GraphFile file = LoadNetwork(shared, "karate.gml");
  const Graph& graph = file.graph;

  Betweenness raw(graph, {/*normalized=*/false, 2});
  Betweenness normalized(graph, {/*normalized=*/true, 2});
  ASSERT_OK(raw.Run());
  ASSERT_OK(normalized.Run());
  for (const auto& [key, value] : ref->At("betweenness_raw_top5_1indexed").object) {
    std::optional<NodeId> v = graph.FindNode(key);
    ASSERT_TRUE(v.has_value()) << key;
    EXPECT_NEAR(raw.Scores()[*v], value.number, 5e-4) << "node " << key;
  }
  for (const auto& [key, value] : ref->At("betweenness_normalized_top3_1indexed").object) {
    EXPECT_NEAR(normalized.Scores()[*graph.FindNode(key)], value.number, 5e-5) << key;
  }
  // The top five by raw betweenness, in order.
  std::vector<std::string> top;
  for (const NodeScore& s : TopN(raw.Scores(), 5)) {
    top.push_back(graph.NodeKey(s.node));
  }
  EXPECT_THAT(top, ::testing::ElementsAre("1", "34", "33", "3", "32"));

  Closeness closeness(graph, {Convention::kNetworkx, 2});
  ASSERT_OK(closeness.Run());
  for (const auto& [key, value] : ref->At("closeness_1indexed").object) {
    EXPECT_NEAR(closeness.Scores()[*graph.FindNode(key)], value.number, 5e-4) << key;
  }
  DegreeCentrality degree(graph);
  ASSERT_OK(degree.Run());
  for (const auto& [key, value] : ref->At("degree").object) {
    EXPECT_EQ(degree.Scores()[*graph.FindNode(key)], value.number) << key;
  }
}

// Les Miserables carries the partition Gephi 0.8.1 found (modularity_class).
TEST(LesMiserablesReferenceTest, StoredGephiPartitionModularityMatches) {
  INNOSCOPE_REQUIRE_SHARED(shared);
  const JsonValue* ref = Reference(shared, "les_miserables.gexf");
  ASSERT_NE(ref, nullptr);
  const JsonValue& stored = ref->At("stored_gephi_0.8.1_modularity_class_partition");
  const GraphFile file = LoadNetwork(shared, "les_miserables.gexf");
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> partition,
                       file.node_attributes.AsIntegers("modularity_class"));
  std::vector<int64_t> distinct = partition;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  EXPECT_EQ(distinct.size(), stored.At("communities").number);

  ModularityOptions unweighted;
  ModularityOptions weighted;
  weighted.weighted = true;
  ASSERT_OK_AND_ASSIGN(double q, Modularity(file.graph, partition, unweighted));
  ASSERT_OK_AND_ASSIGN(double q_weighted, Modularity(file.graph, partition, weighted));
  EXPECT_NEAR(q, stored.At("Q_unweighted").number, 5e-5);
  EXPECT_NEAR(q_weighted, stored.At("Q_weighted").number, 5e-5);
  EXPECT_DOUBLE_EQ(
      ComputeBasicStatistics(file.graph).average_weighted_degree * file.graph.NumNodes() / 2,
      stored.At("sum_edge_weight").number);
  // Gephi's convention gives the same value at r = 1.
  weighted.convention = Convention::kGephi;
  ASSERT_OK_AND_ASSIGN(double q_gephi, Modularity(file.graph, partition, weighted));
  EXPECT_DOUBLE_EQ(q_gephi, q_weighted);
}

}  // namespace
}  // namespace innoscope::graph

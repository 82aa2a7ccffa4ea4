// Node-level centralities and conventions against peer-tool output:
// testdata/golden_networkx_igraph.txt, written by testdata/make_golden.py
// (networkx 2.8.8 and python-igraph 0.10.2; the command is in the script).
// The networks themselves are read from ../shared; skips when absent.

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "libs/graph/betweenness.h"
#include "libs/graph/centrality.h"
#include "libs/graph/clustering.h"
#include "libs/graph/core_decomposition.h"
#include "libs/graph/statistics.h"
#include "tests/shared_data.h"
#include "tests/unit/libs/graph/graph_test_util.h"

#ifndef INNOSCOPE_GRAPH_TESTDATA_DIR
#error "INNOSCOPE_GRAPH_TESTDATA_DIR must name tests/unit/libs/graph/testdata"
#endif

namespace innoscope::graph {
namespace {

using ::innoscope::graph::testing::LoadNetwork;
using ::innoscope::graph::testing::ReadFileToString;

// golden[network][measure][node key] = value ("-" for graph-level values).
using Golden = std::map<std::string, std::map<std::string, std::map<std::string, double>>>;

const Golden& LoadGolden() {
  static const Golden* golden = [] {
    auto* g = new Golden();
    std::istringstream in(ReadFileToString(std::string(INNOSCOPE_GRAPH_TESTDATA_DIR) +
                                           "/golden_networkx_igraph.txt"));
    std::string network, measure, key, value;
    while (in >> network >> measure >> key >> value) {
      (*g)[network][measure][key] = std::strtod(value.c_str(), nullptr);
    }
    return g;
  }();
  return *golden;
}

// Compares `scores` with every golden value of (network, measure).
void ExpectMatchesGolden(const Graph& graph, const std::string& network, const std::string& measure,
                         const std::vector<double>& scores, double tolerance) {
  const auto& values = LoadGolden().at(network).at(measure);
  ASSERT_FALSE(values.empty());
  for (const auto& [key, expected] : values) {
    std::optional<NodeId> v = graph.FindNode(key);
    ASSERT_TRUE(v.has_value()) << network << " has no node " << key;
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(scores[*v])) << network << " " << measure << " node " << key;
    } else {
      EXPECT_NEAR(scores[*v], expected, tolerance * std::max(1.0, std::fabs(expected)))
          << network << " " << measure << " node " << key;
    }
  }
}

double GraphValue(const std::string& network, const std::string& measure) {
  return LoadGolden().at(network).at(measure).at("-");
}

std::vector<double> ToDouble(const std::vector<int32_t>& values) {
  return std::vector<double>(values.begin(), values.end());
}

class UndirectedGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(UndirectedGoldenTest, CentralitiesMatchNetworkxAndIgraph) {
  INNOSCOPE_REQUIRE_SHARED(shared);
  const std::string& name = GetParam();
  const GraphFile file = LoadNetwork(shared, name);
  const Graph& graph = file.graph;

  Closeness nx_closeness(graph, {Convention::kNetworkx, 2});
  HarmonicCloseness nx_harmonic(graph, {Convention::kNetworkx, 2});
  HarmonicCloseness igraph_harmonic(graph, {Convention::kIgraph, 2});
  Betweenness betweenness(graph, {false, 2});
  PageRank pagerank_weighted(graph);
  PageRank::Options unweighted;
  unweighted.weighted = false;
  PageRank pagerank_unweighted(graph, unweighted);
  EigenvectorCentrality eigenvector(graph);
  CoreDecomposition cores(graph);
  ClusteringCoefficient igraph_clustering(graph, Convention::kIgraph);
  for (Algorithm* algorithm : std::vector<Algorithm*>{
           &nx_closeness, &nx_harmonic, &igraph_harmonic, &betweenness, &pagerank_weighted,
           &pagerank_unweighted, &eigenvector, &cores, &igraph_clustering}) {
    ASSERT_OK(algorithm->Run());
  }
  EXPECT_TRUE(pagerank_weighted.converged());
  EXPECT_TRUE(eigenvector.converged());
  ExpectMatchesGolden(graph, name, "nx_closeness", nx_closeness.Scores(), 1e-10);
  ExpectMatchesGolden(graph, name, "nx_harmonic", nx_harmonic.Scores(), 1e-10);
  ExpectMatchesGolden(graph, name, "igraph_harmonic", igraph_harmonic.Scores(), 1e-10);
  ExpectMatchesGolden(graph, name, "nx_betweenness", betweenness.Scores(), 1e-10);
  ExpectMatchesGolden(graph, name, "nx_pagerank_weighted", pagerank_weighted.Scores(), 1e-9);
  ExpectMatchesGolden(graph, name, "nx_pagerank_unweighted", pagerank_unweighted.Scores(), 1e-9);
  ExpectMatchesGolden(graph, name, "nx_eigenvector", eigenvector.Scores(), 1e-9);
  ExpectMatchesGolden(graph, name, "nx_core_number", ToDouble(cores.CoreNumbers()), 0);
  EXPECT_NEAR(DegreeAssortativity(graph), GraphValue(name, "nx_assortativity"), 1e-10);
  EXPECT_NEAR(igraph_clustering.AverageClustering(), GraphValue(name, "igraph_avglocal"), 1e-10);
}

INSTANTIATE_TEST_SUITE_P(Networks, UndirectedGoldenTest,
                         ::testing::Values("karate.gml", "les_miserables.gexf"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param.substr(0, param.param.find('.'));
                         });

TEST(DirectedGoldenTest, JavaDependenciesMatchNetworkxAndIgraph) {
  INNOSCOPE_REQUIRE_SHARED(shared);
  const std::string name = "java_dependencies.gexf";
  const GraphFile file = LoadNetwork(shared, name);
  const Graph& graph = file.graph;
  ASSERT_TRUE(graph.directed());

  // networkx measures closeness and harmonic centrality on incoming paths.
  Closeness nx_closeness(graph, {Convention::kNetworkx, 2});
  HarmonicCloseness nx_harmonic(graph, {Convention::kNetworkx, 2});
  Closeness igraph_closeness(graph, {Convention::kIgraph, 2});
  Betweenness betweenness(graph, {false, 2});
  PageRank::Options pagerank_options;
  pagerank_options.weighted = false;
  PageRank pagerank(graph, pagerank_options);
  EigenvectorCentrality::Options eigen_options;
  eigen_options.max_iterations = 1000;
  EigenvectorCentrality eigenvector(graph, eigen_options);
  CoreDecomposition cores(graph);
  ClusteringCoefficient igraph_clustering(graph, Convention::kIgraph);
  for (Algorithm* algorithm :
       std::vector<Algorithm*>{&nx_closeness, &nx_harmonic, &igraph_closeness, &betweenness,
                               &pagerank, &eigenvector, &cores, &igraph_clustering}) {
    ASSERT_OK(algorithm->Run());
  }
  EXPECT_TRUE(eigenvector.converged());
  ExpectMatchesGolden(graph, name, "nx_closeness", nx_closeness.Scores(), 1e-10);
  ExpectMatchesGolden(graph, name, "nx_harmonic", nx_harmonic.Scores(), 1e-10);
  ExpectMatchesGolden(graph, name, "igraph_closeness_out", igraph_closeness.Scores(), 1e-10);
  ExpectMatchesGolden(graph, name, "nx_betweenness", betweenness.Scores(), 1e-10);
  ExpectMatchesGolden(graph, name, "nx_pagerank_unweighted", pagerank.Scores(), 1e-9);
  ExpectMatchesGolden(graph, name, "nx_eigenvector", eigenvector.Scores(), 1e-8);
  ExpectMatchesGolden(graph, name, "nx_core_number", ToDouble(cores.CoreNumbers()), 0);
  EXPECT_NEAR(Reciprocity(graph, Convention::kNetworkx), GraphValue(name, "nx_reciprocity"), 1e-10);
  EXPECT_NEAR(DegreeAssortativity(graph), GraphValue(name, "nx_assortativity"), 1e-10);
  EXPECT_NEAR(igraph_clustering.AverageClustering(), GraphValue(name, "igraph_avglocal"), 1e-10);
}

}  // namespace
}  // namespace innoscope::graph

// `innoscope network stats|centrality` run as users run them: the built
// binary on tiny graphs whose values are derived by hand in the comments,
// and on Zachary's karate club (../shared) against networkx 3.6.1's
// reference values (reference_stats_networkx_3.6.1.json). The ../shared
// tests skip when it is absent.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/graph/readers.h"
#include "tests/shared_data.h"
#include "tests/unit/libs/graph/mini_json.h"

namespace innoscope::network {
namespace {

using ::innoscope::graph::testing::JsonValue;
using ::innoscope::graph::testing::ParseJson;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kEps = 1e-12;

struct Outcome {
  int code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the CLI with `args`; stdout and stderr captured apart.
Outcome RunCli(const std::string& args) {
  const std::string err_path = ::testing::TempDir() + "/network_cli_stderr.txt";
  const std::string command = absl::StrCat(INNOSCOPE_CLI_BINARY, " ", args, " 2>", err_path);
  Outcome o;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return o;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) o.out.append(buffer, n);
  const int status = ::pclose(pipe);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  std::ifstream err(err_path);
  o.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  return o;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

JsonValue Json(const Outcome& o) {
  std::optional<JsonValue> doc = ParseJson(o.out);
  EXPECT_TRUE(doc.has_value()) << o.out << o.err;
  return doc.value_or(JsonValue());
}

std::vector<std::string> Keys(const JsonValue& doc) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : doc.object) keys.push_back(k);
  return keys;
}

TEST(NetworkCliTest, StatsOfATriangleWithAPendant) {
  // a-b, b-c, c-a, c-d (undirected): 4 nodes, 4 edges, average degree
  // 2*4/4 = 2, density 8/12; distances a-b 1, a-c 1, a-d 2, b-c 1, b-d 2,
  // c-d 1: APL 8/6, diameter 2. Local clustering a 1, b 1, c 1/3 (one of 3
  // neighbour pairs linked), d excluded (k = 1): Gephi mean 7/9;
  // transitivity 3 * 1 / 5 connected triples.
  const std::string csv = WriteFile("triangle.csv", "source,target\na,b\nb,c\nc,a\nc,d\n");
  const Outcome o = RunCli(absl::StrCat("network stats --edges ", csv, " --json"));
  ASSERT_EQ(o.code, 0) << o.err;
  const JsonValue doc = Json(o);
  EXPECT_THAT(
      Keys(doc),
      ElementsAre("nodes", "edges", "average_degree", "density", "weak_components",
                  "strong_components", "diameter", "average_path_length", "unreachable_pairs",
                  "average_clustering", "transitivity", "modularity", "communities", "convention"));
  EXPECT_EQ(doc.At("nodes").number, 4);
  EXPECT_EQ(doc.At("edges").number, 4);
  EXPECT_NEAR(doc.At("average_degree").number, 2, kEps);
  EXPECT_NEAR(doc.At("density").number, 8.0 / 12, kEps);
  EXPECT_EQ(doc.At("weak_components").number, 1);
  EXPECT_EQ(doc.At("strong_components").number, 1);
  EXPECT_EQ(doc.At("diameter").number, 2);
  EXPECT_NEAR(doc.At("average_path_length").number, 8.0 / 6, kEps);
  EXPECT_EQ(doc.At("unreachable_pairs").number, 0);
  EXPECT_NEAR(doc.At("average_clustering").number, 7.0 / 9, kEps);
  EXPECT_NEAR(doc.At("transitivity").number, 0.6, kEps);
  EXPECT_EQ(doc.At("modularity").kind, JsonValue::kNumber);
  EXPECT_GE(doc.At("communities").number, 1);
  EXPECT_EQ(doc.At("convention").string, "gephi");
  // networkx averages over all 4 nodes: (7/3) / 4.
  const Outcome nx =
      RunCli(absl::StrCat("network stats --edges ", csv, " --convention networkx --json"));
  ASSERT_EQ(nx.code, 0) << nx.err;
  EXPECT_NEAR(Json(nx).At("average_clustering").number, 7.0 / 12, kEps);
  EXPECT_EQ(Json(nx).At("convention").string, "networkx");
}

TEST(NetworkCliTest, DirectedStatsAndTheNetworkxRuleForUnreachablePairs) {
  // a -> b, b -> a, b -> c: strong components {a, b}, {c}; reachable pairs
  // a->b 1, a->c 2, b->a 1, b->c 1 (4 of 6): APL 5/4, diameter 2, 2
  // unreachable; average degree E/N = 1, density 3/6.
  const std::string csv = WriteFile("directed.csv", "source,target\na,b\nb,a\nb,c\n");
  Outcome o = RunCli(absl::StrCat("network stats --edges ", csv, " --directed --json"));
  ASSERT_EQ(o.code, 0) << o.err;
  JsonValue doc = Json(o);
  EXPECT_NEAR(doc.At("average_degree").number, 1, kEps);
  EXPECT_NEAR(doc.At("density").number, 0.5, kEps);
  EXPECT_EQ(doc.At("strong_components").number, 2);
  EXPECT_NEAR(doc.At("average_path_length").number, 1.25, kEps);
  EXPECT_EQ(doc.At("diameter").number, 2);
  EXPECT_EQ(doc.At("unreachable_pairs").number, 2);
  o = RunCli(
      absl::StrCat("network stats --edges ", csv, " --directed --convention networkx --json"));
  ASSERT_EQ(o.code, 0) << o.err;
  doc = Json(o);
  EXPECT_EQ(doc.At("average_path_length").kind, JsonValue::kNull);
  EXPECT_EQ(doc.At("diameter").kind, JsonValue::kNull);
  EXPECT_EQ(doc.At("unreachable_pairs").number, 2);
  EXPECT_THAT(o.err, HasSubstr("unreachable"));
  // Without --json: key=value lines.
  o = RunCli(absl::StrCat("network stats --edges ", csv, " --directed"));
  EXPECT_THAT(o.out, HasSubstr("nodes=3\n"));
  EXPECT_THAT(o.out, HasSubstr("convention=gephi\n"));
}

TEST(NetworkCliTest, CentralityRows) {
  // Path a-b-c: b lies on the one shortest path a..c; weighted strengths.
  const std::string csv = WriteFile("path.csv", "source,target,weight\na,b,2\nb,c,0.5\n");
  Outcome o = RunCli(absl::StrCat("network centrality --edges ", csv, " --measure betweenness"));
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "node,value\nb,1\na,0\nc,0\n");
  o = RunCli(absl::StrCat("network centrality --edges ", csv, " --measure strength --weighted"));
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "node,value\nb,2.5\na,2\nc,0.5\n");
  o = RunCli(absl::StrCat("network centrality --edges ", csv, " --measure degree --top 1"));
  EXPECT_EQ(o.out, "node,value\nb,2\n");
}

TEST(NetworkCliTest, BadUsageAndMissingFiles) {
  Outcome o = RunCli("network centrality --edges x.csv --measure pagerang");
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.err, HasSubstr("--measure: unknown measure 'pagerang'; use one of degree"));
  o = RunCli("network stats --edges /nonexistent/e.csv --json");
  EXPECT_EQ(o.code, 1);
  EXPECT_THAT(o.err, HasSubstr("/nonexistent/e.csv"));
  o = RunCli("network stats --edges x.csv --convention gephy");
  EXPECT_EQ(o.code, 2);
  o = RunCli("network bogus");
  EXPECT_EQ(o.code, 2);
}

// Zachary's karate club, converted to source,target CSV with the node ids
// of the GML file, against networkx's reference values.
class KarateCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    INNOSCOPE_REQUIRE_SHARED(shared);
    const std::string dir = shared + "/datasets/networks/";
    absl::StatusOr<graph::GraphFile> file = graph::ReadGraphFile(dir + "karate.gml");
    ASSERT_TRUE(file.ok()) << file.status();
    std::string csv = "source,target\n";
    for (const graph::Edge& e : file->graph.Edges()) {
      absl::StrAppend(&csv, file->graph.NodeKey(e.source), ",", file->graph.NodeKey(e.target),
                      "\n");
    }
    csv_ = WriteFile("karate.csv", csv);
    std::ifstream in(dir + "reference_stats_networkx_3.6.1.json");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::optional<JsonValue> doc = ParseJson(text);
    ASSERT_TRUE(doc.has_value());
    reference_ = doc->At("graphs").At("karate.gml");
  }

  std::string csv_;
  JsonValue reference_;
};

TEST_F(KarateCliTest, StatsMatchTheReference) {
  const Outcome o = RunCli(absl::StrCat("network stats --edges ", csv_, " --json"));
  ASSERT_EQ(o.code, 0) << o.err;
  const JsonValue doc = Json(o);
  EXPECT_EQ(doc.At("nodes").number, reference_.At("nodes").number);
  EXPECT_EQ(doc.At("edges").number, reference_.At("edges").number);
  EXPECT_NEAR(doc.At("average_degree").number, reference_.At("avg_degree_gephi").number, 1e-9);
  EXPECT_NEAR(doc.At("density").number, reference_.At("density").number, 1e-9);
  EXPECT_EQ(doc.At("weak_components").number, reference_.At("components").number);
  EXPECT_EQ(doc.At("diameter").number, reference_.At("gephi_diameter").number);
  EXPECT_NEAR(doc.At("average_path_length").number, reference_.At("gephi_avg_path_length").number,
              1e-9);
  EXPECT_EQ(doc.At("unreachable_pairs").number, 0);
  EXPECT_NEAR(doc.At("average_clustering").number,
              reference_.At("gephi_avg_clustering(deg>1 only)").number, 1e-9);
  EXPECT_NEAR(doc.At("transitivity").number, reference_.At("transitivity").number, 1e-9);
  // Louvain is randomised: our seed 0 lands within networkx's seeds 0-4.
  double lowest = 1, highest = 0;
  for (const JsonValue& run : reference_.At("louvain_unweighted_seeds0-4(Q,#comm)").array) {
    lowest = std::min(lowest, run.array[0].number);
    highest = std::max(highest, run.array[0].number);
  }
  EXPECT_GE(doc.At("modularity").number, lowest - 0.01);
  EXPECT_LE(doc.At("modularity").number, highest + 0.01);

  const Outcome nx =
      RunCli(absl::StrCat("network stats --edges ", csv_, " --convention networkx --json"));
  ASSERT_EQ(nx.code, 0) << nx.err;
  EXPECT_NEAR(Json(nx).At("average_clustering").number,
              reference_.At("nx_avg_clustering(count_zeros)").number, 1e-9);
  EXPECT_NEAR(Json(nx).At("average_path_length").number,
              reference_.At("gephi_avg_path_length").number, 1e-9);  // connected: equal
}

TEST_F(KarateCliTest, CentralitiesMatchTheReference) {
  // Raw betweenness top 5 (node ids of the GML file, printed to 3 decimals).
  Outcome o =
      RunCli(absl::StrCat("network centrality --edges ", csv_, " --measure betweenness --top 5"));
  ASSERT_EQ(o.code, 0) << o.err;
  std::vector<std::string> lines = absl::StrSplit(o.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 6u);
  const JsonValue& top = reference_.At("betweenness_raw_top5_1indexed");
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
    ASSERT_EQ(cells.size(), 2u);
    EXPECT_EQ(cells[0], top.object[i - 1].first);
    double value = 0;
    ASSERT_TRUE(absl::SimpleAtod(cells[1], &value));
    EXPECT_NEAR(value, top.object[i - 1].second.number, 5e-4) << cells[0];
  }
  // networkx closeness (Wasserman-Faust; connected: (n-1)/S) of nodes 1
  // and 34, to the reference's 3 decimals.
  o = RunCli(absl::StrCat("network centrality --edges ", csv_,
                          " --measure closeness --convention networkx"));
  ASSERT_EQ(o.code, 0) << o.err;
  std::map<std::string, double> closeness;
  for (absl::string_view line : absl::StrSplit(o.out, '\n', absl::SkipEmpty())) {
    std::vector<std::string> cells = absl::StrSplit(line, ',');
    double value = 0;
    if (cells.size() == 2 && absl::SimpleAtod(cells[1], &value)) closeness[cells[0]] = value;
  }
  EXPECT_EQ(closeness.size(), 34u);
  for (const auto& [node, value] : reference_.At("closeness_1indexed").object) {
    EXPECT_NEAR(closeness[node], value.number, 5e-4) << node;
  }
  // Degree: 34 has 17, 1 has 16.
  o = RunCli(absl::StrCat("network centrality --edges ", csv_, " --measure degree --top 2"));
  EXPECT_EQ(o.out, "node,value\n34,17\n1,16\n");
}

}  // namespace
}  // namespace innoscope::network

// libs/report on fixed inputs: scales, bar geometry, the circle table,
// strengths and weaknesses, the SYNTHETIC mark, refused inputs, and what it
// computes on a graph (top-N layout, degree histogram).

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/graph/graph.h"
#include "libs/report/charts.h"
#include "libs/report/network_builder.h"
#include "libs/report/page.h"
#include "pugixml.hpp"

namespace innoscope::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

UnitScores Unit(const std::string& code, double score, int rank, std::vector<double> dims,
                std::vector<int> ranks) {
  UnitScores u;
  u.code = code;
  u.name = code + " name";
  u.score = score;
  u.rank = rank;
  for (double d : dims) u.dimensions.push_back(d);
  u.dimension_ranks = std::move(ranks);
  return u;
}

// Two regions, one dimension, and the circle of both: its score is the sum
// of its members' (80 + 40 = 120, as the seed report sums a circle).
PeriodResult TwoRegions() {
  PeriodResult p;
  p.period = 2022;
  p.run = "run-1";
  p.dimensions = {{"d1", "Dimension one"}};
  p.regions = {Unit("AA", 80, 1, {30}, {1}), Unit("BB", 40, 2, {10}, {2})};
  p.clusters = {Unit("CIRCLE", 120, 1, {40}, {1})};
  p.clusters[0].members = {"AA", "BB"};
  return p;
}

TEST(LinearScaleTest, RoundTicksAndMapping) {
  LinearScale x(0, 100, 10, 210);
  EXPECT_DOUBLE_EQ(x(50), 110);
  // 100 / 6 = 16.7 -> a nice step of 20.
  EXPECT_THAT(x.Ticks(6), ElementsAre(0, 20, 40, 60, 80, 100));
  LogScale log(1, 1000, 0, 300);
  EXPECT_DOUBLE_EQ(log(10), 100);
  EXPECT_THAT(log.Ticks(), ElementsAre(1, 10, 100, 1000));
}

TEST(ChartsTest, BarLengthsAreProportionalToTheScores) {
  const Chart chart = CompositeBars(TwoRegions(), {"", "test", "2022", false});
  std::vector<double> widths;
  for (const pugi::xpath_node& rect : chart.svg->select_nodes("//g[@class='bars']/rect")) {
    widths.push_back(rect.node().attribute("width").as_double());
  }
  ASSERT_EQ(widths.size(), 2u);
  EXPECT_NEAR(widths[0] / widths[1], 80.0 / 40.0, 1e-3);
  EXPECT_EQ(chart.csv,
            "rank,region,name,score,tier\n1,AA,AA name,80.000000,\n2,BB,BB name,40.000000,\n");
  EXPECT_THAT(chart.SvgText(), HasSubstr("Source: test. Period: 2022."));
  EXPECT_THAT(chart.SvgText(), HasSubstr("composite score (points"));
  EXPECT_THAT(chart.SvgText(), Not(HasSubstr("SYNTHETIC")));
  const Chart marked = CompositeBars(TwoRegions(), {"", "test", "2022", true});
  EXPECT_THAT(marked.SvgText(), HasSubstr("SYNTHETIC"));
}

TEST(ChartsTest, StrengthsAndWeaknessesFollowTheRankGap) {
  // 31 units: threshold 31 / 6 = 5 places. Composite rank 10; dimension
  // ranks 3 (7 better), 9 (1 better), 16 (6 worse), 20 (10 worse).
  UnitScores u = Unit("X", 50, 10, {1, 2, 3, 4}, {3, 9, 16, 20});
  const Profile p = StrengthsAndWeaknesses(u, 31);
  EXPECT_THAT(p.strengths, ElementsAre(0));
  EXPECT_THAT(p.weaknesses, ElementsAre(3, 2));
  // Among 3 circles the threshold is 1 place.
  EXPECT_THAT(StrengthsAndWeaknesses(Unit("C", 1, 2, {1, 2}, {1, 3}), 3).strengths, ElementsAre(0));
}

TEST(PageTest, TheCircleTableShowsRankAndScoreInParentheses) {
  ReportData data;
  data.title = "Test";
  data.framework = "fw@1";
  data.provenance = {"unit test", true, "SYNTHETIC DATA: test"};
  data.periods = {TwoRegions()};
  absl::StatusOr<ReportFiles> files = BuildReport(data);
  ASSERT_TRUE(files.ok()) << files.status();
  pugi::xml_document page;
  ASSERT_TRUE(page.load_string(files->index_html.c_str() + 16));
  const pugi::xpath_node_set rows = page.select_nodes("//table[@data-table='clusters']/tbody/tr");
  ASSERT_EQ(rows.size(), 1u);
  std::vector<std::string> cells;
  for (pugi::xml_node td : rows[0].node().children()) cells.push_back(td.text().get());
  EXPECT_THAT(cells, ElementsAre("CIRCLE name", "AA BB", "1 (120.00)", "1 (40.00)"));
  EXPECT_THAT(files->index_html, HasSubstr("SYNTHETIC DATA: test"));
  EXPECT_THAT(files->index_html, Not(HasSubstr("<script")));
  for (const Chart& chart : files->charts) EXPECT_THAT(chart.SvgText(), HasSubstr("SYNTHETIC"));
}

TEST(PageTest, RefusesNothingToReportAndRowsThatDoNotMatchTheDimensions) {
  EXPECT_EQ(BuildReport(ReportData()).status().code(), absl::StatusCode::kInvalidArgument);
  ReportData data;
  data.periods = {TwoRegions()};
  data.periods[0].regions[1].dimension_ranks.clear();
  const absl::Status s = BuildReport(data).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("unit BB"));
}

graph::Graph Star(graph::NodeId leaves) {
  std::vector<graph::Edge> edges;
  for (graph::NodeId v = 1; v <= leaves; ++v) edges.push_back({0, v, 1});
  // One extra edge between leaves 1 and 2 so they outrank the others.
  edges.push_back({1, 2, 1});
  absl::StatusOr<graph::Graph> g = graph::Graph::FromEdges(leaves + 1, edges, {});
  EXPECT_TRUE(g.ok());
  return *std::move(g);
}

TEST(NetworkBuilderTest, DrawsTheTopNodesByDegreeAboveTheLimitAndSaysSo) {
  LayoutOptions options;
  options.max_nodes = 3;
  options.iterations = 50;
  absl::StatusOr<NetworkLayout> layout = LayoutNetwork(Star(29), options);
  ASSERT_TRUE(layout.ok()) << layout.status();
  ASSERT_EQ(layout->nodes.size(), 3u);
  // Hub 0 (degree 29), then 1 and 2 (degree 2); the triangle's 3 edges.
  EXPECT_EQ(layout->nodes[0].code, "0");
  EXPECT_EQ(layout->nodes[0].degree, 29);
  EXPECT_EQ(layout->edges.size(), 3u);
  EXPECT_EQ(layout->note, "the 3 nodes of highest degree of 30, and the edges among them");
}

TEST(NetworkBuilderTest, DegreeHistogramAndTopNodes) {
  // Star of 5 leaves + edge 1-2: degrees 0:5, 1:2, 2:2, 3..5:1.
  const graph::Graph g = Star(5);
  const DegreeDistribution d = DegreesOf(g);
  EXPECT_THAT(d.histogram, ElementsAre(0, 3, 2, 0, 0, 1));
  EXPECT_FALSE(d.has_fit);  // 6 values: no tail of 10
  const std::vector<TopNode> top = TopByDegree(g, 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].code, "0");
  EXPECT_EQ(top[1].code, "1");
  EXPECT_EQ(top[1].degree, 2);
}

}  // namespace
}  // namespace innoscope::report

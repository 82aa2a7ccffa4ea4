#include "services/scoring/run_results.h"

#include <cmath>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/weights.h"
#include "tests/unit/libs/scoring/test_framework.h"

namespace innoscope::scoring {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Matrix;
using testing::SmallFramework;

constexpr double kNaN = index::kMissing;

// Rows by "region/node", clusters as "cluster:<code>/node".
std::map<std::string, RunResultRow> ByKey(const std::vector<RunResultRow>& rows) {
  std::map<std::string, RunResultRow> out;
  for (const RunResultRow& row : rows) {
    out[(row.cluster ? "cluster:" : "") + row.region + "/" + row.node] = row;
  }
  return out;
}

// Regions P, Q, R in group g1 and S in none; S has one value of three, is not
// imputed (no group) and is screened out (region threshold 0.5); Q's c is
// missing and filled with its group's mean, (6 + 2) / 2.
// Min-max 0-100 with b reversed:
//   a: P 1, Q 2, R 3      -> 0, 50, 100
//   b: P 10, Q 30, R 20   -> 100, 0, 50 (less is better)
//   c: P 6, Q (4), R 2    -> 100, 50, 0
// dx = (a + b) / 2 = 50, 25, 75; dy = c; index = 3/4 dx + 1/4 dy = 62.5, 31.25, 56.25.
struct Fixture {
  index::Framework framework = SmallFramework();
  index::DataMatrix data = Matrix({"P", "Q", "R", "S"}, {"a", "b", "c"},
                                  {{1, 10, 6}, {2, 30, kNaN}, {3, 20, 2}, {kNaN, kNaN, 9}});
  PipelineSpec spec;
  PipelineResult result;

  Fixture() {
    spec.impute = index::ImputeMethod::kGroupMean;
    spec.screen_region_threshold = 0.5;
    spec.weights = index::FixedWeights(framework).value();
    result =
        RunPipeline(PipelineInputs{framework, data, nullptr, {"g1", "g1", "g1", ""}}, spec).value();
  }
};

TEST(BuildRunResultsTest, RowsCarryScoresRanksLeafValuesAndTiers) {
  Fixture fx;
  v1::Tiers tiers;
  tiers.mutable_median_split();
  ASSERT_OK_AND_ASSIGN(RunResults out,
                       BuildRunResults(fx.framework, fx.spec, fx.result, tiers, ClusterInputs()));
  ASSERT_EQ(out.rows.size(), 3u * 6u);  // S screened out
  auto rows = ByKey(out.rows);
  EXPECT_NEAR(rows["P/index"].score, 62.5, 1e-12);
  EXPECT_NEAR(rows["Q/index"].score, 31.25, 1e-12);
  EXPECT_NEAR(rows["R/index"].score, 56.25, 1e-12);
  EXPECT_EQ(rows["P/index"].rank, 1);
  EXPECT_EQ(rows["R/index"].rank, 2);
  EXPECT_EQ(rows["Q/index"].rank, 3);
  // Median 56.25: P and R at or above it.
  EXPECT_EQ(rows["P/index"].tier, 1);
  EXPECT_EQ(rows["R/index"].tier, 1);
  EXPECT_EQ(rows["Q/index"].tier, 2);
  EXPECT_EQ(rows["Q/dx"].tier, 0);  // only the composite is tiered
  // Leaves: raw before imputation, the imputed flag, normalised values.
  EXPECT_TRUE(std::isnan(rows["Q/c"].raw));
  EXPECT_TRUE(rows["Q/c"].imputed);
  EXPECT_NEAR(rows["Q/c"].normalised, 50, 1e-12);
  EXPECT_EQ(rows["R/b"].raw, 20);
  EXPECT_FALSE(rows["R/b"].imputed);
  EXPECT_NEAR(rows["R/b"].normalised, 50, 1e-12);
  EXPECT_TRUE(std::isnan(rows["P/dx"].raw));
  EXPECT_EQ(rows["P/dx"].node_position, 1);

  const v1::RunSummary& s = out.summary;
  EXPECT_EQ(s.regions(), 3);
  EXPECT_THAT(s.dropped_regions(), ElementsAre("S"));
  EXPECT_EQ(s.imputed_cells(), 1);
  ASSERT_EQ(s.nodes_size(), 6);
  EXPECT_EQ(s.nodes(1).code(), "dx");
  EXPECT_EQ(s.nodes(1).parent_code(), "index");
  EXPECT_DOUBLE_EQ(s.nodes(1).local_weight(), 0.75);
  EXPECT_DOUBLE_EQ(s.nodes(1).weight(), 0.75);  // FixedWeights: 3 / (3 + 1)
  EXPECT_DOUBLE_EQ(s.nodes(3).global_weight(), 0.375);
  ASSERT_EQ(s.top_size(), 3);
  EXPECT_EQ(s.top(0).region_code(), "P");
  EXPECT_EQ(s.top(0).tier(), 1);
  EXPECT_EQ(s.top(2).region_code(), "Q");
}

TEST(BuildRunResultsTest, ClustersAggregateScoresAndRankLeavesByRawValues) {
  Fixture fx;
  ClusterInputs clusters;
  v1::ClusterDefinition& pq = clusters.definitions.emplace_back();
  pq.set_code("PQ");
  pq.add_member_codes("P");
  pq.add_member_codes("Q");
  v1::ClusterDefinition& r = clusters.definitions.emplace_back();
  r.set_code("RR");
  r.add_member_codes("R");
  ASSERT_OK_AND_ASSIGN(RunResults out,
                       BuildRunResults(fx.framework, fx.spec, fx.result, v1::Tiers(), clusters));
  auto rows = ByKey(out.rows);
  EXPECT_EQ(out.summary.clusters(), 2);
  // Sums: PQ index 62.5 + 31.25 = 93.75 > RR 56.25.
  EXPECT_NEAR(rows["cluster:PQ/index"].score, 93.75, 1e-12);
  EXPECT_EQ(rows["cluster:PQ/index"].rank, 1);
  EXPECT_EQ(rows["cluster:RR/index"].rank, 2);
  // b (less is better): raw sums PQ 40, RR 20 -> RR first, although PQ's
  // summed normalised b (100 + 0) beats RR's 50.
  EXPECT_EQ(rows["cluster:PQ/b"].raw, 40);
  EXPECT_NEAR(rows["cluster:PQ/b"].normalised, 100, 1e-12);
  EXPECT_EQ(rows["cluster:RR/b"].rank, 1);
  EXPECT_EQ(rows["cluster:PQ/b"].rank, 2);
  // c: Q's raw value is missing, so PQ's raw sum is missing and unranked.
  EXPECT_TRUE(std::isnan(rows["cluster:PQ/c"].raw));
  EXPECT_EQ(rows["cluster:PQ/c"].rank, kUnranked);
}

TEST(BuildRunResultsTest, TiersApplyToClustersAmongThemselves) {
  // Clusters PQ = {P, Q} and RR = {R}, summed:
  //   index: PQ 62.5 + 31.25 = 93.75, RR 56.25 -> ranks 1, 2;
  //   dx:    PQ 50 + 25 = 75,         RR 75    -> tied, both rank 1.
  // Natural breaks, 3 classes: the three regions (62.5, 56.25, 31.25) get
  // one class each; the two clusters have two distinct composites, so their
  // rule takes two classes: PQ tier 1, RR tier 2.
  Fixture fx;
  ClusterInputs clusters;
  v1::ClusterDefinition& pq = clusters.definitions.emplace_back();
  pq.set_code("PQ");
  pq.add_member_codes("P");
  pq.add_member_codes("Q");
  v1::ClusterDefinition& rr = clusters.definitions.emplace_back();
  rr.set_code("RR");
  rr.add_member_codes("R");
  v1::Tiers jenks;
  jenks.set_natural_breaks(3);
  ASSERT_OK_AND_ASSIGN(RunResults out,
                       BuildRunResults(fx.framework, fx.spec, fx.result, jenks, clusters));
  auto rows = ByKey(out.rows);
  EXPECT_EQ(rows["P/index"].tier, 1);
  EXPECT_EQ(rows["R/index"].tier, 2);
  EXPECT_EQ(rows["Q/index"].tier, 3);
  EXPECT_EQ(rows["cluster:PQ/index"].tier, 1);
  EXPECT_EQ(rows["cluster:RR/index"].tier, 2);
  EXPECT_EQ(rows["cluster:PQ/dx"].tier, 0);  // only the composite is tiered

  // Rank bands {1} at the composite and at dx: clusters by their own ranks,
  // tied clusters in one band.
  v1::Tiers bands;
  bands.mutable_rank_bands()->add_last_ranks(1);
  bands.add_node_codes("index");
  bands.add_node_codes("dx");
  ASSERT_OK_AND_ASSIGN(out, BuildRunResults(fx.framework, fx.spec, fx.result, bands, clusters));
  rows = ByKey(out.rows);
  EXPECT_NEAR(rows["cluster:PQ/dx"].score, 75, 1e-12);
  EXPECT_NEAR(rows["cluster:RR/dx"].score, 75, 1e-12);
  EXPECT_EQ(rows["cluster:PQ/dx"].rank, 1);
  EXPECT_EQ(rows["cluster:RR/dx"].rank, 1);
  EXPECT_EQ(rows["cluster:PQ/dx"].tier, 1);
  EXPECT_EQ(rows["cluster:RR/dx"].tier, 1);
  EXPECT_EQ(rows["cluster:PQ/index"].tier, 1);
  EXPECT_EQ(rows["cluster:RR/index"].tier, 2);
  // Regions: dx 75 (R), 50 (P), 25 (Q): only R in the first band.
  EXPECT_EQ(rows["R/dx"].tier, 1);
  EXPECT_EQ(rows["P/dx"].tier, 2);
  EXPECT_EQ(rows["Q/dx"].tier, 2);

  // Thresholds at 80: PQ (93.75) above, RR (56.25) below.
  v1::Tiers threshold;
  threshold.mutable_thresholds()->add_cutoffs(80);
  ASSERT_OK_AND_ASSIGN(out, BuildRunResults(fx.framework, fx.spec, fx.result, threshold, clusters));
  rows = ByKey(out.rows);
  EXPECT_EQ(rows["cluster:PQ/index"].tier, 1);
  EXPECT_EQ(rows["cluster:RR/index"].tier, 2);
  EXPECT_EQ(rows["P/index"].tier, 2);  // 62.5 < 80
}

TEST(BuildRunResultsTest, ClusterErrorsNameTheMember) {
  Fixture fx;
  ClusterInputs clusters;
  v1::ClusterDefinition& def = clusters.definitions.emplace_back();
  def.set_code("PS");
  def.add_member_codes("P");
  def.add_member_codes("S");
  EXPECT_THAT(BuildRunResults(fx.framework, fx.spec, fx.result, v1::Tiers(), clusters),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("member S of cluster PS is not scored")));
  def.set_member_codes(1, "Q");
  clusters.aggregate = ClusterAggregate::kWeightedMean;
  const index::DataMatrix population = Matrix({"P", "Q"}, {"pop"}, {{10}, {kNaN}});
  clusters.member_weights = &population;
  EXPECT_THAT(BuildRunResults(fx.framework, fx.spec, fx.result, v1::Tiers(), clusters),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("weight_indicator: no value for cluster member Q")));
  const index::DataMatrix complete = Matrix({"P", "Q"}, {"pop"}, {{3}, {1}});
  clusters.member_weights = &complete;
  ASSERT_OK_AND_ASSIGN(RunResults out,
                       BuildRunResults(fx.framework, fx.spec, fx.result, v1::Tiers(), clusters));
  // (3 x 62.5 + 1 x 31.25) / 4.
  EXPECT_NEAR(ByKey(out.rows)["cluster:PS/index"].score, 54.6875, 1e-12);
}

TEST(ComputeGroupStatisticsTest, MatchesHandCalculations) {
  // a = 1, 2, 3 and b = 2, 4, 6 under dx: r = 1; Cronbach's alpha =
  // 2 (1 - (1 + 4) / 9) = 8/9 (item variances 1 and 4, total 3, 6, 9: 9).
  ASSERT_OK_AND_ASSIGN(AggregationTree tree, AggregationTree::Create({{"index", {1, 2}, 1.0},
                                                                      {"dx", {3, 4}, 3.0},
                                                                      {"dy", {5}, 1.0},
                                                                      {"a", {}, 1.0},
                                                                      {"b", {}, 1.0},
                                                                      {"c", {}, 1.0}}));
  const index::DataMatrix scores =
      Matrix({"P", "Q", "R"}, {"index", "dx", "dy", "a", "b", "c"},
             {{1, 1.5, 5, 1, 2, 5}, {3, 3, 1, 2, 4, 1}, {2, 4.5, 3, 3, 6, 3}});
  ASSERT_OK_AND_ASSIGN(v1::RunStatistics stats, ComputeGroupStatistics(tree, scores));
  ASSERT_EQ(stats.groups_size(), 3);
  const v1::GroupStatistics& dx = stats.groups(1);
  EXPECT_EQ(dx.node_code(), "dx");
  EXPECT_NEAR(dx.cronbach_alpha(), 8.0 / 9, 1e-12);
  ASSERT_EQ(dx.between_children_size(), 1);
  EXPECT_EQ(dx.between_children(0).first(), "a");
  EXPECT_EQ(dx.between_children(0).second(), "b");
  EXPECT_NEAR(dx.between_children(0).pearson(), 1, 1e-12);
  EXPECT_NEAR(dx.between_children(0).spearman(), 1, 1e-12);
  ASSERT_EQ(dx.with_node_size(), 2);
  EXPECT_NEAR(dx.with_node(0).pearson(), 1, 1e-12);  // dx = 1.5 a
  const v1::GroupStatistics& dy = stats.groups(2);
  EXPECT_FALSE(dy.has_cronbach_alpha());  // one child
  EXPECT_EQ(dy.between_children_size(), 0);
}

TEST(TreeFromNodesTest, RebuildsTheRunsTree) {
  Fixture fx;
  ASSERT_OK_AND_ASSIGN(RunResults out, BuildRunResults(fx.framework, fx.spec, fx.result,
                                                       v1::Tiers(), ClusterInputs()));
  ASSERT_OK_AND_ASSIGN(AggregationTree tree, TreeFromNodes(out.summary.nodes()));
  ASSERT_EQ(tree.size(), 6u);
  EXPECT_EQ(tree.Code(tree.Root()), "index");
  EXPECT_THAT(tree.Children(1), ElementsAre(3, 4));
  EXPECT_DOUBLE_EQ(tree.GlobalWeight(3), 0.375);
  EXPECT_EQ(tree.MaxLevel(), 3);
  auto nodes = out.summary.nodes();
  nodes[3].set_parent_code("ghost");
  EXPECT_THAT(TreeFromNodes(nodes), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("\"a\"")));
}

TEST(ToResultRowTest, LeavesAbsentValuesUnset) {
  RunResultRow row;
  row.region = "P";
  row.node = "dx";
  row.score = 3;
  v1::ResultRow out = ToResultRow(row);
  EXPECT_EQ(out.score(), 3);
  EXPECT_FALSE(out.has_rank());
  EXPECT_FALSE(out.has_raw());
  EXPECT_FALSE(out.has_normalised());
  EXPECT_FALSE(out.has_tier());
}

}  // namespace
}  // namespace innoscope::scoring

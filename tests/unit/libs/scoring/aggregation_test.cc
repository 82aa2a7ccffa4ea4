#include "libs/scoring/aggregation.h"

#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"
#include "libs/scoring/ranking.h"
#include "libs/scoring/vector_math.h"

namespace innoscope::scoring {
namespace {

using index::DataMatrix;
using index::kMissing;
using ::innoscope::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kEps = 1e-9;

// CI = 0.6 D1 + 0.4 D2; D1 = mean(x1, x2) (level 2); D2 = x3 (level 2).
AggregationTree SmallTree() {
  return *AggregationTree::Create({{"CI", {1, 2}, 1.0},
                                   {"D1", {3, 4}, 0.6},
                                   {"D2", {5}, 0.4},
                                   {"x1", {}, 1.0},
                                   {"x2", {}, 1.0},
                                   {"x3", {}, 1.0}});
}

// Rows are regions; columns x1, x2, x3.
DataMatrix Leaves(const std::vector<std::string>& regions,
                  const std::vector<std::vector<double>>& rows) {
  DataMatrix m(regions, {"x1", "x2", "x3"});
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < 3; ++c) m.Set(r, c, rows[r][c]);
  }
  return m;
}

TEST(WeightedPowerMeanTest, MatchesHandCalculations) {
  // 4^(1/4) * 16^(3/4) = sqrt(2) * 8 = 11.3137085.
  EXPECT_NEAR(WeightedPowerMean({4, 16}, {1, 3}, 0.0), 8 * std::sqrt(2.0), kEps);
  // 1 / (0.5 / 2 + 0.5 / 4) = 8 / 3.
  EXPECT_NEAR(WeightedPowerMean({2, 4}, {1, 1}, -1.0), 8.0 / 3.0, kEps);
  // sqrt((9 + 16) / 2) = sqrt(12.5).
  EXPECT_NEAR(WeightedPowerMean({3, 4}, {1, 1}, 2.0), std::sqrt(12.5), kEps);
  EXPECT_NEAR(WeightedPowerMean({-3, 5}, {1, 3}, 1.0), 3.0, kEps);
  // Outside the domain: NaN.
  EXPECT_TRUE(std::isnan(WeightedPowerMean({0, 4}, {1, 1}, 0.0)));
  EXPECT_TRUE(std::isnan(WeightedPowerMean({-1, 4}, {1, 1}, 0.5)));
  EXPECT_NEAR(WeightedPowerMean({0, 4}, {1, 1}, 0.5), 1.0, kEps);  // (0+2)/2)^2
  EXPECT_TRUE(std::isnan(WeightedPowerMean({1, 2}, {0, 0}, 1.0)));
}

TEST(AggregateTest, ArithmeticByHand) {
  // A: D1 = (20 + 80) / 2 = 50, D2 = 50, CI = 0.6*50 + 0.4*50 = 50.
  // B: D1 = (10 + 90) / 2 = 50, D2 = 100, CI = 30 + 40 = 70.
  const AggregationTree tree = SmallTree();
  ASSERT_OK_AND_ASSIGN(DataMatrix s,
                       Aggregate(tree, Leaves({"A", "B"}, {{20, 80, 50}, {10, 90, 100}})));
  EXPECT_THAT(s.indicators(), ElementsAre("CI", "D1", "D2", "x1", "x2", "x3"));
  EXPECT_THAT(s.regions(), ElementsAre("A", "B"));
  EXPECT_NEAR(s.Get(0, 1), 50, kEps);
  EXPECT_NEAR(s.Get(0, 0), 50, kEps);
  EXPECT_NEAR(s.Get(1, 2), 100, kEps);
  EXPECT_NEAR(s.Get(1, 0), 70, kEps);
  EXPECT_EQ(s.Get(1, 3), 10);  // leaves are copied through
}

TEST(AggregateTest, MeansChosenPerLevel) {
  const AggregationTree tree = SmallTree();
  const DataMatrix leaves = Leaves({"A", "B"}, {{20, 80, 50}, {10, 90, 100}});
  AggregationOptions options;
  // Geometric into level 2: A sqrt(20*80) = 40, B sqrt(10*90) = 30; the
  // root stays arithmetic: A 0.6*40 + 0.4*50 = 44, B 18 + 40 = 58.
  options.by_level[2] = {AggregationMethod::kGeometric};
  ASSERT_OK_AND_ASSIGN(DataMatrix geo, Aggregate(tree, leaves, options));
  EXPECT_NEAR(geo.Get(0, 1), 40, kEps);
  EXPECT_NEAR(geo.Get(1, 1), 30, kEps);
  EXPECT_NEAR(geo.Get(0, 0), 44, kEps);
  EXPECT_NEAR(geo.Get(1, 0), 58, kEps);
  // Harmonic: A 2 / (1/20 + 1/80) = 32, B 2 / (1/10 + 1/90) = 18.
  options.by_level[2] = {AggregationMethod::kHarmonic};
  ASSERT_OK_AND_ASSIGN(DataMatrix harm, Aggregate(tree, leaves, options));
  EXPECT_NEAR(harm.Get(0, 1), 32, kEps);
  EXPECT_NEAR(harm.Get(1, 1), 18, kEps);
  // Generalised p = 2: A sqrt((400 + 6400) / 2) = sqrt(3400).
  options.by_level[2] = {AggregationMethod::kGeneralised, 2.0};
  ASSERT_OK_AND_ASSIGN(DataMatrix quad, Aggregate(tree, leaves, options));
  EXPECT_NEAR(quad.Get(0, 1), std::sqrt(3400.0), kEps);
  // Generalised p = 0 is the geometric mean.
  options.by_level[2] = {AggregationMethod::kGeneralised, 0.0};
  ASSERT_OK_AND_ASSIGN(DataMatrix p0, Aggregate(tree, leaves, options));
  EXPECT_NEAR(p0.Get(0, 1), 40, kEps);
}

// A geometric mean of geometric means takes each child's log-mean L (the
// sum of w_j Log(x_j + s) the child's Exp was taken of) as the child's
// logarithm, not Log(Exp(L) - s + s) (aggregation.h). Hand values: D1 =
// sqrt(20 x 80) = 40, D2 = 50, CI = 40^0.6 50^0.4 = 43.73...; shifted by
// s = 1: D1 = sqrt(21 x 81) - 1, CI = (21 x 81)^0.3 51^0.4 - 1.
TEST(AggregateTest, GeometricOfGeometricTakesTheChildsLogMean) {
  const DataMatrix leaves = Leaves({"A"}, {{20, 80, 50}});
  AggregationOptions options;
  options.spec = {AggregationMethod::kGeometric};
  std::vector<std::vector<double>> log_means;
  ASSERT_OK_AND_ASSIGN(DataMatrix s, Aggregate(SmallTree(), leaves, options, &log_means));
  EXPECT_NEAR(s.Get(0, 1), 40, kEps);
  EXPECT_NEAR(s.Get(0, 0), std::pow(40.0, 0.6) * std::pow(50.0, 0.4), kEps);
  // The same operations in the same order, bit for bit.
  const double l1 = 0.5 * Log(20.0) + 0.5 * Log(80.0);
  const double l2 = Log(50.0);
  const double sum = 0.6 + 0.4;
  const double l0 = 0.6 / sum * l1 + 0.4 / sum * l2;
  ASSERT_EQ(log_means.size(), 6u);
  ASSERT_EQ(log_means[1].size(), 1u);
  EXPECT_EQ(log_means[1][0], l1);
  EXPECT_EQ(log_means[2][0], l2);
  EXPECT_EQ(log_means[0][0], l0);
  EXPECT_TRUE(log_means[3].empty());  // leaves have none
  EXPECT_EQ(s.Get(0, 1), Exp(l1));
  EXPECT_EQ(s.Get(0, 0), Exp(l0));
  // Without the output argument: the same scores.
  ASSERT_OK_AND_ASSIGN(DataMatrix plain, Aggregate(SmallTree(), leaves, options));
  EXPECT_EQ(plain.Get(0, 0), s.Get(0, 0));

  options.non_positive = NonPositivePolicy::kShift;
  options.shift = 1.0;
  ASSERT_OK_AND_ASSIGN(DataMatrix shifted, Aggregate(SmallTree(), leaves, options, &log_means));
  EXPECT_NEAR(shifted.Get(0, 0), std::pow(21.0 * 81.0, 0.3) * std::pow(51.0, 0.4) - 1, kEps);
  const double s1 = 0.5 * Log(21.0) + 0.5 * Log(81.0);
  EXPECT_EQ(log_means[1][0], s1);
  EXPECT_EQ(shifted.Get(0, 1), Exp(s1) - 1);
  EXPECT_EQ(shifted.Get(0, 0), Exp(0.6 / sum * s1 + 0.4 / sum * Log(51.0)) - 1);

  // An arithmetic root: no log-mean of its own; the children keep theirs.
  options.by_level[3] = {AggregationMethod::kArithmetic};
  ASSERT_OK_AND_ASSIGN(DataMatrix mixed, Aggregate(SmallTree(), leaves, options, &log_means));
  EXPECT_TRUE(log_means[0].empty());
  EXPECT_EQ(log_means[1][0], s1);
  EXPECT_EQ(mixed.Get(0, 0), 0.6 / sum * (Exp(s1) - 1) + 0.4 / sum * 50);
}

TEST(AggregateTest, NonPositivePolicyFailNamesRegionNodeAndChild) {
  AggregationOptions options;
  options.spec = {AggregationMethod::kGeometric};
  EXPECT_THAT(Aggregate(SmallTree(), Leaves({"A", "CN-XZ"}, {{20, 80, 50}, {0, 80, 50}}), options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("node 'D1'"), HasSubstr("region 'CN-XZ'"),
                             HasSubstr("child 'x1'"), HasSubstr("kShift"))));
}

TEST(AggregateTest, NonPositivePolicyShiftAndSkip) {
  const DataMatrix leaves = Leaves({"A", "C"}, {{20, 80, 50}, {0, 80, 50}});
  AggregationOptions options;
  options.by_level[2] = {AggregationMethod::kGeometric};
  options.non_positive = NonPositivePolicy::kShift;
  options.shift = 1.0;
  // Shifted geometric mean, s = 1: C sqrt((0+1)(80+1)) - 1 = 9 - 1 = 8;
  // A sqrt(21 * 81) - 1 = 40.2431813 (every region is shifted alike).
  ASSERT_OK_AND_ASSIGN(DataMatrix shifted, Aggregate(SmallTree(), leaves, options));
  EXPECT_NEAR(shifted.Get(1, 1), 8, kEps);
  EXPECT_NEAR(shifted.Get(0, 1), std::sqrt(21.0 * 81.0) - 1, kEps);
  // Skip: x1 of C is dropped and the weights renormalised: D1 = x2 = 80.
  options.non_positive = NonPositivePolicy::kSkip;
  ASSERT_OK_AND_ASSIGN(DataMatrix skipped, Aggregate(SmallTree(), leaves, options));
  EXPECT_NEAR(skipped.Get(1, 1), 80, kEps);
  EXPECT_NEAR(skipped.Get(0, 1), 40, kEps);
  // Skip under kPropagate: the skipped child makes the node missing.
  options.missing = MissingPolicy::kPropagate;
  ASSERT_OK_AND_ASSIGN(DataMatrix propagated, Aggregate(SmallTree(), leaves, options));
  EXPECT_TRUE(std::isnan(propagated.Get(1, 1)));
  EXPECT_TRUE(std::isnan(propagated.Get(1, 0)));
}

TEST(AggregateTest, MissingPolicies) {
  // D: x1 missing. Renormalised: D1 = x2 = 80, CI = 0.6*80 + 0.4*50 = 68.
  const DataMatrix leaves =
      Leaves({"D", "E"}, {{kMissing, 80, 50}, {kMissing, kMissing, kMissing}});
  ASSERT_OK_AND_ASSIGN(DataMatrix renorm, Aggregate(SmallTree(), leaves));
  EXPECT_NEAR(renorm.Get(0, 1), 80, kEps);
  EXPECT_NEAR(renorm.Get(0, 0), 68, kEps);
  EXPECT_TRUE(std::isnan(renorm.Get(1, 0)));  // nothing present at all
  AggregationOptions options;
  options.missing = MissingPolicy::kPropagate;
  ASSERT_OK_AND_ASSIGN(DataMatrix prop, Aggregate(SmallTree(), leaves, options));
  EXPECT_TRUE(std::isnan(prop.Get(0, 1)));
  EXPECT_TRUE(std::isnan(prop.Get(0, 0)));
  EXPECT_NEAR(prop.Get(0, 2), 50, kEps);
}

// One node over two children, equal weights, for TOPSIS by hand.
AggregationTree TwoChildTree() {
  return *AggregationTree::Create({{"T", {1, 2}}, {"c1", {}}, {"c2", {}}});
}

DataMatrix TwoColumns(const std::vector<std::vector<double>>& rows) {
  std::vector<std::string> regions;
  for (size_t r = 0; r < rows.size(); ++r) regions.push_back("R" + std::to_string(r));
  DataMatrix m(regions, {"c1", "c2"});
  for (size_t r = 0; r < rows.size(); ++r) {
    m.Set(r, 0, rows[r][0]);
    m.Set(r, 1, rows[r][1]);
  }
  return m;
}

TEST(AggregateTest, TopsisOnGivenNormalisedValues) {
  AggregationOptions options;
  options.spec = {AggregationMethod::kTopsis};
  options.topsis_normalisation = TopsisNormalisation::kNone;
  // Rows (1,0), (0,1), (1,1), (0.5,0); w = 0.5; A+ = (1,1), A- = (0,0).
  // (1,0): D+ = 0.5, D- = 0.5 -> 0.5.  (1,1): D+ = 0 -> 1.
  // (0.5,0): D+ = sqrt(0.25^2 + 0.5^2) = 0.5590170, D- = 0.25
  //          -> 0.25 / 0.8090170 = 0.3090170 ((sqrt 5 - 1) / 4).
  ASSERT_OK_AND_ASSIGN(
      DataMatrix s,
      Aggregate(TwoChildTree(), TwoColumns({{1, 0}, {0, 1}, {1, 1}, {0.5, 0}}), options));
  EXPECT_NEAR(s.Get(0, 0), 50, kEps);
  EXPECT_NEAR(s.Get(1, 0), 50, kEps);
  EXPECT_NEAR(s.Get(2, 0), 100, kEps);
  EXPECT_NEAR(s.Get(3, 0), 100 * (std::sqrt(5.0) - 1) / 4, kEps);
}

TEST(AggregateTest, TopsisVectorNormalisation) {
  AggregationOptions options;
  options.spec = {AggregationMethod::kTopsis};
  options.topsis_scale = 1.0;
  // Raw rows U (3,0), V (4,10), W (0,10). Column norms 5 and sqrt(200):
  // r = (0.6, 0), (0.8, 0.7071068), (0, 0.7071068); A+ = (0.8, 0.7071068),
  // A- = (0, 0); w = 0.5.
  // U: D+ = sqrt(0.1^2 + 0.3535534^2) = 0.3674235, D- = 0.3 -> 0.4494897.
  // W: D+ = 0.4, D- = 0.3535534 -> 0.4691816.   V: D+ = 0 -> 1.
  const DataMatrix raw = TwoColumns({{3, 0}, {4, 10}, {0, 10}});
  ASSERT_OK_AND_ASSIGN(DataMatrix s, Aggregate(TwoChildTree(), raw, options));
  EXPECT_NEAR(s.Get(0, 0), 0.4494897, 1e-7);
  EXPECT_NEAR(s.Get(1, 0), 1.0, kEps);
  EXPECT_NEAR(s.Get(2, 0), 0.4691816, 1e-7);
  // Same data without vector normalisation: A+ = (4, 10), A- = (0, 0).
  // U: D+ = sqrt(0.5^2 + 5^2) = 5.0249378, D- = 1.5 -> 0.2298872.
  // W: D+ = 2, D- = 5 -> 5/7.
  options.topsis_normalisation = TopsisNormalisation::kNone;
  ASSERT_OK_AND_ASSIGN(DataMatrix n, Aggregate(TwoChildTree(), raw, options));
  EXPECT_NEAR(n.Get(0, 0), 0.2298872, 1e-7);
  EXPECT_NEAR(n.Get(2, 0), 5.0 / 7.0, kEps);
  // All regions equal: no ideal to be closer to, every score is the midpoint.
  ASSERT_OK_AND_ASSIGN(DataMatrix flat,
                       Aggregate(TwoChildTree(), TwoColumns({{2, 2}, {2, 2}}), options));
  EXPECT_NEAR(flat.Get(0, 0), 0.5, kEps);
}

// The 2023 AI competitiveness index publishes dimension scores already
// multiplied by the dimension weights, so that the composite is their sum:
// Beijing 31.90 + 20.09 + 18.65 + 7.72 + 2.59 + 0.62 = 81.57 and Guangdong
// 39.58 + 10.76 + 8.70 + 6.75 + 4.61 + 3.16 = 73.56 (published/
// ai_index_scores_2023.csv). The data below are built for the test: each
// dimension has two leaves whose mean is the published dimension score
// divided by the dimension weight.
TEST(AggregateTest, GlobalWeightedScaleReproducesPublishedAiIndexIdentity) {
  const std::vector<double> weights = {0.4368, 0.2127, 0.1865, 0.0776, 0.0512, 0.0352};
  const std::vector<std::vector<double>> published = {
      {31.90, 20.09, 18.65, 7.72, 2.59, 0.62},  // Beijing
      {39.58, 10.76, 8.70, 6.75, 4.61, 3.16}};  // Guangdong
  std::vector<AggregationNode> nodes = {{"CI", {}, 1.0}};
  std::vector<std::string> leaf_codes;
  for (int d = 0; d < 6; ++d) {
    const int dim = static_cast<int>(nodes.size());
    nodes[0].children.push_back(dim);
    nodes.push_back({"D" + std::to_string(d), {dim + 1, dim + 2}, weights[d]});
    for (int k = 0; k < 2; ++k) {
      leaf_codes.push_back("D" + std::to_string(d) + "_" + std::to_string(k));
      nodes.push_back({leaf_codes.back(), {}, 1.0});
    }
  }
  ASSERT_OK_AND_ASSIGN(AggregationTree tree, AggregationTree::Create(nodes));
  DataMatrix leaves({"Beijing", "Guangdong", "Top"}, leaf_codes);
  for (size_t r = 0; r < 2; ++r) {
    for (int d = 0; d < 6; ++d) {
      const double mean = published[r][d] / weights[d];
      leaves.Set(r, 2 * d, mean + 3.0);  // leaves differ; their mean is exact
      leaves.Set(r, 2 * d + 1, mean - 3.0);
    }
  }
  for (size_t c = 0; c < leaf_codes.size(); ++c) leaves.Set(2, c, 100.0);

  AggregationOptions options;
  options.scale = ScoreScale::kGlobalWeighted;
  ASSERT_OK_AND_ASSIGN(DataMatrix s, Aggregate(tree, leaves, options));
  for (size_t r = 0; r < 2; ++r) {
    for (int d = 0; d < 6; ++d) {
      const int dim = tree.Find("D" + std::to_string(d));
      EXPECT_NEAR(s.Get(r, dim), published[r][d], 1e-9);
      // A dimension is the sum of its leaves' contributions, too.
      EXPECT_NEAR(s.Get(r, dim + 1) + s.Get(r, dim + 2), s.Get(r, dim), 1e-9);
    }
  }
  EXPECT_NEAR(s.Get(0, tree.Root()), 81.57, 1e-9);
  EXPECT_NEAR(s.Get(1, tree.Root()), 73.56, 1e-9);
  // A dimension's maximum is 100 x its weight; the composite's is 100.
  EXPECT_NEAR(s.Get(2, tree.Find("D0")), 43.68, 1e-9);
  EXPECT_NEAR(s.Get(2, tree.Root()), 100.0, 1e-9);
  // Published enterprise-capability ranks: Guangdong 1, Beijing 2.
  std::vector<double> enterprise = {s.Get(0, 1), s.Get(1, 1)};
  ASSERT_OK_AND_ASSIGN(std::vector<int> ranks, CompetitionRanks(enterprise));
  EXPECT_THAT(ranks, ElementsAre(2, 1));
}

TEST(AggregateTest, ZeroWeightChildTakesNoPart) {
  ASSERT_OK_AND_ASSIGN(AggregationTree tree,
                       AggregationTree::Create({{"T", {1, 2}}, {"c1", {}, 1.0}, {"c2", {}, 0.0}}));
  AggregationOptions options;
  options.spec = {AggregationMethod::kGeometric};
  // c2 = 0 would fail the geometric mean, but it weighs nothing.
  ASSERT_OK_AND_ASSIGN(DataMatrix s, Aggregate(tree, TwoColumns({{9, 0}}), options));
  EXPECT_NEAR(s.Get(0, 0), 9, kEps);
}

TEST(AggregateTest, RejectsBadInput) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  DataMatrix missing_column({"A"}, {"x1", "x2"});
  EXPECT_THAT(Aggregate(SmallTree(), missing_column),
              StatusIs(kInvalid, HasSubstr("leaf 'x3' has no column")));
  DataMatrix infinite = Leaves({"A"}, {{1, 2, HUGE_VAL}});
  EXPECT_THAT(Aggregate(SmallTree(), infinite), StatusIs(kInvalid, HasSubstr("infinite")));
  AggregationOptions options;
  options.shift = 0;
  EXPECT_THAT(Aggregate(SmallTree(), Leaves({"A"}, {{1, 2, 3}}), options),
              StatusIs(kInvalid, HasSubstr("shift")));
  options = {};
  options.by_level[3] = {AggregationMethod::kGeneralised, NAN};
  EXPECT_THAT(Aggregate(SmallTree(), Leaves({"A"}, {{1, 2, 3}}), options),
              StatusIs(kInvalid, HasSubstr("exponent")));
}

}  // namespace
}  // namespace innoscope::scoring

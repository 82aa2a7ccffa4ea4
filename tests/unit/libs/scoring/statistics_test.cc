#include "libs/scoring/statistics.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"

namespace innoscope::scoring {
namespace {

using index::DataMatrix;
using index::kMissing;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(QuantileTest, Type7ByHand) {
  // R: quantile(1:4, c(.05, .5, .95)) = 1.15, 2.5, 3.85 (h = 3p, 0-based).
  const std::vector<double> x = {4, kMissing, 2, 1, 3};
  EXPECT_NEAR(Quantile(x, 0.05), 1.15, 1e-12);
  EXPECT_NEAR(Quantile(x, 0.5), 2.5, 1e-12);
  EXPECT_NEAR(Quantile(x, 0.95), 3.85, 1e-12);
  EXPECT_EQ(Quantile(x, 0), 1);
  EXPECT_EQ(Quantile(x, 1), 4);
  EXPECT_EQ(Median({5, 1, 3}), 3);
  EXPECT_TRUE(std::isnan(Quantile({kMissing}, 0.5)));
  EXPECT_EQ(Mean({1, kMissing, 2}), 1.5);
  EXPECT_TRUE(std::isnan(Mean({})));
}

TEST(AverageRanksTest, TiesGetTheMeanPosition) {
  std::vector<double> ranks = AverageRanks({30, 20, kMissing, 10, 20});
  EXPECT_EQ(ranks[0], 4);
  EXPECT_EQ(ranks[1], 2.5);
  EXPECT_TRUE(std::isnan(ranks[2]));
  EXPECT_EQ(ranks[3], 1);
  EXPECT_EQ(ranks[4], 2.5);
}

TEST(CorrelationTest, PearsonByHand) {
  // x = (1,2,3), y = (2,4,7): sxy = 5, sxx = 2, syy = 114/9;
  // r = 5 / sqrt(2 * 114 / 9) = 0.9933993.
  EXPECT_NEAR(PearsonCorrelation({1, 2, 3}, {2, 4, 7}), 5 / std::sqrt(228.0 / 9), 1e-12);
  // Pairwise complete: the row with a NaN is dropped.
  EXPECT_NEAR(PearsonCorrelation({1, 2, kMissing, 3}, {2, 4, 100, 7}), 5 / std::sqrt(228.0 / 9),
              1e-12);
  EXPECT_TRUE(std::isnan(PearsonCorrelation({1, 1, 1}, {1, 2, 3})));
  EXPECT_TRUE(std::isnan(PearsonCorrelation({1}, {1})));
}

TEST(CorrelationTest, SpearmanWithTiesByHand) {
  // Ranks x (1, 2.5, 2.5, 4), y (1, 3, 2, 4): sxy = 4.5, sxx = 4.5, syy = 5;
  // rho = 4.5 / sqrt(22.5) = 0.9486833.
  EXPECT_NEAR(SpearmanCorrelation({1, 2, 2, 3}, {10, 30, 20, 40}), 4.5 / std::sqrt(22.5), 1e-12);
  // Monotone but not linear: rho = 1.
  EXPECT_NEAR(SpearmanCorrelation({1, 2, 3, 4}, {1, 8, 27, 64}), 1.0, 1e-12);
}

TEST(CorrelationMatrixTest, SymmetricWithUnitDiagonal) {
  DataMatrix data({"a", "b", "c"}, {"u", "v"});
  const double u[] = {1, 2, 3};
  const double v[] = {2, 4, 7};
  for (size_t r = 0; r < 3; ++r) {
    data.Set(r, 0, u[r]);
    data.Set(r, 1, v[r]);
  }
  SquareMatrix m = CorrelationMatrix(data, CorrelationMethod::kPearson);
  EXPECT_THAT(m.names, ElementsAre("u", "v"));
  EXPECT_NEAR(m.at(0, 0), 1.0, 1e-12);
  EXPECT_NEAR(m.at(0, 1), 5 / std::sqrt(228.0 / 9), 1e-12);
  EXPECT_EQ(m.at(0, 1), m.at(1, 0));
  SquareMatrix s = CorrelationMatrix(data, CorrelationMethod::kSpearman);
  EXPECT_NEAR(s.at(0, 1), 1.0, 1e-12);
}

// Items (1,2,3) and (2,3,5): variances 1 and 7/3; totals (3,5,8) have
// variance 19/3; alpha = 2 * (1 - (10/3) / (19/3)) = 18/19.
DataMatrix AlphaData() {
  DataMatrix data({"a", "b", "c", "d"}, {"i1", "i2", "other"});
  const double rows[4][3] = {{1, 2, 0}, {2, 3, 0}, {3, 5, 0}, {4, kMissing, 0}};
  for (size_t r = 0; r < 4; ++r) {
    for (size_t c = 0; c < 3; ++c) data.Set(r, c, rows[r][c]);
  }
  return data;
}

TEST(CronbachAlphaTest, ByHandWithListwiseDeletion) {
  ASSERT_OK_AND_ASSIGN(double alpha, CronbachAlpha(AlphaData(), {0, 1}));
  EXPECT_NEAR(alpha, 18.0 / 19.0, 1e-12);
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(CronbachAlpha(AlphaData(), {0}), StatusIs(kInvalid, HasSubstr("two items")));
  EXPECT_THAT(CronbachAlpha(AlphaData(), {0, 3}), StatusIs(kInvalid, HasSubstr("out of range")));
}

TEST(CronbachAlphaTest, PerAggregationGroup) {
  // Node scores laid out as the tree: G over (i1, i2); H over (other).
  ASSERT_OK_AND_ASSIGN(
      AggregationTree tree,
      AggregationTree::Create(
          {{"root", {3, 4}}, {"i1", {}}, {"i2", {}}, {"G", {1, 2}}, {"H", {5}}, {"other", {}}}));
  const DataMatrix items = AlphaData();
  DataMatrix nodes(items.regions(), {"root", "i1", "i2", "G", "H", "other"});
  for (size_t r = 0; r < 4; ++r) {
    nodes.Set(r, 1, items.Get(r, 0));
    nodes.Set(r, 2, items.Get(r, 1));
    nodes.Set(r, 3, r + 1.0);
    nodes.Set(r, 4, 2 * r + 1.0);
  }
  ASSERT_OK_AND_ASSIGN(std::vector<double> alpha, CronbachAlphaByNode(tree, nodes));
  EXPECT_NEAR(alpha[3], 18.0 / 19.0, 1e-12);
  EXPECT_TRUE(std::isnan(alpha[4]));  // one child
  EXPECT_TRUE(std::isnan(alpha[1]));  // leaf
  // root over G = (1,2,3,4) and H = (1,3,5,7): variances 5/3 and 20/3,
  // total (2,5,8,11) 15; alpha = 2 (1 - (25/3) / 15) = 8/9.
  EXPECT_NEAR(alpha[0], 8.0 / 9.0, 1e-12);
  EXPECT_THAT(CronbachAlphaByNode(tree, items),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("columns")));
}

}  // namespace
}  // namespace innoscope::scoring

#include "libs/index/ahp.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "tests/unit/libs/index/test_util.h"

namespace innoscope::index {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

double Round(double x, int decimals) {
  const double p = std::pow(10.0, decimals);
  return std::round(x * p) / p;
}

AhpOptions Options(RandomIndexTable table,
                   AhpPriorityMethod method = AhpPriorityMethod::kEigenvector) {
  AhpOptions o;
  o.random_index = table;
  o.method = method;
  return o;
}

// Hand calculation for any 3x3 reciprocal matrix with a12 = a, a13 = b,
// a23 = c: its characteristic polynomial is (1 - l)^3 - 3(1 - l) + t + 1/t
// with t = ac / b, so lambda_max = 1 + t^(1/3) + t^(-1/3) (= 3 iff b = ac),
// and the row geometric means are exactly the principal eigenvector.
//
// A = [1 3 5; 1/3 1 3; 1/5 1/3 1]:  t = 3*3/5 = 1.8
//   t^(1/3) = 1.216440, t^(-1/3) = 0.822071, lambda_max = 3.038511
//   CI = 0.038511 / 2 = 0.0192555
//   CR (Saaty, RI 0.58) = 0.033199 -> 0.0332
//   CR (Chinese, RI 0.52) = 0.037030 -> 0.0370
//   geometric means 15^(1/3) = 2.466212, 1, 15^(-1/3) = 0.405480, sum 3.871692
//   w = (0.636986, 0.258285, 0.104729)
const JudgementMatrix kClassic = {{1, 3, 5}, {1.0 / 3, 1, 3}, {1.0 / 5, 1.0 / 3, 1}};

TEST(AhpTest, ClassicThreeByThreeMatchesTheHandCalculation) {
  for (AhpPriorityMethod method :
       {AhpPriorityMethod::kEigenvector, AhpPriorityMethod::kGeometricMean}) {
    ASSERT_OK_AND_ASSIGN(AhpResult saaty,
                         Ahp(kClassic, {}, Options(RandomIndexTable::kSaaty, method)));
    EXPECT_THAT(saaty.weights, Pointwise(DoubleNear(1e-6), {0.636986, 0.258285, 0.104729}));
    EXPECT_NEAR(saaty.lambda_max, 3.038511, 1e-6);
    EXPECT_NEAR(saaty.ci, 0.0192555, 1e-7);
    EXPECT_EQ(saaty.ri, 0.58);
    EXPECT_EQ(Round(saaty.cr, 4), 0.0332);
    ASSERT_OK_AND_ASSIGN(AhpResult cn,
                         Ahp(kClassic, {}, Options(RandomIndexTable::kChineseCommon, method)));
    EXPECT_EQ(cn.ri, 0.52);
    EXPECT_EQ(Round(cn.cr, 4), 0.0370);
  }
}

// Wikipedia "Analytic hierarchy process - leader example", as reproduced in
// the AHPy README (PhilipGriffith/AHPy, "Choosing a leader"), which prints
// CRs with RI(3) = 0.52 and RI(4) = 0.89 (Saaty 2005, the same values as
// our kChineseCommon table for n = 3, 4).
//
// Experience, candidates (Moll, Nell, Sue): published local weights
// Nell 0.717, Moll 0.217, Sue 0.066; CR 0.035.
// By hand: a = 1/4, b = 4, c = 9, t = (9/4)/4 = 0.5625,
//   t^(1/3) = 0.825482, t^(-1/3) = 1.211414, lambda_max = 3.036896,
//   CI = 0.018448, CR (0.58) = 0.031807 -> 0.0318, CR (0.52) = 0.035477 -> 0.0355.
const JudgementMatrix kExperience = {{1, 1.0 / 4, 4}, {4, 1, 9}, {1.0 / 4, 1.0 / 9, 1}};

TEST(AhpTest, LeaderExampleExperienceMatchesPublishedAndHandValues) {
  ASSERT_OK_AND_ASSIGN(AhpResult cn, Ahp(kExperience, {"Moll", "Nell", "Sue"},
                                         Options(RandomIndexTable::kChineseCommon)));
  EXPECT_THAT(cn.weights, Pointwise(DoubleNear(0.0005), {0.217, 0.717, 0.066}));
  EXPECT_EQ(Round(cn.cr, 3), 0.035);
  EXPECT_EQ(Round(cn.cr, 4), 0.0355);
  EXPECT_NEAR(cn.lambda_max, 3.036896, 1e-6);
  ASSERT_OK_AND_ASSIGN(AhpResult saaty, Ahp(kExperience, {}, Options(RandomIndexTable::kSaaty)));
  EXPECT_EQ(Round(saaty.cr, 4), 0.0318);
}

// Education, same source: published CR 0.062 (RI 0.52).
// By hand: a = 3, b = 1/5, c = 1/7, t = (3/7)/(1/5) = 15/7 = 2.142857,
//   t^(1/3) = 1.289232, t^(-1/3) = 0.775656, lambda_max = 3.064888,
//   CI = 0.032444, CR (0.52) = 0.062392 -> 0.0624, CR (0.58) = 0.055938 -> 0.0559.
TEST(AhpTest, LeaderExampleEducationMatchesPublishedAndHandValues) {
  const JudgementMatrix education = {{1, 3, 1.0 / 5}, {1.0 / 3, 1, 1.0 / 7}, {5, 7, 1}};
  ASSERT_OK_AND_ASSIGN(AhpResult cn, Ahp(education, {}, Options(RandomIndexTable::kChineseCommon)));
  EXPECT_EQ(Round(cn.cr, 3), 0.062);
  EXPECT_EQ(Round(cn.cr, 4), 0.0624);
  ASSERT_OK_AND_ASSIGN(AhpResult saaty, Ahp(education, {}, Options(RandomIndexTable::kSaaty)));
  EXPECT_EQ(Round(saaty.cr, 4), 0.0559);
}

// Leader example criteria (Experience, Education, Charisma, Age), same
// source: published weights 0.548, 0.127, 0.270, 0.056 and CR 0.044 with
// RI(4) = 0.89 (= kChineseCommon).
TEST(AhpTest, LeaderExampleCriteriaMatchPublishedValues) {
  const JudgementMatrix criteria = {
      {1, 4, 3, 7}, {1.0 / 4, 1, 1.0 / 3, 3}, {1.0 / 3, 3, 1, 5}, {1.0 / 7, 1.0 / 3, 1.0 / 5, 1}};
  ASSERT_OK_AND_ASSIGN(AhpResult r, Ahp(criteria, {}, Options(RandomIndexTable::kChineseCommon)));
  EXPECT_THAT(r.weights, Pointwise(DoubleNear(0.0005), {0.548, 0.127, 0.270, 0.056}));
  EXPECT_EQ(Round(r.cr, 3), 0.044);
}

// Saaty (2008), "Decision making with the analytic hierarchy process", Int.
// J. Services Sciences 1(1):83-98, "Which drink is consumed more in the
// U.S.?": published eigenvector (coffee, wine, tea, beer, sodas, milk,
// water) = (.177, .019, .042, .116, .190, .129, .327). The AHPy README
// reproduces it with CR 0.022 under RI(7) = 1.35 (Saaty 2005), i.e.
// CI / 1.35 rounds to 0.022.
TEST(AhpTest, SaatyDrinkConsumptionExampleMatchesThePublishedEigenvector) {
  const JudgementMatrix drinks = {{1, 9, 5, 2, 1, 1, 1.0 / 2},
                                  {1.0 / 9, 1, 1.0 / 3, 1.0 / 9, 1.0 / 9, 1.0 / 9, 1.0 / 9},
                                  {1.0 / 5, 3, 1, 1.0 / 3, 1.0 / 4, 1.0 / 3, 1.0 / 9},
                                  {1.0 / 2, 9, 3, 1, 1.0 / 2, 1, 1.0 / 3},
                                  {1, 9, 4, 2, 1, 2, 1.0 / 2},
                                  {1, 9, 3, 1, 1.0 / 2, 1, 1.0 / 3},
                                  {2, 9, 9, 3, 2, 3, 1}};
  ASSERT_OK_AND_ASSIGN(AhpResult r, Ahp(drinks));
  EXPECT_THAT(r.weights,
              Pointwise(DoubleNear(0.0005), {0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327}));
  EXPECT_EQ(Round(r.ci / 1.35, 3), 0.022);
  EXPECT_GT(r.iterations, 0);
  // Eigenvector property: A w = lambda_max w.
  for (size_t i = 0; i < drinks.size(); ++i) {
    double aw = 0;
    for (size_t j = 0; j < drinks.size(); ++j) aw += drinks[i][j] * r.weights[j];
    EXPECT_NEAR(aw, r.lambda_max * r.weights[i], 1e-9);
  }
}

// Wikipedia "car example" criteria (Cost, Safety, Style, Capacity) as in the
// AHPy README: published weights Cost 0.510, Safety 0.234, Style 0.041,
// Capacity 0.215.
TEST(AhpTest, CarExampleCriteriaMatchPublishedWeights) {
  const JudgementMatrix criteria = {
      {1, 3, 7, 3}, {1.0 / 3, 1, 9, 1}, {1.0 / 7, 1.0 / 9, 1, 1.0 / 7}, {1.0 / 3, 1, 7, 1}};
  ASSERT_OK_AND_ASSIGN(AhpResult r, Ahp(criteria));
  EXPECT_THAT(r.weights, Pointwise(DoubleNear(0.0005), {0.510, 0.234, 0.041, 0.215}));
}

TEST(AhpTest, ConsistentMatrixHasZeroInconsistency) {
  // w = (4, 2, 1, 1) / 8, a_ij = w_i / w_j.
  const std::vector<double> w = {0.5, 0.25, 0.125, 0.125};
  JudgementMatrix a(4, std::vector<double>(4));
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = 0; j < 4; ++j) a[i][j] = w[i] / w[j];
  }
  ASSERT_OK_AND_ASSIGN(AhpResult r, Ahp(a));
  EXPECT_THAT(r.weights, Pointwise(DoubleNear(1e-12), w));
  EXPECT_NEAR(r.lambda_max, 4.0, 1e-12);
  EXPECT_NEAR(r.cr, 0.0, 1e-12);
  for (const JudgementDeviation& d : r.inconsistency) EXPECT_NEAR(d.deviation, 0.0, 1e-12);
}

TEST(AhpTest, OrdersOneAndTwoHaveZeroConsistencyRatio) {
  ASSERT_OK_AND_ASSIGN(AhpResult one, Ahp({{1}}));
  EXPECT_THAT(one.weights, ElementsAre(1.0));
  EXPECT_EQ(one.cr, 0.0);
  // [1 3; 1/3 1] -> w = (0.75, 0.25), lambda 2.
  ASSERT_OK_AND_ASSIGN(AhpResult two, Ahp({{1, 3}, {1.0 / 3, 1}}));
  EXPECT_THAT(two.weights, Pointwise(DoubleNear(1e-12), {0.75, 0.25}));
  EXPECT_NEAR(two.lambda_max, 2.0, 1e-12);
  EXPECT_EQ(two.cr, 0.0);
}

TEST(AhpTest, RandomIndexTables) {
  const std::vector<double> saaty = {0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49};
  const std::vector<double> cn = {0, 0, 0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49};
  for (size_t n = 1; n <= 10; ++n) {
    EXPECT_EQ(*RandomIndex(n, RandomIndexTable::kSaaty), saaty[n - 1]);
    EXPECT_EQ(*RandomIndex(n, RandomIndexTable::kChineseCommon), cn[n - 1]);
  }
  EXPECT_THAT(RandomIndex(11, RandomIndexTable::kSaaty),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("order 11")));
  EXPECT_THAT(RandomIndex(0, RandomIndexTable::kChineseCommon),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("order 0")));
  JudgementMatrix eleven(11, std::vector<double>(11, 1.0));
  EXPECT_THAT(Ahp(eleven), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("order 11")));
}

TEST(AhpTest, InconsistencyReportPointsAtTheDistortedJudgement) {
  // A perfect 3-cycle (a > b > c > a, each by 2): every row's geometric
  // mean is 1, so all weights are 1/3 and every judgement is equally wrong,
  // e = 2 or 1/2, deviation max(e, 1/e) - 1 = 1.
  const JudgementMatrix a = {{1, 2, 0.5}, {0.5, 1, 2}, {2, 0.5, 1}};
  ASSERT_OK_AND_ASSIGN(AhpResult r, Ahp(a, {"a", "b", "c"}));
  EXPECT_THAT(r.weights, Pointwise(DoubleNear(1e-12), {1.0 / 3, 1.0 / 3, 1.0 / 3}));
  ASSERT_EQ(r.inconsistency.size(), 3u);
  for (const JudgementDeviation& d : r.inconsistency) {
    EXPECT_NEAR(d.deviation, 1.0, 1e-12);
    EXPECT_NEAR(d.implied, 1.0, 1e-12);
  }

  // One distorted cell in an otherwise consistent 4x4 (w = 8:4:2:1): a14
  // should be 8 but is 1/2. It must rank first.
  JudgementMatrix b = {{1, 2, 4, 0.5}, {0.5, 1, 2, 4}, {0.25, 0.5, 1, 2}, {2, 0.25, 0.5, 1}};
  ASSERT_OK_AND_ASSIGN(AhpResult rb, Ahp(b));
  EXPECT_EQ(rb.inconsistency[0].i, 0u);
  EXPECT_EQ(rb.inconsistency[0].j, 3u);
  EXPECT_EQ(rb.inconsistency[0].judgement, 0.5);
  EXPECT_GT(rb.inconsistency[0].implied, 1.0);  // priorities say item 1 > item 4
  EXPECT_GT(rb.cr, 0.1);
}

TEST(AhpTest, ValidationNamesTheOffendingCellAndItems) {
  EXPECT_THAT(ValidateJudgementMatrix({}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(ValidateJudgementMatrix({{1, 2}, {0.5}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not square: row 2 has 1 entries, expected 2")));
  EXPECT_THAT(ValidateJudgementMatrix({{1, 2, 3}, {0.5, 1, 4}, {1.0 / 3, 0.2, 1}},
                                      {"cost", "safety", "style"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cell (2,3) ('safety' vs 'style'): not reciprocal: a_ij = 4 "
                                 "but a_ji = 0.2")));
  EXPECT_THAT(ValidateJudgementMatrix({{1, -2}, {-0.5, 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cell (1,2): must be finite and > 0, got -2")));
  EXPECT_THAT(
      ValidateJudgementMatrix({{1, 2}, {0.5, 2}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cell (2,2): diagonal must be 1")));
  EXPECT_THAT(ValidateJudgementMatrix({{1, NAN}, {1, 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cell (1,2)")));
  EXPECT_THAT(ValidateJudgementMatrix({{1, 2}, {0.5, 1}}, {"only one name"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 item names")));
  // 0.333 for 1/3 passes with a looser tolerance only.
  const JudgementMatrix typed = {{1, 3}, {0.333, 1}};
  EXPECT_FALSE(ValidateJudgementMatrix(typed).ok());
  EXPECT_TRUE(ValidateJudgementMatrix(typed, {}, 2e-3).ok());
}

TEST(AhpTest, GroupAggregationOfIndividualJudgements) {
  // AIJ of [1 4; 1/4 1] and [1 1; 1 1]: a12 = sqrt(4 * 1) = 2 (equal weights);
  // with expert weights 3:1, a12 = 4^0.75 = 2.828427.
  const JudgementMatrix e1 = {{1, 4}, {0.25, 1}};
  const JudgementMatrix e2 = {{1, 1}, {1, 1}};
  ASSERT_OK_AND_ASSIGN(JudgementMatrix g, AggregateJudgements({e1, e2}));
  EXPECT_NEAR(g[0][1], 2.0, 1e-12);
  EXPECT_NEAR(g[1][0], 0.5, 1e-12);
  ASSERT_OK_AND_ASSIGN(g, AggregateJudgements({e1, e2}, {3, 1}));
  EXPECT_NEAR(g[0][1], std::pow(4.0, 0.75), 1e-12);
  EXPECT_NEAR(g[0][1] * g[1][0], 1.0, 1e-12);
  EXPECT_THAT(AggregateJudgements({e1, {{1, 2, 3}, {0.5, 1, 1}, {1.0 / 3, 1, 1}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expert 2: is 3x3")));
  EXPECT_THAT(AggregateJudgements({e1, {{1, 2}, {2, 1}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expert 2: judgement matrix cell (1,2)")));
  EXPECT_THAT(AggregateJudgements({e1, e2}, {1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 expert weights")));
}

TEST(AhpTest, GroupAggregationOfIndividualPriorities) {
  // Geometric: (0.8*0.2)^0.5 = 0.4 and (0.2*0.8)^0.5 = 0.4 -> (0.5, 0.5).
  ASSERT_OK_AND_ASSIGN(std::vector<double> w, AggregatePriorities({{0.8, 0.2}, {0.2, 0.8}}));
  EXPECT_THAT(w, Pointwise(DoubleNear(1e-12), {0.5, 0.5}));
  // Geometric, unequal: (0.6^0.5 * 0.3^0.5, 0.4^0.5 * 0.7^0.5) = (0.424264, 0.529150)
  // -> (0.424264, 0.529150) / 0.953414 = (0.444994, 0.555006).
  ASSERT_OK_AND_ASSIGN(w, AggregatePriorities({{0.6, 0.4}, {0.3, 0.7}}));
  EXPECT_THAT(w, Pointwise(DoubleNear(1e-6), {0.444994, 0.555006}));
  // Arithmetic with weights 1:3: 0.25*0.6 + 0.75*0.3 = 0.375.
  ASSERT_OK_AND_ASSIGN(
      w, AggregatePriorities({{0.6, 0.4}, {0.3, 0.7}}, {1, 3}, PriorityMean::kArithmetic));
  EXPECT_THAT(w, Pointwise(DoubleNear(1e-12), {0.375, 0.625}));
  EXPECT_THAT(AggregatePriorities({{0.5, 0.5}, {1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expert 2")));
  EXPECT_THAT(AggregatePriorities({{0.5, 0.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("finite and > 0")));
}

TEST(AhpTest, TreeGivesLocalAndGlobalWeights) {
  // index -> {a -> {a1, a2, a3}, b -> {b1}}; top [1 3; 1/3 1] -> (0.75, 0.25);
  // a uses kClassic -> (0.636986, 0.258285, 0.104729); b has one child.
  ASSERT_OK_AND_ASSIGN(
      Framework f,
      Framework::Create({MakeNode("index", "", 3), MakeNode("a", "index", 2),
                         MakeNode("b", "index", 2), MakeNode("a1", "a", 1), MakeNode("a2", "a", 1),
                         MakeNode("a3", "a", 1), MakeNode("b1", "b", 1)}));
  std::map<std::string, JudgementMatrix> judgements = {{"index", {{1, 3}, {1.0 / 3, 1}}},
                                                       {"a", kClassic}};
  ASSERT_OK_AND_ASSIGN(AhpTreeResult r, AhpTree(f, judgements));
  EXPECT_NEAR(r.global[f.Find("a1")], 0.75 * 0.636986, 1e-6);
  EXPECT_NEAR(r.global[f.Find("a3")], 0.75 * 0.104729, 1e-6);
  EXPECT_NEAR(r.global[f.Find("b1")], 0.25, 1e-12);
  EXPECT_NEAR(r.local[f.Find("a2")], 0.258285, 1e-6);
  EXPECT_EQ(Round(r.by_parent.at("a").cr, 4), 0.0332);
  EXPECT_EQ(r.by_parent.count("b"), 0u);

  judgements.erase("a");
  EXPECT_THAT(AhpTree(f, judgements),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no judgement matrix for framework node 'a'")));
  judgements["a"] = {{1, 2}, {0.5, 1}};
  EXPECT_THAT(AhpTree(f, judgements),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("for 'a' is 2x2 but the node has 3 children")));
  judgements["a"] = {{1, 2, 3}, {0.5, 1, 4}, {1.0 / 3, 0.2, 1}};
  EXPECT_THAT(
      AhpTree(f, judgements),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("framework node 'a': judgement matrix cell (2,3) ('a2' vs 'a3')")));
  judgements["a"] = kClassic;
  judgements["a1"] = {{1}};
  EXPECT_THAT(AhpTree(f, judgements),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'a1', which is not an inner framework node")));
}

}  // namespace
}  // namespace innoscope::index

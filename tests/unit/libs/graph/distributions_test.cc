// Degree distributions, the Hurwitz zeta function, discrete power-law fits
// and concentration measures.

#include "libs/graph/distributions.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "libs/graph/random.h"
#include "tests/unit/libs/graph/graph_test_util.h"

namespace innoscope::graph {
namespace {

using ::innoscope::graph::testing::MakeGraph;
using ::innoscope::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

constexpr double kPi = 3.14159265358979323846;

TEST(DegreeDistributionTest, StarAndDirectedModes) {
  // Star: four leaves of degree 1, one centre of degree 4.
  const Graph star = MakeGraph(5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}});
  EXPECT_THAT(DegreeDistribution(star, DegreeMode::kTotal), ElementsAre(0, 4, 0, 0, 1));
  // 0 -> 1, 0 -> 2: out-degrees 2,0,0; in-degrees 0,1,1.
  const Graph fan = MakeGraph(3, {{0, 1}, {0, 2}}, true);
  EXPECT_THAT(DegreeDistribution(fan, DegreeMode::kOut), ElementsAre(2, 0, 1));
  EXPECT_THAT(DegreeDistribution(fan, DegreeMode::kIn), ElementsAre(1, 2));
  EXPECT_THAT(Degrees(fan, DegreeMode::kTotal), ElementsAre(2, 1, 1));
  EXPECT_TRUE(DegreeDistribution(Graph(), DegreeMode::kTotal).empty());
}

TEST(HurwitzZetaTest, KnownValues) {
  // zeta(2) = pi^2/6, zeta(3) = Apery's constant, zeta(2, 2) = zeta(2) - 1,
  // zeta(2, 1/2) = (2^2 - 1) zeta(2) = pi^2/2.
  EXPECT_NEAR(HurwitzZeta(2, 1), kPi * kPi / 6, 1e-14);
  EXPECT_NEAR(HurwitzZeta(3, 1), 1.2020569031595942, 1e-14);
  EXPECT_NEAR(HurwitzZeta(2, 2), kPi * kPi / 6 - 1, 1e-14);
  EXPECT_NEAR(HurwitzZeta(2, 0.5), kPi * kPi / 2, 1e-13);
  // scipy.special.zeta(1.5, 10), zeta(2.5, 3), zeta(3.7, 1.25) (scipy 1.10.1).
  EXPECT_NEAR(HurwitzZeta(1.5, 10), 0.6486616319415703, 1e-14);
  EXPECT_NEAR(HurwitzZeta(2.5, 3), 0.1647105619542803, 1e-14);
  EXPECT_NEAR(HurwitzZeta(3.7, 1.25), 0.5106367809738829, 1e-14);
  EXPECT_TRUE(std::isnan(HurwitzZeta(1, 1)));
  EXPECT_TRUE(std::isnan(HurwitzZeta(2, 0)));
}

// A sample whose value x appears round(count * x^-alpha / zeta(alpha)) times:
// an exact discrete power law up to rounding.
std::vector<int64_t> ExactPowerLaw(double alpha, double count, int64_t max_x) {
  std::vector<int64_t> data;
  const double z = HurwitzZeta(alpha, 1);
  for (int64_t x = 1; x <= max_x; ++x) {
    const int64_t copies = std::llround(count * std::pow(x, -alpha) / z);
    data.insert(data.end(), static_cast<size_t>(copies), x);
  }
  return data;
}

TEST(PowerLawFitTest, RecoversTheExponentOfAnExactPowerLaw) {
  PowerLawFit fit(ExactPowerLaw(2.5, 20000, 200));
  ASSERT_OK(fit.Run());
  EXPECT_NEAR(fit.Alpha(), 2.5, 0.02);
  EXPECT_LE(fit.Xmin(), 3);
  EXPECT_LT(fit.KsDistance(), 0.01);
  EXPECT_NEAR(fit.AlphaStandardError(), (fit.Alpha() - 1) / std::sqrt(fit.TailSize()), 1e-12);
  EXPECT_TRUE(std::isnan(fit.PValue()));
}

TEST(PowerLawFitTest, FixedXminMatchesScipyMaximumLikelihood) {
  // Independent check with scipy 1.10.1 (commands in this comment):
  //   tail = [x for x in data if x >= 2]; n = len(tail) = 33
  //   f = lambda a: n*log(zeta(a, 2)) + a*sum(log(x) for x in tail)
  //   minimize_scalar(f, bounds=(1.0001, 10), method='bounded',
  //                   options={'xatol': 1e-12}).x  -> 1.6494575911792106
  // and the KS supremum over integers >= 2 of |S(x) - (1 - zeta(a, x+1) /
  // zeta(a, 2))|, checked at each value v and at v - 1 -> 0.08148055760082734.
  std::vector<int64_t> data = {1,  1,  1,  1,  1,  2,  2,  2,  2,  2,  2,  2,  3,
                               3,  3,  3,  4,  4,  4,  5,  5,  6,  6,  7,  8,  9,
                               10, 12, 12, 15, 17, 20, 25, 31, 40, 55, 70, 100};
  PowerLawFit::Options options;
  options.fixed_xmin = 2;
  PowerLawFit fit(data, options);
  ASSERT_OK(fit.Run());
  EXPECT_EQ(fit.Xmin(), 2);
  EXPECT_EQ(fit.TailSize(), 33);
  EXPECT_NEAR(fit.Alpha(), 1.6494575911792106, 1e-8);
  EXPECT_NEAR(fit.KsDistance(), 0.08148055760082734, 1e-8);
}

TEST(PowerLawFitTest, BootstrapSeparatesPowerLawsFromOtherShapes) {
  PowerLawFit::Options options;
  options.bootstrap = 40;
  options.seed = 11;
  options.num_threads = 2;
  PowerLawFit power_law(ExactPowerLaw(2.2, 800, 60), options);
  ASSERT_OK(power_law.Run());
  EXPECT_GT(power_law.PValue(), 0.1);
  // Uniform on 1..30 is no power law.
  std::vector<int64_t> uniform;
  SplitMix64 rng(3);
  for (int i = 0; i < 800; ++i) {
    uniform.push_back(1 + static_cast<int64_t>(rng.Uniform(30)));
  }
  PowerLawFit not_power_law(uniform, options);
  ASSERT_OK(not_power_law.Run());
  EXPECT_LT(not_power_law.PValue(), 0.1);
  // The p-value does not depend on the thread count.
  options.num_threads = 1;
  PowerLawFit again(ExactPowerLaw(2.2, 800, 60), options);
  ASSERT_OK(again.Run());
  EXPECT_EQ(again.PValue(), power_law.PValue());
}

TEST(PowerLawFitTest, NeedsEnoughDistinctValues) {
  PowerLawFit too_small(std::vector<int64_t>{0, 0, 3, 3, 3});
  EXPECT_THAT(too_small.Run(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("among 3 values >= 1")));
}

TEST(ConcentrationTest, TopSharesAndGiniByHand) {
  // Total 100. Top 20% of 5 values = 1 value = 80; top 40% = 2 values = 90;
  // top 1% rounds up to one value; top 0% holds nothing.
  // Gini, ascending 0, 5, 5, 10, 80: sum (2i - 6) x_i = -4*0 - 2*5 + 0*5 +
  // 2*10 + 4*80 = 330, over n * total = 500: 0.66.
  ASSERT_OK_AND_ASSIGN(Concentration c,
                       ComputeConcentration({10, 0, 5, 5, 80}, {20, 40, 1, 0, 100}));
  EXPECT_THAT(c.top_shares, Pointwise(DoubleNear(1e-12), {0.8, 0.9, 0.8, 0.0, 1.0}));
  EXPECT_NEAR(c.gini, 0.66, 1e-12);
  EXPECT_EQ(c.total, 100);
  // Equal values: Gini 0; one holder of everything: (n - 1) / n.
  ASSERT_OK_AND_ASSIGN(Concentration equal, ComputeConcentration({3, 3, 3, 3}, {50}));
  EXPECT_NEAR(equal.gini, 0.0, 1e-12);
  EXPECT_NEAR(equal.top_shares[0], 0.5, 1e-12);
  ASSERT_OK_AND_ASSIGN(Concentration monopoly, ComputeConcentration({0, 0, 0, 7}, {}));
  EXPECT_NEAR(monopoly.gini, 0.75, 1e-12);
  ASSERT_OK_AND_ASSIGN(Concentration zero, ComputeConcentration({0, 0}, {10}));
  EXPECT_EQ(zero.top_shares[0], 0.0);
  EXPECT_EQ(zero.gini, 0.0);
}

TEST(ConcentrationTest, DegreeConcentrationOfAStar) {
  // Out-degrees of 0 -> {1,2,3,4}: 4,0,0,0,0. The top 20% (one node) hold
  // everything; Gini = (n-1)/n = 0.8.
  const Graph star = MakeGraph(5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}}, true);
  ASSERT_OK_AND_ASSIGN(Concentration c, DegreeConcentration(star, DegreeMode::kOut, {20, 60}));
  EXPECT_THAT(c.top_shares, ElementsAre(1.0, 1.0));
  EXPECT_NEAR(c.gini, 0.8, 1e-12);
}

TEST(ConcentrationTest, RejectsBadInput) {
  EXPECT_THAT(ComputeConcentration({1, -1}, {10}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("value #1")));
  EXPECT_THAT(ComputeConcentration({1}, {150}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("150")));
}

}  // namespace
}  // namespace innoscope::graph

#include "libs/index/outliers.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"
#include "libs/index/csv.h"
#include "libs/index/denominate.h"
#include "libs/index/impute.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/normalise.h"
#include "libs/index/screen.h"
#include "libs/index/stats.h"
#include "libs/index/weights.h"
#include "tests/shared_data.h"
#include "tests/unit/libs/index/test_util.h"

namespace innoscope::index {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Microsoft's documentation of Excel SKEW and KURT uses the same ten values,
// 3 4 5 2 3 4 5 6 4 7, and gives SKEW = 0.359543 and KURT = -0.151800.
TEST(StatsTest, SkewnessAndKurtosisMatchExcel) {
  const std::vector<double> x = {3, 4, 5, 2, 3, kMissing, 4, 5, 6, 4, 7};
  EXPECT_NEAR(SampleSkewness(x), 0.359543, 1e-6);
  EXPECT_NEAR(SampleExcessKurtosis(x), -0.151800, 1e-6);
  EXPECT_TRUE(std::isnan(SampleSkewness({1, 2})));
  EXPECT_TRUE(std::isnan(SampleExcessKurtosis({1, 2, 3})));
  EXPECT_TRUE(std::isnan(SampleSkewness({5, 5, 5, 5})));
}

TEST(StatsTest, MomentsMedianAndCorrelation) {
  // 2 4 4 4 5 5 7 9: mean 5, sum of squares 32, sample sd sqrt(32 / 7).
  const std::vector<double> x = {2, 4, 4, 4, 5, 5, 7, 9};
  EXPECT_EQ(Mean(x), 5.0);
  EXPECT_NEAR(SampleStdDev(x), std::sqrt(32.0 / 7), 1e-15);
  EXPECT_EQ(Median(x), 4.5);
  EXPECT_EQ(Median({3, kMissing, 1, 2}), 2.0);
  EXPECT_EQ(CountPresent({1, kMissing, 3}), 2u);
  EXPECT_NEAR(PearsonCorrelation({1, 2, 3}, {2, 4, 6}), 1.0, 1e-15);
  EXPECT_NEAR(PearsonCorrelation({1, 2, 3, 4}, {1, 3, 2, 4}), 0.8, 1e-15);
  // Rows with a missing value on either side are skipped: (1,3), (2,2), (3,1).
  EXPECT_NEAR(PearsonCorrelation({1, 2, kMissing, 3}, {3, 2, 1, 1}), -1.0, 1e-15);
}

std::vector<double> Iota(int from, int to) {
  std::vector<double> v;
  for (int i = from; i <= to; ++i) v.push_back(i);
  return v;
}

// 1..20 plus one value of 1000: skewness about sqrt(21) = 4.6 and excess
// kurtosis about 21, far past 2 and 3.5. Replacing 1000 by the next value,
// 20, leaves 1..20, 20, which is almost symmetric: one point treated.
TEST(OutlierTest, WinsorisesTheHighTailOnePointAtATime) {
  std::vector<double> x = Iota(1, 20);
  x.push_back(1000);
  ASSERT_OK_AND_ASSIGN(ColumnTreatment t, TreatOutlierColumn(x, OutlierOptions()));
  EXPECT_TRUE(t.report.checkable);
  EXPECT_TRUE(t.report.needs_treatment);
  EXPECT_GT(t.report.skewness, 4);
  EXPECT_GT(t.report.kurtosis, 20);
  EXPECT_EQ(t.report.winsorised, 1);
  EXPECT_THAT(t.report.winsorised_rows, ElementsAre(20u));
  EXPECT_EQ(t.values[20], 20.0);
  EXPECT_FALSE(t.report.log_transformed);
  EXPECT_TRUE(t.report.passes);
  EXPECT_LT(std::fabs(t.report.final_skewness), 2);
}

TEST(OutlierTest, TiedExtremesMoveTogetherAndCountBoth) {
  std::vector<double> x = Iota(1, 20);
  x.push_back(1000);
  x.push_back(1000);
  ASSERT_OK_AND_ASSIGN(ColumnTreatment t, TreatOutlierColumn(x, OutlierOptions()));
  EXPECT_EQ(t.report.winsorised, 2);
  EXPECT_THAT(t.report.winsorised_rows, ElementsAre(20u, 21u));
  EXPECT_EQ(t.values[21], 20.0);
}

TEST(OutlierTest, NegativeSkewWinsorisesTheLowTail) {
  std::vector<double> x = Iota(1, 20);
  x.insert(x.begin(), -1000);
  ASSERT_OK_AND_ASSIGN(ColumnTreatment t, TreatOutlierColumn(x, OutlierOptions()));
  EXPECT_LT(t.report.skewness, -4);
  EXPECT_THAT(t.report.winsorised_rows, ElementsAre(0u));
  EXPECT_EQ(t.values[0], 1.0);
}

TEST(OutlierTest, PassingAndUncheckableColumnsAreLeftAlone) {
  ASSERT_OK_AND_ASSIGN(ColumnTreatment fine, TreatOutlierColumn(Iota(1, 10), OutlierOptions()));
  EXPECT_TRUE(fine.report.checkable);
  EXPECT_FALSE(fine.report.needs_treatment);
  EXPECT_EQ(fine.values, Iota(1, 10));
  // Three values: kurtosis undefined. A constant column: no variance.
  for (const std::vector<double>& x :
       {std::vector<double>{1, 2, 1000}, std::vector<double>{4, 4, 4, 4, 4}}) {
    ASSERT_OK_AND_ASSIGN(ColumnTreatment t, TreatOutlierColumn(x, OutlierOptions()));
    EXPECT_FALSE(t.report.checkable);
    EXPECT_FALSE(t.report.needs_treatment);
    EXPECT_EQ(t.values, x);
  }
}

// 90 small values 0, 0.01, ..., 0.89 and a block of ten large ones 100..109:
// skewness 2.71, kurtosis 5.47 (a 10% two-point mixture). Capping five of the
// ten large values changes almost nothing (2.71, 5.45), so the rule falls
// back to log(x - min + a), a = 0.01 (max - min) = 1.09, applied to the
// ORIGINAL values.
std::vector<double> TwoClusters() {
  std::vector<double> x;
  for (int i = 0; i < 90; ++i) x.push_back(i / 100.0);
  for (int i = 0; i < 10; ++i) x.push_back(100 + i);
  return x;
}

TEST(OutlierTest, FallsBackToTheLogOfTheOriginalValues) {
  std::vector<double> x = TwoClusters();
  x.push_back(kMissing);
  ASSERT_OK_AND_ASSIGN(ColumnTreatment t, TreatOutlierColumn(x, OutlierOptions()));
  EXPECT_NEAR(t.report.skewness, 2.71, 0.005);
  EXPECT_TRUE(t.report.needs_treatment);
  EXPECT_TRUE(t.report.log_transformed);
  EXPECT_FALSE(t.report.log_mirrored);
  EXPECT_EQ(t.report.winsorised, 0);
  EXPECT_THAT(t.report.winsorised_rows, IsEmpty());
  const double min = 0;
  const double max = 109;
  const double a = 0.01 * (max - min);
  for (size_t i = 0; i < 100; ++i) EXPECT_DOUBLE_EQ(t.values[i], std::log(x[i] - min + a));
  EXPECT_TRUE(std::isnan(t.values[100]));

  // Mirrored data: skewness < 0, the mirror form -log(max + a - x) maps it
  // onto the mirror image of the result above.
  std::vector<double> neg;
  for (double v : x) neg.push_back(-v);
  ASSERT_OK_AND_ASSIGN(ColumnTreatment m, TreatOutlierColumn(neg, OutlierOptions()));
  EXPECT_TRUE(m.report.log_mirrored);
  for (size_t i = 0; i < 100; ++i) {
    EXPECT_DOUBLE_EQ(m.values[i], -std::log(-min + a - neg[i]));
    EXPECT_DOUBLE_EQ(m.values[i], -t.values[i]);
  }
  // COINr's default log_CT ignores the sign of the skew.
  OutlierOptions plain;
  plain.mirror_log_for_negative_skew = false;
  ASSERT_OK_AND_ASSIGN(ColumnTreatment p, TreatOutlierColumn(neg, plain));
  EXPECT_TRUE(p.report.log_transformed);
  EXPECT_FALSE(p.report.log_mirrored);
  EXPECT_DOUBLE_EQ(p.values[0], std::log(neg[0] - (-max) + a));
}

TEST(OutlierTest, WithoutLogFallbackKeepsTheWinsorisedValues) {
  OutlierOptions opt;
  opt.log_fallback = false;
  opt.max_winsorised = 3;
  ASSERT_OK_AND_ASSIGN(ColumnTreatment t, TreatOutlierColumn(TwoClusters(), opt));
  // 109, then 108 (with the first), then 107: three points, capped at 106.
  EXPECT_EQ(t.report.winsorised, 3);
  EXPECT_THAT(t.report.winsorised_rows, ElementsAre(97u, 98u, 99u));
  EXPECT_EQ(t.values[99], 106.0);
  EXPECT_FALSE(t.report.log_transformed);
  EXPECT_FALSE(t.report.passes);
}

TEST(OutlierTest, RejectsInvalidOptions) {
  OutlierOptions opt;
  opt.max_winsorised = -1;
  EXPECT_THAT(TreatOutlierColumn({1, 2, 3, 4}, opt),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_winsorised")));
  opt = OutlierOptions();
  opt.skew_threshold = -2;
  EXPECT_THAT(TreatOutliers(DataMatrix({"r"}, {"x"}), opt),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("thresholds")));
}

// ---------------------------------------------------------------------------
// COINr's ASEM example (build_example_coin() in COINr R/examples.R):
// Denominate by iMeta$Denominator -> Impute(i_mean_grp, EurAsia_group) ->
// Screen(byNA, dat_thresh 0.9) -> Treat(defaults) -> Normalise(n_minmax
// 0-100, with directions) -> Aggregate(a_amean, iMeta weights). The
// datasets README says 15 indicators are winsorised and none is logged;
// asem_published_results.csv holds COINr's published scores.

struct AsemPipeline {
  CoinrMeta meta;
  DataMatrix screened;
  ScreenResult screen;
  OutlierResult treated;
};

absl::StatusOr<AsemPipeline> RunAsemUpToTreat(const std::string& dir) {
  AsemPipeline p;
  ASSIGN_OR_RETURN(p.meta, ReadAsemMeta(dir));
  ASSIGN_OR_RETURN(WideCsvData raw, ReadAsemData(dir));
  ASSIGN_OR_RETURN(DataMatrix indicators,
                   SelectIndicators(raw.matrix, p.meta.framework.LeafCodes()));
  ASSIGN_OR_RETURN(DataMatrix denominators,
                   SelectIndicators(raw.matrix, p.meta.CodesOfType("Denominator")));
  ASSIGN_OR_RETURN(
      DenominateResult denominated,
      Denominate(indicators, denominators, DenominatorSpecsFromFramework(p.meta.framework)));
  ASSIGN_OR_RETURN(ImputeResult imputed, Impute(denominated.data, ImputeMethod::kGroupMean,
                                                raw.labels.at("EurAsia_group")));
  ScreenOptions screen;
  screen.region_threshold = 0.9;
  ASSIGN_OR_RETURN(p.screen, Screen(imputed.data, screen));
  ASSIGN_OR_RETURN(p.treated, TreatOutliers(p.screen.data, OutlierOptions()));
  return p;
}

TEST(AsemOutlierTest, FifteenIndicatorsAreWinsorisedAndNoneLogged) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  ASSERT_OK_AND_ASSIGN(AsemPipeline p, RunAsemUpToTreat(dir));
  // Group-mean imputation fills every gap, so screening drops nothing.
  EXPECT_THAT(p.screen.dropped_regions, IsEmpty());
  EXPECT_EQ(p.screen.data.rows(), 51u);
  int winsorised = 0;
  int logged = 0;
  for (const OutlierReport& r : p.treated.reports) {
    if (r.winsorised > 0) ++winsorised;
    if (r.log_transformed) ++logged;
    if (r.needs_treatment) {
      EXPECT_TRUE(r.passes) << r.indicator << " still fails after treatment";
      EXPECT_LE(r.winsorised, 5) << r.indicator;
    }
  }
  EXPECT_EQ(winsorised, 15);
  EXPECT_EQ(logged, 0);
}

// The full ASEM pipeline against COINr's published scores is
// tests/unit/libs/scoring/pipeline_test.cc (it runs the production pipeline).

}  // namespace
}  // namespace innoscope::index

// Tests of the data preparation steps: denominate, impute, screen.

#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/denominate.h"
#include "libs/index/framework_csv.h"
#include "libs/index/impute.h"
#include "libs/index/screen.h"
#include "tests/unit/libs/index/test_util.h"

namespace innoscope::index {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr double kNa = kMissing;

std::vector<double> Col(const DataMatrix& m, size_t c) {
  return std::vector<double>(m.Column(c).begin(), m.Column(c).end());
}

// ---------------------------------------------------------------------------
// Denominate

TEST(DenominateTest, DividesByTheMatchingRegionsDenominator) {
  const DataMatrix data =
      MatrixFromRows({"A", "B", "C"}, {"x", "y", "z"}, {{10, 6, 1}, {20, 9, 2}, {kNa, 12, 3}});
  // Other order, an extra region.
  const DataMatrix denoms =
      MatrixFromRows({"C", "D", "B", "A"}, {"pop", "gdp"}, {{4, 3}, {1, 1}, {5, 0.5}, {2, 2}});
  ASSERT_OK_AND_ASSIGN(DenominateResult r,
                       Denominate(data, denoms, {{"x", "pop", 1.0}, {"y", "gdp", 1000.0}}));
  EXPECT_EQ(Col(r.data, 0)[0], 5.0);  // 10 / 2
  EXPECT_EQ(Col(r.data, 0)[1], 4.0);  // 20 / 5
  EXPECT_TRUE(std::isnan(Col(r.data, 0)[2]));
  EXPECT_THAT(Col(r.data, 1), ElementsAre(3000.0, 18000.0, 4000.0));  // y / gdp * 1000
  EXPECT_THAT(Col(r.data, 2), ElementsAre(1.0, 2.0, 3.0));            // untouched
  EXPECT_THAT(r.undefined_cells, IsEmpty());
}

TEST(DenominateTest, ZeroDenominatorGivesAReportedMissingCell) {
  const DataMatrix data = MatrixFromRows({"A", "B"}, {"x"}, {{1}, {2}});
  const DataMatrix denoms = MatrixFromRows({"A", "B"}, {"pop"}, {{4}, {0}});
  ASSERT_OK_AND_ASSIGN(DenominateResult r, Denominate(data, denoms, {{"x", "pop", 1.0}}));
  EXPECT_EQ(r.data.Get(0, 0), 0.25);
  EXPECT_TRUE(r.data.IsMissing(1, 0));
  EXPECT_THAT(r.undefined_cells, ElementsAre("B/x"));
}

TEST(DenominateTest, RejectsUnknownColumnsRegionsAndRepeats) {
  const DataMatrix data = MatrixFromRows({"A", "B"}, {"x"}, {{1}, {2}});
  const DataMatrix denoms = MatrixFromRows({"A"}, {"pop"}, {{4}});
  EXPECT_THAT(Denominate(data, denoms, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("region 'B' has no row in the denominators")));
  const DataMatrix both = MatrixFromRows({"A", "B"}, {"pop"}, {{4}, {5}});
  EXPECT_THAT(Denominate(data, both, {{"q", "pop", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("indicator 'q'")));
  EXPECT_THAT(Denominate(data, both, {{"x", "area", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("denominator 'area' of indicator 'x'")));
  EXPECT_THAT(Denominate(data, both, {{"x", "pop", 1.0}, {"x", "pop", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("denominated twice")));
  EXPECT_THAT(Denominate(data, both, {{"x", "pop", 0.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scale")));
}

TEST(DenominateTest, SpecsComeFromTheFrameworkDenominators) {
  ASSERT_OK_AND_ASSIGN(CoinrMeta meta,
                       ParseCoinrMetaCsv("iCode,Level,Parent,Denominator\na,1,I,GDP\nb,1,I,NA\n"
                                         "c,1,I,Population\nI,2,NA,NA\n"));
  const std::vector<DenominatorSpec> specs = DenominatorSpecsFromFramework(meta.framework);
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].indicator, "a");
  EXPECT_EQ(specs[0].denominator, "GDP");
  EXPECT_EQ(specs[1].indicator, "c");
  EXPECT_EQ(specs[1].scale, 1.0);
}

// ---------------------------------------------------------------------------
// Impute

TEST(ImputeTest, ColumnMeanAndMedianFillAndFlagCells) {
  const DataMatrix m =
      MatrixFromRows({"A", "B", "C", "D"}, {"x", "y"}, {{1, kNa}, {kNa, kNa}, {3, kNa}, {8, kNa}});
  ASSERT_OK_AND_ASSIGN(ImputeResult mean, Impute(m, ImputeMethod::kColumnMean));
  EXPECT_THAT(Col(mean.data, 0), ElementsAre(1.0, 4.0, 3.0, 8.0));  // (1 + 3 + 8) / 3
  // An all-missing column stays missing and is not flagged.
  EXPECT_TRUE(mean.data.IsMissing(0, 1));
  EXPECT_THAT(mean.imputed, ElementsAre(CellRef{1, 0}));
  ASSERT_OK_AND_ASSIGN(ImputeResult median, Impute(m, ImputeMethod::kColumnMedian));
  EXPECT_THAT(Col(median.data, 0), ElementsAre(1.0, 3.0, 3.0, 8.0));
  ASSERT_OK_AND_ASSIGN(ImputeResult none, Impute(m, ImputeMethod::kNone));
  EXPECT_TRUE(none.data.IsMissing(1, 0));
  EXPECT_THAT(none.imputed, IsEmpty());
}

TEST(ImputeTest, GroupMethodsUseOnlyTheRegionsOfTheSameGroup) {
  const DataMatrix m = MatrixFromRows({"A", "B", "C", "D", "E", "F", "G"}, {"x"},
                                      {{1}, {kNa}, {kNa}, {8}, {2}, {kNa}, {kNa}});
  // Groups: Europe {A, B, E}, Asia {C, D}, "" (no group) {F}, Oceania {G} (all missing).
  const std::vector<std::string> groups = {"Europe", "Europe", "Asia",   "Asia",
                                           "Europe", "",       "Oceania"};
  ASSERT_OK_AND_ASSIGN(ImputeResult r, Impute(m, ImputeMethod::kGroupMean, groups));
  EXPECT_EQ(r.data.Get(1, 0), 1.5);  // (1 + 2) / 2
  EXPECT_EQ(r.data.Get(2, 0), 8.0);
  EXPECT_TRUE(r.data.IsMissing(5, 0));
  EXPECT_TRUE(r.data.IsMissing(6, 0));
  EXPECT_THAT(r.imputed, ElementsAre(CellRef{1, 0}, CellRef{2, 0}));
  ASSERT_OK_AND_ASSIGN(ImputeResult med, Impute(m, ImputeMethod::kGroupMedian, groups));
  EXPECT_EQ(med.data.Get(1, 0), 1.5);  // median of {1, 2}
  EXPECT_THAT(
      Impute(m, ImputeMethod::kGroupMean, {"Europe"}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 1 labels for 7 regions")));
}

TEST(ImputePanelTest, CarriesForwardTheLatestEarlierValue) {
  // Region A: 1, NA, 3; region B: NA, 5, NA.
  const std::vector<DataMatrix> years = {MatrixFromRows({"A", "B"}, {"x"}, {{1}, {kNa}}),
                                         MatrixFromRows({"A", "B"}, {"x"}, {{kNa}, {5}}),
                                         MatrixFromRows({"A", "B"}, {"x"}, {{3}, {kNa}})};
  ASSERT_OK_AND_ASSIGN(PanelImputeResult r, ImputePanel(years, PanelImputeMethod::kCarryForward));
  EXPECT_EQ(r.periods[1].Get(0, 0), 1.0);
  EXPECT_TRUE(r.periods[0].IsMissing(1, 0));  // nothing earlier
  EXPECT_EQ(r.periods[2].Get(1, 0), 5.0);
  EXPECT_THAT(r.imputed, ElementsAre(PanelCellRef{1, 0, 0}, PanelCellRef{2, 1, 0}));
}

TEST(ImputePanelTest, InterpolatesLinearlyInTimeWithoutExtrapolating) {
  const std::vector<DataMatrix> years = {MatrixFromRows({"A", "B"}, {"x"}, {{1}, {kNa}}),
                                         MatrixFromRows({"A", "B"}, {"x"}, {{kNa}, {5}}),
                                         MatrixFromRows({"A", "B"}, {"x"}, {{3}, {kNa}})};
  ASSERT_OK_AND_ASSIGN(PanelImputeResult even, ImputePanel(years, PanelImputeMethod::kLinear));
  EXPECT_EQ(even.periods[1].Get(0, 0), 2.0);
  EXPECT_TRUE(even.periods[0].IsMissing(1, 0));
  EXPECT_TRUE(even.periods[2].IsMissing(1, 0));
  EXPECT_THAT(even.imputed, ElementsAre(PanelCellRef{1, 0, 0}));
  // Years 2019, 2020, 2022: 2020 is a third of the way from 1 to 3.
  ASSERT_OK_AND_ASSIGN(PanelImputeResult dated,
                       ImputePanel(years, PanelImputeMethod::kLinear, {2019, 2020, 2022}));
  EXPECT_NEAR(dated.periods[1].Get(0, 0), 1 + 2.0 / 3, 1e-12);
}

TEST(ImputePanelTest, RejectsMisalignedPeriodsAndTimes) {
  const std::vector<DataMatrix> years = {MatrixFromRows({"A", "B"}, {"x"}, {{1}, {2}}),
                                         MatrixFromRows({"B", "A"}, {"x"}, {{1}, {2}})};
  EXPECT_THAT(
      ImputePanel(years, PanelImputeMethod::kLinear),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("period 1 lists other regions")));
  const std::vector<DataMatrix> ok = {MatrixFromRows({"A"}, {"x"}, {{1}}),
                                      MatrixFromRows({"A"}, {"x"}, {{2}})};
  EXPECT_THAT(ImputePanel(ok, PanelImputeMethod::kLinear, {2020, 2020}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("strictly increasing")));
  EXPECT_THAT(ImputePanel(ok, PanelImputeMethod::kLinear, {2020}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 period times for 2")));
  ASSERT_OK_AND_ASSIGN(PanelImputeResult empty, ImputePanel({}, PanelImputeMethod::kLinear));
  EXPECT_THAT(empty.periods, IsEmpty());
}

// ---------------------------------------------------------------------------
// Screen

TEST(ScreenTest, DropsIndicatorsStrictlyBelowTheThreshold) {
  // Regions: A 4/4, B 2/4, C 2/4. Indicators: x 3/3, y 1/3, z 3/3, w 1/3.
  const DataMatrix data = MatrixFromRows({"A", "B", "C"}, {"x", "y", "z", "w"},
                                         {{1, 2, 3, 4}, {1, kNa, 3, kNa}, {1, kNa, 3, kNa}});
  ScreenOptions opt;
  opt.region_threshold = 0.5;     // B and C sit exactly on it: kept
  opt.indicator_threshold = 0.5;  // y and w (1/3) go
  ASSERT_OK_AND_ASSIGN(ScreenResult r, Screen(data, opt));
  EXPECT_THAT(r.region_availability, ElementsAre(1.0, 0.5, 0.5));
  EXPECT_THAT(r.indicator_availability, ElementsAre(1.0, 1.0 / 3, 1.0, 1.0 / 3));
  EXPECT_THAT(r.dropped_regions, IsEmpty());
  EXPECT_THAT(r.dropped_indicators, ElementsAre("y", "w"));
  EXPECT_THAT(r.data.indicators(), ElementsAre("x", "z"));
  EXPECT_EQ(r.data.rows(), 3u);
}

TEST(ScreenTest, DropsRegionsStrictlyBelowTheThreshold) {
  // Regions: A 4/4, B 3/4, C 2/4 (COINr byNA: Dat_Avail < dat_thresh goes).
  const DataMatrix data = MatrixFromRows({"A", "B", "C"}, {"x", "y", "z", "w"},
                                         {{1, 2, 3, 4}, {1, kNa, 3, 4}, {1, kNa, kNa, 4}});
  ScreenOptions opt;
  opt.region_threshold = 0.75;
  ASSERT_OK_AND_ASSIGN(ScreenResult r, Screen(data, opt));
  EXPECT_THAT(r.region_availability, ElementsAre(1.0, 0.75, 0.5));
  EXPECT_THAT(r.dropped_regions, ElementsAre("C"));
  EXPECT_THAT(r.dropped_indicators, IsEmpty());
  EXPECT_THAT(r.data.regions(), ElementsAre("A", "B"));
  EXPECT_TRUE(r.data.IsMissing(1, 1));
  EXPECT_EQ(r.data.Get(1, 3), 4.0);
}

TEST(ScreenTest, RejectsThresholdsOutsideTheUnitInterval) {
  ScreenOptions opt;
  opt.region_threshold = 1.5;
  EXPECT_THAT(Screen(DataMatrix(), opt),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("region_threshold")));
}

}  // namespace
}  // namespace innoscope::index

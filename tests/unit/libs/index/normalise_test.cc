#include "libs/index/normalise.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/data_csv.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/weights.h"
#include "tests/shared_data.h"
#include "tests/unit/libs/index/test_util.h"

namespace innoscope::index {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Pointwise;

constexpr double kNa = kMissing;

// Elementwise comparison where NaN (missing) must match NaN.
MATCHER_P2(MatchesWithMissing, expected, tolerance, "") {
  if (arg.size() != expected.size()) return false;
  for (size_t i = 0; i < arg.size(); ++i) {
    const bool a_missing = std::isnan(arg[i]);
    const bool e_missing = std::isnan(expected[i]);
    if (a_missing != e_missing) return false;
    if (!a_missing && std::fabs(arg[i] - expected[i]) > tolerance) {
      *result_listener << "at " << i << ": " << arg[i] << " vs " << expected[i];
      return false;
    }
  }
  return true;
}

NormaliseSpec Spec(NormaliseMethod method, int direction = 1) {
  NormaliseSpec s;
  s.method = method;
  s.direction = direction;
  return s;
}

std::vector<double> Normalised(const std::vector<double>& x, const NormaliseSpec& spec) {
  absl::StatusOr<std::vector<double>> y = NormaliseColumn(x, spec);
  EXPECT_TRUE(y.ok()) << y.status();
  return y.ok() ? *y : std::vector<double>();
}

TEST(NormaliseTest, MinMaxMapsOntoTheScaleAndKeepsMissingValues) {
  EXPECT_THAT(Normalised({2, 4, 6, kNa}, Spec(NormaliseMethod::kMinMax)),
              MatchesWithMissing(std::vector<double>{0, 50, 100, kNa}, 1e-12));
  EXPECT_THAT(Normalised({2, 4, 6}, Spec(NormaliseMethod::kMinMax, -1)),
              MatchesWithMissing(std::vector<double>{100, 50, 0}, 1e-12));
  NormaliseSpec unit = Spec(NormaliseMethod::kMinMax);
  unit.lower = 1;
  unit.upper = 5;
  EXPECT_THAT(Normalised({2, 4, 6}, unit), MatchesWithMissing(std::vector<double>{1, 3, 5}, 1e-12));
}

TEST(NormaliseTest, DegenerateColumnsFollowThePolicy) {
  // max == min, and a single region, give the midpoint (or stay missing).
  EXPECT_THAT(Normalised({3, 3, kNa}, Spec(NormaliseMethod::kMinMax)),
              MatchesWithMissing(std::vector<double>{50, 50, kNa}, 0));
  EXPECT_THAT(Normalised({7}, Spec(NormaliseMethod::kMinMax)),
              MatchesWithMissing(std::vector<double>{50}, 0));
  EXPECT_THAT(Normalised({7}, Spec(NormaliseMethod::kZScore)),
              MatchesWithMissing(std::vector<double>{0}, 0));
  EXPECT_THAT(Normalised({7, 7}, Spec(NormaliseMethod::kPercentileRank)),
              MatchesWithMissing(std::vector<double>{50, 50}, 0));
  EXPECT_THAT(Normalised({7}, Spec(NormaliseMethod::kRank)),
              MatchesWithMissing(std::vector<double>{1}, 0));
  NormaliseSpec leave = Spec(NormaliseMethod::kMinMax);
  leave.degenerate = DegeneratePolicy::kLeaveMissing;
  EXPECT_THAT(Normalised({3, 3}, leave), MatchesWithMissing(std::vector<double>{kNa, kNa}, 0));
}

TEST(NormaliseTest, AllMissingColumnStaysMissingForEveryMethod) {
  for (NormaliseMethod m : {NormaliseMethod::kMinMax, NormaliseMethod::kZScore,
                            NormaliseMethod::kRank, NormaliseMethod::kPercentileRank,
                            NormaliseMethod::kDistanceToBest, NormaliseMethod::kProportionOfMax}) {
    EXPECT_THAT(Normalised({kNa, kNa}, Spec(m)),
                MatchesWithMissing(std::vector<double>{kNa, kNa}, 0));
  }
  EXPECT_THAT(Normalised({}, Spec(NormaliseMethod::kMinMax)), ::testing::IsEmpty());
}

TEST(NormaliseTest, GoalpostsClipAndOptionallyUseLogs) {
  NormaliseSpec g = Spec(NormaliseMethod::kGoalposts);
  g.goal_min = 0;
  g.goal_max = 100;
  EXPECT_THAT(Normalised({-5, 0, 50, 100, 150, kNa}, g),
              MatchesWithMissing(std::vector<double>{0, 0, 50, 100, 100, kNa}, 1e-12));
  g.direction = -1;
  EXPECT_THAT(Normalised({-5, 25, 150}, g),
              MatchesWithMissing(std::vector<double>{100, 75, 0}, 1e-12));
  // ln 10, ln 100, ln 1000 are equally spaced: 0, 50, 100.
  NormaliseSpec lg = Spec(NormaliseMethod::kGoalposts);
  lg.goal_min = 10;
  lg.goal_max = 1000;
  lg.log_scale = true;
  EXPECT_THAT(Normalised({10, 100, 1000}, lg),
              MatchesWithMissing(std::vector<double>{0, 50, 100}, 1e-12));
  // A single region is no problem for fixed goalposts.
  EXPECT_THAT(Normalised({100}, lg), MatchesWithMissing(std::vector<double>{50}, 1e-12));
}

TEST(NormaliseTest, ZScoreUsesTheSampleStandardDeviation) {
  // (2, 4, 6): mean 4, sample sd sqrt((4 + 0 + 4) / 2) = 2.
  EXPECT_THAT(Normalised({2, 4, kNa, 6}, Spec(NormaliseMethod::kZScore)),
              MatchesWithMissing(std::vector<double>{-1, 0, kNa, 1}, 1e-12));
  EXPECT_THAT(Normalised({2, 4, 6}, Spec(NormaliseMethod::kZScore, -1)),
              MatchesWithMissing(std::vector<double>{1, 0, -1}, 1e-12));
}

TEST(NormaliseTest, RanksAreCompetitionRanksWithOneForTheWorst) {
  EXPECT_THAT(Normalised({30, 10, 20, 20, kNa}, Spec(NormaliseMethod::kRank)),
              MatchesWithMissing(std::vector<double>{4, 1, 2, 2, kNa}, 0));
  EXPECT_THAT(Normalised({30, 10, 20, 20}, Spec(NormaliseMethod::kRank, -1)),
              MatchesWithMissing(std::vector<double>{1, 4, 2, 2}, 0));
}

// Negative values, -0 next to +0 (equal, so tied) and magnitudes far apart.
// Ascending: -1e300, -2.5, -2.5, -0 = 0, 1e-300, 3; rank = 1 + the number of
// values strictly below.
TEST(NormaliseTest, RanksOrderSignsAndZerosAsNumbers) {
  EXPECT_THAT(
      Normalised({-2.5, 0.0, -0.0, 3, -2.5, 1e-300, -1e300, kNa}, Spec(NormaliseMethod::kRank)),
      MatchesWithMissing(std::vector<double>{2, 4, 4, 7, 2, 6, 1, kNa}, 0));
}

// Beyond a handful of values (the quantised sort of radix_sort.h): 600
// values, against the definition (rank = 1 + the number of present values
// strictly below; percentile rank = 100 x that number / (n - 1)): spread
// values, ties, a dense cluster 1e-12 apart next to values 1e6 away (one
// quantised value for the cluster: sorted by std::sort), runs of 7 (by
// insertion), -0 next to +0, and missing values.
TEST(NormaliseTest, RanksOfManyValuesMatchTheDefinition) {
  std::vector<double> x;
  uint64_t state = 7;
  for (int i = 0; i < 600; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) * 0x1.0p-53;  // [0, 1)
    if (i % 97 == 96) {
      x.push_back(kNa);
    } else if (i < 200) {
      x.push_back(std::round(100 * u) / 4);  // ties
    } else if (i < 400) {
      x.push_back(5 + 1e-12 * static_cast<int>(40 * u));  // a dense cluster
    } else if (i < 590) {
      x.push_back((i - 400) / 7 + 1e-13 * (i % 7));  // runs of 7
    } else {
      x.push_back(i % 2 == 0 ? 0.0 : -0.0);
    }
  }
  x.push_back(-1e6);
  x.push_back(1e6);
  std::vector<double> rank_expected(x.size(), kNa);
  std::vector<double> percentile_expected(x.size(), kNa);
  double present = 0;
  for (double v : x) present += std::isnan(v) ? 0 : 1;
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) continue;
    double below = 0;
    for (double v : x) below += v < x[i] ? 1 : 0;
    rank_expected[i] = 1 + below;
    percentile_expected[i] = 100 * below / (present - 1);
  }
  EXPECT_THAT(Normalised(x, Spec(NormaliseMethod::kRank)), MatchesWithMissing(rank_expected, 0));
  EXPECT_THAT(Normalised(x, Spec(NormaliseMethod::kPercentileRank)),
              MatchesWithMissing(percentile_expected, 1e-9));
}

TEST(NormaliseTest, PercentileRankFollowsExcelPercentRankInc) {
  // Values below: 3, 0, 1, 1 of n - 1 = 3.
  EXPECT_THAT(Normalised({30, 10, 20, 20}, Spec(NormaliseMethod::kPercentileRank)),
              MatchesWithMissing(std::vector<double>{100, 0, 100.0 / 3, 100.0 / 3}, 1e-12));
}

TEST(NormaliseTest, DistanceToTargetCapsAtTheTarget) {
  NormaliseSpec t = Spec(NormaliseMethod::kDistanceToTarget);
  t.target = 10;
  EXPECT_THAT(Normalised({0, 5, 10, 20}, t),
              MatchesWithMissing(std::vector<double>{0, 50, 100, 100}, 1e-12));
  // Less is better, target 5: (max - x) / (max - target) = (20 - x) / 15.
  t.direction = -1;
  t.target = 5;
  EXPECT_THAT(Normalised({0, 5, 10, 20}, t),
              MatchesWithMissing(std::vector<double>{100, 100, 200.0 / 3, 0}, 1e-12));
  t.target = 25;
  EXPECT_THAT(NormaliseColumn({0, 5, 10, 20}, t),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("target must be better than the worst value")));
}

TEST(NormaliseTest, DistanceToBestIsTheRelativeGapToTheLeader) {
  EXPECT_THAT(Normalised({50, 100, 80}, Spec(NormaliseMethod::kDistanceToBest)),
              MatchesWithMissing(std::vector<double>{-50, 0, -20}, 1e-12));
  // Less is better: best = 2, (2 - x) / 2.
  EXPECT_THAT(Normalised({2, 4, 5}, Spec(NormaliseMethod::kDistanceToBest, -1)),
              MatchesWithMissing(std::vector<double>{0, -100, -150}, 1e-12));
  EXPECT_THAT(NormaliseColumn({-3, 0}, Spec(NormaliseMethod::kDistanceToBest)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("best is 0")));
}

TEST(NormaliseTest, ProportionOfMaximum) {
  EXPECT_THAT(Normalised({0, 25, 50}, Spec(NormaliseMethod::kProportionOfMax)),
              MatchesWithMissing(std::vector<double>{0, 50, 100}, 1e-12));
  EXPECT_THAT(Normalised({2, 4, 8}, Spec(NormaliseMethod::kProportionOfMax, -1)),
              MatchesWithMissing(std::vector<double>{100, 50, 25}, 1e-12));
  EXPECT_THAT(NormaliseColumn({1, -2}, Spec(NormaliseMethod::kProportionOfMax)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("needs non-negative values; the value at index 1 has -2")));
}

TEST(NormaliseTest, InvalidSpecsAreRejected) {
  EXPECT_THAT(NormaliseColumn({1, 2}, Spec(NormaliseMethod::kMinMax, 0)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("direction")));
  NormaliseSpec s = Spec(NormaliseMethod::kMinMax);
  s.lower = 100;
  s.upper = 0;
  EXPECT_THAT(NormaliseColumn({1, 2}, s),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lower < upper")));
  EXPECT_THAT(NormaliseColumn({1, 2}, Spec(NormaliseMethod::kGoalposts)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("goal_min < goal_max")));
  EXPECT_THAT(NormaliseColumn({1, 2}, Spec(NormaliseMethod::kDistanceToTarget)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a finite target")));
  NormaliseSpec lg = Spec(NormaliseMethod::kMinMax);
  lg.log_scale = true;
  EXPECT_THAT(NormaliseColumn({1, 0}, lg),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("log scale needs positive values; the value at index 1 has 0")));
}

TEST(NormaliseTest, MatrixVersionsNameTheIndicatorAndRegion) {
  const DataMatrix m =
      MatrixFromRows({"BJ", "SH", "GD"}, {"patents", "cost"}, {{10, 3}, {20, 0}, {40, 1}});
  ASSERT_OK_AND_ASSIGN(DataMatrix n, Normalise(m, NormaliseSpec(), {1, -1}));
  EXPECT_THAT(std::vector<double>(n.Column(0).begin(), n.Column(0).end()),
              Pointwise(DoubleNear(1e-12), {0.0, 100.0 / 3, 100.0}));
  EXPECT_THAT(std::vector<double>(n.Column(1).begin(), n.Column(1).end()),
              Pointwise(DoubleNear(1e-12), {0.0, 100.0, 200.0 / 3}));
  NormaliseSpec lg;
  lg.log_scale = true;
  EXPECT_THAT(Normalise(m, lg),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("indicator 'cost': log scale needs positive values; region 'SH' "
                                 "has 0")));
  EXPECT_THAT(Normalise(m, NormaliseSpec(), {1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 1 directions")));
}

TEST(NormaliseTest, SpecsFromFrameworkTakeDirectionGoalpostsAndTarget) {
  FrameworkNode root;
  root.code = "index";
  root.level = 2;
  FrameworkNode a;
  a.code = "a";
  a.parent = "index";
  a.direction = -1;
  a.goal_min = 0;
  a.goal_max = 10;
  FrameworkNode b = a;
  b.code = "b";
  b.direction = 1;
  b.goal_min.reset();
  b.goal_max.reset();
  b.target = 3;
  ASSERT_OK_AND_ASSIGN(Framework f, Framework::Create({root, a, b}));
  DataMatrix m({"r"}, {"b", "a"});
  ASSERT_OK_AND_ASSIGN(std::vector<NormaliseSpec> specs,
                       SpecsFromFramework(m, f, Spec(NormaliseMethod::kGoalposts)));
  EXPECT_EQ(specs[0].direction, 1);
  EXPECT_EQ(specs[0].target, 3.0);
  EXPECT_EQ(specs[1].direction, -1);
  EXPECT_EQ(specs[1].goal_max, 10.0);
  EXPECT_EQ(specs[1].method, NormaliseMethod::kGoalposts);
  EXPECT_THAT(
      SpecsFromFramework(DataMatrix({"r"}, {"index"}), f, NormaliseSpec()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("indicator 'index' is not a leaf")));
}

// UNDP HDR 2023/24 technical notes: dimension indices by goalposts
//   health      (LE - 20) / (85 - 20)
//   education   mean of EYS / 18 and MYS / 15 (capped at 1)
//   income      (ln GNIpc - ln 100) / (ln 75000 - ln 100) (capped at 1)
// HDI = geometric mean of the three. Published hdi_2022 (3 dp) must be
// reproduced for every row with complete data: 204 rows (193 countries and
// 11 aggregates; PRK and MCO have no HDI), datasets/README.md.
TEST(HdiTest, GoalpostsReproduceThePublishedHdi2022) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  ASSERT_OK_AND_ASSIGN(
      std::string text,
      ReadTextFile(dir + "/datasets/composite/hdr/hdi_2022_components_extract.csv"));
  WideCsvOptions opt;
  opt.region_column = "iso3";
  opt.label_columns = {"country", "hdicode", "region"};
  ASSERT_OK_AND_ASSIGN(WideCsvData hdr, ParseWideCsv(text, opt));
  ASSERT_OK_AND_ASSIGN(
      DataMatrix m,
      SelectIndicators(hdr.matrix, {"le_2022", "eys_2022", "mys_2022", "gnipc_2022", "hdi_2022"}));
  auto goalposts = [](double lo, double hi, bool log_scale) {
    NormaliseSpec s;
    s.method = NormaliseMethod::kGoalposts;
    s.lower = 0;
    s.upper = 1;
    s.goal_min = lo;
    s.goal_max = hi;
    s.log_scale = log_scale;
    return s;
  };
  const std::vector<NormaliseSpec> specs = {goalposts(20, 85, false), goalposts(0, 18, false),
                                            goalposts(0, 15, false), goalposts(100, 75000, true),
                                            goalposts(0, 1, false)};
  ASSERT_OK_AND_ASSIGN(DataMatrix idx, Normalise(m, specs));
  int complete = 0;
  int matched = 0;
  for (size_t r = 0; r < m.rows(); ++r) {
    bool has_all = true;
    for (size_t c = 0; c < m.cols(); ++c) has_all = has_all && !m.IsMissing(r, c);
    if (!has_all) continue;
    ++complete;
    const double health = idx.Get(r, 0);
    const double education = (idx.Get(r, 1) + idx.Get(r, 2)) / 2;
    const double income = idx.Get(r, 3);
    const double hdi = std::cbrt(health * education * income);
    const double published = m.Get(r, 4);
    if (std::fabs(RoundHalfAwayFromZero(hdi, 3) - published) < 1e-9) {
      ++matched;
    } else {
      ADD_FAILURE() << m.regions()[r] << ": computed " << hdi << ", published " << published;
    }
    if (m.regions()[r] == "CHE") {
      EXPECT_NEAR(hdi, 0.967, 0.0005);  // rank 1 (datasets/README.md)
    }
    if (m.regions()[r] == "CHN") {
      EXPECT_NEAR(hdi, 0.788, 0.0005);
    }
  }
  EXPECT_EQ(complete, 204);
  EXPECT_EQ(matched, 204);
}

}  // namespace
}  // namespace innoscope::index

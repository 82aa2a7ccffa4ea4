#include "libs/scoring/uncertainty.h"

#include <atomic>
#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/status_matchers.h"
#include "libs/index/data_matrix.h"
#include "libs/scoring/aggregation.h"

namespace innoscope::scoring {
namespace {

using index::DataMatrix;
using ::innoscope::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

RunControl Threads(int n) {
  RunControl control;
  control.num_threads = n;
  return control;
}

// A small composite index as the model: CI over x1 (relative weight f[0])
// and x2 (weight 1); f[1] chooses the arithmetic (0) or geometric (1) mean.
class CompositeModel {
 public:
  explicit CompositeModel(std::vector<std::vector<double>> rows)
      : tree_(*AggregationTree::Create({{"CI", {1, 2}}, {"x1", {}}, {"x2", {}}})) {
    std::vector<std::string> regions;
    for (size_t r = 0; r < rows.size(); ++r) regions.push_back(absl::StrCat("R", r));
    leaves_ = DataMatrix(regions, {"x1", "x2"});
    for (size_t r = 0; r < rows.size(); ++r) {
      leaves_.Set(r, 0, rows[r][0]);
      leaves_.Set(r, 1, rows[r][1]);
    }
  }

  absl::StatusOr<std::vector<double>> operator()(absl::Span<const double> f) const {
    ASSIGN_OR_RETURN(AggregationTree tree, tree_.WithWeights({1.0, f[0], 1.0}));
    AggregationOptions options;
    options.spec.method =
        f[1] == 0 ? AggregationMethod::kArithmetic : AggregationMethod::kGeometric;
    options.non_positive = NonPositivePolicy::kShift;
    ASSIGN_OR_RETURN(DataMatrix scores, Aggregate(tree, leaves_, options));
    absl::Span<const double> composite = scores.Column(tree.Root());
    return std::vector<double>(composite.begin(), composite.end());
  }

 private:
  AggregationTree tree_;
  DataMatrix leaves_;
};

// Composite (equal weights) 85, 72.5, 72.5, 50, 42.5, 15.
std::vector<std::vector<double>> SixRegions() {
  return {{90, 80}, {70, 75}, {75, 70}, {40, 60}, {55, 30}, {10, 20}};
}

// Profiles that cross as x1's weight moves, so ranks change in many ways.
std::vector<std::vector<double>> CrossingRegions() {
  return {{90, 20}, {20, 85}, {60, 45}, {45, 62}, {52, 50}, {30, 75}};
}

TEST(UncertainFactorTest, MapsUnitDraws) {
  const UncertainFactor w = UncertainFactor::Uniform("w", 0.5, 1.5, 1.0);
  EXPECT_DOUBLE_EQ(w.ValueAt(0.0), 0.5);
  EXPECT_DOUBLE_EQ(w.ValueAt(0.25), 0.75);
  const UncertainFactor d = UncertainFactor::Discrete("method", 4, 1);
  EXPECT_EQ(d.ValueAt(0.0), 0);
  EXPECT_EQ(d.ValueAt(0.5), 2);
  EXPECT_EQ(d.ValueAt(0.999999), 3);
  EXPECT_EQ(d.nominal, 1);
}

// With every perturbation switched off (a +-0% weight range, one
// aggregation alternative) every replicate is the nominal run, so each rank
// interval collapses to the nominal rank -- ties included (R1 and R2 tie at
// 72.5 and both rank 2).
TEST(RunMonteCarloTest, IntervalsCollapseToNominalWhenNothingVaries) {
  const CompositeModel model(SixRegions());
  const std::vector<UncertainFactor> factors = {
      UncertainFactor::Uniform("weight x1", 1.0, 1.0, 1.0),
      UncertainFactor::Discrete("aggregation", 1, 0)};
  MonteCarloOptions options;
  options.replicates = 200;
  options.seed = 7;
  ASSERT_OK_AND_ASSIGN(MonteCarloResult mc, RunMonteCarlo(factors, model, options, Threads(2)));
  ASSERT_EQ(mc.regions.size(), 6u);
  const std::vector<int> expected_nominal = {1, 2, 2, 4, 5, 6};
  for (size_t r = 0; r < 6; ++r) {
    const RegionUncertainty& u = mc.regions[r];
    EXPECT_EQ(u.nominal_rank, expected_nominal[r]) << r;
    EXPECT_EQ(u.mean_rank, u.nominal_rank) << r;
    EXPECT_EQ(u.median_rank, u.nominal_rank) << r;
    EXPECT_EQ(u.p05_rank, u.nominal_rank) << r;
    EXPECT_EQ(u.p95_rank, u.nominal_rank) << r;
  }
  EXPECT_DOUBLE_EQ(mc.regions[1].nominal_score, 72.5);
}

// The same with more than 8 times as many regions as replicates, where the
// percentiles come from a comparison sort of each region's ranks instead of
// a counting sort: ten regions (r + 1, r + 1), whose composite r + 1 ranks
// 10 - r, and one replicate.
TEST(RunMonteCarloTest, IntervalsCollapseWithManyMoreRegionsThanReplicates) {
  std::vector<std::vector<double>> rows;
  for (int r = 0; r < 10; ++r) rows.push_back({r + 1.0, r + 1.0});
  const CompositeModel model(rows);
  const std::vector<UncertainFactor> factors = {
      UncertainFactor::Uniform("weight x1", 1.0, 1.0, 1.0),
      UncertainFactor::Discrete("aggregation", 1, 0)};
  MonteCarloOptions options;
  options.replicates = 1;
  ASSERT_OK_AND_ASSIGN(MonteCarloResult mc, RunMonteCarlo(factors, model, options, Threads(2)));
  ASSERT_EQ(mc.regions.size(), 10u);
  for (int r = 0; r < 10; ++r) {
    const RegionUncertainty& u = mc.regions[r];
    EXPECT_EQ(u.nominal_rank, 10 - r) << r;
    EXPECT_EQ(u.mean_rank, u.nominal_rank) << r;
    EXPECT_EQ(u.median_rank, u.nominal_rank) << r;
    EXPECT_EQ(u.p05_rank, u.nominal_rank) << r;
    EXPECT_EQ(u.p95_rank, u.nominal_rank) << r;
  }
}

// P = (100, 0) and Q = (0, 100) with x1's relative weight f ~ U(0.5, 1.5):
// P scores 100 f / (1 + f), Q 100 / (1 + f), so P leads exactly when f > 1
// (probability 1/2); R = (10, 10) scores 10 and is always third. At the
// nominal f = 1, P and Q tie for first.
TEST(RunMonteCarloTest, RankIntervalsOfASwappingPair) {
  const CompositeModel model({{100, 0}, {0, 100}, {10, 10}});
  const std::vector<UncertainFactor> factors = {
      UncertainFactor::Uniform("weight x1", 0.5, 1.5, 1.0),
      UncertainFactor::Discrete("aggregation", 1, 0)};
  MonteCarloOptions options;
  options.replicates = 4000;
  options.seed = 2024;
  ASSERT_OK_AND_ASSIGN(MonteCarloResult mc, RunMonteCarlo(factors, model, options, Threads(2)));
  EXPECT_EQ(mc.regions[0].nominal_rank, 1);
  EXPECT_EQ(mc.regions[1].nominal_rank, 1);
  // Mean rank 1.5; standard error 0.5 / sqrt(4000) = 0.008.
  EXPECT_NEAR(mc.regions[0].mean_rank, 1.5, 0.04);
  EXPECT_NEAR(mc.regions[0].mean_rank + mc.regions[1].mean_rank, 3.0, 1e-12);
  EXPECT_EQ(mc.regions[0].p05_rank, 1);
  EXPECT_EQ(mc.regions[0].p95_rank, 2);
  EXPECT_EQ(mc.regions[2].p05_rank, 3);
  EXPECT_EQ(mc.regions[2].p95_rank, 3);
}

// Y = sum a_i X_i, X_i ~ U(0, 1) independent: V_i = a_i^2 / 12, so
// S_i = a_i^2 / sum_j a_j^2 and, with no interactions, S_Ti = S_i.
// a = (1, 2, 3, 0): S = (1, 4, 9, 0) / 14. X4 does not enter Y at all, so
// f(AB_4) = f(A) exactly and its total index is exactly 0.
TEST(RunSensitivityTest, AdditiveFunctionMatchesAnalyticIndices) {
  const std::vector<double> a = {1, 2, 3, 0};
  std::vector<UncertainFactor> factors;
  for (size_t i = 0; i < a.size(); ++i) {
    factors.push_back(UncertainFactor::Uniform(absl::StrCat("X", i + 1), 0, 1, 0.5));
  }
  ScoreModel model = [&a](absl::Span<const double> x) -> absl::StatusOr<std::vector<double>> {
    double y = 0;
    for (size_t i = 0; i < a.size(); ++i) y += a[i] * x[i];
    return std::vector<double>{y};
  };
  SensitivityOptions options;
  options.base_samples = 32768;  // estimator RMSE about 0.006 (40 seeds)
  options.seed = 11;
  options.output.kind = SensitivityOutput::Kind::kRegionScore;
  options.bootstrap_replicates = 200;
  ASSERT_OK_AND_ASSIGN(SensitivityResult sa, RunSensitivity(factors, model, options, Threads(2)));
  EXPECT_EQ(sa.model_runs, 32768 * 6 + 1);
  // V(Y) = 14 / 12.
  EXPECT_NEAR(sa.output_variance, 14.0 / 12.0, 0.05);
  for (size_t i = 0; i < a.size(); ++i) {
    const double analytic = a[i] * a[i] / 14.0;
    const FactorSensitivity& f = sa.factors[i];
    EXPECT_EQ(f.name, absl::StrCat("X", i + 1));
    EXPECT_NEAR(f.first_order, analytic, 0.025) << f.name;
    EXPECT_NEAR(f.total, analytic, 0.025) << f.name;
    EXPECT_LE(f.first_order_low, f.first_order) << f.name;
    EXPECT_GE(f.first_order_high, f.first_order) << f.name;
    EXPECT_LE(f.total_low, f.total) << f.name;
    EXPECT_GE(f.total_high, f.total) << f.name;
    EXPECT_LT(f.total_high - f.total_low, 0.1) << f.name;
  }
  EXPECT_EQ(sa.factors[3].total, 0.0);
  EXPECT_EQ(sa.factors[3].total_high, 0.0);
}

// Ishigami & Homma (1990): Y = sin X1 + a sin^2 X2 + b X3^4 sin X1,
// X_i ~ U(-pi, pi), a = 7, b = 0.1. Analytic indices (Saltelli et al. 2010
// and references there): S = (0.3139, 0.4424, 0), S_T = (0.5576, 0.4424,
// 0.2437).
TEST(RunSensitivityTest, IshigamiFunctionMatchesAnalyticIndices) {
  const double pi = std::acos(-1.0);
  std::vector<UncertainFactor> factors;
  for (int i = 1; i <= 3; ++i) {
    factors.push_back(UncertainFactor::Uniform(absl::StrCat("X", i), -pi, pi, 0));
  }
  ScoreModel ishigami = [](absl::Span<const double> x) -> absl::StatusOr<std::vector<double>> {
    const double s2 = std::sin(x[1]);
    return std::vector<double>{std::sin(x[0]) + 7 * s2 * s2 +
                               0.1 * std::pow(x[2], 4) * std::sin(x[0])};
  };
  SensitivityOptions options;
  options.base_samples = 65536;  // estimator RMSE at most 0.0075 (40 seeds)
  options.seed = 3;
  options.output.kind = SensitivityOutput::Kind::kRegionScore;
  options.bootstrap_replicates = 0;
  ASSERT_OK_AND_ASSIGN(SensitivityResult sa,
                       RunSensitivity(factors, ishigami, options, Threads(2)));
  const double first[] = {0.3139, 0.4424, 0.0};
  const double total[] = {0.5576, 0.4424, 0.2437};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(sa.factors[i].first_order, first[i], 0.03) << "S" << i + 1;
    EXPECT_NEAR(sa.factors[i].total, total[i], 0.03) << "ST" << i + 1;
    EXPECT_TRUE(std::isnan(sa.factors[i].first_order_low));  // no bootstrap
  }
}

// Results depend on the seed only: 1 and 2 threads agree bit for bit.
TEST(UncertaintyDeterminismTest, SameResultsForOneAndTwoThreads) {
  const CompositeModel model(CrossingRegions());
  const std::vector<UncertainFactor> factors = {
      UncertainFactor::Uniform("weight x1", 0.5, 2.0, 1.0),
      UncertainFactor::Discrete("aggregation", 2, 0)};
  MonteCarloOptions mc_options;
  mc_options.replicates = 500;
  mc_options.seed = 99;
  ASSERT_OK_AND_ASSIGN(MonteCarloResult one, RunMonteCarlo(factors, model, mc_options, Threads(1)));
  ASSERT_OK_AND_ASSIGN(MonteCarloResult two, RunMonteCarlo(factors, model, mc_options, Threads(2)));
  for (size_t r = 0; r < one.regions.size(); ++r) {
    EXPECT_EQ(one.regions[r].mean_rank, two.regions[r].mean_rank);
    EXPECT_EQ(one.regions[r].median_rank, two.regions[r].median_rank);
    EXPECT_EQ(one.regions[r].p05_rank, two.regions[r].p05_rank);
    EXPECT_EQ(one.regions[r].p95_rank, two.regions[r].p95_rank);
  }

  SensitivityOptions sa_options;
  sa_options.base_samples = 300;
  sa_options.seed = 99;
  sa_options.bootstrap_replicates = 50;
  ASSERT_OK_AND_ASSIGN(SensitivityResult s1,
                       RunSensitivity(factors, model, sa_options, Threads(1)));
  ASSERT_OK_AND_ASSIGN(SensitivityResult s2,
                       RunSensitivity(factors, model, sa_options, Threads(2)));
  EXPECT_GT(s1.output_variance, 0);
  EXPECT_EQ(s1.output_variance, s2.output_variance);
  for (size_t i = 0; i < factors.size(); ++i) {
    EXPECT_EQ(s1.factors[i].first_order, s2.factors[i].first_order);
    EXPECT_EQ(s1.factors[i].total, s2.factors[i].total);
    EXPECT_EQ(s1.factors[i].first_order_low, s2.factors[i].first_order_low);
    EXPECT_EQ(s1.factors[i].total_high, s2.factors[i].total_high);
  }
  // A different seed gives a different sample.
  sa_options.seed = 100;
  ASSERT_OK_AND_ASSIGN(SensitivityResult s3,
                       RunSensitivity(factors, model, sa_options, Threads(2)));
  EXPECT_NE(s1.factors[0].total, s3.factors[0].total);
}

TEST(UncertaintyControlTest, CancellationAndDeadline) {
  const CompositeModel model(SixRegions());
  const std::vector<UncertainFactor> two = {UncertainFactor::Uniform("weight x1", 0.5, 2.0, 1.0),
                                            UncertainFactor::Discrete("aggregation", 2, 0)};
  std::atomic<int> polls{0};
  RunControl control = Threads(2);
  control.is_cancelled = [&polls] { return polls.fetch_add(1) >= 50; };
  MonteCarloOptions mc_options;
  mc_options.replicates = 100000;
  EXPECT_THAT(RunMonteCarlo(two, model, mc_options, control),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));
  polls = 0;
  SensitivityOptions sa_options;
  sa_options.base_samples = 100000;
  EXPECT_THAT(RunSensitivity(two, model, sa_options, control),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));

  std::atomic<int> ticks{0};
  RunControl timed = Threads(2);
  timed.now = [&ticks] { return absl::UnixEpoch() + absl::Seconds(ticks.fetch_add(1)); };
  timed.deadline = absl::UnixEpoch() + absl::Seconds(30);
  EXPECT_THAT(RunMonteCarlo(two, model, mc_options, timed),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("deadline")));
}

TEST(UncertaintyValidationTest, RejectsSizesBeyondTheLimits) {
  std::atomic<int> calls{0};
  ScoreModel counting = [&calls](absl::Span<const double>) -> absl::StatusOr<std::vector<double>> {
    calls.fetch_add(1);
    return std::vector<double>(51, 1.0);
  };
  const std::vector<UncertainFactor> one = {UncertainFactor::Uniform("w", 0, 1, 0.5)};
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  MonteCarloOptions mc;
  mc.replicates = 0;
  EXPECT_THAT(RunMonteCarlo(one, counting, mc, Threads(1)),
              StatusIs(kInvalid, HasSubstr("replicates")));
  mc.replicates = kMaxReplicates + 1;
  EXPECT_THAT(RunMonteCarlo(one, counting, mc, Threads(1)),
              StatusIs(kInvalid, HasSubstr("replicates")));
  EXPECT_EQ(calls.load(), 0);
  // 10^6 replicates x 51 regions > kMaxStoredRanks: only the nominal run.
  mc.replicates = kMaxReplicates;
  EXPECT_THAT(RunMonteCarlo(one, counting, mc, Threads(1)),
              StatusIs(kInvalid, HasSubstr("stored ranks")));
  EXPECT_EQ(calls.load(), 1);

  std::vector<UncertainFactor> many(kMaxFactors + 1, one[0]);
  EXPECT_THAT(RunMonteCarlo(many, counting, MonteCarloOptions{}, Threads(1)),
              StatusIs(kInvalid, HasSubstr("factors")));
  SensitivityOptions sa;
  sa.base_samples = kMaxReplicates;  // N (K + 2) = 10 * 10^6 + ... > limit
  EXPECT_THAT(RunSensitivity(std::vector<UncertainFactor>(9, one[0]), counting, sa, Threads(1)),
              StatusIs(kInvalid, HasSubstr("model runs")));
  EXPECT_EQ(calls.load(), 1);
  sa = {};
  EXPECT_THAT(RunSensitivity({}, counting, sa, Threads(1)),
              StatusIs(kInvalid, HasSubstr("at least one factor")));
  sa.output.kind = SensitivityOutput::Kind::kRegionRank;
  sa.output.region = 51;
  EXPECT_THAT(RunSensitivity(one, counting, sa, Threads(1)),
              StatusIs(kInvalid, HasSubstr("output region 51")));
  sa = {};
  sa.bootstrap_replicates = kMaxBootstrap + 1;
  EXPECT_THAT(RunSensitivity(one, counting, sa, Threads(1)),
              StatusIs(kInvalid, HasSubstr("bootstrap")));
}

TEST(UncertaintyValidationTest, RejectsBadFactorsAndModelOutput) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  ScoreModel constant = [](absl::Span<const double>) -> absl::StatusOr<std::vector<double>> {
    return std::vector<double>{1, 2};
  };
  EXPECT_THAT(RunMonteCarlo({UncertainFactor::Uniform("w", 1, 0, 0.5)}, constant,
                            MonteCarloOptions{}, Threads(1)),
              StatusIs(kInvalid, HasSubstr("'w'")));
  EXPECT_THAT(RunMonteCarlo({UncertainFactor::Uniform("w", 0, 1, 2)}, constant, MonteCarloOptions{},
                            Threads(1)),
              StatusIs(kInvalid, HasSubstr("nominal")));
  EXPECT_THAT(
      RunMonteCarlo({UncertainFactor::Discrete("m", 0)}, constant, MonteCarloOptions{}, Threads(1)),
      StatusIs(kInvalid, HasSubstr("'m'")));

  const std::vector<UncertainFactor> one = {UncertainFactor::Uniform("w", 0, 1, 0.5)};
  // The model changes its region count for w > 0.5 (not for the nominal).
  ScoreModel resizing = [](absl::Span<const double> f) -> absl::StatusOr<std::vector<double>> {
    return std::vector<double>(f[0] > 0.5 ? 3 : 2, 1.0);
  };
  EXPECT_THAT(RunMonteCarlo(one, resizing, MonteCarloOptions{}, Threads(2)),
              StatusIs(kInvalid, AllOf(HasSubstr("replicate"), HasSubstr("expected 2"))));
  ScoreModel non_finite = [](absl::Span<const double>) -> absl::StatusOr<std::vector<double>> {
    return std::vector<double>{1, NAN};
  };
  EXPECT_THAT(RunMonteCarlo(one, non_finite, MonteCarloOptions{}, Threads(1)),
              StatusIs(kInvalid, HasSubstr("nominal run: model returned a non-finite")));
  // A failing replicate fails the run with the model's own code.
  ScoreModel failing = [](absl::Span<const double> f) -> absl::StatusOr<std::vector<double>> {
    if (f[0] > 0.9) return absl::FailedPreconditionError("weights do not sum");
    return std::vector<double>{1, 2};
  };
  EXPECT_THAT(RunSensitivity(one, failing, SensitivityOptions{}, Threads(2)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("design row"), HasSubstr("weights do not sum"))));
}

// Replicate j draws from stream (seed, j) whatever computes it: blocks
// [0, 173) and [173, 500), computed apart (and passed in reverse order),
// assembled give exactly the intervals of one run of 500. The independent
// reference is RunMonteCarlo itself, whose intervals vary here (the crossing
// profiles swap ranks), so a block that drew the wrong replicates would
// change them.
TEST(MonteCarloBlocksTest, AssembledBlocksEqualOneRun) {
  const CompositeModel model(CrossingRegions());
  const std::vector<UncertainFactor> factors = {
      UncertainFactor::Uniform("weight x1", 0.5, 2.0, 1.0),
      UncertainFactor::Discrete("aggregation", 2, 0)};
  MonteCarloOptions options;
  options.replicates = 500;
  options.seed = 7;
  ASSERT_OK_AND_ASSIGN(MonteCarloResult whole, RunMonteCarlo(factors, model, options, Threads(2)));
  ASSERT_OK_AND_ASSIGN(ReplicateBlockRanks head,
                       RunMonteCarloBlock(factors, model, options, 0, 173, Threads(1)));
  ASSERT_OK_AND_ASSIGN(ReplicateBlockRanks tail,
                       RunMonteCarloBlock(factors, model, options, 173, 327, Threads(2)));
  EXPECT_EQ(head.regions, 6u);
  EXPECT_EQ(tail.ranks.size(), 327u * 6u);
  ASSERT_OK_AND_ASSIGN(MonteCarloResult assembled,
                       MonteCarloFromBlocks(factors, model, options, {tail, head}, Threads(2)));
  ASSERT_EQ(assembled.regions.size(), whole.regions.size());
  EXPECT_EQ(assembled.replicates, 500);
  bool varies = false;
  for (size_t r = 0; r < whole.regions.size(); ++r) {
    EXPECT_EQ(assembled.regions[r].nominal_score, whole.regions[r].nominal_score);
    EXPECT_EQ(assembled.regions[r].nominal_rank, whole.regions[r].nominal_rank);
    EXPECT_EQ(assembled.regions[r].mean_rank, whole.regions[r].mean_rank);
    EXPECT_EQ(assembled.regions[r].median_rank, whole.regions[r].median_rank);
    EXPECT_EQ(assembled.regions[r].p05_rank, whole.regions[r].p05_rank);
    EXPECT_EQ(assembled.regions[r].p95_rank, whole.regions[r].p95_rank);
    if (whole.regions[r].p05_rank != whole.regions[r].p95_rank) varies = true;
  }
  EXPECT_TRUE(varies);

  // A block of another seed's replicates changes the result.
  MonteCarloOptions other = options;
  other.seed = 8;
  ASSERT_OK_AND_ASSIGN(ReplicateBlockRanks foreign,
                       RunMonteCarloBlock(factors, model, other, 173, 327, Threads(2)));
  ASSERT_OK_AND_ASSIGN(MonteCarloResult mixed,
                       MonteCarloFromBlocks(factors, model, options, {head, foreign}, Threads(2)));
  bool differs = false;
  for (size_t r = 0; r < whole.regions.size(); ++r) {
    if (mixed.regions[r].mean_rank != whole.regions[r].mean_rank) differs = true;
  }
  EXPECT_TRUE(differs);
}

TEST(MonteCarloBlocksTest, RejectsBadBlocksAndIncompleteCover) {
  const CompositeModel model(SixRegions());
  const std::vector<UncertainFactor> factors = {
      UncertainFactor::Uniform("weight x1", 0.5, 2.0, 1.0),
      UncertainFactor::Discrete("aggregation", 2, 0)};
  MonteCarloOptions options;
  options.replicates = 10;
  EXPECT_THAT(RunMonteCarloBlock(factors, model, options, -1, 2, Threads(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("first")));
  EXPECT_THAT(RunMonteCarloBlock(factors, model, options, 10, 1, Threads(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("first")));
  EXPECT_THAT(RunMonteCarloBlock(factors, model, options, 0, 0, Threads(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("count")));
  EXPECT_THAT(RunMonteCarloBlock(factors, model, options, 4, 7, Threads(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("count")));
  ASSERT_OK_AND_ASSIGN(ReplicateBlockRanks a,
                       RunMonteCarloBlock(factors, model, options, 0, 4, Threads(1)));
  ASSERT_OK_AND_ASSIGN(ReplicateBlockRanks b,
                       RunMonteCarloBlock(factors, model, options, 5, 5, Threads(1)));
  ASSERT_OK_AND_ASSIGN(ReplicateBlockRanks c,
                       RunMonteCarloBlock(factors, model, options, 4, 6, Threads(1)));
  // A gap (4 missing), an overlap (5..9 twice), a short cover (4..9 missing).
  EXPECT_THAT(MonteCarloFromBlocks(factors, model, options, {a, b}, Threads(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tile")));
  EXPECT_THAT(MonteCarloFromBlocks(factors, model, options, {a, c, b}, Threads(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tile")));
  EXPECT_THAT(MonteCarloFromBlocks(factors, model, options, {a}, Threads(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cover")));
  EXPECT_OK(MonteCarloFromBlocks(factors, model, options, {c, a}, Threads(1)));
}

}  // namespace
}  // namespace innoscope::scoring

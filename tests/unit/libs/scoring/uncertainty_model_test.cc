// The uncertainty model of libs/scoring (uncertainty_model.h), the one both
// the scoring service and `innoscope uncertainty` on files run: which
// assumption becomes which factor, that every setting of the factors gives
// RunPipeline's composite bit for bit, and the errors found before any
// replicate runs.

#include "libs/scoring/uncertainty_model.h"

#include <cmath>

#include "absl/strings/str_cat.h"
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

PipelineSpec Nominal(const index::Framework& f) {
  PipelineSpec spec;
  spec.weights = index::FixedWeights(f).value();  // index 1, dx .75, dy .25, a .5, b .5, c 1
  return spec;
}

AggregationSpec Method(AggregationMethod method, double power = 1.0) {
  AggregationSpec spec;
  spec.method = method;
  spec.power = power;
  return spec;
}

std::vector<std::string> Names(const std::vector<UncertainFactor>& factors) {
  std::vector<std::string> names;
  for (const UncertainFactor& f : factors) names.push_back(f.name);
  return names;
}

// RunPipeline's composite of every region of the model under `values`.
void ExpectPipelineComposites(const UncertaintyInputs& inputs, const UncertaintyModel& model,
                              const std::vector<double>& values) {
  SCOPED_TRACE(::testing::PrintToString(values));
  const absl::StatusOr<PipelineResult> direct = RunPipeline(
      PipelineInputs{inputs.framework, inputs.data}, SpecFor(inputs.nominal, model.plan, values));
  ASSERT_TRUE(direct.ok()) << direct.status();
  ASSERT_OK_AND_ASSIGN(std::vector<double> scores, model.model(values));
  ASSERT_EQ(scores.size(), model.regions.size());
  for (size_t r = 0; r < scores.size(); ++r) {
    const int row = direct->scores.RegionIndex(model.regions[r]);
    ASSERT_GE(row, 0);
    EXPECT_EQ(scores[r], direct->scores.Get(row, inputs.framework.Root())) << model.regions[r];
  }
}

TEST(PlanFactorsTest, OneFactorPerAssumption) {
  const index::Framework f = SmallFramework();
  UncertaintyAssumptions a;
  a.weights = {{1, 0.2}, {2, 0.2}};
  // The nominal min-max is not an alternative to itself.
  a.normalisations = {index::NormaliseMethod::kMinMax, index::NormaliseMethod::kRank};
  a.aggregations = {Method(AggregationMethod::kGeometric)};
  a.imputation = true;
  a.outlier_treatment = true;
  ASSERT_OK_AND_ASSIGN(FactorPlan plan, PlanFactors(f, Nominal(f), a));
  // c is an only child: its weight cannot change anything.
  EXPECT_THAT(Names(plan.factors),
              ElementsAre("weight:a", "weight:b", "weight:dx", "weight:dy", "normalisation",
                          "aggregation", "imputation", "outlier_treatment"));
  EXPECT_EQ(plan.factors[0].low, 0.8);
  EXPECT_EQ(plan.factors[0].high, 1.2);
  EXPECT_EQ(plan.factors[0].nominal, 1.0);
  EXPECT_EQ(plan.weight_group, -1);
  ASSERT_EQ(plan.weights.size(), 4u);
  EXPECT_EQ(plan.weights[2].node, f.Find("dx"));
  EXPECT_EQ(plan.weights[2].factor, 2);
  EXPECT_EQ(plan.factors[4].num_choices, 2);
  EXPECT_THAT(plan.normalisations, ElementsAre(index::NormaliseMethod::kRank));
  EXPECT_EQ(plan.factors[5].num_choices, 2);
  EXPECT_EQ(plan.imputation_alternative, index::ImputeMethod::kColumnMean);
  EXPECT_EQ(plan.outliers, 7);
}

TEST(PlanFactorsTest, WhatCannotMoveAScoreIsNoFactor) {
  const index::Framework f = SmallFramework();
  PipelineSpec nominal = Nominal(f);
  nominal.weights[f.Find("b")] = 0;  // b takes no part
  UncertaintyAssumptions a;
  a.weights = {{1, 0.3}, {2, 0}};  // level 2 fixed
  // Arithmetic is the nominal method; geometric twice is one alternative.
  a.aggregations = {Method(AggregationMethod::kArithmetic), Method(AggregationMethod::kGeometric),
                    Method(AggregationMethod::kGeometric, 7)};
  ASSERT_OK_AND_ASSIGN(FactorPlan plan, PlanFactors(f, nominal, a));
  EXPECT_THAT(Names(plan.factors), ElementsAre("weight:a", "aggregation"));
  EXPECT_EQ(plan.factors[1].num_choices, 2);
  // With a method of its own at level 3 the nominal is not plain
  // arithmetic: the arithmetic alternative stays.
  nominal.aggregation.by_level[3] = Method(AggregationMethod::kGeometric);
  ASSERT_OK_AND_ASSIGN(plan, PlanFactors(f, nominal, a));
  EXPECT_EQ(plan.aggregations.size(), 2u);
  // Generalised means differ by their exponent.
  a.aggregations = {Method(AggregationMethod::kGeneralised, 2),
                    Method(AggregationMethod::kGeneralised, 3)};
  ASSERT_OK_AND_ASSIGN(plan, PlanFactors(f, Nominal(f), a));
  EXPECT_EQ(plan.aggregations.size(), 2u);
}

TEST(PlanFactorsTest, RejectsBadAssumptions) {
  const index::Framework f = SmallFramework();
  struct Case {
    int level;
    double fraction;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{{3, 0.1, "the composite has no weight"},
                                         {0, 0.1, "levels 1-2"},
                                         {1, 1.0, "fraction must be in [0, 1), got 1"},
                                         {1, -0.1, "fraction must be in [0, 1)"}}) {
    SCOPED_TRACE(c.expected);
    UncertaintyAssumptions a;
    a.weights = {{c.level, c.fraction}};
    EXPECT_THAT(PlanFactors(f, Nominal(f), a),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.expected)));
  }
  UncertaintyAssumptions twice;
  twice.weights = {{1, 0.1}, {1, 0.2}};
  EXPECT_THAT(PlanFactors(f, Nominal(f), twice),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("level given twice")));
  UncertaintyAssumptions infinite;
  infinite.aggregations = {Method(AggregationMethod::kGeneralised, INFINITY)};
  EXPECT_THAT(PlanFactors(f, Nominal(f), infinite),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not finite")));
  EXPECT_THAT(PlanFactors(f, PipelineSpec(), UncertaintyAssumptions()),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("weights")));
}

TEST(SpecForTest, AppliesEachFactorsValue) {
  const index::Framework f = SmallFramework();
  PipelineSpec nominal = Nominal(f);
  nominal.impute = index::ImputeMethod::kColumnMedian;
  nominal.by_indicator["c"].method = index::NormaliseMethod::kZScore;
  UncertaintyAssumptions a;
  a.weights = {{2, 0.5}};
  a.normalisations = {index::NormaliseMethod::kPercentileRank};
  a.aggregations = {Method(AggregationMethod::kGeneralised, 2)};
  a.imputation = true;
  a.outlier_treatment = true;
  ASSERT_OK_AND_ASSIGN(FactorPlan plan, PlanFactors(f, nominal, a));
  ASSERT_EQ(plan.factors.size(), 6u);  // dx, dy, normalisation, aggregation, imputation, outliers

  const PipelineSpec same = SpecFor(nominal, plan, {1, 1, 0, 0, 0, 0});
  EXPECT_EQ(same.weights, nominal.weights);
  EXPECT_EQ(same.normalise.method, index::NormaliseMethod::kMinMax);
  EXPECT_EQ(same.by_indicator.size(), 1u);
  EXPECT_EQ(same.impute, index::ImputeMethod::kColumnMedian);
  EXPECT_FALSE(same.treat_outliers);

  const PipelineSpec other = SpecFor(nominal, plan, {1.5, 0.5, 1, 1, 1, 1});
  EXPECT_DOUBLE_EQ(other.weights[1], 0.75 * 1.5);
  EXPECT_DOUBLE_EQ(other.weights[2], 0.25 * 0.5);
  EXPECT_EQ(other.weights[3], nominal.weights[3]);
  EXPECT_EQ(other.normalise.method, index::NormaliseMethod::kPercentileRank);
  EXPECT_TRUE(other.by_indicator.empty());  // the alternative applies to every leaf
  EXPECT_EQ(other.aggregation.spec.method, AggregationMethod::kGeneralised);
  EXPECT_EQ(other.aggregation.spec.power, 2);
  EXPECT_EQ(other.impute, index::ImputeMethod::kNone);
  EXPECT_TRUE(other.treat_outliers);
}

TEST(BuildUncertaintyModelTest, TheNominalSettingReproducesThePipeline) {
  auto inputs = std::make_shared<UncertaintyInputs>();
  inputs->framework = SmallFramework();
  inputs->data = Matrix({"P", "Q", "R"}, {"a", "b", "c"}, {{1, 10, 6}, {2, 30, 4}, {3, 20, 2}});
  inputs->nominal = Nominal(inputs->framework);
  const PipelineResult direct =
      RunPipeline(PipelineInputs{inputs->framework, inputs->data}, inputs->nominal).value();
  UncertaintyAssumptions a;
  a.weights = {{2, 0.5}};
  ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(inputs, a));
  EXPECT_THAT(model.regions, ElementsAre("P", "Q", "R"));
  EXPECT_TRUE(model.unscored.empty());
  EXPECT_THAT(Names(model.factors), ElementsAre("weight:dx", "weight:dy"));
  ASSERT_OK_AND_ASSIGN(std::vector<double> scores, model.model({1.0, 1.0}));
  ASSERT_EQ(scores.size(), 3u);
  for (size_t r = 0; r < 3; ++r) EXPECT_EQ(scores[r], direct.scores.Get(r, 0));
  // dx only (weight 1.5 x .75 against 0.5 x .25): the composite is dx.
  ASSERT_OK_AND_ASSIGN(std::vector<double> tilted, model.model({1.5, 0.0}));
  EXPECT_DOUBLE_EQ(tilted[0], direct.scores.Get(0, 1));
}

// With nothing perturbed every replicate is the nominal run: each interval
// collapses to the nominal rank (docs/scoring.md).
TEST(BuildUncertaintyModelTest, IntervalsCollapseWithoutPerturbations) {
  auto inputs = std::make_shared<UncertaintyInputs>();
  inputs->framework = SmallFramework();
  inputs->data = Matrix({"P", "Q", "R"}, {"a", "b", "c"}, {{1, 10, 6}, {2, 30, 4}, {3, 20, 2}});
  inputs->nominal = Nominal(inputs->framework);
  UncertaintyAssumptions a;
  a.weights = {{1, 0}, {2, 0}};
  ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(inputs, a));
  EXPECT_TRUE(model.factors.empty());
  MonteCarloOptions options;
  options.replicates = 20;
  ASSERT_OK_AND_ASSIGN(MonteCarloResult mc,
                       RunMonteCarlo(model.factors, model.model, options, RunControl()));
  ASSERT_EQ(mc.regions.size(), 3u);
  for (const RegionUncertainty& u : mc.regions) {
    EXPECT_EQ(u.median_rank, u.nominal_rank);
    EXPECT_EQ(u.p05_rank, u.nominal_rank);
    EXPECT_EQ(u.p95_rank, u.nominal_rank);
  }
}

// The model computes once what replicates share (prepared leaves per
// imputation / outlier / normalisation setting, subtrees without a
// perturbed weight per aggregation choice) and aggregates the rest itself;
// every setting must still give RunPipeline's composite bit for bit.
// Settings cover frozen subtrees (only level 2 perturbed) and none (levels
// 1 and 2), arithmetic, geometric with shifted z-scores and harmonic
// means, imputation off (a missing value: Aggregate's renormalisation),
// and outlier treatment on.
TEST(BuildUncertaintyModelTest, EverySettingEqualsThePipelineBitForBit) {
  auto inputs = std::make_shared<UncertaintyInputs>();
  inputs->framework = SmallFramework();
  inputs->data =
      Matrix({"P", "Q", "R", "S", "T", "U"}, {"a", "b", "c"},
             {{1, 10, 6}, {2, 30, kNaN}, {3, 20, 2}, {7, 11, 5}, {4, 500, 3}, {5, 12, 9}});
  inputs->nominal = Nominal(inputs->framework);
  inputs->nominal.impute = index::ImputeMethod::kColumnMean;
  inputs->nominal.aggregation.non_positive = NonPositivePolicy::kShift;
  inputs->nominal.aggregation.shift = 3;
  for (const std::vector<int>& levels : std::vector<std::vector<int>>{{2}, {1, 2}}) {
    UncertaintyAssumptions a;
    for (int level : levels) a.weights.push_back({level, 0.4});
    a.normalisations = {index::NormaliseMethod::kZScore};
    a.aggregations = {Method(AggregationMethod::kGeometric), Method(AggregationMethod::kHarmonic)};
    a.imputation = true;
    a.outlier_treatment = true;
    ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(inputs, a));
    const FactorPlan& plan = model.plan;
    const size_t weights = plan.weights.size();
    int settings = 0;
    for (int k = 0; k < 48; ++k) {
      std::vector<double> values(plan.factors.size());
      for (size_t w = 0; w < weights; ++w) values[w] = 0.6 + 0.1 * static_cast<double>((k + w) % 9);
      values[weights] = k % 2;             // normalisation
      values[weights + 1] = (k / 2) % 3;   // aggregation
      values[weights + 2] = (k / 6) % 2;   // imputation
      values[weights + 3] = (k / 12) % 2;  // outliers
      SCOPED_TRACE(::testing::PrintToString(values));
      const absl::StatusOr<PipelineResult> direct = RunPipeline(
          PipelineInputs{inputs->framework, inputs->data}, SpecFor(inputs->nominal, plan, values));
      const absl::StatusOr<std::vector<double>> scores = model.model(values);
      ASSERT_EQ(scores.ok(), direct.ok()) << scores.status() << " / " << direct.status();
      if (!direct.ok()) continue;
      ++settings;
      ExpectPipelineComposites(*inputs, model, values);
    }
    EXPECT_GE(settings, 24);
  }
}

// 70 weights and a discrete factor exceed the engine's 64 factors: the
// weights become one factor whose choice seeds one stream of multipliers.
// Choice 0 is the nominal setting; every choice is RunPipeline's composite
// under SpecFor's weights.
TEST(BuildUncertaintyModelTest, ManyWeightsShareOneSeededFactor) {
  std::vector<index::FrameworkNode> nodes;
  index::FrameworkNode root;
  root.code = root.name = "root";
  root.level = 2;
  root.weight = 1;
  nodes.push_back(root);
  std::vector<std::string> leaves;
  for (int j = 0; j < 70; ++j) {
    index::FrameworkNode leaf;
    leaf.code = leaf.name = absl::StrCat("i", j);
    leaf.parent = "root";
    leaf.level = 1;
    leaf.weight = 1;
    leaf.direction = 1;
    nodes.push_back(leaf);
    leaves.push_back(leaf.code);
  }
  auto inputs = std::make_shared<UncertaintyInputs>();
  ASSERT_OK_AND_ASSIGN(inputs->framework, index::Framework::Create(std::move(nodes)));
  std::vector<std::vector<double>> rows;
  for (int r = 0; r < 5; ++r) {
    std::vector<double>& row = rows.emplace_back();
    for (int j = 0; j < 70; ++j) row.push_back((r * 7 + j * 3) % 11);
  }
  inputs->data = Matrix({"R0", "R1", "R2", "R3", "R4"}, leaves, rows);
  inputs->nominal = Nominal(inputs->framework);
  UncertaintyAssumptions a;
  a.weights = {{1, 0.5}};
  a.normalisations = {index::NormaliseMethod::kRank};
  ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(inputs, a));
  EXPECT_THAT(Names(model.factors), ElementsAre("weights", "normalisation"));
  EXPECT_EQ(model.plan.weight_group, 0);
  EXPECT_EQ(model.factors[0].num_choices, kWeightGroupChoices);
  EXPECT_EQ(model.plan.weights.size(), 70u);

  std::vector<double> multipliers;
  WeightMultipliers(model.plan, {0, 0}, multipliers);
  EXPECT_EQ(multipliers, std::vector<double>(70, 1.0));
  WeightMultipliers(model.plan, {12345, 0}, multipliers);
  std::vector<double> again;
  WeightMultipliers(model.plan, {12345, 1}, again);
  EXPECT_EQ(multipliers, again);  // the stream depends on the choice only
  for (double m : multipliers) {
    EXPECT_GE(m, 0.5);
    EXPECT_LT(m, 1.5);
  }
  for (const std::vector<double>& values : std::vector<std::vector<double>>{
           {0, 0}, {12345, 0}, {12345, 1}, {kWeightGroupChoices - 1.0, 1}}) {
    ExpectPipelineComposites(*inputs, model, values);
  }
  ASSERT_OK_AND_ASSIGN(std::vector<double> at_nominal, model.model({0, 0}));
  ASSERT_OK_AND_ASSIGN(std::vector<double> moved, model.model({12345, 0}));
  EXPECT_NE(moved, at_nominal);
}

TEST(BuildUncertaintyModelTest, RegionsWithoutANominalCompositeAreLeftOut) {
  // A missing child propagates: S has no dy and no composite.
  auto inputs = std::make_shared<UncertaintyInputs>();
  inputs->framework = SmallFramework();
  inputs->data = Matrix({"P", "Q", "R", "S"}, {"a", "b", "c"},
                        {{1, 10, 6}, {2, 30, 4}, {3, 20, 2}, {4, 15, kNaN}});
  inputs->nominal = Nominal(inputs->framework);
  inputs->nominal.aggregation.missing = MissingPolicy::kPropagate;
  UncertaintyAssumptions a;
  a.weights = {{1, 0.3}, {2, 0.3}};
  a.imputation = true;  // column means give S a composite: still left out
  ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(inputs, a));
  EXPECT_THAT(model.regions, ElementsAre("P", "Q", "R"));
  EXPECT_THAT(model.unscored, ElementsAre("S"));
  ExpectPipelineComposites(*inputs, model, {1, 1, 1, 1, 0});
  ExpectPipelineComposites(*inputs, model, {0.8, 1.2, 1.1, 0.9, 1});

  // Rank intervals need two regions: S has no dx, T none either.
  inputs->data =
      Matrix({"P", "S", "T"}, {"a", "b", "c"}, {{1, 10, 6}, {kNaN, 15, 2}, {4, kNaN, 9}});
  EXPECT_THAT(BuildUncertaintyModel(inputs, a),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("only 1 region(s) have a nominal composite score")));
}

TEST(BuildUncertaintyModelTest, APairThatCannotScoreFailsBeforeAnyReplicate) {
  // Z-scores reach below -1 here; a harmonic mean cannot take them even
  // shifted by 1.
  auto inputs = std::make_shared<UncertaintyInputs>();
  inputs->framework = SmallFramework();
  inputs->data = Matrix({"P", "Q", "R"}, {"a", "b", "c"}, {{1, 10, 6}, {2, 30, 4}, {3, 20, 2}});
  inputs->nominal = Nominal(inputs->framework);
  inputs->nominal.aggregation.non_positive = NonPositivePolicy::kShift;
  UncertaintyAssumptions a;
  a.normalisations = {index::NormaliseMethod::kZScore};
  a.aggregations = {Method(AggregationMethod::kArithmetic), Method(AggregationMethod::kHarmonic)};
  EXPECT_THAT(BuildUncertaintyModel(inputs, a),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("normalisation alternative 1 with aggregation alternative 1 "
                                 "cannot score the data")));
  // Min-max (0-100) shifted by 1 into a harmonic mean is fine.
  a.normalisations.clear();
  EXPECT_OK(BuildUncertaintyModel(inputs, a).status());
}

TEST(BuildUncertaintyModelTest, ASettingThatScreensARegionOutFails) {
  // With imputation Q is complete; without, it has 2 of 3 values and the
  // region threshold 0.9 drops it.
  auto inputs = std::make_shared<UncertaintyInputs>();
  inputs->framework = SmallFramework();
  inputs->data = Matrix({"P", "Q", "R"}, {"a", "b", "c"}, {{1, 10, 6}, {2, 30, kNaN}, {3, 20, 2}});
  inputs->nominal = Nominal(inputs->framework);
  inputs->nominal.impute = index::ImputeMethod::kColumnMean;
  inputs->nominal.screen_region_threshold = 0.9;
  UncertaintyAssumptions a;
  a.imputation = true;
  ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(inputs, a));
  EXPECT_EQ(model.regions.size(), 3u);
  EXPECT_THAT(model.model({1.0}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("region Q is not scored")));
}

TEST(BuildUncertaintyModelTest, TheNominalRunsErrorSurfaces) {
  auto inputs = std::make_shared<UncertaintyInputs>();
  inputs->framework = SmallFramework();
  inputs->data = Matrix({"P", "Q"}, {"a", "b", "c"}, {{0, 10, 6}, {2, 30, 4}});
  inputs->nominal = Nominal(inputs->framework);
  inputs->nominal.aggregation.spec.method = AggregationMethod::kGeometric;
  EXPECT_THAT(BuildUncertaintyModel(inputs, UncertaintyAssumptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nominal run: ")));
  inputs->nominal.weights.clear();
  EXPECT_THAT(BuildUncertaintyModel(inputs, UncertaintyAssumptions()),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("weights")));
}

}  // namespace
}  // namespace innoscope::scoring

#include "services/scoring/uncertainty_model.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/weights.h"
#include "tests/unit/scoring/service/test_framework.h"

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

std::vector<std::string> Names(const std::vector<UncertainFactor>& factors) {
  std::vector<std::string> names;
  for (const UncertainFactor& f : factors) names.push_back(f.name);
  return names;
}

TEST(PlanFactorsTest, UnknownMethodsNameTheAssumption) {
  const index::Framework f = SmallFramework();
  v1::Assumptions a;
  a.add_normalisations(v1::NORMALISATION_METHOD_RANK);
  a.add_normalisations(static_cast<v1::NormalisationMethod>(42));
  EXPECT_THAT(PlanFactors(f, Nominal(f), a),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("assumptions.normalisations[1]: unknown value 42")));
  v1::Assumptions b;
  b.add_aggregations()->set_method(v1::AGGREGATION_METHOD_HARMONIC);
  b.add_aggregations()->set_method(static_cast<v1::AggregationMethod>(9));
  EXPECT_THAT(PlanFactors(f, Nominal(f), b),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("assumptions.aggregations[1].method: unknown value 9")));
}

TEST(PlanFactorsTest, OneFactorPerAssumption) {
  const index::Framework f = SmallFramework();
  v1::Assumptions a;
  for (int level : {1, 2}) {
    v1::WeightPerturbation* w = a.add_weights();
    w->set_level(level);
    w->set_fraction(0.2);
  }
  // The nominal min-max is not an alternative to itself.
  a.add_normalisations(v1::NORMALISATION_METHOD_MIN_MAX);
  a.add_normalisations(v1::NORMALISATION_METHOD_RANK);
  a.add_aggregations()->set_method(v1::AGGREGATION_METHOD_GEOMETRIC);
  a.set_imputation(true);
  a.set_outlier_treatment(true);
  ASSERT_OK_AND_ASSIGN(FactorPlan plan, PlanFactors(f, Nominal(f), a));
  // c is an only child: its weight cannot change anything.
  EXPECT_THAT(Names(plan.factors),
              ElementsAre("weight:a", "weight:b", "weight:dx", "weight:dy", "normalisation",
                          "aggregation", "imputation", "outlier_treatment"));
  EXPECT_EQ(plan.factors[0].low, 0.8);
  EXPECT_EQ(plan.factors[0].high, 1.2);
  EXPECT_EQ(plan.factors[0].nominal, 1.0);
  EXPECT_EQ(plan.factors[4].num_choices, 2);
  EXPECT_THAT(plan.normalisations, ElementsAre(index::NormaliseMethod::kRank));
  EXPECT_EQ(plan.factors[5].num_choices, 2);
  EXPECT_EQ(plan.imputation_alternative, index::ImputeMethod::kColumnMean);
  EXPECT_EQ(plan.outliers, 7);
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
    v1::Assumptions a;
    a.add_weights()->set_level(c.level);
    a.mutable_weights(0)->set_fraction(c.fraction);
    EXPECT_THAT(PlanFactors(f, Nominal(f), a),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.expected)));
  }
  v1::Assumptions twice;
  twice.add_weights()->set_level(1);
  twice.add_weights()->set_level(1);
  EXPECT_THAT(PlanFactors(f, Nominal(f), twice),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("level given twice")));
}

TEST(SpecForTest, AppliesEachFactorsValue) {
  const index::Framework f = SmallFramework();
  PipelineSpec nominal = Nominal(f);
  nominal.impute = index::ImputeMethod::kColumnMedian;
  nominal.by_indicator["c"].method = index::NormaliseMethod::kZScore;
  v1::Assumptions a;
  a.add_weights()->set_level(2);
  a.mutable_weights(0)->set_fraction(0.5);
  a.add_normalisations(v1::NORMALISATION_METHOD_PERCENTILE_RANK);
  v1::AggregationStep* step = a.add_aggregations();
  step->set_method(v1::AGGREGATION_METHOD_GENERALISED);
  step->set_exponent(2);
  a.set_imputation(true);
  a.set_outlier_treatment(true);
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
  v1::Assumptions a;
  a.add_weights()->set_level(2);
  a.mutable_weights(0)->set_fraction(0.5);
  ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(inputs, a));
  EXPECT_THAT(model.regions, ElementsAre("P", "Q", "R"));
  ASSERT_OK_AND_ASSIGN(std::vector<double> scores, model.model({1.0, 1.0}));
  ASSERT_EQ(scores.size(), 3u);
  for (size_t r = 0; r < 3; ++r) EXPECT_EQ(scores[r], direct.scores.Get(r, 0));
  // dx only (weight 1.5 x .75 against 0.5 x .25): the composite is dx.
  ASSERT_OK_AND_ASSIGN(std::vector<double> tilted, model.model({1.5, 0.0}));
  EXPECT_DOUBLE_EQ(tilted[0], direct.scores.Get(0, 1));
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
  inputs->data = Matrix({"P", "Q", "R", "S", "T", "U"}, {"a", "b", "c"},
                        {{1, 10, 6}, {2, 30, kNaN}, {3, 20, 2}, {7, 11, 5},
                         {4, 500, 3}, {5, 12, 9}});
  inputs->nominal = Nominal(inputs->framework);
  inputs->nominal.impute = index::ImputeMethod::kColumnMean;
  inputs->nominal.aggregation.non_positive = NonPositivePolicy::kShift;
  inputs->nominal.aggregation.shift = 3;
  for (const std::vector<int>& levels : std::vector<std::vector<int>>{{2}, {1, 2}}) {
    v1::Assumptions a;
    for (int level : levels) {
      a.add_weights()->set_level(level);
      a.mutable_weights(a.weights_size() - 1)->set_fraction(0.4);
    }
    a.add_normalisations(v1::NORMALISATION_METHOD_Z_SCORE);
    a.add_aggregations()->set_method(v1::AGGREGATION_METHOD_GEOMETRIC);
    a.add_aggregations()->set_method(v1::AGGREGATION_METHOD_HARMONIC);
    a.set_imputation(true);
    a.set_outlier_treatment(true);
    ASSERT_OK_AND_ASSIGN(FactorPlan plan, PlanFactors(inputs->framework, inputs->nominal, a));
    ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(inputs, a));
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
      const absl::StatusOr<PipelineResult> direct =
          RunPipeline(PipelineInputs{inputs->framework, inputs->data},
                      SpecFor(inputs->nominal, plan, values));
      const absl::StatusOr<std::vector<double>> scores = model.model(values);
      ASSERT_EQ(scores.ok(), direct.ok()) << scores.status() << " / " << direct.status();
      if (!direct.ok()) continue;
      ++settings;
      const int root = inputs->framework.Root();
      for (size_t r = 0; r < scores->size(); ++r) {
        const int row = direct->scores.RegionIndex(model.regions[r]);
        ASSERT_GE(row, 0);
        const double expected = direct->scores.Get(row, root);
        if (std::isnan(expected)) {
          EXPECT_TRUE(std::isnan((*scores)[r]));
        } else {
          EXPECT_EQ((*scores)[r], expected) << model.regions[r];
        }
      }
    }
    EXPECT_GE(settings, 24);
  }
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
  v1::Assumptions a;
  a.set_imputation(true);
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
  EXPECT_THAT(BuildUncertaintyModel(inputs, v1::Assumptions()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nominal run: ")));
  inputs->nominal.weights.clear();
  EXPECT_THAT(BuildUncertaintyModel(inputs, v1::Assumptions()),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("weights")));
}

}  // namespace
}  // namespace innoscope::scoring

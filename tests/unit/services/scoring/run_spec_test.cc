#include "services/scoring/run_spec.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "tests/unit/libs/scoring/test_framework.h"

namespace innoscope::scoring {
namespace {

using ::innoscope::testing::IsOk;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

v1::RunSpec ValidSpec() {
  v1::RunSpec spec;
  spec.mutable_framework()->set_code("fw");
  spec.mutable_framework()->set_version(1);
  spec.set_period(2023);
  return spec;
}

TEST(ValidateRunSpecTest, AcceptsTheMinimalSpec) {
  EXPECT_THAT(ValidateRunSpec(ValidSpec()), IsOk());
}

TEST(ValidateRunSpecTest, NamesTheOffendingField) {
  struct Case {
    void (*edit)(v1::RunSpec&);
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](v1::RunSpec& s) { s.mutable_framework()->clear_code(); },
       "spec.framework.code: required"},
      {[](v1::RunSpec& s) { s.set_period(0); }, "spec.period: required"},
      {[](v1::RunSpec& s) { s.set_period(1800); }, "spec.period: 1800 is outside 1900-2100"},
      {[](v1::RunSpec& s) { s.mutable_universe()->mutable_regions(); },
       "spec.universe.regions.codes: empty"},
      {[](v1::RunSpec& s) { s.mutable_pipeline()->mutable_screening()->set_region_threshold(1.5); },
       "spec.pipeline.screening.region_threshold: must be in [0, 1], got 1.5"},
      {[](v1::RunSpec& s) {
         s.mutable_pipeline()->mutable_imputation()->set_method(v1::IMPUTATION_METHOD_GROUP_MEAN);
       },
       "spec.pipeline.imputation.group_attribute: required"},
      {[](v1::RunSpec& s) { s.mutable_pipeline()->mutable_normalisation()->set_goal_min(0); },
       "spec.pipeline.normalisation: give both goal_min and goal_max"},
      {[](v1::RunSpec& s) {
         (*s.mutable_pipeline()->mutable_normalisation_by_indicator())["x"].set_upper(-1);
       },
       "spec.pipeline.normalisation_by_indicator[x]: the scale needs finite lower < upper"},
      {[](v1::RunSpec& s) { s.mutable_aggregation()->set_shift(0); },
       "spec.aggregation.shift: must be finite and > 0"},
      {[](v1::RunSpec& s) { s.mutable_presentation()->set_decimals(16); },
       "spec.presentation.decimals: must be 0-15, got 16"},
      {[](v1::RunSpec& s) {
         s.mutable_clusters()->add_cluster_codes("YRD");
         s.mutable_clusters()->set_aggregate(v1::CLUSTER_AGGREGATE_WEIGHTED_MEAN);
       },
       "spec.clusters.weight_indicator: required"},
      {[](v1::RunSpec& s) {
         s.mutable_clusters()->add_cluster_codes("YRD");
         s.mutable_clusters()->add_cluster_codes("YRD");
       },
       "spec.clusters.cluster_codes: \"YRD\" listed twice"},
      {[](v1::RunSpec& s) {
         for (int band : {6, 6}) s.mutable_tiers()->mutable_rank_bands()->add_last_ranks(band);
       },
       "spec.tiers.rank_bands.last_ranks: must be strictly increasing"},
      {[](v1::RunSpec& s) { s.mutable_tiers()->set_quantiles(0); }, "spec.tiers.quantiles"},
      {[](v1::RunSpec& s) { s.mutable_weights()->set_weight_set_id(""); },
       "spec.weights.weight_set_id: empty"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    v1::RunSpec spec = ValidSpec();
    c.edit(spec);
    EXPECT_THAT(ValidateRunSpec(spec),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.expected)));
  }
}

TEST(ValidateRunSpecTest, EnumNumbersFromANewerClientNameTheField) {
  // Numbers no value of the proto enum has: INVALID_ARGUMENT, never a
  // fallback to the zero value (min-max, arithmetic, sum, ...).
  struct Case {
    void (*edit)(v1::RunSpec&);
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](v1::RunSpec& s) {
         s.mutable_pipeline()->mutable_normalisation()->set_method(
             static_cast<v1::NormalisationMethod>(42));
       },
       "spec.pipeline.normalisation.method: unknown value 42; use one of "
       "NORMALISATION_METHOD_MIN_MAX"},
      {[](v1::RunSpec& s) {
         (*s.mutable_pipeline()->mutable_normalisation_by_indicator())["x"].set_method(
             static_cast<v1::NormalisationMethod>(9));
       },
       "spec.pipeline.normalisation_by_indicator[x].method: unknown value 9"},
      {[](v1::RunSpec& s) {
         s.mutable_pipeline()->mutable_imputation()->set_method(
             static_cast<v1::ImputationMethod>(6));
       },
       "spec.pipeline.imputation.method: unknown value 6"},
      {[](v1::RunSpec& s) {
         (*s.mutable_aggregation()->mutable_by_level())[3].set_method(
             static_cast<v1::AggregationMethod>(6));
       },
       "spec.aggregation.by_level[3].method: unknown value 6"},
      {[](v1::RunSpec& s) {
         s.mutable_aggregation()->set_zero_policy(static_cast<v1::ZeroPolicy>(4));
       },
       "spec.aggregation.zero_policy: unknown value 4"},
      {[](v1::RunSpec& s) {
         s.mutable_aggregation()->set_missing(static_cast<v1::MissingChildren>(3));
       },
       "spec.aggregation.missing: unknown value 3"},
      {[](v1::RunSpec& s) {
         s.mutable_aggregation()->set_topsis_normalisation(static_cast<v1::TopsisNormalisation>(3));
       },
       "spec.aggregation.topsis_normalisation: unknown value 3"},
      {[](v1::RunSpec& s) {
         s.mutable_clusters()->set_aggregate(static_cast<v1::ClusterAggregate>(4));
       },
       "spec.clusters.aggregate: unknown value 4"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    v1::RunSpec spec = ValidSpec();
    c.edit(spec);
    EXPECT_THAT(ValidateRunSpec(spec),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.expected)));
  }
}

TEST(ToPipelineSpecTest, ConvertsEveryOption) {
  const index::Framework f = testing::SmallFramework();
  v1::RunSpec spec = ValidSpec();
  v1::Pipeline& p = *spec.mutable_pipeline();
  p.set_denominate(true);
  p.mutable_imputation()->set_method(v1::IMPUTATION_METHOD_GROUP_MEDIAN);
  p.mutable_imputation()->set_group_attribute("area");
  p.mutable_screening()->set_indicator_threshold(0.5);
  p.mutable_outliers()->set_enabled(true);
  p.mutable_outliers()->set_max_winsorised(3);
  p.mutable_outliers()->set_no_log_fallback(true);
  p.mutable_normalisation()->set_method(v1::NORMALISATION_METHOD_Z_SCORE);
  v1::Normalisation& goalposts = (*p.mutable_normalisation_by_indicator())["c"];
  goalposts.set_method(v1::NORMALISATION_METHOD_GOALPOSTS);
  goalposts.set_goal_min(0);
  goalposts.set_goal_max(10);
  goalposts.set_upper(1);
  v1::Aggregation& a = *spec.mutable_aggregation();
  (*a.mutable_by_level())[2].set_method(v1::AGGREGATION_METHOD_GEOMETRIC);
  a.mutable_method()->set_method(v1::AGGREGATION_METHOD_GENERALISED);
  a.mutable_method()->set_exponent(0.5);
  a.set_zero_policy(v1::ZERO_POLICY_SHIFT);
  a.set_shift(2);
  a.set_missing(v1::MISSING_CHILDREN_PROPAGATE);
  spec.mutable_presentation()->set_global_weighted(true);
  spec.mutable_presentation()->set_decimals(2);

  ASSERT_OK_AND_ASSIGN(PipelineSpec out, ToPipelineSpec(spec, f));
  EXPECT_TRUE(out.denominate);
  EXPECT_EQ(out.impute, index::ImputeMethod::kGroupMedian);
  EXPECT_EQ(out.screen_indicator_threshold, 0.5);
  EXPECT_TRUE(out.treat_outliers);
  EXPECT_EQ(out.outliers.max_winsorised, 3);
  EXPECT_FALSE(out.outliers.log_fallback);
  EXPECT_EQ(out.outliers.skew_threshold, 2.0);  // COINr default kept
  EXPECT_EQ(out.normalise.method, index::NormaliseMethod::kZScore);
  ASSERT_EQ(out.by_indicator.count("c"), 1u);
  EXPECT_EQ(out.by_indicator["c"].method, index::NormaliseMethod::kGoalposts);
  EXPECT_EQ(out.by_indicator["c"].goal_max, 10);
  EXPECT_EQ(out.by_indicator["c"].lower, 0);
  EXPECT_EQ(out.by_indicator["c"].upper, 1);
  EXPECT_EQ(out.aggregation.spec.method, AggregationMethod::kGeneralised);
  EXPECT_EQ(out.aggregation.spec.power, 0.5);
  EXPECT_EQ(out.aggregation.by_level.at(2).method, AggregationMethod::kGeometric);
  EXPECT_EQ(out.aggregation.non_positive, NonPositivePolicy::kShift);
  EXPECT_EQ(out.aggregation.shift, 2);
  EXPECT_EQ(out.aggregation.missing, MissingPolicy::kPropagate);
  EXPECT_EQ(out.aggregation.scale, ScoreScale::kGlobalWeighted);
  EXPECT_EQ(out.ranking.decimals, 2);
  EXPECT_TRUE(out.weights.empty());

  ASSERT_OK_AND_ASSIGN(PipelineSpec defaults, ToPipelineSpec(ValidSpec(), f));
  EXPECT_EQ(defaults.normalise.method, index::NormaliseMethod::kMinMax);
  EXPECT_EQ(defaults.normalise.upper, 100);
  EXPECT_EQ(defaults.impute, index::ImputeMethod::kNone);
  EXPECT_EQ(defaults.aggregation.spec.method, AggregationMethod::kArithmetic);
  EXPECT_EQ(defaults.aggregation.non_positive, NonPositivePolicy::kFail);
  EXPECT_EQ(defaults.ranking.decimals, -1);
}

TEST(ToPipelineSpecTest, ChecksNamesAndLevelsAgainstTheFramework) {
  const index::Framework f = testing::SmallFramework();
  v1::RunSpec by_indicator = ValidSpec();
  (*by_indicator.mutable_pipeline()->mutable_normalisation_by_indicator())["dx"];
  EXPECT_THAT(ToPipelineSpec(by_indicator, f),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("normalisation_by_indicator[dx]: not an indicator (leaf) of "
                                 "framework fw v1")));
  for (int level : {1, 4}) {
    v1::RunSpec by_level = ValidSpec();
    (*by_level.mutable_aggregation()->mutable_by_level())[level];
    EXPECT_THAT(ToPipelineSpec(by_level, f),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("levels 2-3")));
  }
  v1::RunSpec tiers = ValidSpec();
  tiers.mutable_tiers()->mutable_median_split();
  tiers.mutable_tiers()->add_node_codes("nope");
  EXPECT_THAT(ToPipelineSpec(tiers, f),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"nope\" is not a node")));
}

TEST(ToUncertaintyAssumptionsTest, UnknownMethodsNameTheAssumption) {
  v1::Assumptions a;
  a.add_normalisations(v1::NORMALISATION_METHOD_RANK);
  a.add_normalisations(static_cast<v1::NormalisationMethod>(42));
  EXPECT_THAT(ToUncertaintyAssumptions(a),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("assumptions.normalisations[1]: unknown value 42")));
  v1::Assumptions b;
  b.add_aggregations()->set_method(v1::AGGREGATION_METHOD_HARMONIC);
  b.add_aggregations()->set_method(static_cast<v1::AggregationMethod>(9));
  EXPECT_THAT(ToUncertaintyAssumptions(b),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("assumptions.aggregations[1].method: unknown value 9")));
  v1::Assumptions c;
  c.add_aggregations()->set_method(v1::AGGREGATION_METHOD_GENERALISED);
  c.mutable_aggregations(0)->set_exponent(std::nan(""));
  EXPECT_THAT(ToUncertaintyAssumptions(c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("assumptions.aggregations[0].exponent: not finite")));
}

TEST(ToUncertaintyAssumptionsTest, CarriesEveryAssumption) {
  v1::Assumptions a;
  v1::WeightPerturbation* w = a.add_weights();
  w->set_level(1);
  w->set_fraction(0.25);
  a.add_normalisations(v1::NORMALISATION_METHOD_RANK);
  a.add_aggregations()->set_method(v1::AGGREGATION_METHOD_GEOMETRIC);
  a.set_imputation(true);
  a.set_outlier_treatment(true);
  absl::StatusOr<UncertaintyAssumptions> out = ToUncertaintyAssumptions(a);
  ASSERT_THAT(out.status(), IsOk());
  ASSERT_EQ(out->weights.size(), 1u);
  EXPECT_EQ(out->weights[0].level, 1);
  EXPECT_EQ(out->weights[0].fraction, 0.25);
  EXPECT_THAT(out->normalisations, ElementsAre(index::NormaliseMethod::kRank));
  ASSERT_EQ(out->aggregations.size(), 1u);
  EXPECT_EQ(out->aggregations[0].method, AggregationMethod::kGeometric);
  EXPECT_TRUE(out->imputation);
  EXPECT_TRUE(out->outlier_treatment);
}

TEST(TierColumnTest, AppliesEachRule) {
  const std::vector<double> scores = {90, 50, 10, index::kMissing};
  const std::vector<int> ranks = {1, 2, 3, 0};
  v1::Tiers rule;
  for (int band : {1, 2}) rule.mutable_rank_bands()->add_last_ranks(band);
  EXPECT_THAT(TierColumn(rule, "x", scores, ranks).value(), ElementsAre(1, 2, 3, 0));
  rule.mutable_median_split();  // median of 90, 50, 10 is 50: at or above -> 1
  EXPECT_THAT(TierColumn(rule, "x", scores, ranks).value(), ElementsAre(1, 1, 2, 0));
  rule.mutable_thresholds()->add_cutoffs(60);
  EXPECT_THAT(TierColumn(rule, "x", scores, ranks).value(), ElementsAre(1, 2, 2, 0));
  rule.set_natural_breaks(3);
  EXPECT_THAT(TierColumn(rule, "x", scores, ranks).value(), ElementsAre(1, 2, 3, 0));
  rule.set_natural_breaks(4);  // three distinct values
  EXPECT_THAT(TierColumn(rule, "dx", scores, ranks),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tiers at node \"dx\"")));
  EXPECT_THAT(TierColumn(v1::Tiers(), "x", scores, ranks).value(), ElementsAre(0, 0, 0, 0));
}

TEST(RunIdTest, DependsOnWhatDeterminesTheResultsOnly) {
  v1::Run run;
  *run.mutable_spec() = ValidSpec();
  run.add_universe("A");
  run.add_universe("B");
  common::v1::DataVersion* v = run.add_data_versions();
  v->set_scope("framework:fw");
  v->set_version(7);
  const std::string id = RunId(run);
  EXPECT_THAT(id, MatchesRegex("run-[0-9a-f]{16}"));
  EXPECT_EQ(RunId(run), id);

  v1::Run same = run;
  same.mutable_spec()->set_label("label");
  same.mutable_summary()->set_regions(2);
  same.set_id("whatever");
  EXPECT_EQ(RunId(same), id);

  v1::Run newer = run;
  newer.mutable_data_versions(0)->set_version(8);
  EXPECT_NE(RunId(newer), id);
  v1::Run weighted = run;
  weighted.set_weight_set_id("ws-1");
  EXPECT_NE(RunId(weighted), id);
  v1::Run smaller = run;
  smaller.mutable_universe()->RemoveLast();
  EXPECT_NE(RunId(smaller), id);
  v1::Run other_period = run;
  other_period.mutable_spec()->set_period(2022);
  EXPECT_NE(RunId(other_period), id);
}

TEST(SeriesIdTest, JoinsTheRunsOfOneSpecOverPeriods) {
  // CompareRuns finds the previous period's run as the run with the same
  // series and period - 1: a spec's runs for 2022 and 2023 share the
  // series, whatever their labels; any other change to the spec starts
  // another series.
  v1::RunSpec spec = ValidSpec();
  const std::string series = SeriesId(spec);
  EXPECT_THAT(series, MatchesRegex("series-[0-9a-f]{16}"));
  v1::RunSpec previous = spec;
  previous.set_period(2022);
  previous.set_label("the year before");
  EXPECT_EQ(SeriesId(previous), series);

  v1::RunSpec other = spec;
  other.mutable_pipeline()->mutable_normalisation()->set_method(v1::NORMALISATION_METHOD_RANK);
  EXPECT_NE(SeriesId(other), series);
  other = spec;
  other.mutable_framework()->set_version(2);
  EXPECT_NE(SeriesId(other), series);
  other = spec;
  other.mutable_universe()->set_cluster_code("YRD");
  EXPECT_NE(SeriesId(other), series);
  // Data-driven weights of "the run's period" (0) are one series; weights
  // of a fixed period are another.
  v1::RunSpec entropy = spec;
  entropy.mutable_weights()->mutable_compute()->set_method(weighting::v1::METHOD_ENTROPY);
  v1::RunSpec entropy_2022 = entropy;
  entropy_2022.set_period(2022);
  EXPECT_EQ(SeriesId(entropy_2022), SeriesId(entropy));
  entropy_2022.mutable_weights()->mutable_compute()->mutable_data()->set_period(2022);
  EXPECT_NE(SeriesId(entropy_2022), SeriesId(entropy));
}

TEST(UncertaintyIdTest, IgnoresThreads) {
  v1::ComputeUncertaintyRequest request;
  request.set_seed(1);
  request.set_threads(1);
  const std::string id = UncertaintyId("run-1", request);
  EXPECT_THAT(id, MatchesRegex("unc-[0-9a-f]{16}"));
  request.set_threads(8);
  EXPECT_EQ(UncertaintyId("run-1", request), id);
  EXPECT_NE(UncertaintyId("run-2", request), id);
  request.set_seed(2);
  EXPECT_NE(UncertaintyId("run-1", request), id);
}

}  // namespace
}  // namespace innoscope::scoring

#include "services/cli/online_scoring.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::cli {
namespace {

namespace v1 = ::innoscope::scoring::v1;
using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

config::ParsedFlags Parse(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags("score", "help", {"scoring"});
  flags.Add("framework", "", "");
  flags.Add("period", "", "");
  AddPipelineFlags(flags);
  AddOnlineScoringFlags(flags);
  absl::StatusOr<config::ParsedFlags> parsed =
      flags.Parse(args, [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *std::move(parsed) : config::ParsedFlags();
}

absl::StatusOr<v1::RunSpec> SpecOf(const std::vector<std::string>& args) {
  return RunSpecFromFlags(Parse(args), FrameworkArg{"ai", 2});
}

TEST(RunSpecFromFlagsTest, DefaultsLeaveTheSpecEmpty) {
  // The spec an API client sends for "the framework's defaults": only the
  // framework is set, so the CLI's runs are the API's runs (same id).
  ASSERT_OK_AND_ASSIGN(v1::RunSpec spec, SpecOf({}));
  v1::RunSpec expected;
  expected.mutable_framework()->set_code("ai");
  expected.mutable_framework()->set_version(2);
  EXPECT_EQ(spec.SerializeAsString(), expected.SerializeAsString()) << spec.DebugString();
  // A flag given at its default value is the default too (--scale 0,100
  // and --shift 1 are the service's defaults, but given, they are kept).
  ASSERT_OK_AND_ASSIGN(spec, SpecOf({"--normalise=minmax", "--aggregate=arithmetic"}));
  EXPECT_EQ(spec.SerializeAsString(), expected.SerializeAsString()) << spec.DebugString();
  // An empty choice stays: median split is a rule without parameters.
  ASSERT_OK_AND_ASSIGN(spec, SpecOf({"--tiers=median"}));
  EXPECT_TRUE(spec.tiers().has_median_split());
}

TEST(RunSpecFromFlagsTest, MapsEveryPipelineFlag) {
  ASSERT_OK_AND_ASSIGN(
      v1::RunSpec spec,
      SpecOf({"--normalise=zscore", "--scale=1,10", "--aggregate=generalised:0.5",
              "--aggregate_by_level=3=geometric", "--non_positive=shift", "--shift=2",
              "--missing=propagate", "--denominate", "--impute=group_median",
              "--group_attribute=area", "--screen_regions=0.5", "--screen_indicators=0.25",
              "--treat_outliers", "--rank_decimals=2", "--published_form", "--label=test"}));
  const v1::Pipeline& p = spec.pipeline();
  EXPECT_EQ(p.normalisation().method(), v1::NORMALISATION_METHOD_Z_SCORE);
  EXPECT_EQ(p.normalisation().lower(), 1);
  EXPECT_EQ(p.normalisation().upper(), 10);
  EXPECT_TRUE(p.denominate());
  EXPECT_EQ(p.imputation().method(), v1::IMPUTATION_METHOD_GROUP_MEDIAN);
  EXPECT_EQ(p.imputation().group_attribute(), "area");
  EXPECT_EQ(p.screening().region_threshold(), 0.5);
  EXPECT_EQ(p.screening().indicator_threshold(), 0.25);
  EXPECT_TRUE(p.outliers().enabled());
  const v1::Aggregation& a = spec.aggregation();
  EXPECT_EQ(a.method().method(), v1::AGGREGATION_METHOD_GENERALISED);
  EXPECT_EQ(a.method().exponent(), 0.5);
  ASSERT_EQ(a.by_level().count(3), 1u);
  EXPECT_EQ(a.by_level().at(3).method(), v1::AGGREGATION_METHOD_GEOMETRIC);
  EXPECT_EQ(a.zero_policy(), v1::ZERO_POLICY_SHIFT);
  EXPECT_EQ(a.shift(), 2);
  EXPECT_EQ(a.missing(), v1::MISSING_CHILDREN_PROPAGATE);
  EXPECT_EQ(spec.presentation().decimals(), 2);
  EXPECT_TRUE(spec.presentation().global_weighted());
  EXPECT_EQ(spec.label(), "test");
  EXPECT_EQ(spec.period(), 0);
}

TEST(RunSpecFromFlagsTest, MapsTheOnlineFlags) {
  ASSERT_OK_AND_ASSIGN(v1::RunSpec spec,
                       SpecOf({"--weighting=entropy", "--universe=province", "--clusters=JJJ,YRD",
                               "--cluster_aggregate=weighted:population", "--tiers=bands:6,10,20",
                               "--tier_nodes=ai_index,enterprise"}));
  EXPECT_EQ(spec.weights().compute().method(), weighting::v1::METHOD_ENTROPY);
  EXPECT_EQ(spec.universe().kind(), ingest::v1::REGION_KIND_PROVINCE);
  EXPECT_THAT(spec.clusters().cluster_codes(), ElementsAre("JJJ", "YRD"));
  EXPECT_EQ(spec.clusters().aggregate(), v1::CLUSTER_AGGREGATE_WEIGHTED_MEAN);
  EXPECT_EQ(spec.clusters().weight_indicator(), "population");
  EXPECT_THAT(spec.tiers().rank_bands().last_ranks(), ElementsAre(6, 10, 20));
  EXPECT_THAT(spec.tiers().node_codes(), ElementsAre("ai_index", "enterprise"));

  ASSERT_OK_AND_ASSIGN(spec,
                       SpecOf({"--weights=equal", "--universe=CN-BJ,CN-SH", "--tiers=jenks:3"}));
  EXPECT_EQ(spec.weights().compute().method(), weighting::v1::METHOD_EQUAL);
  EXPECT_THAT(spec.universe().regions().codes(), ElementsAre("CN-BJ", "CN-SH"));
  EXPECT_EQ(spec.tiers().natural_breaks(), 3);
  ASSERT_OK_AND_ASSIGN(
      spec, SpecOf({"--weight_set=ws-1", "--universe=YRD", "--tiers=thresholds:60,40.5"}));
  EXPECT_EQ(spec.weights().weight_set_id(), "ws-1");
  EXPECT_EQ(spec.universe().cluster_code(), "YRD");
  EXPECT_THAT(spec.tiers().thresholds().cutoffs(), ElementsAre(60, 40.5));
  ASSERT_OK_AND_ASSIGN(spec, SpecOf({"--universe=kind:city", "--tiers=median"}));
  EXPECT_EQ(spec.universe().kind(), ingest::v1::REGION_KIND_CITY);
  EXPECT_TRUE(spec.tiers().has_median_split());
  ASSERT_OK_AND_ASSIGN(spec, SpecOf({"--universe=cluster:province", "--tiers=quantiles:4"}));
  EXPECT_EQ(spec.universe().cluster_code(), "province");
  EXPECT_EQ(spec.tiers().quantiles(), 4);
}

TEST(RunSpecFromFlagsTest, RefusesFlagsForFilesAndNamesTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--region_column=code"}, "--region_column is for scoring from files"},
      {{"--group_column=g"}, "--group_attribute"},
      {{"--normalisation_spec=n.csv"}, "--normalisation_spec is for scoring from files"},
      {{"--weights_scope=all_leaves"}, "--weights_scope is for scoring from files"},
      {{"--weights=w.csv"}, "--weights w.csv: a weights file"},
      {{"--weights=equal", "--weighting=pca"}, "give one of"},
      {{"--weighting=ahp"}, "--weighting: must be equal, entropy"},
      {{"--impute=group_mean"}, "needs --group_attribute"},
      {{"--group_attribute=area"}, "--group_attribute: is for --impute group_mean"},
      {{"--universe=kind:planet"}, "'planet' is not a region kind"},
      {{"--cluster_aggregate=median"}, "--cluster_aggregate: must be sum, mean"},
      {{"--cluster_aggregate=mean"}, "needs --clusters"},
      {{"--tiers=jenks"}, "--tiers: must be median"},
      {{"--tiers=bands:6,x"}, "'x' is not a rank"},
      {{"--tier_nodes=a"}, "--tier_nodes: needs --tiers"},
      {{"--normalise=fancy"}, "unknown normalisation 'fancy'"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(SpecOf(c.args), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.expected)))
        << c.args[0];
  }
}

TEST(CheckOfflineFlagsTest, RefusesOnlineFlagsWithFiles) {
  EXPECT_TRUE(CheckOfflineFlags(Parse({"--normalise=rank"}), OnlineScoringFlagNames()).ok());
  EXPECT_THAT(CheckOfflineFlags(Parse({"--clusters=A"}), OnlineScoringFlagNames()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--clusters needs the scoring service")));
}

TEST(ParsePeriodListTest, YearsRangesAndLists) {
  EXPECT_THAT(ParsePeriodList("2023").value(), ElementsAre(2023));
  EXPECT_THAT(ParsePeriodList("2014-2016").value(), ElementsAre(2014, 2015, 2016));
  EXPECT_THAT(ParsePeriodList("2020, 2014-2015").value(), ElementsAre(2020, 2014, 2015));
  EXPECT_THAT(ParsePeriodList("2014-2016,2015"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2015 is listed twice")));
  EXPECT_THAT(ParsePeriodList("2016-2014"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("FIRST <= LAST")));
  EXPECT_THAT(ParsePeriodList("1-9999"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("more than 201")));
  EXPECT_THAT(ParsePeriodList(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no period given")));
}

TEST(AssumptionsForTest, TheFactorsOfTheFilesPath) {
  // As from files: a level with range 0 is fixed (no factor), and an
  // alternative equal to the run's own method is not a second choice.
  v1::RunSpec spec;
  spec.mutable_pipeline()->mutable_normalisation()->set_method(v1::NORMALISATION_METHOD_MIN_MAX);
  scoring::UncertaintyAssumptions assumptions;
  assumptions.weights = {{1, 0.25}, {2, 0.0}};
  assumptions.outlier_treatment = true;
  assumptions.normalisations = {index::NormaliseMethod::kMinMax, index::NormaliseMethod::kRank};
  scoring::AggregationSpec geometric;
  geometric.method = scoring::AggregationMethod::kGeometric;
  assumptions.aggregations = {scoring::AggregationSpec(), geometric};
  v1::Assumptions out = AssumptionsFor(assumptions, spec);
  ASSERT_EQ(out.weights_size(), 1);
  EXPECT_EQ(out.weights(0).level(), 1);
  EXPECT_EQ(out.weights(0).fraction(), 0.25);
  EXPECT_THAT(out.normalisations(), ElementsAre(v1::NORMALISATION_METHOD_RANK));
  ASSERT_EQ(out.aggregations_size(), 1);
  EXPECT_EQ(out.aggregations(0).method(), v1::AGGREGATION_METHOD_GEOMETRIC);
  EXPECT_FALSE(out.imputation());
  EXPECT_TRUE(out.outlier_treatment());
  // With aggregation by level, the nominal is not one method: every
  // alternative stays.
  (*spec.mutable_aggregation()->mutable_by_level())[3].set_method(v1::AGGREGATION_METHOD_GEOMETRIC);
  EXPECT_EQ(AssumptionsFor(assumptions, spec).aggregations_size(), 2);
}

}  // namespace
}  // namespace innoscope::cli

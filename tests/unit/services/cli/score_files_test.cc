#include "services/cli/score_files.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/scoring/pipeline.h"
#include "services/cli/offline_scoring.h"

namespace innoscope::cli {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

// root -> d1 (x weight 3, y weight 1, y "less is better"), d2 (z).
constexpr char kCoinrFramework[] =
    "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n"
    "1,x,X,1,3,,NA,pop,d1,Indicator\n"
    "1,y,Y,-1,1,,NA,NA,d1,Indicator\n"
    "1,z,Z,1,1,,NA,NA,d2,Indicator\n"
    "2,d1,D1,1,1,,NA,NA,root,Aggregate\n"
    "2,d2,D2,1,1,,NA,NA,root,Aggregate\n"
    "3,root,Root,1,1,,NA,NA,NA,Aggregate\n"
    "NA,pop,Population,NA,NA,,NA,NA,NA,Denominator\n"
    "NA,grp,Group,NA,NA,,NA,NA,NA,Group\n";

// Three regions. Min-max 0-100: x = (10, 0, 5) -> (100, 0, 50); y = (1, 3, 2)
// reversed -> (100, 0, 50); z = (2, 4, 0) -> (50, 100, 0). d1 = 0.75 x +
// 0.25 y = (100, 0, 50), d2 = z, root = (d1 + d2) / 2 = (75, 50, 25).
constexpr char kData[] =
    "name,uCode,x,y,z,pop,grp,published\n"
    "Alpha,A,10,1,2,5,g1,75\n"
    "Beta,B,0,3,4,NA,g1,50\n"
    "Gamma,C,5,2,0,10,g2,25\n";

TEST(ParseFrameworkFileTest, TellsTheLayoutsApart) {
  ASSERT_OK_AND_ASSIGN(FrameworkFile coinr, ParseFrameworkFile(kCoinrFramework));
  EXPECT_EQ(coinr.layout, "coinr");
  EXPECT_THAT(coinr.framework.LeafCodes(), ElementsAre("x", "y", "z"));
  EXPECT_THAT(coinr.denominator_codes, ElementsAre("pop"));
  EXPECT_THAT(coinr.group_codes, ElementsAre("grp"));

  ASSERT_OK_AND_ASSIGN(FrameworkFile levels,
                       ParseFrameworkFile("level1_en,level1_weight,level2_en,level2_weight\n"
                                          "Dim A,0.6,Ind 1,0.6\nDim B,0.4,Ind 2,0.4\n"));
  EXPECT_EQ(levels.layout, "levels");
  EXPECT_THAT(levels.framework.LeafCodes(), ElementsAre("ind_1", "ind_2"));
  EXPECT_EQ(levels.framework.Node(levels.framework.Root()).level, 3);

  EXPECT_THAT(ParseFrameworkFile("a,b\n1,2\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("neither COINr metadata")));
}

TEST(ParseScoringDataTest, ReadsLeavesDenominatorsAndGroupsAndSkipsTheRest) {
  ASSERT_OK_AND_ASSIGN(FrameworkFile f, ParseFrameworkFile(kCoinrFramework));
  ScoringDataOptions options;
  options.denominators = true;
  options.group_column = "grp";
  ASSERT_OK_AND_ASSIGN(ScoringData d, ParseScoringData(kData, f, options));
  EXPECT_THAT(d.leaves.regions(), ElementsAre("A", "B", "C"));  // uCode found by name
  EXPECT_THAT(d.leaves.indicators(), ElementsAre("x", "y", "z"));
  EXPECT_EQ(d.leaves.Get(2, 0), 5);
  ASSERT_TRUE(d.denominators.has_value());
  EXPECT_TRUE(d.denominators->IsMissing(1, 0));
  EXPECT_THAT(d.groups, ElementsAre("g1", "g1", "g2"));
  EXPECT_THAT(d.skipped_columns, ElementsAre("name", "published"));

  EXPECT_THAT(ParseScoringData("uCode,x,y\nA,1,2\n", f, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no column for the framework's indicator(s) z")));
  EXPECT_THAT(ParseScoringData("uCode,x,y,z\nA,1,2,oops\n", f, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("oops")));
  ScoringDataOptions region;
  region.region_column = "nope";
  EXPECT_THAT(ParseScoringData(kData, f, region),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--region_column 'nope'")));
}

TEST(ParseNormalisationCsvTest, OverridesPerIndicator) {
  ASSERT_OK_AND_ASSIGN(FrameworkFile f, ParseFrameworkFile(kCoinrFramework));
  index::NormaliseSpec base;
  ASSERT_OK_AND_ASSIGN(auto specs,
                       ParseNormalisationCsv("indicator,method,lower,upper,goal_min,goal_max,log\n"
                                             "x,goalposts,0,1,100,75000,true\n"
                                             "y,,,,NA,NA,\n",
                                             f.framework, base));
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs.at("x").method, index::NormaliseMethod::kGoalposts);
  EXPECT_EQ(specs.at("x").upper, 1);
  EXPECT_EQ(*specs.at("x").goal_max, 75000);
  EXPECT_TRUE(specs.at("x").log_scale);
  EXPECT_EQ(specs.at("y").method, index::NormaliseMethod::kMinMax);
  EXPECT_EQ(specs.at("y").upper, 100);
  EXPECT_FALSE(specs.at("y").goal_min.has_value());
  EXPECT_THAT(ParseNormalisationCsv("indicator,method\nd1,minmax\n", f.framework, base),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2: 'd1' is not an indicator (leaf)")));
  EXPECT_THAT(ParseNormalisationCsv("indicator,method\nx,fancy\n", f.framework, base),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2: unknown normalisation 'fancy'")));
}

TEST(ParseAggregationTest, ReadsEveryMethod) {
  ASSERT_OK_AND_ASSIGN(scoring::AggregationSpec g, ParseAggregation("generalised:0.5"));
  EXPECT_EQ(g.method, scoring::AggregationMethod::kGeneralised);
  EXPECT_EQ(g.power, 0.5);
  EXPECT_EQ(AggregationName(g), "generalised:0.5");
  ASSERT_OK_AND_ASSIGN(g, ParseAggregation("TOPSIS"));
  EXPECT_EQ(g.method, scoring::AggregationMethod::kTopsis);
  EXPECT_THAT(ParseAggregation("generalised"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("exponent")));
  ASSERT_OK_AND_ASSIGN(auto by_level, ParseAggregationByLevel("3=geometric, 2=harmonic"));
  EXPECT_EQ(by_level.at(3).method, scoring::AggregationMethod::kGeometric);
  EXPECT_EQ(by_level.at(2).method, scoring::AggregationMethod::kHarmonic);
  EXPECT_THAT(ParseAggregationByLevel("1=geometric"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("LEVEL >= 2")));
}

TEST(ParseWeightsCsvTest, SiblingWeightsOverrideTheFrameworksAndLeafWeightsAddUp) {
  ASSERT_OK_AND_ASSIGN(FrameworkFile f, ParseFrameworkFile(kCoinrFramework));
  const index::Framework& fw = f.framework;
  // Nodes() order: x y z d1 d2 root. d2 weight 3 against d1's 1.
  ASSERT_OK_AND_ASSIGN(std::vector<double> local,
                       ParseWeightsCsv("node,weight\nd2,3\n", fw, WeightsScope::kSiblings));
  EXPECT_THAT(local, Pointwise(DoubleNear(1e-15), {0.75, 0.25, 1.0, 0.25, 0.75, 1.0}));
  // All leaves: x 0.3, y 0.1, z 0.6 -> d1 0.4 (x 0.75, y 0.25), d2 0.6.
  ASSERT_OK_AND_ASSIGN(local, ParseWeightsCsv("indicator,weight\nx,0.3\ny,0.1\nz,0.6\n", fw,
                                              WeightsScope::kAllLeaves));
  EXPECT_THAT(local, Pointwise(DoubleNear(1e-12), {0.75, 0.25, 1.0, 0.4, 0.6, 1.0}));
  EXPECT_THAT(ParseWeightsCsv("indicator,weight\nx,0.3\n", fw, WeightsScope::kAllLeaves),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing: y, z")));
  EXPECT_THAT(ParseWeightsCsv("node,weight\nq,1\n", fw, WeightsScope::kSiblings),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2: 'q' is not a node")));
  EXPECT_THAT(ParseWeightsCsv("node,weight\nx,-1\n", fw, WeightsScope::kSiblings),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(">= 0")));
}

// The hand calculation above, through RunPipeline, as score writes it.
TEST(ScoresCsvTest, WritesEveryNodeWithRanks) {
  ASSERT_OK_AND_ASSIGN(FrameworkFile f, ParseFrameworkFile(kCoinrFramework));
  ASSERT_OK_AND_ASSIGN(ScoringData d, ParseScoringData(kData, f, {}));
  ASSERT_OK_AND_ASSIGN(scoring::PipelineResult r,
                       scoring::RunPipeline({f.framework, d.leaves}, scoring::PipelineSpec()));
  const std::string csv = ScoresCsv(f.framework, r);
  EXPECT_THAT(csv, HasSubstr("region,node,score,rank\nA,x,100,1\nA,y,100,1\nA,z,50,2\n"
                             "A,d1,100,1\nA,d2,50,2\nA,root,75,1\n"));
  EXPECT_THAT(csv, HasSubstr("B,root,50,2\n"));
  EXPECT_THAT(csv, HasSubstr("C,d1,50,2\nC,d2,0,3\nC,root,25,3\n"));
}

TEST(ParseWeightRangeTest, OneRangeOrOnePerLevel) {
  ASSERT_OK_AND_ASSIGN(auto all, ParseWeightRange("0.25", 3));
  EXPECT_EQ(all, (std::map<int, double>{{1, 0.25}, {2, 0.25}}));
  ASSERT_OK_AND_ASSIGN(auto per_level, ParseWeightRange("2=0.1", 3));
  EXPECT_EQ(per_level, (std::map<int, double>{{2, 0.1}}));
  EXPECT_THAT(ParseWeightRange("1.5", 3),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(ParseWeightRange("3=0.1", 3),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("LEVEL in 1..2")));
}

OfflineScoring SmallScoring() {
  OfflineScoring s;
  s.framework = *ParseFrameworkFile(kCoinrFramework);
  s.data = *ParseScoringData(kData, s.framework, {});
  return s;
}

// The files as the inputs of libs/scoring's uncertainty model (the
// service's; tested in tests/unit/libs/scoring/uncertainty_model_test.cc): the
// data as read and the nominal run's local weights, so that the nominal
// setting is the nominal run.
TEST(UncertaintyInputsOfTest, TheNominalSettingIsTheNominalRun) {
  OfflineScoring s = SmallScoring();
  ASSERT_OK_AND_ASSIGN(scoring::PipelineResult nominal, scoring::RunPipeline(s.Inputs(), s.spec));
  std::shared_ptr<const scoring::UncertaintyInputs> inputs = UncertaintyInputsOf(s, nominal);
  EXPECT_EQ(inputs->nominal.weights, nominal.local_weights);
  EXPECT_EQ(inputs->data.regions(), s.data.leaves.regions());
  scoring::UncertaintyAssumptions assumptions;
  assumptions.weights = {{1, 0.2}, {2, 0.2}};
  assumptions.normalisations = {index::NormaliseMethod::kRank};
  ASSERT_OK_AND_ASSIGN(scoring::UncertaintyModel model,
                       scoring::BuildUncertaintyModel(inputs, assumptions));
  // x and y (siblings), d1 and d2; z is an only child.
  std::vector<std::string> names;
  for (const auto& f : model.factors) names.push_back(f.name);
  EXPECT_THAT(names,
              ElementsAre("weight:x", "weight:y", "weight:d1", "weight:d2", "normalisation"));
  std::vector<double> values;
  for (const auto& f : model.factors) values.push_back(f.nominal);
  ASSERT_OK_AND_ASSIGN(std::vector<double> scores, model.model(values));
  const int root = s.framework.framework.Root();
  ASSERT_EQ(scores.size(), 3u);
  for (size_t r = 0; r < 3; ++r) EXPECT_EQ(scores[r], nominal.scores.Get(r, root));
  EXPECT_THAT(scores, Pointwise(DoubleNear(1e-12), {75, 50, 25}));
}

}  // namespace
}  // namespace innoscope::cli

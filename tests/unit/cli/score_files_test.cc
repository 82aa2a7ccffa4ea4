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

// With nothing perturbed every replicate is the nominal run: each interval
// collapses to the nominal rank (docs/scoring.md).
TEST(UncertaintyModelTest, IntervalsCollapseWithoutPerturbations) {
  OfflineScoring s = SmallScoring();
  ASSERT_OK_AND_ASSIGN(scoring::PipelineResult nominal, scoring::RunPipeline(s.Inputs(), s.spec));
  ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(s, nominal, {}));
  EXPECT_TRUE(model.factors.empty());
  scoring::MonteCarloOptions options;
  options.replicates = 20;
  ASSERT_OK_AND_ASSIGN(scoring::MonteCarloResult mc,
                       scoring::RunMonteCarlo(model.factors, model.model, options, {}));
  ASSERT_EQ(mc.regions.size(), 3u);
  for (const scoring::RegionUncertainty& u : mc.regions) {
    EXPECT_EQ(u.median_rank, u.nominal_rank);
    EXPECT_EQ(u.p05_rank, u.nominal_rank);
    EXPECT_EQ(u.p95_rank, u.nominal_rank);
  }
  EXPECT_EQ(mc.regions[0].nominal_rank, 1);
}

TEST(UncertaintyModelTest, OneFactorPerWeightAndPerChoiceAndAnEarlyErrorForBadPairs) {
  OfflineScoring s = SmallScoring();
  ASSERT_OK_AND_ASSIGN(scoring::PipelineResult nominal, scoring::RunPipeline(s.Inputs(), s.spec));
  UncertaintyAssumptions assumptions;
  assumptions.weight_range = {{1, 0.2}, {2, 0.2}};
  assumptions.normalisations = {index::NormaliseMethod::kMinMax, index::NormaliseMethod::kRank};
  assumptions.aggregations = {*ParseAggregation("arithmetic"), *ParseAggregation("harmonic")};
  s.spec.aggregation.non_positive = scoring::NonPositivePolicy::kShift;
  ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(s, nominal, assumptions));
  // x and y (siblings), d1 and d2; z is an only child. Min-max and
  // arithmetic are the nominal choices, so each factor has two choices.
  std::vector<std::string> names;
  for (const auto& f : model.factors) names.push_back(f.name);
  EXPECT_THAT(names, ElementsAre("weight:x", "weight:y", "weight:d1", "weight:d2", "normalisation",
                                 "aggregation"));
  EXPECT_EQ(model.factors[4].num_choices, 2);
  // The nominal setting reproduces the nominal composite.
  std::vector<double> values;
  for (const auto& f : model.factors) values.push_back(f.nominal);
  ASSERT_OK_AND_ASSIGN(std::vector<double> scores, model.model(values));
  EXPECT_THAT(scores, Pointwise(DoubleNear(1e-12), {75, 50, 25}));

  // Z-scores reach -1 here; a harmonic mean cannot take them even shifted
  // by 1.
  assumptions.normalisations = {index::NormaliseMethod::kZScore};
  EXPECT_THAT(BuildUncertaintyModel(s, nominal, assumptions),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("normalisation zscore with aggregation harmonic")));
}

// 70 weights exceed the engine's 64 factors: one seeded stream draws them
// all. Choice 0 is the nominal setting; other choices move the scores.
TEST(UncertaintyModelTest, ManyWeightsShareOneSeededStream) {
  std::string meta = "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n";
  std::string data = "region";
  for (int j = 0; j < 70; ++j) {
    meta += absl::StrCat("1,i", j, ",I,1,1,,NA,NA,root,Indicator\n");
    data += absl::StrCat(",i", j);
  }
  meta += "2,root,Root,1,1,,NA,NA,NA,Aggregate\n";
  data += "\n";
  for (int r = 0; r < 5; ++r) {
    data += absl::StrCat("R", r);
    for (int j = 0; j < 70; ++j) data += absl::StrCat(",", (r * 7 + j * 3) % 11);
    data += "\n";
  }
  OfflineScoring s;
  ASSERT_OK_AND_ASSIGN(s.framework, ParseFrameworkFile(meta));
  ASSERT_OK_AND_ASSIGN(s.data, ParseScoringData(data, s.framework, {}));
  ASSERT_OK_AND_ASSIGN(scoring::PipelineResult nominal, scoring::RunPipeline(s.Inputs(), s.spec));
  UncertaintyAssumptions assumptions;
  assumptions.weight_range = {{1, 0.5}};
  ASSERT_OK_AND_ASSIGN(UncertaintyModel model, BuildUncertaintyModel(s, nominal, assumptions));
  ASSERT_EQ(model.factors.size(), 1u);
  EXPECT_EQ(model.factors[0].name, "weights");
  ASSERT_OK_AND_ASSIGN(std::vector<double> at_nominal, model.model(std::vector<double>{0}));
  for (size_t r = 0; r < 5; ++r) EXPECT_EQ(at_nominal[r], nominal.scores.Get(r, 70));
  ASSERT_OK_AND_ASSIGN(std::vector<double> moved, model.model(std::vector<double>{12345}));
  ASSERT_OK_AND_ASSIGN(std::vector<double> again, model.model(std::vector<double>{12345}));
  EXPECT_EQ(moved, again);
  EXPECT_NE(moved, at_nominal);
}

}  // namespace
}  // namespace innoscope::cli

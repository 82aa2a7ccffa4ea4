#include "services/cli/record_csv.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "tests/shared_data.h"

namespace innoscope::cli {
namespace {

namespace v1 = ::innoscope::ingest::v1;
using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

std::string ReadShared(const std::string& dir, const std::string& path) {
  std::ifstream in(dir + "/" + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(ClusterMembersCsvTest, GroupsMembersByClusterInFileOrder) {
  absl::StatusOr<std::vector<v1::SetClusterMembersRequest>> requests = ParseClusterMembersCsv(
      "cluster,member,first_year,last_year\n"
      "CN-YRD,CN-SH,,\nCN-JJJ,CN-BJ,,\nCN-YRD,CN-AH,2019,\nCN-YRD,CN-ZJ,2010,2018\n");
  ASSERT_TRUE(requests.ok()) << requests.status();
  ASSERT_EQ(requests->size(), 2u);
  EXPECT_EQ((*requests)[0].cluster_code(), "CN-YRD");
  ASSERT_EQ((*requests)[0].members_size(), 3);
  EXPECT_EQ((*requests)[0].members(0).member_code(), "CN-SH");
  EXPECT_EQ((*requests)[0].members(0).first_period(), 0);  // empty: unbounded
  EXPECT_EQ((*requests)[0].members(1).member_code(), "CN-AH");
  EXPECT_EQ((*requests)[0].members(1).first_period(), 2019);
  EXPECT_EQ((*requests)[0].members(1).last_period(), 0);
  EXPECT_EQ((*requests)[0].members(2).last_period(), 2018);
  EXPECT_EQ((*requests)[1].cluster_code(), "CN-JJJ");
  EXPECT_EQ((*requests)[1].members_size(), 1);
  // Without year columns.
  requests = ParseClusterMembersCsv("cluster,member\nC,A\n");
  ASSERT_TRUE(requests.ok()) << requests.status();
  EXPECT_EQ((*requests)[0].members(0).first_period(), 0);
}

TEST(ClusterMembersCsvTest, NamesEveryBadLine) {
  absl::StatusOr<std::vector<v1::SetClusterMembersRequest>> requests = ParseClusterMembersCsv(
      "cluster,member,first_year,last_year\n"
      "C,A,,\n"          // line 2: fine
      "C,A,,\n"          // line 3: same member and first year again
      "C,B,2020,2010\n"  // line 4: first after last
      "C,C,,\n"          // line 5: its own member
      ",D,,\n"           // line 6: no cluster
      "C,E,20x0,\n");    // line 7: not a year
  EXPECT_THAT(requests, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 3")));
  const std::string message(requests.status().message());
  EXPECT_THAT(message, HasSubstr("appears twice"));
  EXPECT_THAT(message, HasSubstr("line 4: first_year 2020 is after last_year 2010"));
  EXPECT_THAT(message, HasSubstr("line 5: cluster 'C' cannot be its own member"));
  EXPECT_THAT(message, HasSubstr("line 6: empty cluster"));
  EXPECT_THAT(message, HasSubstr("line 7, column 'first_year'"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("line 2")));
  EXPECT_THAT(ParseClusterMembersCsv("cluster,region\nC,A\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("member")));
}

TEST(RegionsCsvTest, ReadsKindsParentsAndAttributes) {
  absl::StatusOr<std::vector<v1::Region>> regions = ParseRegionsCsv(
      "code,name,kind,parent,name_en,EurAsia_group\n"
      "CN-BJ,北京,province,CHN,Beijing,Asia\nCHN,中国,Country,,China,\n");
  ASSERT_TRUE(regions.ok()) << regions.status();
  ASSERT_EQ(regions->size(), 2u);
  EXPECT_EQ((*regions)[0].kind(), v1::REGION_KIND_PROVINCE);
  EXPECT_EQ((*regions)[0].parent_code(), "CHN");
  EXPECT_EQ((*regions)[0].attributes().at("EurAsia_group"), "Asia");
  EXPECT_EQ((*regions)[1].kind(), v1::REGION_KIND_COUNTRY);
  EXPECT_TRUE((*regions)[1].attributes().empty());
  OrderParentsFirst(&*regions);
  EXPECT_EQ((*regions)[0].code(), "CHN");
  EXPECT_EQ((*regions)[1].code(), "CN-BJ");
}

TEST(RegionsCsvTest, ErrorsNameLinesAndExpectedColumns) {
  EXPECT_THAT(ParseRegionsCsv("code,name\nA,a\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lacks the column(s) kind")));
  absl::StatusOr<std::vector<v1::Region>> regions =
      ParseRegionsCsv("code,name,kind\nA,a,planet\nB,b,city\nB,b,city\n,c,city\n");
  ASSERT_FALSE(regions.ok());
  EXPECT_THAT(regions.status().message(), HasSubstr("line 2: kind 'planet'"));
  EXPECT_THAT(regions.status().message(), HasSubstr("line 4: region 'B' appears twice"));
  EXPECT_THAT(regions.status().message(), HasSubstr("line 5: empty code"));
}

TEST(IndicatorsCsvTest, ReadsOptionalColumns) {
  absl::StatusOr<std::vector<v1::Indicator>> indicators =
      ParseIndicatorsCsv("code,name,unit,is_count\nfirms,企业数,count,yes\nlpi,LPI,,\n");
  ASSERT_TRUE(indicators.ok()) << indicators.status();
  EXPECT_TRUE((*indicators)[0].is_count());
  EXPECT_EQ((*indicators)[0].unit(), "count");
  EXPECT_FALSE((*indicators)[1].is_count());
  EXPECT_THAT(ParseIndicatorsCsv("code,name,colour\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'colour'")));
}

TEST(ActorsCsvTest, ReadsFlagsLayerAndAttributes) {
  absl::StatusOr<LinedMessages<v1::Actor>> actors = ParseActorsCsv(
      "code,name,kind,province,sample,foreign,layer,founded\n"
      "e1,Firm,enterprise,CN-BJ,true,0,technology,2015\n"
      "u1,Uni,research_institute,,,,,\n");
  ASSERT_TRUE(actors.ok()) << actors.status();
  const v1::Actor& firm = actors->messages[0];
  EXPECT_EQ(firm.kind(), v1::ACTOR_KIND_ENTERPRISE);
  EXPECT_TRUE(firm.sample());
  EXPECT_FALSE(firm.foreign());
  EXPECT_EQ(firm.layer(), v1::LAYER_TECHNOLOGY);
  EXPECT_EQ(firm.attributes().at("founded"), "2015");
  EXPECT_EQ(actors->messages[1].kind(), v1::ACTOR_KIND_RESEARCH_INSTITUTE);
  EXPECT_EQ(actors->lines[1], 3);
  EXPECT_THAT(ParseActorsCsv("code,name,kind,sample\ne,E,enterprise,maybe\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2: sample 'maybe'")));
}

TEST(RelationsCsvTest, ReadsOptionalNumbersAndTags) {
  absl::StatusOr<LinedMessages<v1::Relation>> relations = ParseRelationsCsv(
      "source,target,type,year,weight,amount,qualifier,domain\n"
      "a,b,investment,2022,,123456789.123456789,round-1,finance\n"
      "b,c,cooperation,2021,0.5,NA,,\n");
  ASSERT_TRUE(relations.ok()) << relations.status();
  const v1::Relation& first = relations->messages[0];
  EXPECT_FALSE(first.has_weight());
  EXPECT_EQ(first.amount(), 123456789.123456789);
  EXPECT_EQ(first.qualifier(), "round-1");
  EXPECT_EQ(first.tags().at("domain"), "finance");
  EXPECT_FALSE(relations->messages[1].has_amount());
  EXPECT_TRUE(relations->messages[1].tags().empty());
  EXPECT_THAT(ParseRelationsCsv("source,target,type,year,qualifier\na,b,t,2020,\n"
                                "a,b,t,2020,r2\na,b,t,2020,\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 4: the relation "
                                                                     "(a, b, t, 2020, qualifier "
                                                                     "'') repeats line 2")));
  EXPECT_THAT(ParseRelationsCsv("source,target,type,year\na,b,t,later\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2, column 'year'")));
}

TEST(NetworkBatchIdTest, IgnoresMapOrderButNotContent) {
  v1::Relation a, b;
  a.set_source_code("x");
  (*a.mutable_tags())["k1"] = "1";
  (*a.mutable_tags())["k2"] = "2";
  b.set_source_code("x");
  (*b.mutable_tags())["k2"] = "2";
  (*b.mutable_tags())["k1"] = "1";
  EXPECT_EQ(RelationBatchId({a}, "default", ""), RelationBatchId({b}, "default", ""));
  EXPECT_NE(RelationBatchId({a}, "default", ""), RelationBatchId({a}, "other", ""));
  b.set_weight(0);
  EXPECT_NE(RelationBatchId({a}, "default", ""), RelationBatchId({b}, "default", ""));
  v1::Actor actor;
  actor.set_code("e1");
  EXPECT_NE(ActorBatchId({actor}, "default", ""), ActorBatchId({actor}, "default", "again"));
}

TEST(FrameworkCsvTest, CoinrMetadataRegistersLeavesAndDenominators) {
  absl::StatusOr<v1::CreateFrameworkRequest> request = ParseFrameworkCsv(
      "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n"
      "1,LPI,Logistics,1,1,Score,4.1,NA,Index,Indicator\n"
      "1,Flights,Flights,1,1,Seats,NA,Population,Index,Indicator\n"
      "2,Index,Index,1,1,Score,NA,NA,NA,Aggregate\n"
      "NA,GDP_group,GDP group,NA,NA,NA,NA,NA,NA,Group\n"
      "NA,Population,Population,NA,NA,Thousands,NA,NA,NA,Denominator\n",
      {"mini", 0, "", 0});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->code(), "mini");
  EXPECT_EQ(request->nodes_size(), 3);
  EXPECT_EQ(request->name(), "Index");
  std::vector<std::string> indicators;
  for (const v1::Indicator& i : request->indicators()) indicators.push_back(i.code());
  EXPECT_THAT(indicators, ::testing::ElementsAre("LPI", "Flights", "Population"));
  EXPECT_EQ(request->nodes(1).denominator_code(), "Population");
  EXPECT_DOUBLE_EQ(request->nodes(0).target(), 4.1);
}

TEST(FrameworkCsvTest, UnknownLayoutListsTheExpectedColumns) {
  EXPECT_THAT(ParseFrameworkCsv("a,b\n1,2\n", {"x", 0, "", 0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("iCode")));
}

TEST(FrameworkCsvTest, LoadsTheSharedFrameworksUnchanged) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  absl::StatusOr<v1::CreateFrameworkRequest> asem = ParseFrameworkCsv(
      ReadShared(dir, "datasets/composite/coinr_asem/ASEM_iMeta.csv"), {"asem", 0, "", 0});
  ASSERT_TRUE(asem.ok()) << asem.status();
  // 49 indicators + 8 pillars + 2 sub-indices + the index; 49 leaves and
  // the 4 denominators (Area, Energy, GDP, Population) as indicators.
  EXPECT_EQ(asem->nodes_size(), 60);
  EXPECT_EQ(asem->indicators_size(), 53);
  EXPECT_EQ(asem->name(), "Sustainable Connectivity");

  absl::StatusOr<v1::CreateFrameworkRequest> ai =
      ParseFrameworkCsv(ReadShared(dir, "reference/frameworks/ai_competitiveness_2023.csv"),
                        {"ai_competitiveness_2023", 0, "AI competitiveness 2023", 0});
  ASSERT_TRUE(ai.ok()) << ai.status();
  EXPECT_EQ(ai->nodes(0).code(), "ai_competitiveness_2023");
  EXPECT_EQ(ai->nodes(0).level(), 4);
  EXPECT_GT(ai->indicators_size(), 5);
}

}  // namespace
}  // namespace innoscope::cli

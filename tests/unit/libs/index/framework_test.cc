#include "libs/index/framework.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/framework_csv.h"
#include "tests/shared_data.h"
#include "tests/unit/libs/index/test_util.h"

namespace innoscope::index {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// index -> {dim_a -> {x, y}, dim_b -> {z}}
std::vector<FrameworkNode> SmallTree() {
  return {MakeNode("x", "dim_a", 1), MakeNode("dim_a", "index", 2), MakeNode("index", "", 3),
          MakeNode("y", "dim_a", 1), MakeNode("z", "dim_b", 1),     MakeNode("dim_b", "index", 2)};
}

std::vector<std::string> Codes(const Framework& f, const std::vector<int>& ids) {
  std::vector<std::string> out;
  for (int id : ids) out.push_back(f.Node(id).code);
  return out;
}

TEST(FrameworkTest, BuildsTheTreeWithLeavesInInputOrderAndInnerNodesBottomUp) {
  ASSERT_OK_AND_ASSIGN(Framework f, Framework::Create(SmallTree()));
  EXPECT_EQ(f.Node(f.Root()).code, "index");
  EXPECT_EQ(f.Parent(f.Root()), -1);
  EXPECT_THAT(f.LeafCodes(), ElementsAre("x", "y", "z"));
  EXPECT_THAT(Codes(f, f.BottomUp()), ElementsAre("dim_a", "dim_b", "index"));
  EXPECT_THAT(Codes(f, f.Children(f.Find("dim_a"))), ElementsAre("x", "y"));
  EXPECT_EQ(f.Parent(f.Find("z")), f.Find("dim_b"));
  EXPECT_TRUE(f.IsLeaf(f.Find("y")));
  EXPECT_FALSE(f.IsLeaf(f.Find("dim_b")));
  EXPECT_EQ(f.Find("nope"), -1);
}

TEST(FrameworkTest, ASingleNodeIsALeafRoot) {
  ASSERT_OK_AND_ASSIGN(Framework f, Framework::Create({MakeNode("only", "", 1)}));
  EXPECT_THAT(f.LeafCodes(), ElementsAre("only"));
  EXPECT_TRUE(f.BottomUp().empty());
}

struct BadTreeCase {
  std::string name;
  std::vector<FrameworkNode> nodes;
  std::string message;
};

class FrameworkRejectsTest : public ::testing::TestWithParam<BadTreeCase> {};

TEST_P(FrameworkRejectsTest, WithInvalidArgumentNamingTheNode) {
  EXPECT_THAT(Framework::Create(GetParam().nodes),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(GetParam().message)));
}

std::vector<BadTreeCase> BadTrees() {
  std::vector<BadTreeCase> cases;
  cases.push_back({"Empty", {}, "no nodes"});
  {
    auto n = SmallTree();
    n[3].code = "x";
    cases.push_back({"DuplicateCode", n, "node 'x': duplicate node code"});
  }
  {
    auto n = SmallTree();
    n[0].code = "";
    cases.push_back({"EmptyCode", n, "node #1 has an empty code"});
  }
  {
    auto n = SmallTree();
    n[4].parent = "dim_c";
    cases.push_back({"Orphan", n, "node 'z': parent 'dim_c' not found"});
  }
  {
    auto n = SmallTree();
    n[5].parent = "";
    cases.push_back({"TwoRoots", n, "node 'dim_b': second root (node 'index'"});
  }
  {
    auto n = SmallTree();
    n[2].parent = "dim_a";  // index -> dim_a -> index
    cases.push_back({"CycleWithoutRoot", n, "no root"});
  }
  {
    // A detached cycle beside a valid tree: c1 -> c2 -> c1.
    auto n = SmallTree();
    n.push_back(MakeNode("c1", "c2", 2));
    n.push_back(MakeNode("c2", "c1", 2));
    cases.push_back({"DetachedCycle", n, "node 'c1': is on a cycle"});
  }
  {
    auto n = SmallTree();
    n.push_back(MakeNode("self", "self", 1));
    cases.push_back({"SelfParent", n, "node 'self': is on a cycle"});
  }
  {
    auto n = SmallTree();
    n[4].level = 2;
    cases.push_back({"LeafNotLevelOne", n, "node 'z': is a leaf but has level 2"});
  }
  {
    auto n = SmallTree();
    n[5].level = 3;
    cases.push_back(
        {"ParentNotAbove", n, "node 'dim_b': level 3 is not below its parent's level 3"});
  }
  {
    auto n = SmallTree();
    n[0].direction = 0;
    cases.push_back({"Direction", n, "node 'x': direction must be +1 or -1, got 0"});
  }
  {
    auto n = SmallTree();
    n[0].weight = -0.5;
    cases.push_back({"NegativeWeight", n, "node 'x': weight must be finite and >= 0"});
  }
  {
    auto n = SmallTree();
    n[0].weight = std::numeric_limits<double>::quiet_NaN();
    cases.push_back({"NanWeight", n, "node 'x': weight must be finite"});
  }
  {
    auto n = SmallTree();
    n[0].goal_min = 10;
    n[0].goal_max = 5;
    cases.push_back(
        {"InvertedGoalposts", n, "node 'x': goalposts must be finite with goal_min < goal_max"});
  }
  {
    auto n = SmallTree();
    n[0].goal_min = 10;
    cases.push_back({"HalfGoalposts", n, "node 'x': goalposts need both"});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(All, FrameworkRejectsTest, ::testing::ValuesIn(BadTrees()),
                         [](const auto& test_info) { return test_info.param.name; });

// ---------------------------------------------------------------------------
// COINr iMeta layout.

constexpr char kMiniMeta[] =
    "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n"
    "1,a,\"Indicator A, per capita\",1,1,USD,4.5,Pop,P1,Indicator\n"
    "1,b,Indicator B,-1,2,NA,NA,NA,P1,Indicator\n"
    "2,P1,Pillar,1,1,Score,NA,NA,Index,Aggregate\n"
    "3,Index,Index,1,1,Score,NA,NA,NA,Aggregate\n"
    "NA,Grp,Group,NA,NA,NA,NA,NA,NA,Group\n"
    "NA,Pop,Population,NA,NA,Thousands,NA,NA,NA,Denominator\n";

TEST(CoinrMetaCsvTest, ReadsTreeNodesAndReportsGroupsAndDenominators) {
  ASSERT_OK_AND_ASSIGN(CoinrMeta meta, ParseCoinrMetaCsv(kMiniMeta));
  const Framework& f = meta.framework;
  EXPECT_THAT(f.LeafCodes(), ElementsAre("a", "b"));
  const FrameworkNode& a = f.Node(f.Find("a"));
  EXPECT_EQ(a.name, "Indicator A, per capita");
  EXPECT_EQ(a.unit, "USD");
  EXPECT_EQ(a.denominator, "Pop");
  EXPECT_EQ(a.target, 4.5);
  EXPECT_EQ(a.weight, 1.0);
  const FrameworkNode& b = f.Node(f.Find("b"));
  EXPECT_EQ(b.direction, -1);
  EXPECT_EQ(b.unit, "");
  EXPECT_EQ(b.denominator, "");
  EXPECT_FALSE(b.target.has_value());
  EXPECT_EQ(f.Node(f.Root()).code, "Index");
  EXPECT_EQ(f.Node(f.Root()).level, 3);
  EXPECT_THAT(meta.CodesOfType("Group"), ElementsAre("Grp"));
  EXPECT_THAT(meta.CodesOfType("Denominator"), ElementsAre("Pop"));
  EXPECT_EQ(meta.auxiliary[1].unit, "Thousands");
}

TEST(CoinrMetaCsvTest, RejectsBadRowsNamingLineAndCode) {
  EXPECT_THAT(ParseCoinrMetaCsv("iCode,Level\nx,1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lacks the column 'Parent'")));
  EXPECT_THAT(ParseCoinrMetaCsv("iCode,Level,Parent,Type\nx,1,NA,Thing\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("CSV line 2: node 'x': unknown Type 'Thing'")));
  EXPECT_THAT(ParseCoinrMetaCsv("iCode,Level,Parent\nx,1.5,NA\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("CSV line 2: column 'Level': 1.5 is not a small integer")));
  EXPECT_THAT(ParseCoinrMetaCsv("iCode,Level,Parent,Weight\nx,1,NA,heavy\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("CSV line 2: column 'Weight': 'heavy' is not a finite number")));
  EXPECT_THAT(ParseCoinrMetaCsv("iCode,Level,Parent\nx,NA,NA\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("node 'x' needs a Level")));
  EXPECT_THAT(ParseCoinrMetaCsv("iCode,Level,Parent\nx,1,NA\ny,1,NA\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("second root")));
}

TEST(CoinrMetaCsvTest, LoadsAsemMetadataUnchanged) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  ASSERT_OK_AND_ASSIGN(CoinrMeta meta, ReadAsemMeta(dir));
  const Framework& f = meta.framework;
  // ASEM_iMeta.csv: 49 indicators, 8 pillars, 2 sub-indices, 1 index.
  EXPECT_EQ(f.Leaves().size(), 49u);
  EXPECT_EQ(f.BottomUp().size(), 11u);
  EXPECT_EQ(f.Node(f.Root()).code, "Index");
  EXPECT_EQ(f.Node(f.Root()).level, 4);
  EXPECT_THAT(Codes(f, f.Children(f.Root())), ElementsAre("Conn", "Sust"));
  EXPECT_EQ(f.Children(f.Find("Physical")).size(), 8u);
  EXPECT_EQ(f.Node(f.Find("Flights")).denominator, "Population");
  EXPECT_EQ(f.Node(f.Find("CostImpEx")).direction, -1);
  EXPECT_THAT(meta.CodesOfType("Group"),
              ElementsAre("GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"));
  EXPECT_THAT(meta.CodesOfType("Denominator"), ElementsAre("Area", "Energy", "GDP", "Population"));
}

// ---------------------------------------------------------------------------
// Level-column layout of the Chinese reports.

constexpr char kMiniLeveled[] =
    "level1_zh,level1_en,level1_weight,level2_zh,level2_en,level2_weight,"
    "level3_zh,level3_en,level3_weight,polarity,measurement_en\n"
    "企业,Enterprise capability,0.6,规模,Scale,0.6,数量,Number of firms,0.45,benefit,count\n"
    "企业,Enterprise capability,0.6,规模,Scale,0.6,估值,Valuation,0.15,benefit,\n"
    "学术,Academic,0.4,大学,Universities,0.4,成本,Cost of study,0.4,cost,\n";

TEST(LeveledFrameworkCsvTest, BuildsCodesLevelsAndLocalWeights) {
  ASSERT_OK_AND_ASSIGN(Framework f, ParseLeveledFrameworkCsv(kMiniLeveled));
  EXPECT_THAT(f.LeafCodes(), ElementsAre("number_of_firms", "valuation", "cost_of_study"));
  EXPECT_THAT(Codes(f, f.BottomUp()),
              ElementsAre("scale", "universities", "enterprise_capability", "academic", "index"));
  const FrameworkNode& firms = f.Node(f.Find("number_of_firms"));
  EXPECT_EQ(firms.name, "数量");
  EXPECT_EQ(firms.name_en, "Number of firms");
  EXPECT_EQ(firms.level, 1);
  EXPECT_EQ(firms.parent, "scale");
  EXPECT_EQ(firms.measurement, "count");
  EXPECT_DOUBLE_EQ(*firms.weight, 0.45 / 0.6);  // local = global / parent's global
  EXPECT_EQ(f.Node(f.Find("cost_of_study")).direction, -1);
  EXPECT_DOUBLE_EQ(*f.Node(f.Find("scale")).weight, 1.0);
  EXPECT_DOUBLE_EQ(*f.Node(f.Find("academic")).weight, 0.4);
  EXPECT_EQ(f.Node(f.Find("enterprise_capability")).level, 3);
  EXPECT_EQ(f.Node(f.Root()).level, 4);
}

TEST(LeveledFrameworkCsvTest, PrefersExplicitCodes) {
  ASSERT_OK_AND_ASSIGN(
      Framework f,
      ParseLeveledFrameworkCsv("code,level1_en,level2_en,level3_en\nA1.1,Dim A,Sub A,Ind\n"));
  EXPECT_THAT(f.LeafCodes(), ElementsAre("A1.1"));
  EXPECT_EQ(f.Find("dim_a"), f.Parent(f.Parent(f.Find("A1.1"))));
}

TEST(LeveledFrameworkCsvTest, RejectsInconsistentOrIncompleteRows) {
  EXPECT_THAT(ParseLeveledFrameworkCsv("level1_en,level2_en\nA,B\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("lacks both 'level3_zh' and 'level3_en'")));
  EXPECT_THAT(ParseLeveledFrameworkCsv("level1_en,level1_weight,level2_en,level3_en\n"
                                       "A,0.5,B,x\nA,0.6,B,y\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("CSV line 3: node 'a' has a different level1_weight")));
  EXPECT_THAT(ParseLeveledFrameworkCsv("level1_en,level2_en,level3_en\nA,B,x\nA,B,x\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("CSV line 3: indicator 'x' appears on two rows")));
  EXPECT_THAT(ParseLeveledFrameworkCsv("level1_en,level2_en,level3_en,polarity\nA,B,x,up\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown polarity 'up'")));
  EXPECT_THAT(
      ParseLeveledFrameworkCsv("level1_en,level2_en,level3_en,level3_weight\n"
                               "A,B,x,0.2\n"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("node 'x' has a weight but its parent 'b' has no positive weight")));
  EXPECT_THAT(ParseLeveledFrameworkCsv("level1_en,level2_en,level3_en\nA,B,\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("level3 has no name")));
  // Two different names that slug alike collide as codes.
  EXPECT_THAT(ParseLeveledFrameworkCsv("level1_en,level2_en,level3_en\nA,B,x-y\nA,B,x y\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'x_y': duplicate")));
}

TEST(LeveledFrameworkCsvTest, SlugCodes) {
  EXPECT_EQ(SlugCode("Average patents (AI universities)"), "average_patents_ai_universities");
  EXPECT_EQ(SlugCode("  R&D -- intensity 2.0 "), "r_d_intensity_2_0");
  EXPECT_EQ(SlugCode("企业能力"), "");
}

TEST(LeveledFrameworkCsvTest, LoadsTheAiCompetitivenessFramework) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  ASSERT_OK_AND_ASSIGN(Framework f, ReadAiFramework(dir));
  // DOMAIN.md section 1: 6 level-1, 10 level-2 and 24 level-3 indicators.
  EXPECT_EQ(f.Leaves().size(), 24u);
  EXPECT_EQ(f.Children(f.Root()).size(), 6u);
  EXPECT_EQ(f.BottomUp().size(), 6u + 10u + 1u);
  const FrameworkNode& firms = f.Node(f.Find("number_of_ai_enterprises"));
  EXPECT_EQ(firms.name, "企业数量");
  EXPECT_EQ(firms.parent, "enterprise_scale");
  EXPECT_EQ(f.Node(f.Find("enterprise_scale")).parent, "enterprise_capability");
  for (int leaf : f.Leaves()) EXPECT_EQ(f.Node(leaf).direction, 1);
}

}  // namespace
}  // namespace innoscope::index

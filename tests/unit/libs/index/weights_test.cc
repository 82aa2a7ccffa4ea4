#include "libs/index/weights.h"

#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/index/csv.h"
#include "libs/index/framework_csv.h"
#include "tests/shared_data.h"
#include "tests/unit/libs/index/test_util.h"

namespace innoscope::index {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

// index -> {a (w 3) -> {a1 (w 1), a2 (w 3)}, b (w 1) -> {b1}}
Framework Tree() {
  return *Framework::Create({MakeNode("index", "", 3), MakeNode("a", "index", 2, 3.0),
                             MakeNode("b", "index", 2, 1.0), MakeNode("a1", "a", 1, 1.0),
                             MakeNode("a2", "a", 1, 3.0), MakeNode("b1", "b", 1)});
}

TEST(WeightsTest, FixedWeightsAreRescaledWithinEachParent) {
  Framework f = Tree();
  ASSERT_OK_AND_ASSIGN(std::vector<double> local, FixedWeights(f));
  // a, b: 3/4, 1/4; a1, a2: 1/4, 3/4; b1 is an only child: 1.
  EXPECT_THAT(local, Pointwise(DoubleNear(1e-15), {1.0, 0.75, 0.25, 0.25, 0.75, 1.0}));
  ASSERT_OK_AND_ASSIGN(std::vector<double> global, GlobalWeights(f, local));
  EXPECT_THAT(global, Pointwise(DoubleNear(1e-15), {1.0, 0.75, 0.25, 0.1875, 0.5625, 0.25}));
}

TEST(WeightsTest, FixedWeightsNameTheNodeWithoutWeight) {
  EXPECT_THAT(
      FixedWeights(*Framework::Create(
          {MakeNode("r", "", 2), MakeNode("x", "r", 1, 1.0), MakeNode("y", "r", 1)})),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("framework node 'y' has no weight")));
  EXPECT_THAT(FixedWeights(*Framework::Create(
                  {MakeNode("r", "", 2), MakeNode("x", "r", 1, 0.0), MakeNode("y", "r", 1, 0.0)})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("children of framework node 'r' all have weight 0")));
}

TEST(WeightsTest, EqualWeightsSplitEachParentEvenly) {
  Framework f = Tree();
  std::vector<double> local = EqualWeights(f);
  EXPECT_THAT(local, ElementsAre(1.0, 0.5, 0.5, 0.5, 0.5, 1.0));
  ASSERT_OK_AND_ASSIGN(std::vector<double> global, GlobalWeights(f, local));
  EXPECT_THAT(global, ElementsAre(1.0, 0.5, 0.5, 0.25, 0.25, 0.5));
}

TEST(WeightsTest, GlobalWeightsCheckTheVectorLength) {
  EXPECT_THAT(GlobalWeights(Tree(), {1.0, 2.0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("got 2 local weights for 6 framework nodes")));
}

TEST(WeightsTest, LocalWeightsFromLeavesSumUpTheTree) {
  Framework f = Tree();
  // Leaves a1, a2, b1 with raw weights 1, 1, 2 -> global 0.25, 0.25, 0.5.
  ASSERT_OK_AND_ASSIGN(std::vector<double> local, LocalWeightsFromLeaves(f, {1, 1, 2}));
  EXPECT_THAT(local, Pointwise(DoubleNear(1e-15), {1.0, 0.5, 0.5, 0.5, 0.5, 1.0}));
  // A parent whose leaves weigh 0 splits evenly.
  ASSERT_OK_AND_ASSIGN(local, LocalWeightsFromLeaves(f, {0, 0, 1}));
  EXPECT_THAT(local, Pointwise(DoubleNear(1e-15), {1.0, 0.0, 1.0, 0.5, 0.5, 1.0}));
  EXPECT_THAT(LocalWeightsFromLeaves(f, {1, -1, 1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf weights entry 2 must be finite and >= 0")));
  EXPECT_THAT(LocalWeightsFromLeaves(f, {0, 0, 0}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sum to zero")));
}

TEST(WeightsTest, CombinesSubjectiveAndObjectiveWeights) {
  // s = (0.5, 0.3, 0.2) given as (5, 3, 2); o = (0.2, 0.2, 0.6).
  // Linear, alpha 0.25: 0.25 s + 0.75 o = (0.275, 0.225, 0.5).
  ASSERT_OK_AND_ASSIGN(std::vector<double> w, CombineWeights({5, 3, 2}, {0.2, 0.2, 0.6},
                                                             WeightCombination::kLinear, 0.25));
  EXPECT_THAT(w, Pointwise(DoubleNear(1e-15), {0.275, 0.225, 0.5}));
  // Multiplicative: s.o = (0.10, 0.06, 0.12), sum 0.28 -> (5/14, 3/14, 6/14).
  ASSERT_OK_AND_ASSIGN(
      w, CombineWeights({5, 3, 2}, {0.2, 0.2, 0.6}, WeightCombination::kMultiplicative));
  EXPECT_THAT(w, Pointwise(DoubleNear(1e-15), {5.0 / 14, 3.0 / 14, 6.0 / 14}));
  EXPECT_THAT(CombineWeights({1, 1}, {1}, WeightCombination::kLinear),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot combine 2")));
  EXPECT_THAT(CombineWeights({1, 1}, {1, 1}, WeightCombination::kLinear, 1.5),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("alpha must be in [0, 1]")));
  EXPECT_THAT(CombineWeights({1, 0}, {0, 1}, WeightCombination::kMultiplicative),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("zero everywhere")));
}

TEST(WeightsTest, RoundsHalfAwayFromZeroLikeASpreadsheet) {
  EXPECT_EQ(RoundHalfAwayFromZero(0.12345, 4), 0.1235);  // stored as 0.1234499...
  EXPECT_EQ(RoundHalfAwayFromZero(-0.12345, 4), -0.1235);
  EXPECT_EQ(RoundHalfAwayFromZero(2.5, 0), 3.0);
  EXPECT_EQ(RoundHalfAwayFromZero(0.12344, 4), 0.1234);
}

TEST(WeightsTest, RoundingPoliciesDifferForParents) {
  // Hand example: leaves 0.12345 + 0.12345 under a (0.2469), b1 0.7531.
  // Each node: a1 = a2 = 0.1235, a = 0.2469. Sum policy: a = 0.2470.
  Framework f = Tree();
  const std::vector<double> global = {1.0, 0.2469, 0.7531, 0.12345, 0.12345, 0.7531};
  ASSERT_OK_AND_ASSIGN(std::vector<double> each,
                       RoundWeights(f, global, 4, RoundingPolicy::kEachNode));
  EXPECT_THAT(each, ElementsAre(1.0, 0.2469, 0.7531, 0.1235, 0.1235, 0.7531));
  ASSERT_OK_AND_ASSIGN(std::vector<double> sums,
                       RoundWeights(f, global, 4, RoundingPolicy::kParentsSumRoundedChildren));
  EXPECT_THAT(sums, ElementsAre(1.0001, 0.247, 0.7531, 0.1235, 0.1235, 0.7531));
  EXPECT_THAT(RoundWeights(f, global, 13, RoundingPolicy::kEachNode),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("decimals")));
}

// ---------------------------------------------------------------------------
// The AI industry regional competitiveness index (2023): its published
// weights and the identities of DOMAIN.md section 5.

// FrameworkNode.weight as stored by the reader, not rescaled.
std::vector<double> StoredLocalWeights(const Framework& f) {
  std::vector<double> local;
  for (const FrameworkNode& n : f.Nodes()) local.push_back(n.weight.value_or(1.0));
  return local;
}

struct PublishedRow {
  std::string leaf;  // slug of level3_en
  double level1, level2, level3;
  double share3of1, share3of2, share2of1;  // the file's derived_* columns
};

std::vector<PublishedRow> ReadPublished(const std::string& dir) {
  std::vector<PublishedRow> rows;
  absl::StatusOr<std::string> text =
      ReadTextFile(dir + "/reference/frameworks/ai_competitiveness_2023.csv");
  absl::StatusOr<CsvTable> t = ParseCsvTable(*text);
  auto num = [&](const CsvRow& r, const char* col) { return std::stod(r.fields[t->Column(col)]); };
  for (const CsvRow& r : t->rows) {
    rows.push_back(
        {SlugCode(r.fields[t->Column("level3_en")]), num(r, "level1_weight"),
         num(r, "level2_weight"), num(r, "level3_weight"), num(r, "derived_level3_share_of_level1"),
         num(r, "derived_level3_share_of_level2"), num(r, "derived_level2_share_of_level1")});
  }
  return rows;
}

TEST(AiFrameworkWeightsTest, StoredLocalWeightsRecoverThePublishedGlobalWeights) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  ASSERT_OK_AND_ASSIGN(Framework f, ReadAiFramework(dir));
  const std::vector<PublishedRow> published = ReadPublished(dir);
  ASSERT_EQ(published.size(), 24u);
  ASSERT_OK_AND_ASSIGN(std::vector<double> global, GlobalWeights(f, StoredLocalWeights(f)));
  for (const PublishedRow& row : published) {
    SCOPED_TRACE(row.leaf);
    const int leaf = f.Find(row.leaf);
    ASSERT_GE(leaf, 0);
    const int l2 = f.Parent(leaf);
    const int l1 = f.Parent(l2);
    // Global weight = product of the path = the printed value.
    EXPECT_NEAR(global[leaf], row.level3, 1e-12);
    EXPECT_NEAR(global[l2], row.level2, 1e-12);
    EXPECT_NEAR(global[l1], row.level1, 1e-12);
    // Local weights agree with the file's own derived shares (4 dp).
    EXPECT_NEAR(*f.Node(leaf).weight, row.share3of2, 0.5e-4);
    EXPECT_NEAR(*f.Node(l2).weight, row.share2of1, 0.5e-4);
    EXPECT_NEAR(*f.Node(leaf).weight * *f.Node(l2).weight, row.share3of1, 0.5e-4);
  }
}

TEST(AiFrameworkWeightsTest, PublishedWeightsSatisfyTheTreeIdentities) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  ASSERT_OK_AND_ASSIGN(Framework f, ReadAiFramework(dir));
  ASSERT_OK_AND_ASSIGN(std::vector<double> global, GlobalWeights(f, StoredLocalWeights(f)));
  auto sum_of_children = [&](int id) {
    double s = 0;
    for (int c : f.Children(id)) s += global[c];
    return s;
  };
  // Level-1 weights sum to 1 (DOMAIN.md: 0.4368 + 0.2127 + ... + 0.0352).
  EXPECT_NEAR(sum_of_children(f.Root()), 1.0, 1e-12);
  std::vector<std::string> level1_off_by_rounding;
  for (int id : f.BottomUp()) {
    const FrameworkNode& n = f.Node(id);
    if (n.level == 2) {
      // Leaf weights under a level-2 node sum exactly to its printed weight.
      EXPECT_NEAR(sum_of_children(id), global[id], 1e-12) << n.code;
    } else if (n.level == 3) {
      // Level-2 weights under a level-1 node sum to it up to one unit in the
      // 4th decimal: the report rounded level 1 on its own.
      const double gap = global[id] - sum_of_children(id);
      EXPECT_LE(std::fabs(gap), 1e-4 + 1e-12) << n.code;
      if (std::fabs(gap) > 1e-12) level1_off_by_rounding.push_back(n.code);
    }
  }
  // 0.1084 + 0.1042 = 0.2126 vs 0.2127; 0.0294 + 0.0481 = 0.0775 vs 0.0776.
  EXPECT_THAT(level1_off_by_rounding, ElementsAre("academic_ecosystem", "international_openness"));
}

TEST(AiFrameworkWeightsTest, SumOfRoundedChildrenReproducesThePrintedLevelTwo) {
  INNOSCOPE_REQUIRE_SHARED(dir);
  ASSERT_OK_AND_ASSIGN(Framework f, ReadAiFramework(dir));
  ASSERT_OK_AND_ASSIGN(std::vector<double> global, GlobalWeights(f, StoredLocalWeights(f)));
  ASSERT_OK_AND_ASSIGN(std::vector<double> printed,
                       RoundWeights(f, global, 4, RoundingPolicy::kParentsSumRoundedChildren));
  for (const PublishedRow& row : ReadPublished(dir)) {
    const int l2 = f.Parent(f.Find(row.leaf));
    EXPECT_DOUBLE_EQ(printed[l2], row.level2) << row.leaf;
  }
  // Rescaled fixed weights make a proper tree: leaves sum to exactly 1.
  ASSERT_OK_AND_ASSIGN(std::vector<double> local, FixedWeights(f));
  ASSERT_OK_AND_ASSIGN(std::vector<double> rescaled, GlobalWeights(f, local));
  double leaves = 0;
  for (int id : f.Leaves()) leaves += rescaled[id];
  EXPECT_NEAR(leaves, 1.0, 1e-12);
}

}  // namespace
}  // namespace innoscope::index

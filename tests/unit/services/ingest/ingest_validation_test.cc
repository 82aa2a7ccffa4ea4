#include "services/ingest/ingest_validation.h"

#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::ingest {
namespace {

using ::innoscope::testing::IsOk;
using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

// The published global weights of the 2023 AI competitiveness index for one
// dimension: enterprise capability 0.4368 = enterprise scale 0.2045 +
// enterprise innovation 0.2323 (DOMAIN.md section 1).
v1::CreateFrameworkRequest GlobalWeights(double innovation_weight) {
  v1::CreateFrameworkRequest f;
  f.set_code("ai");
  f.set_weight_convention(v1::WEIGHT_CONVENTION_GLOBAL);
  auto add = [&](const char* code, const char* parent, int level, double w) {
    v1::FrameworkNode* n = f.add_nodes();
    n->set_code(code);
    n->set_parent_code(parent);
    n->set_level(level);
    n->set_direction(1);
    if (w > 0) n->set_weight(w);
  };
  add("index", "", 4, 0);
  add("enterprise", "index", 3, 1.0);
  add("scale", "enterprise", 2, 0.2045);
  add("innovation", "enterprise", 2, innovation_weight);
  add("firms", "scale", 1, 0.2045);
  add("patents", "innovation", 1, innovation_weight);
  for (const char* code : {"firms", "patents"}) f.add_indicators()->set_code(code);
  return f;
}

TEST(IngestValidationTest, GlobalWeightsMustSumToTheParentWeight) {
  Catalog catalog;
  v1::CreateFrameworkRequest ok = GlobalWeights(0.2323);
  ok.mutable_nodes(1)->set_weight(0.4368);
  EXPECT_THAT(ValidateFramework(ok, catalog),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the weights of \"index\"'s children sum to 0.4368, not its "
                                 "weight 1")));
  v1::CreateFrameworkRequest whole = GlobalWeights(0.7955);
  EXPECT_THAT(ValidateFramework(whole, catalog), IsOk());
  v1::CreateFrameworkRequest off = GlobalWeights(0.3);
  EXPECT_THAT(ValidateFramework(off, catalog),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"enterprise\"'s children")));
}

TEST(IngestValidationTest, RelativeWeightsAsInCoinrLoadUnchanged) {
  v1::CreateFrameworkRequest f = GlobalWeights(1);
  f.set_weight_convention(v1::WEIGHT_CONVENTION_RELATIVE);
  for (auto& n : *f.mutable_nodes()) {
    if (!n.parent_code().empty()) n.set_weight(1);
  }
  EXPECT_THAT(ValidateFramework(f, Catalog()), IsOk());
}

TEST(IngestValidationTest, LeavesMustBeKnownIndicators) {
  v1::CreateFrameworkRequest f = GlobalWeights(0.7955);
  f.clear_indicators();
  Catalog catalog;
  catalog.indicators["firms"] = true;
  EXPECT_THAT(ValidateFramework(f, catalog),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf \"patents\" is not an indicator")));
}

// Found by ingest_framework_proto_fuzz (tests/fuzz/corpus/
// ingest_framework_proto_fuzz/crash-*): ingest stored frameworks with
// infinite goalposts or a non-finite target, which every reader
// (index::Framework::Create) then refuses, so no run could score them.
TEST(IngestValidationTest, GoalpostsAndTargetsMustBeFinite) {
  const double inf = std::numeric_limits<double>::infinity();
  v1::CreateFrameworkRequest goals = GlobalWeights(0.7955);
  goals.mutable_nodes(4)->set_goal_min(-inf);
  goals.mutable_nodes(4)->set_goal_max(inf);
  EXPECT_THAT(ValidateFramework(goals, Catalog()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("row 4 goal_min: goalposts must be finite, got -inf and inf")));
  v1::CreateFrameworkRequest target = GlobalWeights(0.7955);
  target.mutable_nodes(5)->set_target(std::numeric_limits<double>::quiet_NaN());
  EXPECT_THAT(
      ValidateFramework(target, Catalog()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("row 5 target: nan is not finite")));
  v1::CreateFrameworkRequest finite = GlobalWeights(0.7955);
  finite.mutable_nodes(4)->set_goal_min(0);
  finite.mutable_nodes(4)->set_goal_max(1e300);
  finite.mutable_nodes(5)->set_target(-1e300);
  EXPECT_THAT(ValidateFramework(finite, Catalog()), IsOk());
}

TEST(IngestValidationTest, ErrorListIsCappedWithACount) {
  v1::WriteObservationsRequest batch;
  batch.set_batch_id("b");
  for (int i = 0; i < 25; ++i) {
    v1::Observation* o = batch.add_observations();
    o->set_region_code("nowhere");
    o->set_indicator_code("x");
    o->set_period(2020);
  }
  Catalog catalog;
  catalog.indicators["x"] = false;
  absl::Status s = ValidateObservations(batch, catalog, nullptr).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("batch b: 25 invalid rows (nothing was written)")));
  EXPECT_THAT(std::string(s.message()), HasSubstr("row 19 region_code"));
  EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("row 20 ")));
  EXPECT_THAT(std::string(s.message()), HasSubstr("and 5 more"));
}

TEST(IngestValidationTest, IdenticalDuplicatesAreStoredOnce) {
  v1::WriteObservationsRequest batch;
  batch.set_batch_id("b");
  batch.set_source("yearbook");
  for (int i = 0; i < 2; ++i) {
    v1::Observation* o = batch.add_observations();
    o->set_region_code("R1");
    o->set_indicator_code("x");
    o->set_period(2020);
    o->set_value(-0.0);
  }
  Catalog catalog;
  catalog.regions.insert("R1");
  catalog.indicators["x"] = false;
  auto rows = ValidateObservations(batch, catalog, nullptr);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].source(), "yearbook");  // the batch default applied
  // 0.0 and -0.0 are different bits: a conflict, not a duplicate.
  batch.mutable_observations(1)->set_value(0.0);
  EXPECT_FALSE(ValidateObservations(batch, catalog, nullptr).ok());
}

TEST(IngestValidationTest, ContentHashIsDeterministicWithMaps) {
  v1::Relation a, b;
  (*a.mutable_tags())["x"] = "1";
  (*a.mutable_tags())["y"] = "2";
  (*b.mutable_tags())["y"] = "2";
  (*b.mutable_tags())["x"] = "1";
  EXPECT_EQ(ContentHash(a), ContentHash(b));
  (*b.mutable_tags())["x"] = "3";
  EXPECT_NE(ContentHash(a), ContentHash(b));
}

TEST(IngestValidationTest, CodesAndBatchIds) {
  EXPECT_TRUE(IsValidCode("CN-BJ"));
  EXPECT_TRUE(IsValidCode("ZZK.WORLD"));
  EXPECT_FALSE(IsValidCode("-x"));
  EXPECT_FALSE(IsValidCode("a b"));
  EXPECT_FALSE(IsValidCode(std::string(65, 'a')));
  EXPECT_FALSE(ValidateBatchId("").ok());
  EXPECT_FALSE(ValidateBatchId("has space").ok());
  EXPECT_TRUE(ValidateBatchId("import-3f2a-17").ok());
}

}  // namespace
}  // namespace innoscope::ingest

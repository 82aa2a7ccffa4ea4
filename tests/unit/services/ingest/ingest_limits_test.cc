// The ingest input limits (services/ingest/ingest_limits.h) and the
// validation they bound: each cap answers its status with the field, the
// value, the limit and the flag, and a google.rpc.BadRequest violation; the
// framework checks stay correct on trees far deeper than any real one (a
// 100,000-node chain, with a cycle at its far end).

#include "services/ingest/ingest_limits.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/field_violations.h"
#include "libs/common/status_matchers.h"
#include "services/ingest/ingest_validation.h"
#include "tests/framework_chain.h"

namespace innoscope::ingest {
namespace {

using ::innoscope::testing::IsOk;
using ::innoscope::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A chain n0 -> n1 -> ... -> n{size-1}: size - 1 edges deep.
v1::CreateFrameworkRequest Chain(int size) {
  return innoscope::testing::ChainFramework("chain", "n", size);
}

absl::StatusOr<config::ParsedFlags> Parse(const std::vector<std::string>& args) {
  config::FlagSet flags("innoscope-ingest", "test");
  AddIngestLimitFlags(flags);
  return flags.Parse(args,
                     [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
}

TEST(IngestLimitsTest, FlagsHaveTheDocumentedDefaults) {
  absl::StatusOr<config::ParsedFlags> parsed = Parse({});
  ASSERT_THAT(parsed.status(), IsOk());
  absl::StatusOr<IngestLimits> limits = IngestLimitsFromFlags(*parsed);
  ASSERT_THAT(limits.status(), IsOk());
  // docs/operations.md, "Input limits".
  EXPECT_EQ(limits->max_batch_rows, 100000);
  EXPECT_EQ(limits->max_framework_nodes, 20000);
  EXPECT_EQ(limits->max_framework_depth, 64);
  EXPECT_EQ(limits->max_data_version_scopes, 100000);
  EXPECT_EQ(limits->max_filter_codes, 10000);
  EXPECT_EQ(limits->max_relation_set_rows, 10000000);
}

TEST(IngestLimitsTest, FlagsAreReadAndRangeChecked) {
  absl::StatusOr<config::ParsedFlags> parsed =
      Parse({"--max_framework_depth=20000", "--max_data_version_scopes=7"});
  ASSERT_THAT(parsed.status(), IsOk());
  absl::StatusOr<IngestLimits> limits = IngestLimitsFromFlags(*parsed);
  ASSERT_THAT(limits.status(), IsOk());
  EXPECT_EQ(limits->max_framework_depth, 20000);
  EXPECT_EQ(limits->max_data_version_scopes, 7);
  parsed = Parse({"--max_batch_rows=0"});
  ASSERT_THAT(parsed.status(), IsOk());
  EXPECT_THAT(IngestLimitsFromFlags(*parsed).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_batch_rows")));
}

TEST(IngestLimitsTest, CheckLimitNamesFieldValueLimitAndFlag) {
  EXPECT_THAT(CheckLimit(absl::StatusCode::kInvalidArgument, "scopes", "scopes", 10, 10,
                         kMaxDataVersionScopesFlag),
              IsOk());
  const absl::Status s = CheckLimit(absl::StatusCode::kInvalidArgument, "scopes", "scopes", 11, 10,
                                    kMaxDataVersionScopesFlag);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          "scopes: 11 scopes; the limit is 10 (flag --max_data_version_scopes)"));
  EXPECT_THAT(FieldViolationsOf(s),
              ElementsAre(FieldViolation{
                  "scopes", "11 scopes; the limit is 10 (flag --max_data_version_scopes)"}));
}

TEST(IngestLimitsTest, ChainFrameworkValidatesAtAnyDepthTheLimitAllows) {
  IngestLimits limits;
  limits.max_framework_nodes = 100000;
  limits.max_framework_depth = 99999;  // the chain's depth: n0 .. n99999 is 99,999 edges
  EXPECT_THAT(ValidateFramework(Chain(100000), Catalog(), limits), IsOk());
  limits.max_framework_depth = 99998;
  const absl::Status deep = ValidateFramework(Chain(100000), Catalog(), limits);
  EXPECT_THAT(deep, StatusIs(absl::StatusCode::kInvalidArgument,
                             AllOf(HasSubstr("nodes: 99999 edges"), HasSubstr("limit is 99998"),
                                   HasSubstr("--max_framework_depth"))));
  EXPECT_THAT(FieldViolationsOf(deep).size(), 1u);
}

TEST(IngestLimitsTest, DefaultDepthLimitRefusesADeepChain) {
  // 66 nodes: 65 edges, one over the default 64; 65 nodes pass.
  EXPECT_THAT(ValidateFramework(Chain(65), Catalog()), IsOk());
  EXPECT_THAT(ValidateFramework(Chain(66), Catalog()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nodes: 65 edges from the root to the deepest leaf; the limit "
                                 "is 64 (flag --max_framework_depth)")));
}

TEST(IngestLimitsTest, CycleAtTheEndOfALongChainIsFoundOnce) {
  IngestLimits limits;
  limits.max_framework_nodes = 100000;
  limits.max_framework_depth = 100000;
  v1::CreateFrameworkRequest f = Chain(50000);
  // A second component beside the tree: c0 -> c1 -> c2 -> c0.
  for (int i = 0; i < 3; ++i) {
    v1::FrameworkNode* n = f.add_nodes();
    n->set_code(absl::StrCat("c", i));
    n->set_parent_code(absl::StrCat("c", (i + 2) % 3));
    n->set_level(1);
    n->set_direction(1);
  }
  const absl::Status s = ValidateFramework(f, Catalog(), limits);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          AllOf(HasSubstr("1 invalid row"), HasSubstr("cycle through \"c"))));
}

TEST(IngestLimitsTest, TooManyNodesIsRefusedBeforeTheTreeIsWalked) {
  IngestLimits limits;
  limits.max_framework_nodes = 10;
  EXPECT_THAT(ValidateFramework(Chain(11), Catalog(), limits),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "nodes: 11 nodes; the limit is 10 (flag --max_framework_nodes)"));
}

TEST(IngestLimitsTest, BatchRowsOverTheLimitAreResourceExhausted) {
  IngestLimits limits;
  limits.max_batch_rows = 2;
  v1::WriteObservationsRequest batch;
  batch.set_batch_id("b");
  for (int i = 0; i < 3; ++i) batch.add_observations();
  EXPECT_THAT(ValidateObservations(batch, Catalog(), nullptr, limits).status(),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "observations: 3 rows in one request; the limit is 2 (flag "
                       "--max_batch_rows)"));
  v1::WriteRelationsRequest relations;
  relations.set_batch_id("r");
  for (int i = 0; i < 3; ++i) relations.add_relations();
  EXPECT_THAT(ValidateRelations(relations, {}, limits),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("relations: 3 rows")));
  v1::UpsertActorsRequest actors;
  actors.set_batch_id("a");
  for (int i = 0; i < 3; ++i) actors.add_actors();
  EXPECT_THAT(ValidateActors(actors, Catalog(), limits),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("actors: 3 rows")));
}

}  // namespace
}  // namespace innoscope::ingest

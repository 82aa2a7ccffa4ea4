#include "libs/server/authorization.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "innoscope/network/v1/network.pb.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "innoscope/weighting/v1/weighting.pb.h"
#include "libs/server/audit.h"
#include "libs/server/caller_identity.h"

namespace innoscope::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string>& AllServices() {
  static const auto* services = new std::vector<std::string>{
      "innoscope.ingest.v1.IngestService", "innoscope.weighting.v1.WeightingService",
      "innoscope.scoring.v1.ScoringService", "innoscope.network.v1.NetworkService"};
  return *services;
}

RoleTable AllRoles() {
  // Referencing one message of each file links its descriptors into the
  // generated pool (a server links its own service's).
  for (const google::protobuf::Descriptor* d :
       {ingest::v1::ListRegionsRequest::descriptor(), network::v1::ListRunsRequest::descriptor(),
        scoring::v1::ListRunsRequest::descriptor(),
        weighting::v1::ListWeightSetsRequest::descriptor()}) {
    EXPECT_NE(d, nullptr);
  }
  absl::StatusOr<RoleTable> table = RoleTable::ForServices(AllServices());
  EXPECT_TRUE(table.ok()) << table.status();
  return *table;
}

std::string TempFile(const std::string& name, const std::string& text) {
  std::string path = absl::StrCat(::testing::TempDir(), "/", name);
  std::ofstream(path) << text;
  return path;
}

TEST(RoleTableTest, EveryRpcOfEveryServiceDeclaresARole) {
  RoleTable table = AllRoles();
  EXPECT_EQ(table.roles().size(), 17u + 5u + 11u + 9u);
  for (const auto& [method, role] : table.roles()) {
    EXPECT_NE(role, auth::v1::ROLE_UNSPECIFIED) << method << " declares no required_role";
  }
}

TEST(RoleTableTest, RolesFollowTheIssueOfWhatEachRoleMayDo) {
  RoleTable table = AllRoles();
  EXPECT_EQ(table.Required("/innoscope.ingest.v1.IngestService/ListRegions"),
            auth::v1::ROLE_READER);
  EXPECT_EQ(table.Required("/innoscope.ingest.v1.IngestService/WriteObservations"),
            auth::v1::ROLE_WRITER);
  EXPECT_EQ(table.Required("/innoscope.scoring.v1.ScoringService/ExportRun"),
            auth::v1::ROLE_READER);
  EXPECT_EQ(table.Required("/innoscope.scoring.v1.ScoringService/ComputeScores"),
            auth::v1::ROLE_WRITER);
  EXPECT_EQ(table.Required("/innoscope.scoring.v1.ScoringService/PublishRuns"),
            auth::v1::ROLE_OPERATOR);
  EXPECT_EQ(table.Required("/innoscope.weighting.v1.WeightingService/ComputeWeights"),
            auth::v1::ROLE_WRITER);
  EXPECT_EQ(table.Required("/innoscope.ingest.v1.IngestService/NoSuchMethod"),
            auth::v1::ROLE_UNSPECIFIED);
  EXPECT_FALSE(RoleTable::ForServices({"innoscope.nothing.v1.Nothing"}).ok());
}

// The roles table of docs/security.md is the declarations of the contracts:
// this test fails, printing the table to paste, when the two differ.
TEST(RoleTableTest, DocumentedRolesTableMatchesTheContracts) {
  std::string expected =
      "| Method | Least role |\n"
      "|---|---|\n";
  const RoleTable table = AllRoles();
  for (const auto& [method, role] : table.roles()) {
    absl::StrAppend(&expected, "| `", method.substr(1), "` | ", RoleName(role), " |\n");
  }
  std::ifstream in(std::string(INNOSCOPE_SOURCE_DIR) + "/docs/security.md");
  ASSERT_TRUE(in) << "docs/security.md missing";
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  const std::string begin = "<!-- roles:begin (tests/unit/libs/server/authorization_test.cc) -->\n";
  const std::string end = "<!-- roles:end -->";
  size_t from = doc.find(begin);
  size_t to = doc.find(end);
  ASSERT_NE(from, std::string::npos) << "no roles table markers in docs/security.md";
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(doc.substr(from + begin.size(), to - from - begin.size()), expected)
      << "docs/security.md's roles table should read:\n"
      << expected;
}

TEST(AuthFileTest, ParsesIdentitiesAndRoles) {
  const std::string token = BearerTokenIdentity("t");
  absl::StatusOr<std::map<std::string, Role>> grants = ParseAuthFile(
      absl::StrCat("identity,role\n# comment\n\nsan:spiffe://innoscope/scoring,reader\n", token,
                   ", operator \n"));
  ASSERT_TRUE(grants.ok()) << grants.status();
  EXPECT_EQ(grants->size(), 2u);
  EXPECT_EQ(grants->at("san:spiffe://innoscope/scoring"), auth::v1::ROLE_READER);
  EXPECT_EQ(grants->at(token), auth::v1::ROLE_OPERATOR);
}

TEST(AuthFileTest, ErrorsNameTheLine) {
  auto error = [](const std::string& text) {
    absl::StatusOr<std::map<std::string, Role>> grants = ParseAuthFile(text);
    EXPECT_FALSE(grants.ok()) << text;
    return grants.ok() ? std::string() : std::string(grants.status().message());
  };
  EXPECT_THAT(error("san:a,reader\nsan:b\n"), HasSubstr("line 2: expected identity,role"));
  EXPECT_THAT(error("sha256:abc,reader\n"), HasSubstr("line 1: sha256: needs 64 lowercase hex"));
  EXPECT_THAT(error("user:bob,reader\n"), HasSubstr("line 1: identity must be"));
  EXPECT_THAT(error("san:a,root\n"), HasSubstr("line 1: role \"root\" is not reader"));
  EXPECT_THAT(error("san:a,reader\nsan:a,admin\n"), HasSubstr("line 2: identity listed twice"));
}

class AuthorizerTest : public ::testing::Test {
 protected:
  std::shared_ptr<Authorizer> Make(const std::string& text) {
    path_ = TempFile("auth.csv", text);
    absl::StatusOr<std::shared_ptr<Authorizer>> a =
        Authorizer::Create(AllRoles(), path_, absl::ZeroDuration(), nullptr);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : nullptr;
  }
  std::string path_;
};

constexpr char kImport[] = "/innoscope.ingest.v1.IngestService/WriteObservations";
constexpr char kList[] = "/innoscope.ingest.v1.IngestService/ListRegions";
constexpr char kPublish[] = "/innoscope.scoring.v1.ScoringService/PublishRuns";

TEST_F(AuthorizerTest, RolesIncludeTheLowerOnes) {
  auto a = Make("san:r,reader\nsan:w,writer\nsan:o,operator\nsan:x,admin\n");
  EXPECT_TRUE(a->Decide(kList, "san:r").ok());
  EXPECT_EQ(a->Decide(kImport, "san:r").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(a->Decide(kImport, "san:w").ok());
  EXPECT_EQ(a->Decide(kPublish, "san:w").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(a->Decide(kPublish, "san:o").ok());
  EXPECT_TRUE(a->Decide(kPublish, "san:x").ok());
  EXPECT_TRUE(a->Decide(kList, "san:x").ok());
}

TEST_F(AuthorizerTest, RefusalsSayWhatIsMissingWithoutTheToken) {
  auto a = Make("san:r,reader\n");
  grpc::Status s = a->Decide(kImport, "san:r");
  EXPECT_EQ(s.error_message(),
            "innoscope.ingest.v1.IngestService/WriteObservations needs role writer; the caller "
            "has role reader");
  s = a->Decide(kList, kAnonymousIdentity);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  s = a->Decide(kList, BearerTokenIdentity("secret-token"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), Not(HasSubstr("secret-token")));
  s = a->Decide(kList, "san:unknown");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuthorizerTest, UndeclaredMethodsAreRefusedAndHealthIsOpen) {
  auto a = Make("san:x,admin\n");
  grpc::Status s = a->Decide("/innoscope.ingest.v1.IngestService/Undeclared", "san:x");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("declares no required role"));
  EXPECT_TRUE(a->Decide("/grpc.health.v1.Health/Check", kAnonymousIdentity).ok());
  EXPECT_EQ(a->Decide("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                      kAnonymousIdentity)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AuthorizerTest, ChangesToTheFileApplyAndABrokenFileRefusesEverything) {
  auto a = Make("san:w,writer\n");
  ASSERT_TRUE(a->Decide(kImport, "san:w").ok());
  // Rename over the file, as Kubernetes swaps a Secret (new inode).
  std::string next = TempFile("auth.next", "san:w,reader\n");
  ASSERT_EQ(std::rename(next.c_str(), path_.c_str()), 0);
  EXPECT_EQ(a->Decide(kImport, "san:w").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  next = TempFile("auth.next", "san:w,writer\nthis line is broken\n");
  ASSERT_EQ(std::rename(next.c_str(), path_.c_str()), 0);
  EXPECT_THAT(a->Decide(kList, "san:w").error_message(), HasSubstr("auth file is invalid"));
}

TEST(AuditResourcesTest, NamesFrameworksBatchesRunsAndRelationSets) {
  std::set<std::string> found;
  ingest::v1::WriteRelationsRequest relations;
  relations.set_batch_id("b-7");
  relations.set_relation_set("patents");
  relations.add_relations();
  AuditResources(relations, &found);
  scoring::v1::PublishRunsRequest publish;
  publish.add_run_ids("run-1");
  publish.add_run_ids("run-2");
  AuditResources(publish, &found);
  scoring::v1::ComputeScoresResponse computed;
  computed.mutable_run()->set_id("run-3");
  computed.mutable_run()->mutable_spec()->mutable_framework()->set_code("gii");
  computed.mutable_run()->mutable_spec()->mutable_framework()->set_version(4);
  computed.mutable_run()->set_weight_set_id("ws-9");
  AuditResources(computed, &found);
  EXPECT_EQ(found,
            (std::set<std::string>{"batch:b-7", "framework:gii@4", "relation_set:patents",
                                   "run:run-1", "run:run-2", "run:run-3", "weight_set:ws-9"}));
}

}  // namespace
}  // namespace innoscope::server

// The ingest service against a real PostgreSQL: revisions and as-of reads,
// idempotent replay, concurrent writers, SIGKILL mid-import, graceful
// SIGTERM with a stream in flight, and every bad-input rule (nothing
// written, service still serving).

#include <signal.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

namespace v1 = ::innoscope::ingest::v1;
using ::testing::HasSubstr;

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
    auto url = pg_->CreateDatabase("ingest");
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    StartService();
    SeedCatalog();
  }

  void StartService() {
    auto p = ServiceProcess::Start("ingest", {"--drain_seconds=1"}, {{"DATABASE_URL", url_}});
    ASSERT_TRUE(p.ok()) << p.status();
    service_ = std::move(*p);
    stub_ = v1::IngestService::NewStub(service_->Channel());
  }

  // Regions R00..R09, indicators gdp (not a count), firms (a count), and a
  // framework "fw" with root -> dim -> {gdp, firms}.
  void SeedCatalog() {
    v1::UpsertRegionsRequest regions;
    for (int i = 0; i < 10; ++i) {
      v1::Region* r = regions.add_regions();
      r->set_code(absl::StrCat("R0", i));
      r->set_name(absl::StrCat("Region ", i));
      r->set_kind(v1::REGION_KIND_PROVINCE);
    }
    grpc::ClientContext c1;
    v1::UpsertRegionsResponse r1;
    ASSERT_TRUE(stub_->UpsertRegions(&c1, regions, &r1).ok());
    ASSERT_EQ(r1.inserted(), 10);
    v1::CreateFrameworkRequest fw = Framework();
    grpc::ClientContext c2;
    v1::CreateFrameworkResponse r2;
    grpc::Status s = stub_->CreateFramework(&c2, fw, &r2);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_TRUE(r2.created());
    ASSERT_EQ(r2.framework().version(), 1);
  }

  static v1::CreateFrameworkRequest Framework() {
    v1::CreateFrameworkRequest fw;
    fw.set_code("fw");
    fw.set_name("Test framework");
    fw.set_weight_convention(v1::WEIGHT_CONVENTION_LOCAL);
    auto node = [&](const std::string& code, const std::string& parent, int level,
                    std::optional<double> weight) {
      v1::FrameworkNode* n = fw.add_nodes();
      n->set_code(code);
      n->set_parent_code(parent);
      n->set_level(level);
      n->set_direction(1);
      if (weight) n->set_weight(*weight);
    };
    node("index", "", 3, std::nullopt);
    node("dim", "index", 2, 1.0);
    node("gdp", "dim", 1, 0.6);
    node("firms", "dim", 1, 0.4);
    v1::Indicator* gdp = fw.add_indicators();
    gdp->set_code("gdp");
    gdp->set_unit("100m yuan");
    v1::Indicator* firms = fw.add_indicators();
    firms->set_code("firms");
    firms->set_unit("count");
    firms->set_is_count(true);
    return fw;
  }

  static v1::Observation Obs(const std::string& region, const std::string& indicator, int period,
                             double value) {
    v1::Observation o;
    o.set_region_code(region);
    o.set_indicator_code(indicator);
    o.set_period(period);
    o.set_value(value);
    return o;
  }

  static v1::WriteObservationsRequest Batch(const std::string& id,
                                            const std::vector<v1::Observation>& rows) {
    v1::WriteObservationsRequest b;
    b.set_batch_id(id);
    for (const auto& o : rows) *b.add_observations() = o;
    return b;
  }

  // Streams batches; returns the responses received and the final status.
  grpc::Status Write(const std::vector<v1::WriteObservationsRequest>& batches,
                     std::vector<v1::WriteObservationsResponse>* responses = nullptr) {
    grpc::ClientContext ctx;
    auto stream = stub_->WriteObservations(&ctx);
    for (const auto& b : batches) {
      if (!stream->Write(b)) break;
      v1::WriteObservationsResponse r;
      if (!stream->Read(&r)) break;
      if (responses != nullptr) responses->push_back(r);
    }
    stream->WritesDone();
    return stream->Finish();
  }

  std::vector<v1::StoredObservation> Read(const v1::ReadObservationsRequest& request) {
    grpc::ClientContext ctx;
    auto reader = stub_->ReadObservations(&ctx, request);
    std::vector<v1::StoredObservation> out;
    v1::ReadObservationsResponse message;
    while (reader->Read(&message)) {
      for (const auto& o : message.observations()) out.push_back(o);
    }
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::string Sql(const std::string& sql) {
    int code = 0;
    auto out = RunCommand(absl::StrCat("psql '", url_, "' -qtAc \"", sql, "\""), &code);
    EXPECT_EQ(code, 0) << *out;
    return std::string(absl::StripAsciiWhitespace(*out));
  }

  // Runs a statement the database must refuse; returns psql's output, the error.
  std::string SqlRefused(const std::string& sql) {
    int code = 0;
    auto out = RunCommand(absl::StrCat("psql '", url_, "' -qtAc \"", sql, "\" 2>&1"), &code);
    EXPECT_TRUE(out.ok());
    EXPECT_NE(code, 0) << sql;
    return out.ok() ? *out : "";
  }

  int64_t DataVersion(const std::string& scope) {
    grpc::ClientContext ctx;
    v1::GetDataVersionsRequest request;
    request.add_scopes(scope);
    v1::GetDataVersionsResponse response;
    EXPECT_TRUE(stub_->GetDataVersions(&ctx, request, &response).ok());
    return response.versions_size() == 1 ? response.versions(0).version() : -1;
  }

  // Rows of ingest.observations read by scans so far: heap tuples of
  // sequential scans plus those fetched through indexes.
  int64_t ObservationRowsRead() {
    return std::stoll(
        Sql("SELECT seq_tup_read + idx_tup_fetch FROM pg_stat_user_tables "
            "WHERE schemaname = 'ingest' AND relname = 'observations'"));
  }

  // Stops the service and waits until the server processes of its sessions
  // have exited: a session flushes its statistics when it ends, so the
  // counters of pg_stat_user_tables are then complete.
  // Behind PgBouncer a test's own sessions share long-lived server
  // processes, which flush idle statistics only every few seconds: the
  // pending ones of this test's earlier reads are flushed first.
  void StopServiceAndFlushStatistics() {
    Sql("SELECT pg_stat_force_next_flush()");
    const std::string pids =
        Sql("SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE datname = "
            "current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
    service_->Signal(SIGTERM);
    ASSERT_TRUE(service_->WaitExit(absl::Seconds(30)).ok());
    for (absl::string_view pid : absl::StrSplit(pids, ' ', absl::SkipEmpty())) {
      const pid_t p = std::stoi(std::string(pid));
      ASSERT_TRUE(WaitFor([p] { return kill(p, 0) != 0; }, absl::Seconds(10)).ok())
          << "session " << p << " did not end";
    }
  }

  std::unique_ptr<PostgresServer> pg_;
  std::string url_;
  std::unique_ptr<ServiceProcess> service_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

TEST_F(IngestTest, RevisionsKeepHistoryAndAsOfReadsTheOldValue) {
  std::vector<v1::WriteObservationsResponse> responses;
  ASSERT_TRUE(
      Write({Batch("b1", {Obs("R01", "gdp", 2021, 1.5), Obs("R02", "gdp", 2021, 2.5)})}, &responses)
          .ok());
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].summary().inserted(), 2);
  int64_t version_after_first = DataVersion("framework:fw");
  EXPECT_GE(version_after_first, 1);
  absl::SleepFor(absl::Milliseconds(50));
  google::protobuf::Timestamp between =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(absl::Now()));
  absl::SleepFor(absl::Milliseconds(50));

  responses.clear();
  ASSERT_TRUE(Write({Batch("b2", {Obs("R01", "gdp", 2021, 1.75), Obs("R02", "gdp", 2021, 2.5)})},
                    &responses)
                  .ok());
  EXPECT_EQ(responses[0].summary().revised(), 1);
  EXPECT_EQ(responses[0].summary().unchanged(), 1);
  EXPECT_EQ(DataVersion("framework:fw"), version_after_first + 1);

  v1::ReadObservationsRequest latest;
  latest.add_region_codes("R01");
  auto now = Read(latest);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].observation().value(), 1.75);
  EXPECT_EQ(now[0].revision(), 2);
  EXPECT_EQ(now[0].provenance().batch_id(), "b2");

  v1::ReadObservationsRequest old = latest;
  *old.mutable_as_of() = between;
  auto then = Read(old);
  ASSERT_EQ(then.size(), 1u);
  EXPECT_EQ(then[0].observation().value(), 1.5);
  EXPECT_EQ(then[0].revision(), 1);

  v1::ReadObservationsRequest history = latest;
  history.set_include_history(true);
  auto revisions = Read(history);
  ASSERT_EQ(revisions.size(), 2u);
  // In revision order: the closed revision, then the current one.
  EXPECT_EQ(revisions[0].revision(), 1);
  EXPECT_EQ(revisions[0].observation().value(), 1.5);
  EXPECT_EQ(revisions[1].revision(), 2);
  EXPECT_EQ(revisions[1].observation().value(), 1.75);
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations"), "3");
}

TEST_F(IngestTest, ReplayedBatchWritesNothingAndReusedIdWithOtherContentIsRefused) {
  auto batch = Batch("same", {Obs("R01", "firms", 2020, 3), Obs("R03", "firms", 2020, 4)});
  std::vector<v1::WriteObservationsResponse> first, second;
  ASSERT_TRUE(Write({batch}, &first).ok());
  int64_t version = DataVersion("framework:fw");
  ASSERT_TRUE(Write({batch}, &second).ok());
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(second[0].replayed());
  EXPECT_EQ(second[0].summary().inserted(), first[0].summary().inserted());
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations"), "2");
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.batches"), "1");
  EXPECT_EQ(DataVersion("framework:fw"), version);

  auto other = Batch("same", {Obs("R01", "firms", 2020, 99)});
  grpc::Status s = Write({other});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("batch_id same"));
  EXPECT_EQ(Sql("SELECT string_agg(value::text, ',') FROM ingest.observations "
                "WHERE region_code = 'R01'"),
            "3");

  // Identical values under a new batch id: recorded as unchanged, no new rows.
  std::vector<v1::WriteObservationsResponse> again;
  ASSERT_TRUE(Write({Batch("fresh", {Obs("R01", "firms", 2020, 3)})}, &again).ok());
  EXPECT_EQ(again[0].summary().unchanged(), 1);
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations"), "2");
  EXPECT_EQ(DataVersion("framework:fw"), version);
}

TEST_F(IngestTest, EveryBadRowIsNamedAndNothingOfTheBatchIsWritten) {
  const double kNan = std::numeric_limits<double>::quiet_NaN();
  const double kInf = std::numeric_limits<double>::infinity();
  struct Case {
    v1::Observation row;
    std::string expected;  // in the error message
  };
  std::vector<Case> cases = {
      {Obs("R01", "gdp", 2020, kNan), "row 1 value: not finite (nan)"},
      {Obs("R01", "gdp", 2020, kInf), "row 1 value: not finite (inf)"},
      {Obs("R01", "gdp", 2020, -kInf), "row 1 value: not finite (-inf)"},
      {Obs("XX", "gdp", 2020, 1), "row 1 region_code: unknown region \"XX\""},
      {Obs("R01", "nope", 2020, 1), "row 1 indicator_code: unknown indicator \"nope\""},
      {Obs("R01", "dim", 2020, 1), "row 1 indicator_code: \"dim\" is an aggregate"},
      {Obs("R01", "gdp", 1500, 1), "row 1 period: 1500 is outside 1900-2100"},
      {Obs("R01", "firms", 2020, -2), "row 1 value: -2 is negative but firms is a count"},
      {Obs("R00", "gdp", 2020, 8), "row 1 value: the key (R00, gdp, 2020) appears earlier"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    grpc::Status s = Write({Batch("bad", {Obs("R00", "gdp", 2020, 7), c.row})});
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr(c.expected));
    EXPECT_THAT(s.error_message(), HasSubstr("nothing was written"));
  }
  // With a framework, a non-leaf node is named as such.
  auto scoped = Batch("bad", {Obs("R01", "index", 2020, 1)});
  scoped.mutable_framework()->set_code("fw");
  grpc::Status s = Write({scoped});
  EXPECT_THAT(s.error_message(), HasSubstr("\"index\" is an aggregate node of framework fw v1"));
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations"), "0");
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.batches"), "0");
  EXPECT_EQ(HealthOf(service_->Channel(), "readiness"), "SERVING");
}

// The rows and fields of a bad batch also travel as a google.rpc.BadRequest
// in grpc-status-details-bin, decoded here with the generated google.rpc
// classes as any gRPC client would.
TEST_F(IngestTest, BadRowsAreNamedInAGoogleRpcBadRequestDetail) {
  grpc::Status s = Write({Batch(
      "bad", {Obs("R00", "gdp", 2020, 7), Obs("XX", "gdp", 2020, 1), Obs("R01", "gdp", 1500, 1)})});
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details())) << "no grpc-status-details-bin";
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(details.message(), s.error_message());
  ASSERT_EQ(details.details_size(), 1);
  EXPECT_EQ(details.details(0).type_url(), "type.googleapis.com/google.rpc.BadRequest");
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "observations[1].region_code");
  EXPECT_EQ(bad.field_violations(0).description(),
            "unknown region \"XX\"; import it first (innoscope import regions)");
  EXPECT_EQ(bad.field_violations(1).field(), "observations[2].period");
  EXPECT_EQ(bad.field_violations(1).description(), "1500 is outside 1900-2100");

  // A framework's bad node, named as nodes[i].<field>.
  v1::CreateFrameworkRequest f = Framework();
  f.set_code("broken");
  f.mutable_nodes(2)->set_direction(0);
  grpc::ClientContext ctx;
  v1::CreateFrameworkResponse r;
  s = stub_->CreateFramework(&ctx, f, &r);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  ASSERT_TRUE(details.details(0).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "nodes[2].direction");
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations"), "0");
}

// ListClusterMembers and ListFrameworks page like every list: opaque tokens,
// bound to the request's filters.
TEST_F(IngestTest, ClusterMembersAndFrameworksPageWithTokensBoundToTheFilters) {
  {
    v1::UpsertRegionsRequest regions;
    v1::Region* cluster = regions.add_regions();
    cluster->set_code("C1");
    cluster->set_name("Cluster 1");
    cluster->set_kind(v1::REGION_KIND_CLUSTER);
    grpc::ClientContext ctx;
    v1::UpsertRegionsResponse response;
    ASSERT_TRUE(stub_->UpsertRegions(&ctx, regions, &response).ok());
  }
  v1::SetClusterMembersRequest set;
  set.set_cluster_code("C1");
  for (int i = 0; i < 5; ++i) set.add_members()->set_member_code(absl::StrCat("R0", i));
  set.mutable_members(4)->set_first_period(2021);  // R04 from 2021 on
  {
    grpc::ClientContext ctx;
    v1::SetClusterMembersResponse response;
    grpc::Status s = stub_->SetClusterMembers(&ctx, set, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::ListClusterMembersRequest request;
  request.set_cluster_code("C1");
  request.mutable_page()->set_page_size(2);
  std::vector<std::string> members;
  int pages = 0;
  std::string second_token;
  do {
    grpc::ClientContext ctx;
    v1::ListClusterMembersResponse response;
    grpc::Status s = stub_->ListClusterMembers(&ctx, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.page().total_size(), 5);
    for (const auto& m : response.memberships()) members.push_back(m.member().member_code());
    request.mutable_page()->set_page_token(response.page().next_page_token());
    if (++pages == 1) second_token = response.page().next_page_token();
  } while (!request.page().page_token().empty());
  EXPECT_EQ(pages, 3);  // 2 + 2 + 1
  EXPECT_THAT(members, ::testing::ElementsAre("R00", "R01", "R02", "R03", "R04"));
  // The same token with another filter (period 2020 excludes R04).
  request.set_period(2020);
  request.mutable_page()->set_page_token(second_token);
  {
    grpc::ClientContext ctx;
    v1::ListClusterMembersResponse response;
    grpc::Status s = stub_->ListClusterMembers(&ctx, request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("page.page_token: issued for a request with other"));
  }
  request.mutable_page()->clear_page_token();
  request.mutable_page()->set_page_size(10);
  {
    grpc::ClientContext ctx;
    v1::ListClusterMembersResponse response;
    ASSERT_TRUE(stub_->ListClusterMembers(&ctx, request, &response).ok());
    EXPECT_EQ(response.memberships_size(), 4);
    EXPECT_EQ(response.page().next_page_token(), "");
  }

  // Frameworks: fw v1 from SetUp, then v2 and another code.
  for (const char* code : {"fw", "other"}) {
    v1::CreateFrameworkRequest f = Framework();
    f.set_code(code);
    f.set_name(absl::StrCat(code, " again"));
    grpc::ClientContext ctx;
    v1::CreateFrameworkResponse response;
    ASSERT_TRUE(stub_->CreateFramework(&ctx, f, &response).ok());
  }
  v1::ListFrameworksRequest list;
  list.mutable_page()->set_page_size(1);
  std::vector<std::string> seen;
  do {
    grpc::ClientContext ctx;
    v1::ListFrameworksResponse response;
    ASSERT_TRUE(stub_->ListFrameworks(&ctx, list, &response).ok());
    EXPECT_EQ(response.page().total_size(), 3);
    for (const auto& f : response.frameworks()) {
      seen.push_back(absl::StrCat(f.code(), " v", f.version()));
    }
    list.mutable_page()->set_page_token(response.page().next_page_token());
  } while (!list.page().page_token().empty());
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre("fw v1", "fw v2", "other v1"));
  // A ListClusterMembers token is no ListFrameworks token.
  list.mutable_page()->set_page_token(second_token);
  grpc::ClientContext ctx;
  v1::ListFrameworksResponse response;
  EXPECT_EQ(stub_->ListFrameworks(&ctx, list, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IngestTest, OversizedMessageIsResourceExhaustedAndTheServiceKeepsServing) {
  v1::WriteObservationsRequest huge;
  huge.set_batch_id("huge");
  huge.set_note(std::string(17 * 1024 * 1024, 'x'));  // over the 16 MiB default
  grpc::Status s = Write({huge});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(HealthOf(service_->Channel(), ""), "SERVING");
  ASSERT_TRUE(Write({Batch("after", {Obs("R01", "gdp", 2020, 1)})}).ok());
}

TEST_F(IngestTest, InvalidFrameworksAreRefusedWithTheOffendingNode) {
  struct Case {
    std::function<void(v1::CreateFrameworkRequest&)> edit;
    std::string expected;
  };
  std::vector<Case> cases = {
      {[](auto& f) { f.mutable_nodes(3)->set_code("gdp"); }, "duplicate code \"gdp\""},
      {[](auto& f) { f.mutable_nodes(2)->set_parent_code("ghost"); },
       "orphan: parent \"ghost\" is not a node"},
      {[](auto& f) {
         f.mutable_nodes(0)->set_parent_code("dim");  // index -> dim -> index
       },
       "exactly one root"},
      {[](auto& f) { f.mutable_nodes(3)->set_weight(0.5); },
       "the local weights of \"dim\"'s children sum to 1.1, not 1"},
      {[](auto& f) { f.mutable_nodes(2)->set_level(2); }, "leaf \"gdp\" must be level 1"},
      {[](auto& f) { f.mutable_nodes(2)->set_direction(0); }, "direction: 0 is not +1 or -1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    v1::CreateFrameworkRequest f = Framework();
    f.set_code("broken");
    c.edit(f);
    grpc::ClientContext ctx;
    v1::CreateFrameworkResponse r;
    grpc::Status s = stub_->CreateFramework(&ctx, f, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr(c.expected));
  }
  // A cycle that leaves one root elsewhere: a -> b -> a beside the tree.
  v1::CreateFrameworkRequest cyclic = Framework();
  cyclic.set_code("cyclic");
  v1::FrameworkNode* a = cyclic.add_nodes();
  a->set_code("a");
  a->set_parent_code("b");
  a->set_level(2);
  a->set_direction(1);
  v1::FrameworkNode* b = cyclic.add_nodes();
  b->set_code("b");
  b->set_parent_code("a");
  b->set_level(2);
  b->set_direction(1);
  grpc::ClientContext ctx;
  v1::CreateFrameworkResponse r;
  grpc::Status s = stub_->CreateFramework(&ctx, cyclic, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("cycle"));
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.frameworks"), "1");
}

TEST_F(IngestTest, FrameworkVersionsAreImmutable) {
  v1::CreateFrameworkRequest same = Framework();
  grpc::ClientContext c1;
  v1::CreateFrameworkResponse r1;
  ASSERT_TRUE(stub_->CreateFramework(&c1, same, &r1).ok());
  EXPECT_FALSE(r1.created());  // identical to v1: a replay
  EXPECT_EQ(r1.framework().version(), 1);

  v1::CreateFrameworkRequest changed = Framework();
  changed.mutable_nodes(2)->set_weight(0.5);
  changed.mutable_nodes(3)->set_weight(0.5);
  grpc::ClientContext c2;
  v1::CreateFrameworkResponse r2;
  ASSERT_TRUE(stub_->CreateFramework(&c2, changed, &r2).ok());
  EXPECT_TRUE(r2.created());
  EXPECT_EQ(r2.framework().version(), 2);

  changed.set_version(1);  // rewriting v1 is refused
  grpc::ClientContext c3;
  v1::CreateFrameworkResponse r3;
  EXPECT_EQ(stub_->CreateFramework(&c3, changed, &r3).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  grpc::ClientContext c4;
  v1::GetFrameworkRequest get;
  get.mutable_framework()->set_code("fw");
  get.mutable_framework()->set_version(1);
  v1::GetFrameworkResponse r4;
  ASSERT_TRUE(stub_->GetFramework(&c4, get, &r4).ok());
  ASSERT_EQ(r4.framework().nodes_size(), 4);
  EXPECT_EQ(r4.framework().nodes(2).weight(), 0.6);
  EXPECT_EQ(r4.framework().weight_convention(), v1::WEIGHT_CONVENTION_LOCAL);
}

TEST_F(IngestTest, ConcurrentClientsWritingDifferentBatchesLoseNothing) {
  constexpr int kClients = 4, kBatches = 10, kRows = 50;
  std::vector<std::thread> threads;
  std::vector<grpc::Status> results(kClients);
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<v1::WriteObservationsRequest> batches;
      for (int b = 0; b < kBatches; ++b) {
        std::vector<v1::Observation> rows;
        for (int r = 0; r < kRows; ++r) {
          // Clients write disjoint periods; every client touches every region.
          rows.push_back(Obs(absl::StrCat("R0", r % 10), r < 25 ? "gdp" : "firms",
                             1900 + c * kBatches * 5 + b * 5 + r / 10, c * 1000 + b + r));
        }
        batches.push_back(Batch(absl::StrCat("c", c, "b", b), rows));
      }
      results[c] = Write(batches);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : results) EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations"),
            std::to_string(kClients * kBatches * kRows));
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.batches"), std::to_string(kClients * kBatches));
}

TEST_F(IngestTest, ConcurrentWritersOfTheSameKeysLeaveOneCurrentRevisionEach) {
  std::vector<std::thread> threads;
  for (int c = 0; c < 4; ++c) {
    threads.emplace_back([&, c] {
      std::vector<v1::Observation> rows;
      for (int r = 0; r < 10; ++r) rows.push_back(Obs(absl::StrCat("R0", r), "gdp", 2000, c));
      EXPECT_TRUE(Write({Batch(absl::StrCat("same-keys-", c), rows)}).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations WHERE valid_to IS NULL"), "10");
  // Revisions of each key are 1..n without gaps or duplicates.
  EXPECT_EQ(Sql("SELECT count(*) FROM (SELECT region_code FROM ingest.observations "
                "GROUP BY region_code HAVING max(revision) <> count(*)) x"),
            "0");
}

TEST_F(IngestTest, ImportKilledMidwayThenRetriedEqualsTheInputExactly) {
  // 40 batches of 100 rows with awkward doubles.
  std::vector<v1::WriteObservationsRequest> batches;
  for (int b = 0; b < 40; ++b) {
    std::vector<v1::Observation> rows;
    for (int r = 0; r < 100; ++r) {
      double v = (b * 100 + r) * 0.1 + 1e-300 * r - 123456789.123456789 * (r % 3);
      // 20 (region, indicator) pairs per period, 5 periods per batch.
      bool gdp = (r / 10) % 2 == 1;
      rows.push_back(Obs(absl::StrCat("R0", r % 10), gdp ? "gdp" : "firms", 1900 + b * 5 + r / 20,
                         gdp ? v : std::fabs(v)));
    }
    batches.push_back(Batch(absl::StrCat("import-", b), rows));
  }
  // Stream and kill the service after 10 acknowledged batches.
  {
    grpc::ClientContext ctx;
    auto stream = stub_->WriteObservations(&ctx);
    for (int b = 0; b < 40; ++b) {
      if (!stream->Write(batches[b])) break;
      v1::WriteObservationsResponse r;
      if (!stream->Read(&r)) break;
      if (b == 9) service_->Signal(SIGKILL);
    }
    EXPECT_FALSE(stream->Finish().ok());
  }
  ASSERT_TRUE(service_->WaitExit(absl::Seconds(10)).ok());
  int64_t committed = std::stoll(Sql("SELECT count(*) FROM ingest.batches"));
  EXPECT_GE(committed, 10);
  EXPECT_LT(committed, 40);
  StartService();
  std::vector<v1::WriteObservationsResponse> responses;
  ASSERT_TRUE(Write(batches, &responses).ok());
  ASSERT_EQ(responses.size(), 40u);
  int replayed = 0;
  for (const auto& r : responses) replayed += r.replayed() ? 1 : 0;
  EXPECT_EQ(replayed, committed);
  // The table is exactly the input: same keys, same bits, one revision each.
  v1::ReadObservationsRequest all;
  auto stored = Read(all);
  ASSERT_EQ(stored.size(), 4000u);
  std::map<std::string, double> expected;
  for (const auto& b : batches) {
    for (const auto& o : b.observations()) {
      expected[absl::StrCat(o.region_code(), "/", o.indicator_code(), "/", o.period())] = o.value();
    }
  }
  for (const auto& s : stored) {
    const auto& o = s.observation();
    double want =
        expected.at(absl::StrCat(o.region_code(), "/", o.indicator_code(), "/", o.period()));
    double got = o.value();
    EXPECT_EQ(std::memcmp(&want, &got, sizeof(double)), 0);
    EXPECT_EQ(s.revision(), 1);
  }
}

TEST_F(IngestTest, SigtermCompletesAStreamInFlight) {
  grpc::ClientContext ctx;
  auto stream = stub_->WriteObservations(&ctx);
  ASSERT_TRUE(stream->Write(Batch("t1", {Obs("R01", "gdp", 2001, 1)})));
  v1::WriteObservationsResponse r1;
  ASSERT_TRUE(stream->Read(&r1));
  service_->Signal(SIGTERM);
  absl::SleepFor(absl::Milliseconds(300));  // within the 1 s drain
  ASSERT_TRUE(stream->Write(Batch("t2", {Obs("R02", "gdp", 2001, 2)})));
  v1::WriteObservationsResponse r2;
  ASSERT_TRUE(stream->Read(&r2));
  EXPECT_EQ(r2.summary().inserted(), 1);
  stream->WritesDone();
  grpc::Status s = stream->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  auto code = service_->WaitExit(absl::Seconds(30));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations"), "2");
}

// Every index of ingest.observations begins with the whole key (region,
// indicator, period), in some order, so the merge's lookup of a staged key
// is one index descent whatever the planner estimates (migration 0004,
// docs/ingest.md "Performance"). The removed observations_by_indicator
// (indicator, period) failed this: on a table never analysed the planner
// probed it and filtered on the region. Two indexes: the primary key and
// the partial unique index of current revisions.
TEST_F(IngestTest, EveryObservationIndexBeginsWithTheWholeKey) {
  // One index since migration 0010 (observations_key): one B-tree insertion per row.
  EXPECT_EQ(Sql("SELECT count(*) FROM pg_index WHERE indrelid = 'ingest.observations'::regclass"),
            "1");
  EXPECT_EQ(Sql("SELECT coalesce(string_agg(c.relname, ','), 'none') FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = 'ingest.observations'::regclass AND (SELECT "
                "array_agg(a.attname::text ORDER BY a.attname) FROM "
                "unnest((i.indkey::int2[])[0:2]) AS k(n) JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = k.n) IS DISTINCT FROM "
                "ARRAY['indicator_code', 'period', 'region_code']"),
            "none");
}

// The database itself keeps one current row per key and each closed
// revision once (observations_key, migration 0010), whatever a writer
// does: rows inserted behind the service's back are refused.
TEST_F(IngestTest, TheDatabaseRefusesASecondCurrentRowOrARepeatedRevision) {
  ASSERT_TRUE(Write({Batch("first", {Obs("R01", "gdp", 2021, 1.5)})}).ok());
  ASSERT_TRUE(Write({Batch("second", {Obs("R01", "gdp", 2021, 2.5)})}).ok());
  const std::string columns =
      "INSERT INTO ingest.observations (region_code, indicator_code, period, revision, value, "
      "batch_id, valid_to) VALUES ('R01', 'gdp', 2021, ";
  const std::string refused[] = {
      columns + "3, 3.5, 'x', NULL)",   // a second current row
      columns + "7, 3.5, 'x', NULL)",   // whatever its revision
      columns + "1, 3.5, 'x', now())",  // closed revision 1 again
  };
  for (const std::string& sql : refused) {
    EXPECT_THAT(SqlRefused(sql), HasSubstr("observations_key")) << sql;
  }
  // Another closed revision number is a new entry; the current row stays the one.
  Sql(columns + "5, 0.5, 'x', now())");
  EXPECT_EQ(Sql("SELECT string_agg(revision || ':' || value || ':' || (valid_to IS NULL), ' ' "
                "ORDER BY revision) FROM ingest.observations"),
            "1:1.5:false 2:2.5:true 5:0.5:false");
}

// Relation reads page in (year, type, source, target, qualifier) order
// (ReadRelations' documented order): the primary key leads with the set
// and then exactly those columns (migration 0009), so each keyset page is
// one range scan of it.
TEST_F(IngestTest, RelationReadsPageAlongThePrimaryKey) {
  EXPECT_EQ(Sql("SELECT string_agg(a.attname::text, ',' ORDER BY k.i) FROM pg_index x "
                "JOIN pg_class c ON c.oid = x.indexrelid, "
                "unnest(x.indkey::int2[]) WITH ORDINALITY AS k(n, i) "
                "JOIN pg_attribute a ON a.attnum = k.n "
                "WHERE c.relname = 'relations_pkey' AND a.attrelid = x.indrelid "
                "AND x.indrelid = 'ingest.relations'::regclass"),
            "relation_set,year,type,source_code,target_code,qualifier,revision");
}

// Observations keep their references without foreign keys (migration
// 0007): a region or indicator that observations use cannot be deleted,
// renamed or truncated away, as the foreign keys' NO ACTION refused; one
// no observation uses can still be deleted.
TEST_F(IngestTest, ObservedRegionsAndIndicatorsCannotBeDeletedOrRenamed) {
  ASSERT_TRUE(Write({Batch("referenced", {Obs("R01", "gdp", 2021, 1.5)})}).ok());
  Sql("INSERT INTO ingest.regions (code, name, kind) SELECT 'R99', 'unused', kind "
      "FROM ingest.regions WHERE code = 'R01'");
  const std::pair<const char*, const char*> refused[] = {
      {"DELETE FROM ingest.regions WHERE code = 'R01'", "regions R01 is still referenced"},
      {"UPDATE ingest.regions SET code = 'R98' WHERE code = 'R01'",
       "regions R01 is still referenced"},
      {"DELETE FROM ingest.indicators WHERE code = 'gdp'", "indicators gdp is still referenced"},
      {"TRUNCATE ingest.indicators CASCADE", "cannot truncate indicators"},
  };
  for (const auto& [sql, message] : refused) {
    EXPECT_THAT(SqlRefused(sql), HasSubstr(message)) << sql;
  }
  Sql("DELETE FROM ingest.regions WHERE code = 'R99'");
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.regions WHERE code IN ('R01', 'R99')"), "1");
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.indicators WHERE code = 'gdp'"), "1");
  EXPECT_EQ(Sql("SELECT region_code || ' ' || indicator_code || ' ' || value FROM "
                "ingest.observations"),
            "R01 gdp 1.5");
}

// A batch's merge reads the current row of each staged key that exists,
// not the table. Table of 40,000 rows (regions T000..T199 x {gdp, firms} x
// periods 1900-1999; large enough that reading it whole is never the
// cheaper plan), never analysed (as in any first bulk load into a fresh
// database; autovacuum is turned off for the table so it stays so). Then
// one batch of 500 rows over T000..T009:
//   300 new keys (periods 2000-2014, both indicators) -> no row to read
//   150 identical (gdp, periods 1900-1914)            -> 1 lookup each
//    50 changed (firms, periods 1900-1904)            -> 1 lookup + 1 close each
// so 200 rows must be read (each existing key's current row) and at most
// 500 + 50 (one lookup per staged row, one per closed row). The plans this
// replaced read 200 rows per staged key (every region of its indicator and
// period: 100,000) or every current row (40,000) for each batch.
TEST_F(IngestTest, MergeReadsTheCurrentRowOfEachStagedKeyNotTheTable) {
  Sql("ALTER TABLE ingest.observations SET (autovacuum_enabled = false)");
  auto region = [](int r) { return absl::StrFormat("T%03d", r); };
  v1::UpsertRegionsRequest regions;
  for (int r = 0; r < 200; ++r) {
    v1::Region* added = regions.add_regions();
    added->set_code(region(r));
    added->set_name(region(r));
    added->set_kind(v1::REGION_KIND_CITY);
  }
  grpc::ClientContext ctx;
  v1::UpsertRegionsResponse upserted;
  ASSERT_TRUE(stub_->UpsertRegions(&ctx, regions, &upserted).ok());
  std::vector<v1::WriteObservationsRequest> fill;
  for (int b = 0; b < 8; ++b) {
    std::vector<v1::Observation> rows;
    for (int r = b * 25; r < (b + 1) * 25; ++r) {
      for (int p = 1900; p < 2000; ++p) {
        rows.push_back(Obs(region(r), "gdp", p, r + p));
        rows.push_back(Obs(region(r), "firms", p, r + p));
      }
    }
    fill.push_back(Batch(absl::StrCat("fill-", b), rows));
  }
  ASSERT_TRUE(Write(fill).ok());
  ASSERT_EQ(Sql("SELECT count(*) FROM ingest.observations"), "40000");
  ASSERT_EQ(Sql("SELECT coalesce(last_analyze, last_autoanalyze)::text IS NULL "
                "FROM pg_stat_user_tables WHERE schemaname = 'ingest' AND "
                "relname = 'observations'"),
            "t");
  StopServiceAndFlushStatistics();
  const int64_t before = ObservationRowsRead();
  StartService();

  std::vector<v1::Observation> rows;
  for (int r = 0; r < 10; ++r) {
    for (int p = 2000; p < 2015; ++p) {
      rows.push_back(Obs(region(r), "gdp", p, 1));
      rows.push_back(Obs(region(r), "firms", p, 1));
    }
    for (int p = 1900; p < 1915; ++p) rows.push_back(Obs(region(r), "gdp", p, r + p));
    for (int p = 1900; p < 1905; ++p) rows.push_back(Obs(region(r), "firms", p, r + p + 1000));
  }
  ASSERT_EQ(rows.size(), 500u);
  std::vector<v1::WriteObservationsResponse> responses;
  ASSERT_TRUE(Write({Batch("mixed", rows)}, &responses).ok());
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].summary().inserted(), 300);
  EXPECT_EQ(responses[0].summary().unchanged(), 150);
  EXPECT_EQ(responses[0].summary().revised(), 50);
  StopServiceAndFlushStatistics();
  const int64_t read = ObservationRowsRead() - before;
  EXPECT_GE(read, 200);
  EXPECT_LE(read, 550);
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations"), "40350");
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations WHERE valid_to IS NULL"), "40300");
}

TEST_F(IngestTest, RelationsNeedKnownActorsAndForbidSelfRelations) {
  grpc::ClientContext c1;
  auto actors = stub_->UpsertActors(&c1);
  v1::UpsertActorsRequest a;
  a.set_batch_id("actors-1");
  for (const char* code : {"firm1", "firm2", "vc1"}) {
    v1::Actor* actor = a.add_actors();
    actor->set_code(code);
    actor->set_name(code);
    actor->set_kind(code[0] == 'v' ? v1::ACTOR_KIND_INVESTOR : v1::ACTOR_KIND_ENTERPRISE);
    actor->set_province_code("R01");
    actor->set_sample(code[0] == 'f');
  }
  ASSERT_TRUE(actors->Write(a));
  v1::UpsertActorsResponse ar;
  ASSERT_TRUE(actors->Read(&ar));
  EXPECT_EQ(ar.summary().inserted(), 3);
  actors->WritesDone();
  ASSERT_TRUE(actors->Finish().ok());

  auto relation = [](const std::string& s, const std::string& t, const std::string& type) {
    v1::Relation r;
    r.set_source_code(s);
    r.set_target_code(t);
    r.set_type(type);
    r.set_period(2022);
    (*r.mutable_tags())["international"] = "false";
    return r;
  };
  auto write = [&](const std::string& id, const std::vector<v1::Relation>& rows,
                   v1::WriteRelationsResponse* out) {
    grpc::ClientContext ctx;
    auto stream = stub_->WriteRelations(&ctx);
    v1::WriteRelationsRequest req;
    req.set_batch_id(id);
    for (const auto& r : rows) *req.add_relations() = r;
    stream->Write(req);
    stream->Read(out);
    stream->WritesDone();
    return stream->Finish();
  };
  v1::WriteRelationsResponse out;
  grpc::Status bad =
      write("rel-bad",
            {relation("firm1", "firm2", "technology_empowerment"),
             relation("firm1", "ghost", "investment"), relation("firm2", "firm2", "cooperation")},
            &out);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("row 1 target_code: unknown actor \"ghost\""));
  EXPECT_THAT(bad.error_message(), HasSubstr("row 2 target_code: self-relation"));
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.relations"), "0");

  int64_t before = DataVersion("relations:default");
  ASSERT_TRUE(write("rel-ok",
                    {relation("vc1", "firm1", "investment"),
                     relation("firm1", "firm2", "technology_empowerment")},
                    &out)
                  .ok());
  EXPECT_EQ(out.summary().inserted(), 2);
  EXPECT_EQ(DataVersion("relations:default"), before + 1);

  grpc::ClientContext c3;
  v1::ReadRelationsRequest read;
  read.add_types("investment");
  auto reader = stub_->ReadRelations(&c3, read);
  v1::ReadRelationsResponse message;
  std::vector<v1::Relation> got;
  while (reader->Read(&message)) {
    for (const auto& r : message.relations()) got.push_back(r);
  }
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].source_code(), "vc1");
  EXPECT_EQ(got[0].tags().at("international"), "false");

  // Filtering by the kind of the source actor: only the investor's relation.
  grpc::ClientContext c4;
  v1::ReadRelationsRequest by_kind;
  by_kind.add_source_kinds(v1::ACTOR_KIND_INVESTOR);
  auto kind_reader = stub_->ReadRelations(&c4, by_kind);
  int count = 0;
  while (kind_reader->Read(&message)) {
    for (const auto& r : message.relations()) {
      EXPECT_EQ(r.source_code(), "vc1");
      ++count;
    }
  }
  ASSERT_TRUE(kind_reader->Finish().ok());
  EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace innoscope::testing

// The service bootstrap against a real PostgreSQL: start-up and migrations,
// health and readiness, concurrent migration, graceful shutdown, metrics.

#include <signal.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kServices[][10] = {"ingest", "weighting", "scoring", "network"};

std::string GrpcServiceName(const std::string& name) {
  std::string upper = name;
  upper[0] = static_cast<char>(std::toupper(upper[0]));
  return absl::StrCat("innoscope.", name, ".v1.", upper, "Service");
}

// Runs a psql query against a database URL and returns the output.
std::string Psql(const std::string& url, const std::string& sql) {
  int code = 0;
  auto out = RunCommand(absl::StrCat("psql '", url, "' -qtAc \"", sql, "\""), &code);
  EXPECT_EQ(code, 0) << *out;
  return out.ok() ? std::string(absl::StripAsciiWhitespace(*out)) : "";
}

int IngestInfoCalls(ServiceProcess& p, int n) {
  auto stub = ingest::v1::IngestService::NewStub(p.Channel());
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    grpc::ClientContext ctx;
    ingest::v1::GetServiceInfoResponse response;
    if (stub->GetServiceInfo(&ctx, {}, &response).ok()) ++ok;
  }
  return ok;
}

class FoundationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
  }
  std::unique_ptr<PostgresServer> pg_;
};

TEST_F(FoundationTest, EveryServiceMigratesItsOwnSchemaAndServes) {
  auto url = pg_->CreateDatabase("all");
  ASSERT_TRUE(url.ok()) << url.status();
  for (const char* name : kServices) {
    SCOPED_TRACE(name);
    auto p = ServiceProcess::Start(name, {}, {{"DATABASE_URL", *url}});
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(HealthOf((*p)->Channel(), ""), "SERVING");
    EXPECT_EQ(HealthOf((*p)->Channel(), GrpcServiceName(name)), "SERVING");
    EXPECT_EQ(HealthOf((*p)->Channel(), "readiness"), "SERVING");
    // Every migration file of the service is applied, in order.
    int code = 0;
    auto files = RunCommand(absl::StrCat("ls '", SourceDir(), "/services/", name,
                                         "/migrations' | sed 's/_.*//; s/^0*//' | paste -sd,"),
                            &code);
    ASSERT_TRUE(files.ok());
    EXPECT_EQ(Psql(*url, absl::StrCat("SELECT string_agg(version::text, ',' ORDER BY version) "
                                      "FROM ",
                                      name, ".schema_migrations")),
              absl::StripAsciiWhitespace(*files));
    // The log is one JSON object per line naming the service.
    std::string log = (*p)->Log();
    for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
      EXPECT_TRUE(absl::StartsWith(line, "{\"time\":\"") && absl::EndsWith(line, "}")) << line;
      EXPECT_THAT(std::string(line), HasSubstr(absl::StrCat("\"service\":\"", name, "\"")));
    }
  }
  // Each service owns exactly its schema.
  EXPECT_EQ(Psql(*url,
                 "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace "
                 "WHERE nspname IN ('ingest','weighting','scoring','network')"),
            "ingest,network,scoring,weighting");
}

TEST_F(FoundationTest, GetServiceInfoReportsSchemaAndUpstreams) {
  auto url = pg_->CreateDatabase("info");
  ASSERT_TRUE(url.ok());
  auto ingest = ServiceProcess::Start("ingest", {}, {{"DATABASE_URL", *url}});
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  auto weighting = ServiceProcess::Start(
      "weighting", {absl::StrCat("--ingest_address=", (*ingest)->grpc_address())},
      {{"DATABASE_URL", *url}});
  ASSERT_TRUE(weighting.ok()) << weighting.status();
  auto stub = weighting::v1::WeightingService::NewStub((*weighting)->Channel());
  grpc::ClientContext ctx;
  weighting::v1::GetServiceInfoResponse response;
  ASSERT_TRUE(stub->GetServiceInfo(&ctx, {}, &response).ok());
  EXPECT_EQ(response.info().service(), "weighting");
  EXPECT_EQ(response.info().schema(), "weighting");
  EXPECT_GE(response.info().schema_version(), 1);
  EXPECT_TRUE(response.info().database_ready());
  ASSERT_EQ(response.info().upstreams_size(), 1);
  EXPECT_EQ(response.info().upstreams(0).name(), "ingest");
  EXPECT_TRUE(response.info().upstreams(0).serving());
}

TEST_F(FoundationTest, TwoInstancesMigratingAtOnceBothSucceed) {
  for (int round = 0; round < 3; ++round) {
    auto url = pg_->CreateDatabase("race");
    ASSERT_TRUE(url.ok());
    absl::StatusOr<std::unique_ptr<ServiceProcess>> a, b;
    std::thread ta([&] { a = ServiceProcess::Start("scoring", {}, {{"DATABASE_URL", *url}}); });
    std::thread tb([&] { b = ServiceProcess::Start("scoring", {}, {{"DATABASE_URL", *url}}); });
    ta.join();
    tb.join();
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(HealthOf((*a)->Channel(), "readiness"), "SERVING");
    EXPECT_EQ(HealthOf((*b)->Channel(), "readiness"), "SERVING");
    // Each migration recorded exactly once.
    EXPECT_EQ(
        Psql(*url, "SELECT count(*) - count(DISTINCT version) FROM scoring.schema_migrations"),
        "0");
  }
}

TEST_F(FoundationTest, ReadinessFollowsDatabaseStopAndRestart) {
  auto own = PostgresServer::StartPrivate(BuildDir() + "/test-stack-readiness");
  ASSERT_TRUE(own.ok()) << own.status();
  auto url = (*own)->CreateDatabase("ready");
  ASSERT_TRUE(url.ok());
  auto p = ServiceProcess::Start("network", {}, {{"DATABASE_URL", *url}});
  ASSERT_TRUE(p.ok()) << p.status();
  auto channel = (*p)->Channel();
  ASSERT_EQ(HealthOf(channel, "readiness"), "SERVING");

  ASSERT_TRUE((*own)->Stop().ok());
  // Requirement: NOT_SERVING within 10 s of the database going away.
  EXPECT_TRUE(
      WaitFor([&] { return HealthOf(channel, "readiness") == "NOT_SERVING"; }, absl::Seconds(10))
          .ok());
  // Liveness is unaffected: the process must not be restarted for this.
  EXPECT_EQ(HealthOf(channel, ""), "SERVING");

  ASSERT_TRUE((*own)->Start().ok());
  EXPECT_TRUE(
      WaitFor([&] { return HealthOf(channel, "readiness") == "SERVING"; }, absl::Seconds(10)).ok());
  // And RPCs that need the database work again without a restart.
  auto stub = network::v1::NetworkService::NewStub(channel);
  grpc::ClientContext ctx;
  network::v1::GetServiceInfoResponse response;
  ASSERT_TRUE(stub->GetServiceInfo(&ctx, {}, &response).ok());
  EXPECT_GE(response.info().schema_version(), 1);
  EXPECT_THAT((*p)->Log(), HasSubstr("readiness NOT_SERVING"));
}

TEST_F(FoundationTest, SigtermReportsNotServingDrainsAndExitsZero) {
  auto url = pg_->CreateDatabase("term");
  ASSERT_TRUE(url.ok());
  auto p = ServiceProcess::Start("ingest", {"--drain_seconds=2"}, {{"DATABASE_URL", *url}});
  ASSERT_TRUE(p.ok()) << p.status();
  auto channel = (*p)->Channel();
  ASSERT_EQ(HealthOf(channel, ""), "SERVING");
  (*p)->Signal(SIGTERM);
  // While draining, health says NOT_SERVING but RPCs are still answered.
  EXPECT_TRUE(WaitFor([&] { return HealthOf(channel, "") == "NOT_SERVING"; }, absl::Seconds(2),
                      absl::Milliseconds(20))
                  .ok());
  EXPECT_EQ(IngestInfoCalls(**p, 1), 1);
  auto code = (*p)->WaitExit(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  EXPECT_THAT((*p)->Log(), HasSubstr("\"message\":\"stopped\""));
}

TEST_F(FoundationTest, MetricsPassPromtoolAndCountTheRpcsMade) {
  auto url = pg_->CreateDatabase("metrics");
  ASSERT_TRUE(url.ok());
  auto p = ServiceProcess::Start("ingest", {}, {{"DATABASE_URL", *url}});
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(IngestInfoCalls(**p, 3), 3);
  auto text = HttpGet((*p)->metrics_address(), "/metrics");
  ASSERT_TRUE(text.ok()) << text.status();
  std::string path = absl::StrCat(BuildDir(), "/test-logs/metrics-", (*p)->pid(), ".txt");
  std::ofstream(path) << *text;
  int code = 0;
  auto promtool = RunCommand(absl::StrCat("promtool check metrics < '", path, "'"), &code);
  EXPECT_EQ(code, 0) << *promtool;
  EXPECT_THAT(*text, HasSubstr("grpc_server_handled_total{grpc_code=\"OK\","
                               "grpc_method=\"GetServiceInfo\",grpc_service=\""
                               "innoscope.ingest.v1.IngestService\",grpc_type=\"unary\"} 3"));
  EXPECT_THAT(*text, HasSubstr("grpc_server_started_total{grpc_method=\"GetServiceInfo\""));
  EXPECT_THAT(*text,
              HasSubstr("grpc_server_handling_seconds_bucket{grpc_method=\"GetServiceInfo\""));
  EXPECT_THAT(*text, HasSubstr("innoscope_db_pool_max_connections 8"));
  EXPECT_THAT(*text, HasSubstr("process_start_time_seconds"));
  EXPECT_THAT(*text, HasSubstr("innoscope_build_info{"));
}

TEST_F(FoundationTest, InvalidConfigurationExitsTwoWithOneLine) {
  for (const char* name : kServices) {
    int code = 0;
    auto out = RunCommand(absl::StrCat(BuildDir(), "/services/", name, "/innoscope-", name,
                                       " --db_pool_size=0 --database_url=postgresql://x/y"),
                          &code);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(code, 2) << name;
    EXPECT_EQ(*out, absl::StrCat("innoscope-", name,
                                 ": invalid configuration: --db_pool_size: 0 is outside "
                                 "[1, 256]\n"));
    auto help = RunCommand(
        absl::StrCat(BuildDir(), "/services/", name, "/innoscope-", name, " --help"), &code);
    EXPECT_EQ(code, 0);
    EXPECT_THAT(*help, HasSubstr("INNOSCOPE_GRPC_ADDRESS"));
  }
}

}  // namespace
}  // namespace innoscope::testing

// Transport security, identities, roles and the audit trail with real TLS
// and real processes: certificates made with openssl by
// deploy/local/certs.sh in the test's folder, the ingest service started
// with mTLS and an auth file, real gRPC clients (libs/server/
// channel_security.h). Nothing of gRPC's security is mocked.
//
// Identities (docs/security.md): the clients' certificates carry
// spiffe://innoscope/<name>; bearer tokens are listed by their SHA-256.

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "libs/server/caller_identity.h"
#include "libs/server/channel_security.h"
#include "libs/server/health_client.h"
#include "pqxx/pqxx"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

namespace v1 = ::innoscope::ingest::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kWriterToken[] = "writer-token-4f1c9e";
constexpr char kReaderToken[] = "reader-token-77ab02";

void WriteFile(const std::string& path, const std::string& text) {
  // Written to a temporary name and renamed, as Kubernetes swaps a Secret.
  std::string tmp = path + ".tmp";
  std::ofstream(tmp) << text;
  ASSERT_EQ(std::rename(tmp.c_str(), path.c_str()), 0) << path;
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/security");
    Run(absl::StrCat("rm -rf '", dir_, "' && mkdir -p '", dir_, "'"));
    // One CA for everything trusted; each workload its certificate.
    Run(absl::StrCat(Certs(), " stack '", dir_, "' ingest reader writer stranger"));
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
    auto url = pg_->CreateDatabase("security");
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    auth_file_ = Path("auth.csv");
    WriteAuthFile(/*with_writer_token=*/true);
    WriteFile(Path("writer.token"), absl::StrCat(kWriterToken, "\n"));
    WriteFile(Path("reader.token"), absl::StrCat(kReaderToken, "\n"));
  }

  static std::string Certs() { return absl::StrCat(SourceDir(), "/deploy/local/certs.sh"); }
  std::string Path(const std::string& name) const { return absl::StrCat(dir_, "/", name); }

  void Run(const std::string& command) {
    int code = -1;
    absl::StatusOr<std::string> out = RunCommand(command, &code);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ(code, 0) << command << "\n" << *out;
  }

  // The reader and writer certificates, the writer's token, and a reader
  // token; "stranger" has a valid certificate but no role.
  void WriteAuthFile(bool with_writer_token) {
    std::string text =
        "identity,role\n"
        "# certificates (URI SAN)\n"
        "san:spiffe://innoscope/reader,reader\n"
        "san:spiffe://innoscope/writer,writer\n";
    absl::StrAppend(&text, server::BearerTokenIdentity(kReaderToken), ",reader\n");
    if (with_writer_token) {
      absl::StrAppend(&text, server::BearerTokenIdentity(kWriterToken), ",writer\n");
    }
    WriteFile(auth_file_, text);
  }

  // ingest with TLS, client certificates required unless `mutual` is
  // false, the auth file unless `auth` is false, a plaintext health port.
  void StartIngest(bool mutual = true, bool auth = true) {
    std::vector<std::string> args = {
        absl::StrCat("--tls_cert_file=", Path("ingest.crt")),
        absl::StrCat("--tls_key_file=", Path("ingest.key")),
        "--tls_refresh_seconds=1",
        "--health_address=127.0.0.1:0",
        "--auth_reload_seconds=1",
        "--drain_seconds=0",
    };
    if (mutual) args.push_back(absl::StrCat("--tls_client_ca_file=", Path("ca.crt")));
    if (auth) args.push_back(absl::StrCat("--auth_file=", auth_file_));
    auto p = ServiceProcess::Start("ingest", args, {{"DATABASE_URL", url_}});
    ASSERT_TRUE(p.ok()) << p.status();
    ingest_ = std::move(*p);
  }

  // A TLS client presenting certificate `name` (none when empty) and the
  // token file `token` (none when empty).
  std::shared_ptr<grpc::Channel> Client(const std::string& name, const std::string& token = "",
                                        const std::string& server_name = "") {
    server::ChannelSecurity s;
    s.ca_file = Path("ca.crt");
    if (!name.empty()) {
      s.cert_file = Path(name + ".crt");
      s.key_file = Path(name + ".key");
    }
    if (!token.empty()) s.auth_token_file = Path(token);
    s.server_name = server_name;
    return server::MakeChannel(ingest_->grpc_address(), s);
  }

  static grpc::Status ListRegions(const std::shared_ptr<grpc::Channel>& channel,
                                  v1::ListRegionsResponse* response = nullptr) {
    v1::ListRegionsResponse ignored;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return v1::IngestService::NewStub(channel)->ListRegions(
        &context, v1::ListRegionsRequest(), response != nullptr ? response : &ignored);
  }

  static grpc::Status UpsertRegion(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& code) {
    v1::UpsertRegionsRequest request;
    v1::Region* region = request.add_regions();
    region->set_code(code);
    region->set_name(absl::StrCat("Region ", code));
    region->set_kind(v1::REGION_KIND_PROVINCE);
    v1::UpsertRegionsResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return v1::IngestService::NewStub(channel)->UpsertRegions(&context, request, &response);
  }

  // Rows in ingest's regions table, counted in PostgreSQL itself.
  std::string RegionRows() {
    pqxx::connection db(url_);
    pqxx::nontransaction tx(db);
    return tx.exec("SELECT count(*) FROM ingest.regions")[0][0].c_str();
  }

  // The service's log lines that carry "audit":true.
  std::vector<std::string> AuditLines() const {
    std::vector<std::string> lines;
    for (absl::string_view line : absl::StrSplit(ingest_->Log(), '\n')) {
      if (absl::StrContains(line, "\"audit\":true")) lines.emplace_back(line);
    }
    return lines;
  }

  std::string dir_;
  std::string url_;
  std::string auth_file_;
  std::unique_ptr<PostgresServer> pg_;
  std::unique_ptr<ServiceProcess> ingest_;
};

TEST_F(SecurityTest, PlaintextClientToTlsServerFails) {
  StartIngest();
  grpc::Status status = ListRegions(server::MakeChannel(ingest_->grpc_address()));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  // The same call over TLS with a reader certificate works.
  EXPECT_TRUE(ListRegions(Client("reader")).ok());
}

TEST_F(SecurityTest, ClientCertificateFromAnotherCaIsRefused) {
  Run(absl::StrCat(Certs(), " ca '", Path("other-ca"), "'"));
  Run(absl::StrCat(Certs(), " issue '", Path("other-ca"), "' '", Path("impostor"), "' writer"));
  StartIngest();
  grpc::Status status = ListRegions(Client("impostor"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(RegionRows(), "0");
}

TEST_F(SecurityTest, ExpiredClientCertificateIsRefused) {
  Run(absl::StrCat(Certs(), " issue '", Path("ca"), "' '", Path("expired"), "' writer --expired"));
  StartIngest();
  grpc::Status status = ListRegions(Client("expired"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(SecurityTest, CertificateWithoutRoleOrWrongServerNameIsRefused) {
  StartIngest();
  // A valid certificate whose SAN the auth file does not list.
  grpc::Status status = ListRegions(Client("stranger"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("ListRegions needs role reader"));
  // The server's certificate does not name the host the client expects.
  status = ListRegions(Client("reader", "", "elsewhere.example"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(SecurityTest, ReaderListsButCannotImportAndNothingIsWritten) {
  StartIngest();
  ASSERT_TRUE(UpsertRegion(Client("writer"), "W1").ok());
  ASSERT_EQ(RegionRows(), "1");
  std::shared_ptr<grpc::Channel> reader = Client("reader");
  v1::ListRegionsResponse listed;
  grpc::Status status = ListRegions(reader, &listed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(listed.regions_size(), 1);

  status = UpsertRegion(reader, "R1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("innoscope.ingest.v1.IngestService/UpsertRegions needs role writer"));
  EXPECT_THAT(status.error_message(), HasSubstr("the caller has role reader"));
  EXPECT_EQ(RegionRows(), "1");

  // Counted by reason.
  absl::StatusOr<std::string> metrics = HttpGet(ingest_->metrics_address(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(*metrics, HasSubstr("innoscope_auth_enabled 1"));
  EXPECT_THAT(*metrics, HasSubstr("innoscope_auth_denied_total{method=\"UpsertRegions\","
                                  "reason=\"insufficient_role\",service=\"innoscope.ingest.v1."
                                  "IngestService\"} 1"));
}

TEST_F(SecurityTest, NoIdentityIsUnauthenticated) {
  // Server-side TLS only: a client without certificate or token is anonymous.
  StartIngest(/*mutual=*/false);
  grpc::Status status = ListRegions(Client(""));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("ListRegions needs role reader"));
  // With a token it is the token's identity: a reader's token lists but
  // cannot import, and the refusal does not echo the token.
  EXPECT_TRUE(ListRegions(Client("", "reader.token")).ok());
  status = UpsertRegion(Client("", "reader.token"), "R2");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("the caller has role reader"));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kReaderToken)));
  EXPECT_EQ(RegionRows(), "0");
}

TEST_F(SecurityTest, WriterImportsAndEachWriteLeavesOneAuditLine) {
  StartIngest();
  std::shared_ptr<grpc::Channel> writer = Client("writer");
  ASSERT_TRUE(UpsertRegion(writer, "A1").ok());
  ASSERT_TRUE(UpsertRegion(writer, "A2").ok());
  ASSERT_TRUE(ListRegions(writer).ok());  // a read: no audit line
  EXPECT_EQ(RegionRows(), "2");

  // Each write's line is written when the call ends, before the response.
  std::vector<std::string> audit = AuditLines();
  ASSERT_EQ(audit.size(), 2u) << ingest_->Log();
  EXPECT_THAT(audit[0], HasSubstr("\"identity\":\"san:spiffe://innoscope/writer\""));
  EXPECT_THAT(audit[0],
              HasSubstr("\"method\":\"innoscope.ingest.v1.IngestService/UpsertRegions\""));
  EXPECT_THAT(audit[0], HasSubstr("\"code\":\"OK\""));
  EXPECT_THAT(audit[0], HasSubstr("\"duration_ms\":"));
  EXPECT_THAT(audit[1], HasSubstr("\"identity\":\"san:spiffe://innoscope/writer\""));
}

TEST_F(SecurityTest, TokenRemovedFromAuthFileIsRefusedWithinTheReloadInterval) {
  // Bearer tokens over server-side TLS (no client certificate).
  StartIngest(/*mutual=*/false);
  std::shared_ptr<grpc::Channel> writer = Client("", "writer.token");
  ASSERT_TRUE(UpsertRegion(writer, "T1").ok());
  // Its audit line names the token's hash, never the token.
  std::vector<std::string> audit = AuditLines();
  ASSERT_EQ(audit.size(), 1u) << ingest_->Log();
  EXPECT_THAT(audit[0], HasSubstr(absl::StrCat("\"identity\":\"",
                                               server::BearerTokenIdentity(kWriterToken), "\"")));
  EXPECT_THAT(ingest_->Log(), Not(HasSubstr(kWriterToken)));
  WriteAuthFile(/*with_writer_token=*/false);
  // --auth_reload_seconds=1: refused within a few reload intervals.
  grpc::Status last;
  absl::Status refused = WaitFor(
      [&] {
        last = ListRegions(writer);
        return last.error_code() == grpc::StatusCode::UNAUTHENTICATED;
      },
      absl::Seconds(5));
  EXPECT_TRUE(refused.ok()) << last.error_message();
  EXPECT_THAT(last.error_message(), HasSubstr("not known"));
  EXPECT_EQ(UpsertRegion(writer, "T2").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(RegionRows(), "1");
}

TEST_F(SecurityTest, CertificatesReplacedOnDiskAreServedToNewConnections) {
  // The replacement names only rotated.innoscope.test: a client expecting
  // that name connects only once the server serves the new certificate.
  Run(absl::StrCat(Certs(), " issue '", Path("ca"), "' '", Path("rotated"),
                   "' ingest --dns rotated.innoscope.test"));
  StartIngest();
  std::shared_ptr<grpc::Channel> before = Client("reader");
  ASSERT_TRUE(ListRegions(before).ok());
  EXPECT_EQ(ListRegions(Client("reader", "", "rotated.innoscope.test")).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  Run(absl::StrCat("cp '", Path("rotated.key"), "' '", Path("ingest.key"), "' && cp '",
                   Path("rotated.crt"), "' '", Path("ingest.crt"), "'"));
  grpc::Status last;
  absl::Status served = WaitFor(
      [&] {
        last = ListRegions(Client("reader", "", "rotated.innoscope.test"));
        return last.ok();
      },
      absl::Seconds(10), absl::Milliseconds(250));
  EXPECT_TRUE(served.ok()) << last.error_message();
  // Same process, and the connection opened before still works.
  EXPECT_FALSE(ingest_->WaitExit(absl::ZeroDuration()).ok());
  EXPECT_TRUE(ListRegions(before).ok());
}

TEST_F(SecurityTest, HealthAnswersOnTheHealthPortOnly) {
  StartIngest();
  ASSERT_FALSE(ingest_->health_address().empty());
  std::shared_ptr<grpc::Channel> health = server::MakeChannel(ingest_->health_address());
  EXPECT_EQ(HealthOf(health, ""), "SERVING");
  EXPECT_EQ(HealthOf(health, "readiness"), "SERVING");
  // The health port serves nothing else.
  EXPECT_EQ(ListRegions(health).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  // The TLS port answers health to anyone with a certificate, even without
  // a role (health is always open), and nothing to plaintext.
  EXPECT_EQ(HealthOf(Client("stranger"), "readiness"), "SERVING");
  EXPECT_NE(HealthOf(server::MakeChannel(ingest_->grpc_address()), ""), "SERVING");
}

TEST_F(SecurityTest, WithoutAuthFileTheServerRunsOpenAndSaysSo) {
  StartIngest(/*mutual=*/true, /*auth=*/false);
  EXPECT_TRUE(UpsertRegion(Client("stranger"), "O1").ok());
  absl::StatusOr<std::string> metrics = HttpGet(ingest_->metrics_address(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(*metrics, HasSubstr("innoscope_auth_enabled 0"));
  int warnings = 0;
  for (absl::string_view line : absl::StrSplit(ingest_->Log(), '\n')) {
    if (absl::StrContains(line, "no --auth_file")) ++warnings;
  }
  EXPECT_EQ(warnings, 1);
}

}  // namespace
}  // namespace innoscope::testing

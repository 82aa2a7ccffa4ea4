// PostgreSQL over TLS with sslmode=verify-full: a private PostgreSQL serves
// TLS with a certificate from a CA the test makes with openssl (SAN
// DNS:localhost). The storage layer and a service connect with the CA and
// the connection is encrypted; a wrong CA and a host name the certificate
// does not name are refused with libpq's reason (docs/operations.md,
// "Database TLS").

#include <unistd.h>

#include <memory>
#include <string>

#include <pqxx/pqxx>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/storage/pool.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

using ::testing::HasSubstr;

// Runs a shell command, failing the test with its output when it fails.
void Shell(const std::string& command) {
  int code = 0;
  auto out = RunCommand(command, &code);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(code, 0) << command << "\n" << *out;
}

// A CA and a certificate it signs, made with openssl the way an operator
// would (docs/operations.md): `name`.key and `name`.crt in `dir`.
void MakeCa(const std::string& dir, const std::string& name) {
  Shell(absl::StrCat("cd '", dir, "' && openssl req -x509 -newkey rsa:2048 -nodes -days 2",
                     " -subj '/CN=", name, "' -keyout ", name, ".key -out ", name, ".crt"));
}

class PostgresTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(absl::StrCat(BuildDir(), "/test-logs/pg-tls-", ::getpid()));
    const std::string tls = *dir_ + "/tls";
    Shell(absl::StrCat("rm -rf '", *dir_, "' && mkdir -p '", tls, "' && chmod 755 '", *dir_, "' '",
                       tls, "'"));
    MakeCa(tls, "ca");
    MakeCa(tls, "other-ca");  // a CA that signed nothing of this server
    // The server's certificate names the host clients use: localhost.
    Shell(absl::StrCat(
        "cd '", tls, "' && printf 'subjectAltName=DNS:localhost\\n' >server.ext",
        " && openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout server.key",
        " -out server.csr && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key",
        " -CAcreateserial -days 2 -extfile server.ext -out server.crt && chmod 600 server.key",
        // PostgreSQL refuses a key others can read, and runs as postgres
        // when the tests run as root.
        " && if [ \"$(id -u)\" -eq 0 ]; then chown postgres server.key server.crt; fi"));
    auto pg = PostgresServer::StartPrivate(
        *dir_ + "/stack", absl::StrCat("-c ssl=on -c ssl_cert_file=", tls,
                                       "/server.crt -c ssl_key_file=", tls, "/server.key"));
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = pg->release();
  }
  static void TearDownTestSuite() {
    delete pg_;  // stops the server
    pg_ = nullptr;
    int code = 0;
    RunCommand(absl::StrCat("rm -rf '", *dir_, "'"), &code).IgnoreError();
    delete dir_;
    dir_ = nullptr;
  }

  // A URL of role `user` on the server's database through host name `host`
  // with sslmode=verify-full and CA file `ca`.
  static std::string TlsUrl(const std::string& user, const std::string& host,
                            const std::string& ca) {
    return absl::StrCat("postgresql://", user, "@", host, ":", pg_->port(),
                        "/innoscope?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=", *dir_,
                        "/tls/", ca, ".crt");
  }

  static absl::Status Ping(const std::string& url) {
    storage::PoolOptions options;
    options.url = url;
    options.max_size = 1;
    storage::ConnectionPool pool(options);
    return pool.Ping();
  }

  static std::string* dir_;
  static PostgresServer* pg_;
};

std::string* PostgresTlsTest::dir_ = nullptr;
PostgresServer* PostgresTlsTest::pg_ = nullptr;

TEST_F(PostgresTlsTest, StorageConnectsWithVerifyFullAndTheConnectionIsEncrypted) {
  storage::PoolOptions options;
  options.url = TlsUrl("innoscope_ingest", "localhost", "ca");
  storage::ConnectionPool pool(options);
  std::string ssl, version;
  absl::Status s = pool.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::row row =
        tx.exec1("SELECT ssl::text, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    ssl = row[0].as<std::string>();
    version = row[1].as<std::string>();
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(ssl, "true");
  EXPECT_THAT(version, HasSubstr("TLSv1."));
}

TEST_F(PostgresTlsTest, WrongCaIsRefusedNamingTheCertificateCheck) {
  absl::Status s = Ping(TlsUrl("innoscope_ingest", "localhost", "other-ca"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("certificate verify failed"));
}

TEST_F(PostgresTlsTest, HostNameTheCertificateDoesNotNameIsRefused) {
  // Same server, right CA, but reached as 127.0.0.1, which the
  // certificate (DNS:localhost only) does not name: verify-full refuses.
  absl::Status s = Ping(TlsUrl("innoscope_ingest", "127.0.0.1", "ca"));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("does not match host name \"127.0.0.1\""));
}

TEST_F(PostgresTlsTest, ServiceMigratesAndServesOverVerifyFull) {
  // The administrator URL: the harness gives the service its role.
  auto ingest = ServiceProcess::Start("ingest", {"--database_wait_seconds=5"},
                                      {{"DATABASE_URL", TlsUrl("innoscope", "localhost", "ca")}});
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  EXPECT_EQ(HealthOf((*ingest)->Channel(), "readiness"), "SERVING");
  int code = 0;
  auto out = RunCommand(
      absl::StrCat("/usr/lib/postgresql/15/bin/psql -qtA '", TlsUrl("innoscope", "localhost", "ca"),
                   "' -c \"SELECT count(*) > 0, bool_and(s.ssl) FROM pg_stat_activity a JOIN "
                   "pg_stat_ssl s USING (pid) WHERE a.usename = 'innoscope_ingest'\""),
      &code);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(std::string(absl::StripAsciiWhitespace(*out)), "t|t") << code;
}

TEST_F(PostgresTlsTest, ServiceWithWrongCaExitsWithTheReason) {
  auto ingest =
      ServiceProcess::Start("ingest", {"--database_wait_seconds=1"},
                            {{"DATABASE_URL", TlsUrl("innoscope", "localhost", "other-ca")}});
  ASSERT_FALSE(ingest.ok());
  EXPECT_THAT(std::string(ingest.status().message()), HasSubstr("certificate verify failed"));
}

}  // namespace
}  // namespace innoscope::testing

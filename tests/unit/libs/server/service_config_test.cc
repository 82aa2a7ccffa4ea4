#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"
#include "libs/server/service_host.h"

namespace innoscope::server {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

ServiceDefinition Scoring() {
  ServiceDefinition d;
  d.name = "scoring";
  d.default_grpc_port = 50053;
  d.default_metrics_port = 9103;
  d.upstream_defaults = {{"ingest", "localhost:50051"}, {"weighting", "localhost:50052"}};
  return d;
}

absl::StatusOr<ServiceConfig> Parse(std::vector<std::string> args,
                                    std::map<std::string, std::string> env = {}) {
  ServiceDefinition d = Scoring();
  config::FlagSet flags = ServiceFlags(d, "innoscope-scoring");
  auto lookup = [env](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto parsed = flags.Parse(args, lookup);
  if (!parsed.ok()) return parsed.status();
  return ServiceConfigFromFlags(d, *parsed);
}

TEST(ServiceConfigTest, DefaultsAndUpstreamsFromTheDefinition) {
  auto c = Parse({}, {{"DATABASE_URL", "postgresql://h/db"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->grpc_address.ToString(), "0.0.0.0:50053");
  EXPECT_EQ(c->metrics_address.port, 9103);
  EXPECT_EQ(c->database_url, "postgresql://h/db");
  EXPECT_EQ(c->upstreams.at("ingest"), "localhost:50051");
  EXPECT_EQ(c->upstreams.at("weighting"), "localhost:50052");
  EXPECT_EQ(c->db_pool_size, 8);
}

TEST(ServiceConfigTest, EnvironmentSetsAnyFlag) {
  auto c = Parse({}, {{"INNOSCOPE_DATABASE_URL", "postgresql://x/y"},
                      {"INNOSCOPE_INGEST_ADDRESS", "ingest:50051"},
                      {"INNOSCOPE_DB_POOL_SIZE", "3"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->upstreams.at("ingest"), "ingest:50051");
  EXPECT_EQ(c->db_pool_size, 3);
}

TEST(ServiceConfigTest, DatabaseFaultFlagsDefaultAndValidate) {
  std::map<std::string, std::string> db = {{"DATABASE_URL", "postgresql://h/db"}};
  auto c = Parse({"--readiness_interval_seconds=0.5"}, db);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->db_probe_timeout, absl::Milliseconds(500)) << "defaults to the interval";
  EXPECT_EQ(c->db_connect_timeout_seconds, 5);
  EXPECT_EQ(c->db_statement_timeout, absl::Minutes(5));
  EXPECT_EQ(c->db_lock_timeout, absl::Seconds(60));
  EXPECT_EQ(c->db_tcp_user_timeout, absl::Seconds(30));
  c = Parse({"--db_probe_timeout_seconds=0.8", "--db_statement_timeout_seconds=0"}, db);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->db_probe_timeout, absl::Milliseconds(800));
  EXPECT_EQ(c->db_statement_timeout, absl::ZeroDuration());
  // A probe deadline over the interval would break "readiness within two
  // intervals".
  EXPECT_THAT(Parse({"--db_probe_timeout_seconds=3"}, db),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--db_probe_timeout_seconds must be between 0.1 and "
                                 "--readiness_interval_seconds")));
  EXPECT_THAT(
      Parse({"--db_connect_timeout_seconds=1"}, db),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--db_connect_timeout_seconds")));
}

TEST(ServiceConfigTest, InvalidValuesNameTheFlag) {
  std::map<std::string, std::string> db = {{"DATABASE_URL", "postgresql://h/db"}};
  EXPECT_THAT(Parse({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--database_url is required")));
  EXPECT_THAT(Parse({"--grpc_address=nohost"}, db),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--grpc_address")));
  EXPECT_THAT(Parse({"--db_pool_size=0"}, db),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--db_pool_size")));
  EXPECT_THAT(Parse({"--log_level=loud"}, db),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--log_level")));
  EXPECT_THAT(Parse({"--weighting_address=w:0"}, db),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--weighting_address")));
  EXPECT_THAT(
      Parse({"--readiness_interval_seconds=30"}, db),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--readiness_interval_seconds")));
}

TEST(ServiceConfigTest, SecurityFlagsAreCheckedTogether) {
  // Any readable file will do for the checks before gRPC reads it.
  const std::string file = std::string(INNOSCOPE_SOURCE_DIR) + "/README.md";
  const std::map<std::string, std::string> db = {{"DATABASE_URL", "postgresql://h/db"}};
  auto c = Parse({}, db);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->tls_cert_file.empty());
  EXPECT_FALSE(c->reflection);
  EXPECT_TRUE(c->auth_file.empty());
  EXPECT_THAT(Parse({"--tls_cert_file=" + file}, db),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--tls_cert_file and --tls_key_file go together")));
  EXPECT_THAT(Parse({"--tls_client_ca_file=" + file}, db),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--tls_client_ca_file needs --tls_cert_file")));
  EXPECT_THAT(
      Parse({"--auth_file=" + file}, db),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--auth_file needs --tls_cert_file")));
  EXPECT_THAT(Parse({"--tls_cert_file=/no/such.crt", "--tls_key_file=" + file}, db),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--tls_cert_file: cannot read \"/no/such.crt\"")));
  EXPECT_THAT(
      Parse({"--auth_token_file=" + file}, db),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--auth_token_file needs TLS")));
  c = Parse({"--tls_cert_file=" + file, "--tls_key_file=" + file, "--tls_client_ca_file=" + file,
             "--tls_ca_file=" + file, "--auth_file=" + file, "--reflection",
             "--health_address=127.0.0.1:0"},
            db);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->reflection);
  EXPECT_EQ(c->health_address, "127.0.0.1:0");
  // Towards upstreams the service presents its server certificate.
  EXPECT_EQ(c->upstream_security.cert_file, file);
  EXPECT_EQ(c->upstream_security.ca_file, file);
}

}  // namespace
}  // namespace innoscope::server

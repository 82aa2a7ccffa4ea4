// Least-privilege database roles (deploy/sql/database_roles.sql) against a
// real PostgreSQL: every deployable migrates its schema as its own role and
// owns everything in it, and no role can read, write or create anything in
// another deployable's schema, in public, or a schema of its own making.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

using ::testing::HasSubstr;

// The deployables with a schema of their own (docs/architecture.md).
const std::vector<std::string>& Deployables() {
  static const auto* names =
      new std::vector<std::string>{"ingest", "weighting", "scoring", "network", "recompute"};
  return *names;
}

struct PsqlResult {
  int code = 0;
  std::string output;  // stdout and stderr
};

// One statement through psql, stopping at the first error.
PsqlResult Psql(const std::string& url, const std::string& sql) {
  PsqlResult r;
  auto out = RunCommand(absl::StrCat("/usr/lib/postgresql/15/bin/psql -qtA -v ON_ERROR_STOP=1 '",
                                     url, "' -c \"", sql, "\""),
                        &r.code);
  r.output = out.ok() ? std::string(absl::StripAsciiWhitespace(*out)) : out.status().ToString();
  return r;
}

class DatabaseRolesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    auto url = (*pg)->CreateDatabase("roles");
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = new std::string(*url);
    // The four services migrate their schemas at start-up, each as its role.
    auto services = StartServices({{"DATABASE_URL", *url_}}, {"weighting", "network", "scoring"});
    ASSERT_TRUE(services.ok()) << services.status();
    // The recompute job migrates schema recompute before it calls any
    // service: with no service reachable it fails after migrating.
    int code = 0;
    auto out = RunCommand(
        absl::StrCat(BuildDir(), "/services/recompute/innoscope-recompute --config '", SourceDir(),
                     "/tests/data/recompute/recompute.yaml' --database_url='",
                     RoleUrl(*url_, "recompute"),
                     "' --ingest_address=127.0.0.1:1 --weighting_address=127.0.0.1:1"
                     " --scoring_address=127.0.0.1:1 --network_address=127.0.0.1:1"
                     " --timeout_seconds=2 --stack_file=/nonexistent"),
        &code);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_EQ(Psql(*url_, "SELECT count(*) > 0 FROM recompute.schema_migrations").output, "t")
        << *out;
  }
  static void TearDownTestSuite() {
    delete url_;
    url_ = nullptr;
  }

  static std::string* url_;
};

std::string* DatabaseRolesTest::url_ = nullptr;

TEST_F(DatabaseRolesTest, EachRoleOwnsItsSchemaAndEverythingInIt) {
  for (const std::string& schema : Deployables()) {
    SCOPED_TRACE(schema);
    EXPECT_EQ(Psql(*url_, absl::StrCat("SELECT nspowner::regrole FROM pg_namespace "
                                       "WHERE nspname = '",
                                       schema, "'"))
                  .output,
              "innoscope_" + schema);
    // Tables (schema_migrations among them) were created by the migrations,
    // run as the role: no object of the schema belongs to anyone else.
    EXPECT_EQ(Psql(*url_, absl::StrCat("SELECT count(*) FROM pg_class c JOIN pg_namespace n "
                                       "ON n.oid = c.relnamespace WHERE n.nspname = '",
                                       schema, "' AND c.relowner::regrole::text <> 'innoscope_",
                                       schema, "'"))
                  .output,
              "0");
    EXPECT_EQ(Psql(*url_, absl::StrCat("SELECT count(*) > 1 FROM pg_tables WHERE schemaname = '",
                                       schema, "'"))
                  .output,
              "t");
    // The role reads and writes its own bookkeeping (the control: the
    // refusals below are about the other schemas, not a broken login).
    const std::string own = RoleUrl(*url_, schema);
    EXPECT_EQ(
        Psql(own, absl::StrCat("SELECT count(*) > 0 FROM ", schema, ".schema_migrations")).output,
        "t");
    PsqlResult write = Psql(own, absl::StrCat("BEGIN; INSERT INTO ", schema,
                                              ".schema_migrations (version, name, checksum) "
                                              "VALUES (999999, 'probe', 'x'); ROLLBACK"));
    EXPECT_EQ(write.code, 0) << write.output;
  }
}

TEST_F(DatabaseRolesTest, NoRoleReadsOrWritesAnotherSchema) {
  for (const std::string& role : Deployables()) {
    const std::string url = RoleUrl(*url_, role);
    for (const std::string& schema : Deployables()) {
      if (schema == role) continue;
      SCOPED_TRACE(absl::StrCat("role innoscope_", role, " on schema ", schema));
      const std::string denied = absl::StrCat("permission denied for schema ", schema);
      PsqlResult read =
          Psql(url, absl::StrCat("SELECT count(*) FROM ", schema, ".schema_migrations"));
      EXPECT_NE(read.code, 0);
      EXPECT_THAT(read.output, HasSubstr(denied));
      PsqlResult insert = Psql(url, absl::StrCat("INSERT INTO ", schema,
                                                 ".schema_migrations (version, name, checksum) "
                                                 "VALUES (999999, 'probe', 'x')"));
      EXPECT_NE(insert.code, 0);
      EXPECT_THAT(insert.output, HasSubstr(denied));
      PsqlResult create = Psql(url, absl::StrCat("CREATE TABLE ", schema, ".probe (x int)"));
      EXPECT_NE(create.code, 0);
      EXPECT_THAT(create.output, HasSubstr(denied));
    }
  }
  // Nothing was written anywhere by the refused statements.
  for (const std::string& schema : Deployables()) {
    EXPECT_EQ(Psql(*url_, absl::StrCat("SELECT count(*) FROM ", schema,
                                       ".schema_migrations WHERE version = 999999"))
                  .output,
              "0")
        << schema;
    EXPECT_EQ(Psql(*url_, absl::StrCat("SELECT count(*) FROM pg_tables WHERE schemaname = '",
                                       schema, "' AND tablename = 'probe'"))
                  .output,
              "0")
        << schema;
  }
}

TEST_F(DatabaseRolesTest, NoRoleCreatesSchemasOrObjectsInPublic) {
  for (const std::string& role : Deployables()) {
    SCOPED_TRACE(role);
    const std::string url = RoleUrl(*url_, role);
    PsqlResult schema = Psql(url, "CREATE SCHEMA probe");
    EXPECT_NE(schema.code, 0);
    EXPECT_THAT(schema.output, HasSubstr("permission denied for database"));
    PsqlResult table = Psql(url, "CREATE TABLE public.probe (x int)");
    EXPECT_NE(table.code, 0);
    EXPECT_THAT(table.output, HasSubstr("permission denied for schema public"));
  }
}

TEST_F(DatabaseRolesTest, RolesScriptIsIdempotentAndHandsOverOlderTables) {
  // A table the shared administrator role created (as a release before the
  // roles did) moves to the schema's role when the script runs again; the
  // rest stays as it was.
  ASSERT_EQ(Psql(*url_, "CREATE TABLE ingest.legacy (x int)").code, 0);
  int code = 0;
  auto out =
      RunCommand(absl::StrCat("/usr/lib/postgresql/15/bin/psql -qtA -v ON_ERROR_STOP=1 '", *url_,
                              "' -f '", SourceDir(), "/deploy/sql/database_roles.sql'"),
                 &code);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(code, 0) << *out;
  EXPECT_EQ(Psql(*url_,
                 "SELECT string_agg(nspowner::regrole::text, ',' ORDER BY nspname) "
                 "FROM pg_namespace WHERE nspname IN "
                 "('ingest','network','recompute','scoring','weighting')")
                .output,
            "innoscope_ingest,innoscope_network,innoscope_recompute,innoscope_scoring,"
            "innoscope_weighting");
  EXPECT_EQ(Psql(*url_,
                 "SELECT tableowner FROM pg_tables WHERE schemaname = 'ingest' "
                 "AND tablename = 'legacy'")
                .output,
            "innoscope_ingest");
}

}  // namespace
}  // namespace innoscope::testing

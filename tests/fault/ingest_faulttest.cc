// Ingest under hostile input and interrupted imports, with the real
// services (all four, the database of the shared fixture: nothing here
// stops PostgreSQL) and the real CLI:
//
// - import sequences A, B, A, B over the same keys with other values, the
//   third and fourth imports SIGKILLed mid-way and re-run: after each step
//   the stored values are exactly the last file's, every key holds one
//   revision per import that changed it (nothing written twice), and a
//   repeated import of the last file is a replay that writes nothing;
// - every input limit at the service boundary (a service started with small
//   limits): the status names the field, the value, the limit and the flag,
//   carries a google.rpc.BadRequest violation, and nothing is written.
//
// Each test ends with row counts and checksums of the stored rows against
// the input, and every service SERVING.
//
// Expected values are computed here from the generated input: the value of
// a key is an integer (exact in a double and in any sum below 2^53), so the
// checksum of a file is the integer sum of its values, and the stored
// table must equal the file's lines.

#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "tests/framework_chain.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

namespace v1 = ::innoscope::ingest::v1;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 60 regions x 50 indicators x 10 periods = 30,000 keys; with 250 rows per
// batch an import is 120 batches, long enough to be interrupted.
constexpr int kRegions = 60, kIndicators = 50, kPeriods = 10;
constexpr int64_t kKeys = int64_t{kRegions} * kIndicators * kPeriods;

// The value of key (r, i, p) in file A (variant 0) or B (variant 1):
// distinct in every key, B = A + 1,000,003, all below 2^21.
int64_t Value(int r, int i, int p, int variant) {
  return (r * 7919 + i * 104729 + p * 31) % 1000003 + variant * 1000003;
}

struct ObservationFile {
  std::string csv;    // region,indicator,period,value
  std::string table;  // the stored table as psql -A -F, prints it, sorted
  int64_t sum = 0;    // the checksum: the sum of the values
};

ObservationFile MakeFile(int variant) {
  ObservationFile f;
  f.csv = "region,indicator,period,value\n";
  // Codes sort as psql orders them: fixed-width numbers.
  for (int r = 0; r < kRegions; ++r) {
    for (int i = 0; i < kIndicators; ++i) {
      for (int p = 0; p < kPeriods; ++p) {
        const int64_t v = Value(r, i, p, variant);
        const std::string key = absl::StrCat("F", 100 + r, ",k", 100 + i, ",", 2001 + p);
        absl::StrAppend(&f.csv, key, ",", v, "\n");
        absl::StrAppend(&f.table, key, ",", v, "\n");
        f.sum += v;
      }
    }
  }
  return f;
}

class IngestFaultTest : public ::testing::Test {
 protected:
  // Starts the four services on a database of their own; `env` adds flags
  // (INNOSCOPE_<FLAG>), which services without such a flag ignore.
  void StartStack(std::map<std::string, std::string> env = {}) {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
    auto url = pg_->CreateDatabase("ingestfault");
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    env["DATABASE_URL"] = url_;
    auto set = StartServices(env, {"weighting", "network", "scoring"});
    ASSERT_TRUE(set.ok()) << set.status();
    services_ = std::move(*set);
    stub_ = v1::IngestService::NewStub(services_.ingest->Channel());
    dir_ = absl::StrCat(BuildDir(), "/test-logs/ingestfault-", ::getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    int code = 0;
    ASSERT_TRUE(RunCommand("mkdir -p '" + dir_ + "'", &code).ok());
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string Psql(const std::string& sql) {
    int code = 0;
    auto out = RunCommand(absl::StrCat("psql '", url_, "' -qtA -F, -c \"", sql, "\""), &code);
    EXPECT_EQ(code, 0) << (out.ok() ? *out : "");
    return out.ok() ? *out : "";
  }
  int64_t PsqlInt(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(Psql(sql)), &n)) << sql;
    return n;
  }

  std::vector<std::string> ImportArgs(const std::string& file) {
    return {"import",      "observations",
            Path(file),    "--batch_size=250",
            "--retries=0", "--ingest_address=" + services_.ingest->grpc_address()};
  }
  // Runs an import to completion; returns its output.
  std::string Import(const std::string& file) {
    const pid_t cli = SpawnCli(ImportArgs(file), Path("import.log"));
    EXPECT_EQ(ReapExit(cli), 0) << ReadLog("import.log");
    return ReadLog("import.log");
  }
  // Starts an import and SIGKILLs the CLI once some of its rows are stored
  // as revision `revision` (its batches are being committed).
  void ImportKilled(const std::string& file, int revision) {
    std::vector<std::string> args = ImportArgs(file);
    args.push_back("--parallel=1");  // one batch at a time: slow enough to interrupt
    const pid_t cli = SpawnCli(args, Path("killed.log"));
    const std::string probe =
        absl::StrCat("SELECT count(*) FROM ingest.observations WHERE revision = ", revision);
    ASSERT_TRUE(
        WaitFor([&] { return PsqlInt(probe) > 0; }, absl::Seconds(60), absl::Milliseconds(20)).ok())
        << ReadLog("killed.log");
    ::kill(cli, SIGKILL);
    EXPECT_EQ(ReapExit(cli), 128 + SIGKILL);
    const int64_t written = PsqlInt(probe);
    EXPECT_GT(written, 0);
    EXPECT_LT(written, kKeys) << "the import finished before it was killed";
  }
  std::string ReadLog(const std::string& name) {
    std::ifstream in(Path(name));
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // The stored current values equal `file` (every line, the count and the
  // checksum) and every key has exactly `revisions` revisions.
  void ExpectStored(const ObservationFile& file, int revisions) {
    EXPECT_EQ(PsqlInt("SELECT count(*) FROM ingest.observations WHERE valid_to IS NULL"), kKeys);
    EXPECT_EQ(PsqlInt("SELECT sum(value)::bigint FROM ingest.observations WHERE valid_to IS NULL"),
              file.sum);
    EXPECT_TRUE(Psql("SELECT region_code, indicator_code, period, value::bigint FROM "
                     "ingest.observations WHERE valid_to IS NULL ORDER BY 1, 2, 3") == file.table)
        << "the stored values are not the last file's";
    EXPECT_EQ(PsqlInt("SELECT count(*) FROM ingest.observations"), kKeys * revisions);
    EXPECT_EQ(PsqlInt(absl::StrCat("SELECT count(*) FROM (SELECT 1 FROM ingest.observations "
                                   "GROUP BY region_code, indicator_code, period HAVING "
                                   "count(*) <> ",
                                   revisions, " OR max(revision) <> ", revisions, ") k")),
              0);
  }

  void ExpectEveryServiceServing() {
    for (const ServiceProcess* s : {services_.ingest.get(), services_.weighting.get(),
                                    services_.network.get(), services_.scoring.get()}) {
      EXPECT_EQ(HealthOf(s->Channel(), ""), "SERVING");
      EXPECT_EQ(HealthOf(s->Channel(), "readiness"), "SERVING");
    }
  }

  // Regions F100.. and indicators k100.. of the files, through the CLI.
  void RegisterCodes() {
    std::string regions = "code,name,kind\n", indicators = "code,name\n";
    for (int r = 0; r < kRegions; ++r) absl::StrAppend(&regions, "F", 100 + r, ",F,city\n");
    for (int i = 0; i < kIndicators; ++i) absl::StrAppend(&indicators, "k", 100 + i, ",k\n");
    std::ofstream(Path("regions.csv")) << regions;
    std::ofstream(Path("indicators.csv")) << indicators;
    for (const char* kind : {"regions", "indicators"}) {
      const pid_t cli = SpawnCli({"import", kind, Path(absl::StrCat(kind, ".csv")),
                                  "--ingest_address=" + services_.ingest->grpc_address()},
                                 Path("codes.log"));
      ASSERT_EQ(ReapExit(cli), 0) << ReadLog("codes.log");
    }
  }

  std::unique_ptr<PostgresServer> pg_;
  std::string url_;
  ServiceSet services_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
  std::string dir_;
};

TEST_F(IngestFaultTest, ImportSequenceABABWithKilledImportsLeavesTheLastFileOnce) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  ASSERT_NO_FATAL_FAILURE(RegisterCodes());
  const ObservationFile a = MakeFile(0), b = MakeFile(1);
  std::ofstream(Path("a.csv")) << a.csv;
  std::ofstream(Path("b.csv")) << b.csv;

  EXPECT_THAT(Import("a.csv"), HasSubstr("inserted=30000 revised=0 unchanged=0"));
  ExpectStored(a, 1);
  EXPECT_THAT(Import("b.csv"), HasSubstr("inserted=0 revised=30000 unchanged=0"));
  ExpectStored(b, 2);

  // A again, killed mid-way: some keys are back at A, the rest still B.
  ImportKilled("a.csv", 3);
  const std::string rerun_a = Import("a.csv");
  EXPECT_THAT(rerun_a, AllOf(HasSubstr("inserted=0"), HasSubstr("unchanged=0")));
  ExpectStored(a, 3);  // A's values, each key written once by the A imports

  // B again, killed mid-way, re-run.
  ImportKilled("b.csv", 4);
  Import("b.csv");
  ExpectStored(b, 4);

  // B once more: a true replay, every batch, nothing written.
  EXPECT_THAT(Import("b.csv"),
              HasSubstr("inserted=0 revised=0 unchanged=0 replayed_batches=120 rejected=0"));
  ExpectStored(b, 4);
  ExpectEveryServiceServing();
}

// Every cap at the service boundary, on an ingest started with small ones.
TEST_F(IngestFaultTest, EveryLimitAnswersNamingTheFlagAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartStack({{"INNOSCOPE_MAX_BATCH_ROWS", "50"},
                                      {"INNOSCOPE_MAX_FRAMEWORK_NODES", "100"},
                                      {"INNOSCOPE_MAX_FRAMEWORK_DEPTH", "5"},
                                      {"INNOSCOPE_MAX_DATA_VERSION_SCOPES", "1000"},
                                      {"INNOSCOPE_MAX_FILTER_CODES", "10"},
                                      {"INNOSCOPE_MAX_RELATION_SET_ROWS", "30"}}));
  auto call = [](auto method_call) {
    grpc::ClientContext context;
    return method_call(&context);
  };

  // Scopes: 1,000 pass (each never changed: version 0), 1,001 do not.
  v1::GetDataVersionsRequest versions;
  for (int i = 0; i < 1000; ++i) versions.add_scopes(absl::StrCat("framework:f", i));
  v1::GetDataVersionsResponse got;
  ASSERT_TRUE(call([&](auto* c) { return stub_->GetDataVersions(c, versions, &got); }).ok());
  EXPECT_EQ(got.versions_size(), 1000);
  versions.add_scopes("framework:one_more");
  grpc::Status s = call([&](auto* c) { return stub_->GetDataVersions(c, versions, &got); });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "scopes: 1001 scopes; the limit is 1000 (flag --max_data_version_scopes)");
  EXPECT_THAT(BadRequestFields(s), ElementsAre("scopes: 1001 scopes; the limit is 1000 (flag "
                                               "--max_data_version_scopes)"));

  // Regions: 51 in one request are too many; 50 go in.
  v1::UpsertRegionsRequest regions;
  for (int i = 0; i < 51; ++i) {
    v1::Region* r = regions.add_regions();
    r->set_code(absl::StrCat("G", 100 + i));
    r->set_name("G");
    r->set_kind(v1::REGION_KIND_CITY);
  }
  v1::UpsertRegionsResponse upserted;
  s = call([&](auto* c) { return stub_->UpsertRegions(c, regions, &upserted); });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("regions: 51 rows in one request; the limit is 50 "
                                           "(flag --max_batch_rows)"));
  EXPECT_THAT(BadRequestFields(s), ElementsAre(HasSubstr("regions: 51 rows")));
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM ingest.regions WHERE code LIKE 'G%'"), 0);
  regions.mutable_regions()->RemoveLast();
  ASSERT_TRUE(call([&](auto* c) { return stub_->UpsertRegions(c, regions, &upserted); }).ok());

  // Frameworks: a chain of 7 nodes is 6 edges deep (limit 5); 101 nodes
  // are too many. Neither is stored.
  auto chain = [](int size) { return ChainFramework("deep", "d", size); };
  v1::CreateFrameworkResponse created;
  s = call([&](auto* c) { return stub_->CreateFramework(c, chain(7), &created); });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "nodes: 6 edges from the root to the deepest leaf; the limit is 5 (flag "
            "--max_framework_depth)");
  EXPECT_THAT(BadRequestFields(s), ElementsAre(HasSubstr("nodes: 6 edges")));
  v1::CreateFrameworkRequest wide = chain(1);
  wide.clear_indicators();
  wide.mutable_nodes(0)->set_level(2);
  for (int i = 0; i < 100; ++i) {
    v1::FrameworkNode* n = wide.add_nodes();
    n->set_code(absl::StrCat("w", i));
    n->set_parent_code("d0");
    n->set_level(1);
    n->set_direction(1);
    wide.add_indicators()->set_code(n->code());
  }
  s = call([&](auto* c) { return stub_->CreateFramework(c, wide, &created); });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "nodes: 101 nodes; the limit is 100 (flag --max_framework_nodes)");
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM ingest.frameworks"), 0);
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM ingest.framework_nodes"), 0);
  ASSERT_TRUE(call([&](auto* c) { return stub_->CreateFramework(c, chain(6), &created); }).ok());

  // Observations: a batch of 51 rows through the CLI; its message names the
  // flag and nothing is stored. Then 50 per batch succeed.
  std::string csv = "region,indicator,period,value\n";
  int64_t sum = 0;
  for (int i = 0; i < 50; ++i) {
    absl::StrAppend(&csv, "G", 100 + i, ",d5,2020,", i * 3, "\n");
    sum += i * 3;
  }
  std::ofstream(Path("obs.csv")) << csv;
  const std::string address = "--ingest_address=" + services_.ingest->grpc_address();
  pid_t cli = SpawnCli({"import", "observations", Path("obs.csv"), "--batch_size=51", address},
                       Path("obs.log"));
  EXPECT_EQ(ReapExit(cli), 0) << ReadLog("obs.log");  // 50 rows: one batch of 50
  std::ofstream(Path("obs51.csv")) << csv << "G100,d5,2021,7\n";
  cli = SpawnCli({"import", "observations", Path("obs51.csv"), "--batch_size=51", address},
                 Path("obs51.log"));
  EXPECT_NE(ReapExit(cli), 0);
  EXPECT_THAT(ReadLog("obs51.log"),
              AllOf(HasSubstr("observations: 51 rows in one request; the limit is 50 (flag "
                              "--max_batch_rows)"),
                    HasSubstr("with a smaller --batch_size")));
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM ingest.observations"), 50);
  EXPECT_EQ(PsqlInt("SELECT sum(value)::bigint FROM ingest.observations"), sum);

  // Read filters: 11 region codes.
  v1::ReadObservationsRequest read;
  for (int i = 0; i < 11; ++i) read.add_region_codes(absl::StrCat("G", 100 + i));
  {
    grpc::ClientContext context;
    auto reader = stub_->ReadObservations(&context, read);
    v1::ReadObservationsResponse message;
    while (reader->Read(&message)) {
    }
    s = reader->Finish();
  }
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "region_codes: 11 codes in one filter; the limit is 10 (flag --max_filter_codes)");

  // Relation-set size: 30 actors fit, the 31st (in a later batch) does not;
  // re-sending the 30 (no new key) still works.
  auto actors = [&](int from, int to, const std::string& id) {
    v1::UpsertActorsRequest batch;
    batch.set_batch_id(id);
    for (int i = from; i < to; ++i) {
      v1::Actor* a = batch.add_actors();
      a->set_code(absl::StrCat("a", i));
      a->set_name("A");
      a->set_kind(v1::ACTOR_KIND_ENTERPRISE);
    }
    grpc::ClientContext context;
    auto stream = stub_->UpsertActors(&context);
    v1::UpsertActorsResponse response;
    stream->Write(batch);
    stream->Read(&response);
    stream->WritesDone();
    return stream->Finish();
  };
  ASSERT_TRUE(actors(0, 30, "first").ok());
  s = actors(30, 31, "second");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(s.error_message(),
            "actors: 31 current actors in relation set \"default\" with this batch; the limit "
            "is 30 (flag --max_relation_set_rows)");
  EXPECT_TRUE(actors(0, 30, "again").ok());
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM ingest.actors"), 30);
  EXPECT_EQ(PsqlInt("SELECT current_rows FROM ingest.relation_set_sizes WHERE kind = 'actors'"),
            30);

  // Nothing else was written, and the service kept serving throughout.
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM ingest.regions WHERE code LIKE 'G%'"), 50);
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM ingest.frameworks"), 1);
  EXPECT_EQ(PsqlInt("SELECT count(*) FROM ingest.observations"), 50);
  ExpectEveryServiceServing();
}

}  // namespace
}  // namespace innoscope::testing

// Database faults against the four real services on a PRIVATE PostgreSQL
// (these tests freeze and kill the server; the shared fixture is left alone):
//
// - frozen: every postgres process SIGSTOPped for 12 s. Each service's
//   readiness goes NOT_SERVING within two probe intervals (the probe has its
//   own deadline), a call in flight is cut and new calls fail fast with
//   UNAVAILABLE naming the database; after SIGCONT readiness is SERVING
//   again and calls succeed, with the same processes (no restart).
// - killed: every postgres process SIGKILLed while `innoscope import` runs;
//   PostgreSQL restarted, the import rerun: the table holds exactly the
//   file's rows.
// - through PgBouncer in transaction pooling: the recompute job's lock
//   (RecomputeStore::WithJobLock) excludes a second run while the first
//   holds it, and is free again after.
//
// Each ends with nothing lost or duplicated (row count and value checksum
// against the file) and every service alive and SERVING.
//
// Values are v(r, i, p) = 1000 r + 10 i + (p - 2000), exact in binary, so
// the expected sum is computed here by a loop independent of the database.

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "libs/storage/migrations.h"
#include "libs/storage/pool.h"
#include "services/recompute/recompute_store.h"
#include "tests/integration/harness.h"

// services/recompute's embedded migrations (innoscope_embed_migrations).
std::vector<innoscope::storage::Migration> RecomputeMigrations();

namespace innoscope::testing {
namespace {

using ::testing::HasSubstr;

// The readiness probe interval the services get here (and so the probe's
// deadline): readiness must follow the database within two of these.
constexpr double kProbeSeconds = 1.0;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The postmaster of a stack folder and every process it started.
std::vector<pid_t> PostgresPids(const std::string& stack_dir) {
  std::vector<pid_t> pids;
  std::string first_line = ReadText(stack_dir + "/pg/data/postmaster.pid");
  first_line = first_line.substr(0, first_line.find('\n'));
  pid_t postmaster = 0;
  if (!absl::SimpleAtoi(first_line, &postmaster) || postmaster <= 0) return pids;
  pids.push_back(postmaster);
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return pids;
  while (dirent* entry = ::readdir(proc)) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(entry->d_name, &pid)) continue;
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces.
    const std::string stat = ReadText(absl::StrCat("/proc/", pid, "/stat"));
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
    pid_t ppid = 0;
    if (fields.size() > 1 && absl::SimpleAtoi(fields[1], &ppid) && ppid == postmaster) {
      pids.push_back(pid);
    }
  }
  ::closedir(proc);
  return pids;
}

void SignalAll(const std::vector<pid_t>& pids, int signal_number) {
  for (pid_t pid : pids) ::kill(pid, signal_number);
}

struct CallResult {
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;
  absl::Duration took;
};

// Calls a unary method with an empty request and a 30 s deadline.
template <typename Stub, typename Request, typename Response>
CallResult Timed(Stub& stub,
                 grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*)) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  Request request;
  Response response;
  const absl::Time start = absl::Now();
  grpc::Status status = (stub.*method)(&context, request, &response);
  return {status.error_code(), status.error_message(), absl::Now() - start};
}

class DbFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Short: PostgreSQL's socket path must stay under 108 bytes.
    stack_dir_ = absl::StrCat(BuildDir(), "/dbfault-", ::getpid());
    int code = 0;
    ASSERT_TRUE(
        RunCommand("rm -rf '" + stack_dir_ + "' && mkdir -p '" + stack_dir_ + "'", &code).ok());
  }

  void TearDown() override {
    services_ = ServiceSet();
    pg_.reset();  // stops PostgreSQL (and PgBouncer)
    int code = 0;
    if (!HasFailure()) RunCommand("rm -rf '" + stack_dir_ + "'", &code).IgnoreError();
  }

  void StartPostgres() {
    auto pg = PostgresServer::StartPrivate(stack_dir_);
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
    auto url = pg_->CreateDatabase("dbfault");
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
  }

  void StartAllServices() {
    const std::string interval = absl::StrCat(kProbeSeconds);
    auto set = StartServices({{"DATABASE_URL", url_},
                              {"INNOSCOPE_READINESS_INTERVAL_SECONDS", interval},
                              {"INNOSCOPE_DRAIN_SECONDS", "0.2"}},
                             {"weighting", "network", "scoring"});
    ASSERT_TRUE(set.ok()) << set.status();
    services_ = std::move(*set);
  }

  std::vector<ServiceProcess*> All() const {
    return {services_.ingest.get(), services_.weighting.get(), services_.network.get(),
            services_.scoring.get()};
  }

  // "ingest=SERVING weighting=..." for failure messages.
  std::string Readiness() const {
    std::string out;
    const char* names[] = {"ingest", "weighting", "network", "scoring"};
    std::vector<ServiceProcess*> all = All();
    for (size_t i = 0; i < all.size(); ++i) {
      absl::StrAppend(&out, names[i], "=", HealthOf(all[i]->Channel(), "readiness"), " ");
    }
    return out;
  }

  bool AllReadiness(const std::string& want) const {
    for (ServiceProcess* s : All()) {
      if (HealthOf(s->Channel(), "readiness") != want) return false;
    }
    return true;
  }

  // One database-bound read per service, with a generous deadline.
  std::vector<std::pair<std::string, CallResult>> CallEach() const {
    auto ingest = ingest::v1::IngestService::NewStub(services_.ingest->Channel());
    auto weighting = weighting::v1::WeightingService::NewStub(services_.weighting->Channel());
    auto network = network::v1::NetworkService::NewStub(services_.network->Channel());
    auto scoring = scoring::v1::ScoringService::NewStub(services_.scoring->Channel());
    return {
        {"ingest ListRegions", Timed(*ingest, &ingest::v1::IngestService::Stub::ListRegions)},
        {"weighting ListWeightSets",
         Timed(*weighting, &weighting::v1::WeightingService::Stub::ListWeightSets)},
        {"network ListRuns", Timed(*network, &network::v1::NetworkService::Stub::ListRuns)},
        {"scoring ListRuns", Timed(*scoring, &scoring::v1::ScoringService::Stub::ListRuns)},
    };
  }

  std::string Cli(const std::string& args, int* exit_code) {
    absl::StatusOr<std::string> out =
        RunCommand(absl::StrCat("'", BuildDir(), "/services/cli/innoscope' ", args,
                                " --ingest_address=", services_.ingest->grpc_address(), " 2>&1"),
                   exit_code);
    return out.ok() ? *out : std::string(out.status().message());
  }

  std::string Psql(const std::string& sql) {
    int code = 0;
    auto out = RunCommand(absl::StrCat("psql '", url_, "' -qtAc \"", sql, "\""), &code);
    return out.ok() && code == 0 ? std::string(absl::StripAsciiWhitespace(*out)) : "error";
  }

  // Writes the regions, indicators and observation files of a
  // regions x indicators x periods table; returns the expected value sum.
  double WriteFiles(int regions, int indicators, int periods) {
    std::string r = "code,name,kind\n", i = "code,name\n", o = "region,indicator,period,value\n";
    double sum = 0;
    for (int a = 0; a < regions; ++a) absl::StrAppend(&r, "R", a, ",Region ", a, ",city\n");
    for (int b = 0; b < indicators; ++b) absl::StrAppend(&i, "ind_", b, ",Indicator ", b, "\n");
    for (int a = 0; a < regions; ++a) {
      for (int b = 0; b < indicators; ++b) {
        for (int p = 0; p < periods; ++p) {
          const int value = 1000 * a + 10 * b + p;
          sum += value;
          absl::StrAppend(&o, "R", a, ",ind_", b, ",", 2000 + p, ",", value, "\n");
        }
      }
    }
    std::ofstream(stack_dir_ + "/regions.csv") << r;
    std::ofstream(stack_dir_ + "/indicators.csv") << i;
    std::ofstream(stack_dir_ + "/observations.csv") << o;
    return sum;
  }

  void ImportCodes() {
    int code = -1;
    std::string out = Cli("import regions '" + stack_dir_ + "/regions.csv'", &code);
    ASSERT_EQ(code, 0) << out;
    out = Cli("import indicators '" + stack_dir_ + "/indicators.csv'", &code);
    ASSERT_EQ(code, 0) << out;
  }

  // Nothing lost or duplicated, every service alive and ready.
  void ExpectIntactAndServing(int64_t rows, double sum) {
    EXPECT_EQ(Psql("SELECT count(*) FROM ingest.observations"), absl::StrCat(rows));
    EXPECT_EQ(Psql("SELECT count(*) FROM ingest.observations WHERE revision > 1"), "0");
    EXPECT_EQ(Psql("SELECT sum(value)::bigint FROM ingest.observations WHERE valid_to IS NULL"),
              absl::StrCat(static_cast<int64_t>(sum)));
    EXPECT_TRUE(WaitFor([&] { return AllReadiness("SERVING"); }, absl::Seconds(10)).ok());
    for (ServiceProcess* s : All()) {
      EXPECT_EQ(s->WaitExit(absl::ZeroDuration()).status().code(),
                absl::StatusCode::kDeadlineExceeded)
          << "a service exited";
      EXPECT_EQ(HealthOf(s->Channel(), ""), "SERVING");
    }
  }

  std::string stack_dir_;
  std::unique_ptr<PostgresServer> pg_;  // destroyed last: stops PostgreSQL
  std::string url_;
  ServiceSet services_;
};

TEST_F(DbFaultTest, FrozenDatabaseFlipsReadinessFailsFastAndRecoversWithoutRestart) {
  ASSERT_NO_FATAL_FAILURE(StartPostgres());
  ASSERT_NO_FATAL_FAILURE(StartAllServices());
  const double sum = WriteFiles(12, 5, 4);  // 240 rows
  ASSERT_NO_FATAL_FAILURE(ImportCodes());
  int code = -1;
  std::string out = Cli("import observations '" + stack_dir_ + "/observations.csv'", &code);
  ASSERT_EQ(code, 0) << out;
  ASSERT_TRUE(WaitFor([&] { return AllReadiness("SERVING"); }, absl::Seconds(10)).ok());
  for (const auto& [name, result] : CallEach())
    EXPECT_EQ(result.code, grpc::StatusCode::OK) << name;
  std::vector<pid_t> pids_before;
  for (ServiceProcess* s : All()) pids_before.push_back(s->pid());

  const std::vector<pid_t> postgres = PostgresPids(stack_dir_);
  ASSERT_GE(postgres.size(), 2u) << "postmaster and its children";
  const absl::Time frozen_at = absl::Now();
  SignalAll(postgres, SIGSTOP);
  // A call that starts now, before the probe notices, waits on the frozen
  // server; when readiness flips its connection is cut and it fails.
  CallResult in_flight;
  std::thread caller([&] {
    auto stub = ingest::v1::IngestService::NewStub(services_.ingest->Channel());
    in_flight = Timed(*stub, &ingest::v1::IngestService::Stub::ListRegions);
  });

  // Two probe intervals: the next probe starts within one and gives up
  // after its own deadline (one more). Polling adds at most 0.1 s; the
  // remaining slack is for a machine under load.
  const absl::Duration two_intervals = absl::Seconds(2 * kProbeSeconds);
  EXPECT_TRUE(WaitFor([&] { return AllReadiness("NOT_SERVING"); }, absl::Seconds(10),
                      absl::Milliseconds(50))
                  .ok());
  const absl::Duration flipped_after = absl::Now() - frozen_at;
  EXPECT_LE(flipped_after, two_intervals + absl::Milliseconds(700))
      << "readiness flipped after " << flipped_after;

  for (const auto& [name, result] : CallEach()) {
    EXPECT_EQ(result.code, grpc::StatusCode::UNAVAILABLE) << name << ": " << result.message;
    EXPECT_THAT(result.message, HasSubstr("PostgreSQL at 127.0.0.1:")) << name;
    EXPECT_LT(result.took, absl::Seconds(3)) << name << " took " << result.took;
  }
  caller.join();
  EXPECT_EQ(in_flight.code, grpc::StatusCode::UNAVAILABLE) << in_flight.message;
  EXPECT_LT(in_flight.took, absl::Seconds(6)) << "the call in flight hung for " << in_flight.took;

  absl::SleepFor(absl::Seconds(12) - (absl::Now() - frozen_at));
  SignalAll(postgres, SIGCONT);
  EXPECT_TRUE(WaitFor([&] { return AllReadiness("SERVING"); }, absl::Seconds(10)).ok());
  for (const auto& [name, result] : CallEach()) {
    EXPECT_EQ(result.code, grpc::StatusCode::OK) << name << ": " << result.message;
  }
  std::vector<pid_t> pids_after;
  for (ServiceProcess* s : All()) pids_after.push_back(s->pid());
  EXPECT_EQ(pids_after, pids_before) << "no service was restarted";
  ExpectIntactAndServing(240, sum);
}

TEST_F(DbFaultTest, DatabaseKilledMidImportThenRestartedAndRerunGivesExactlyTheFile) {
  ASSERT_NO_FATAL_FAILURE(StartPostgres());
  ASSERT_NO_FATAL_FAILURE(StartAllServices());
  const int64_t rows = 40 * 25 * 40;  // 40,000 rows in 80 batches
  const double sum = WriteFiles(40, 25, 40);
  ASSERT_NO_FATAL_FAILURE(ImportCodes());

  const std::string log = stack_dir_ + "/killed.log";
  const pid_t cli = ::fork();
  if (cli == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    const std::string bin = BuildDir() + "/services/cli/innoscope";
    const std::string file = stack_dir_ + "/observations.csv";
    const std::string address = "--ingest_address=" + services_.ingest->grpc_address();
    ::execl(bin.c_str(), bin.c_str(), "import", "observations", file.c_str(), "--batch_size=500",
            "--retries=0", address.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int64_t stored = 0;
  ASSERT_TRUE(WaitFor(
                  [&] {
                    const std::string n = Psql("SELECT count(*) FROM ingest.observations");
                    return absl::SimpleAtoi(n, &stored) && stored > 0;
                  },
                  absl::Seconds(60), absl::Milliseconds(20))
                  .ok())
      << ReadText(log);
  SignalAll(PostgresPids(stack_dir_), SIGKILL);
  int status = 0;
  ::waitpid(cli, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0)
      << "the import must fail when the database dies:\n"
      << ReadText(log);
  EXPECT_TRUE(WaitFor([&] { return AllReadiness("NOT_SERVING"); }, absl::Seconds(10)).ok())
      << Readiness();

  ASSERT_TRUE(pg_->Start().ok());  // same port: the services find it again
  ASSERT_TRUE(WaitFor([&] { return AllReadiness("SERVING"); }, absl::Seconds(15)).ok())
      << Readiness() << "\n"
      << services_.ingest->Log() << ReadText(stack_dir_ + "/pg.env");
  const std::string at_kill = Psql("SELECT count(*) FROM ingest.observations");
  EXPECT_NE(at_kill, absl::StrCat(rows)) << "the import finished before it could be interrupted";
  int code = -1;
  std::string out =
      Cli("import observations '" + stack_dir_ + "/observations.csv' " + "--batch_size=500", &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_THAT(out, HasSubstr("revised=0"));
  ExpectIntactAndServing(rows, sum);
}

TEST_F(DbFaultTest, RecomputeLockExcludesASecondRunThroughPgBouncerTransactionPooling) {
  // PgBouncer 1.18 in transaction pooling in front of the private server
  // (deploy/local/stack.sh). A session-level lock taken through it stays on
  // whichever server connection ran the statement, and another client's
  // statement may run there next and take it again: the job's lock must be
  // held by an open transaction, which pins one server connection.
  ::setenv("INNOSCOPE_PGBOUNCER", "1", 1);
  ASSERT_NO_FATAL_FAILURE(StartPostgres());
  ::unsetenv("INNOSCOPE_PGBOUNCER");
  ASSERT_THAT(ReadText(stack_dir_ + "/pg.env"), HasSubstr("INNOSCOPE_PG_SERVER_PORT="));
  storage::PoolOptions options;
  options.url = RoleUrl(url_, "recompute");
  options.max_size = 2;
  options.search_path = "recompute, public";
  storage::ConnectionPool first_pool(options), second_pool(options);
  ASSERT_TRUE(storage::ApplyMigrations(first_pool, "recompute", RecomputeMigrations()).ok());
  recompute::RecomputeStore first(first_pool), second(second_pool);
  std::vector<bool> second_acquired;
  absl::Status status = first.WithJobLock(false, [&](bool acquired) -> absl::Status {
    EXPECT_TRUE(acquired);
    // The second run, exclusive or as a shard, while the first holds it;
    // its pool's connections are idle between attempts, so PgBouncer is
    // free to hand it the server connection the first run's lock
    // statement ran on.
    for (int attempt = 0; attempt < 4; ++attempt) {
      EXPECT_TRUE(second
                      .WithJobLock(attempt % 2 == 1,
                                   [&](bool got) {
                                     second_acquired.push_back(got);
                                     return absl::OkStatus();
                                   })
                      .ok());
    }
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(second_acquired, std::vector<bool>(4, false));
  bool after = false;
  ASSERT_TRUE(second
                  .WithJobLock(false,
                               [&](bool got) {
                                 after = got;
                                 return absl::OkStatus();
                               })
                  .ok());
  EXPECT_TRUE(after) << "released when the first run's transaction ended";
}

}  // namespace
}  // namespace innoscope::testing

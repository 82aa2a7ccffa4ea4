#pragma once

// What the recompute job's integration tests share (recompute_pgtest.cc,
// recompute_shard_pgtest.cc): a fresh database with the four real services,
// the data of tests/data/recompute imported with the real CLI, the built
// job binary `innoscope-recompute` run as a subprocess, and SQL on schema
// recompute.
//
// The data (hand-made; scores derived by hand in recompute_pgtest.cc):
//   framework recompute_test: index <- enterprise (weight 3) <- firms,
//     empowerment; index <- academic (weight 1) <- patents
//   provinces CN-BJ, CN-SH, CN-GD, CN-ZJ; cluster CN-YRD = {CN-SH, CN-ZJ}
//   relation set test_network: one sample enterprise per province and
//     technology-empowerment relations (empowerment is derived from them)
//   observations of firms and patents for 2021 and 2022

#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {

struct CliResult {
  int code = -1;
  std::string out;  // stdout: the summary line
  std::string err;  // stderr: JSON log lines and messages
};

inline std::string ShellQuote(const std::string& s) {
  return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "'\\''"}}), "'");
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class RecomputeStack : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    auto url = (*pg)->CreateDatabase("recompute");
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    env_ = {{"DATABASE_URL", url_}};
    auto services = StartServices(env_, {"weighting", "network"});
    ASSERT_TRUE(services.ok()) << services.status();
    ingest_ = std::move(services->ingest);
    weighting_ = std::move(services->weighting);
    network_ = std::move(services->network);
    ASSERT_NO_FATAL_FAILURE(StartScoring());  // apart: recompute_pgtest restarts it
    ingest_stub_ = ingest::v1::IngestService::NewStub(ingest_->Channel());
    dir_ = absl::StrCat(BuildDir(), "/test-logs/recompute-", ::getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    int code = 0;
    ASSERT_TRUE(
        RunCommand(absl::StrCat("rm -rf ", ShellQuote(dir_), " && mkdir -p ", ShellQuote(dir_)),
                   &code)
            .ok());
    ASSERT_NO_FATAL_FAILURE(Seed());
  }

  void StartScoring() {
    auto scoring =
        ServiceProcess::Start("scoring",
                              {absl::StrCat("--ingest_address=", ingest_->grpc_address()),
                               absl::StrCat("--weighting_address=", weighting_->grpc_address())},
                              env_);
    ASSERT_TRUE(scoring.ok()) << scoring.status();
    scoring_ = *std::move(scoring);
    scoring_stub_ = scoring::v1::ScoringService::NewStub(scoring_->Channel());
  }

  static std::string Data(const std::string& file) {
    return absl::StrCat(SourceDir(), "/tests/data/recompute/", file);
  }

  std::string Cli() const { return absl::StrCat(BuildDir(), "/services/cli/innoscope"); }
  // The recompute job (services/recompute).
  std::string Job() const {
    return absl::StrCat(BuildDir(), "/services/recompute/innoscope-recompute");
  }

  // `innoscope import ...` against the test's ingest; must succeed.
  void Import(const std::string& args) {
    int code = 0;
    auto out = RunCommand(absl::StrCat(Cli(), " import ", args, " --ingest_address=",
                                       ingest_->grpc_address(), " --stack_file=/nonexistent"),
                          &code);
    ASSERT_TRUE(out.ok());
    ASSERT_EQ(code, 0) << "import " << args << ":\n" << *out;
  }

  void Seed() {
    ASSERT_NO_FATAL_FAILURE(Import(absl::StrCat("regions ", ShellQuote(Data("regions.csv")))));
    ingest::v1::SetClusterMembersRequest members;
    members.set_cluster_code("CN-YRD");
    members.add_members()->set_member_code("CN-SH");
    members.add_members()->set_member_code("CN-ZJ");
    grpc::ClientContext context;
    ingest::v1::SetClusterMembersResponse response;
    grpc::Status s = ingest_stub_->SetClusterMembers(&context, members, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_NO_FATAL_FAILURE(Import(absl::StrCat("framework ", ShellQuote(Data("framework.csv")),
                                                " --framework recompute_test")));
    ASSERT_NO_FATAL_FAILURE(Import(
        absl::StrCat("actors ", ShellQuote(Data("actors.csv")), " --relation_set test_network")));
    ASSERT_NO_FATAL_FAILURE(Import(absl::StrCat("relations ", ShellQuote(Data("relations.csv")),
                                                " --relation_set test_network")));
    ASSERT_NO_FATAL_FAILURE(Import(absl::StrCat(
        "observations ", ShellQuote(Data("observations.csv")), " --framework recompute_test")));
  }

  // Runs `innoscope-recompute --config tests/data/recompute/recompute.yaml`
  // with explicit addresses and database (no stack file) plus `extra`.
  CliResult Recompute(const std::string& extra = "") {
    return RecomputeWith(Data("recompute.yaml"), extra);
  }

  // The same with another config file; `program` is the job binary, or
  // "<cli> recompute" for the CLI's front.
  CliResult RecomputeWith(const std::string& config, const std::string& extra = "",
                          const std::string& program = "") {
    const std::string err = absl::StrCat(dir_, "/stderr-", ++runs_, ".log");
    const std::string command =
        absl::StrCat("( ", program.empty() ? Job() : program, " --config ", ShellQuote(config),
                     " --database_url=", ShellQuote(RoleUrl(url_, "recompute")),
                     " --ingest_address=", ingest_->grpc_address(),
                     " --weighting_address=", weighting_->grpc_address(),
                     " --scoring_address=", scoring_->grpc_address(),
                     " --network_address=", network_->grpc_address(), " --stack_file=/nonexistent ",
                     extra, " 2>", ShellQuote(err), " )");
    CliResult result;
    auto out = RunCommand(command, &result.code);
    EXPECT_TRUE(out.ok());
    result.out = out.ok() ? *out : "";
    result.err = ReadFile(err);
    return result;
  }

  // The first column of the first row of `sql` on the test database, as
  // text; "NULL" for NULL, "" for no row.
  std::string Sql(const std::string& sql) {
    try {
      if (!db_) db_ = std::make_unique<pqxx::connection>(url_);
      pqxx::nontransaction tx(*db_);
      pqxx::result r = tx.exec(sql);
      if (r.empty()) return "";
      return r[0][0].is_null() ? "NULL" : r[0][0].c_str();
    } catch (const std::exception& e) {
      ADD_FAILURE() << sql << ": " << e.what();
      return "";
    }
  }

  // The newest job run's column (or expression over job_runs).
  std::string LastRun(const std::string& expression) {
    return Sql(
        absl::StrCat("SELECT ", expression, " FROM recompute.job_runs ORDER BY id DESC LIMIT 1"));
  }

  // Ingest's current data versions of the test's scopes.
  std::map<std::string, int64_t> IngestVersions() {
    ingest::v1::GetDataVersionsRequest request;
    for (const char* s :
         {"framework:recompute_test", "observations", "regions", "relations:test_network"}) {
      request.add_scopes(s);
    }
    grpc::ClientContext context;
    ingest::v1::GetDataVersionsResponse response;
    grpc::Status s = ingest_stub_->GetDataVersions(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::map<std::string, int64_t> out;
    for (const auto& v : response.versions()) out[v.scope()] = v.version();
    return out;
  }

  int64_t ScoreRunCount() {
    scoring::v1::ListRunsRequest request;
    request.set_framework_code("recompute_test");
    grpc::ClientContext context;
    scoring::v1::ListRunsResponse response;
    grpc::Status s = scoring_stub_->ListRuns(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.page().total_size();
  }

  // Every stored score run, drafts included (what readers must not see is
  // the difference to ScoreRunCount()).
  int64_t StoredRuns() { return std::stoll(Sql("SELECT count(*) FROM scoring.runs")); }
  int64_t DraftRuns() {
    return std::stoll(Sql("SELECT count(*) FROM scoring.runs WHERE NOT published"));
  }

  // "CN-GD 59.38 1, CN-BJ ..." : region, score (2 decimals) and tier of a
  // run's composite ranking (regions, or its clusters).
  std::string Ranking(const std::string& run_id, bool clusters = false) {
    scoring::v1::GetRankingRequest request;
    request.set_run_id(run_id);
    request.set_clusters(clusters);
    grpc::ClientContext context;
    scoring::v1::GetRankingResponse response;
    grpc::Status s = scoring_stub_->GetRanking(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> parts;
    for (const auto& e : response.entries()) {
      char score[32];
      std::snprintf(score, sizeof(score), "%.3f", e.score());
      parts.push_back(absl::StrCat(e.rank(), ". ", e.region_code(), " ", score,
                                   e.has_tier() ? absl::StrCat(" tier ", e.tier()) : ""));
    }
    return absl::StrJoin(parts, ", ");
  }

  std::string url_;
  std::map<std::string, std::string> env_;
  std::string dir_;
  int runs_ = 0;
  std::unique_ptr<ServiceProcess> ingest_, weighting_, network_, scoring_;
  std::unique_ptr<ingest::v1::IngestService::Stub> ingest_stub_;
  std::unique_ptr<scoring::v1::ScoringService::Stub> scoring_stub_;
  std::unique_ptr<pqxx::connection> db_;
};

}  // namespace innoscope::testing

// Sharded recompute runs (innoscope-recompute --shard_index I --shard_count
// N, docs/operations.md "Sharding") against a real PostgreSQL and the four
// real services, every shard a real process of the built binary
// (tests/integration/recompute_stack.h; the data and its hand-computed
// scores: recompute_pgtest.cc).
//
// Work items of tests/data/recompute/recompute.yaml with 3 shards
// (libs/recompute/shards.h):
//   network      published 2021 -> shard 0, published 2022 -> shard 1
//   scores       published 2021 -> 0, published 2022 -> 1, equal 2022 -> 2
//   uncertainty  published (last period 2022), 50 Monte Carlo replicates in
//                min(3, 50) = 3 blocks [0, 16) -> 0, [16, 33) -> 1,
//                [33, 50) -> 2, assembled by the publishing shard
// so shard 0, started alone, records its network item and then waits for
// shard 1's: a deterministic moment to kill it mid-run.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/recompute_stack.h"

extern char** environ;

namespace innoscope::testing {
namespace {

using ::testing::HasSubstr;

// One innoscope-recompute process, started with fork/exec so the test can
// signal and reap it by its own pid.
struct JobProcess {
  pid_t pid = -1;
  std::string out_path, err_path;
  int code = -1;
};

class RecomputeShardTest : public RecomputeStack {
 protected:
  ~RecomputeShardTest() override {
    for (JobProcess* p : running_) {
      if (p->pid > 0) {
        ::kill(p->pid, SIGKILL);
        ::waitpid(p->pid, nullptr, 0);
      }
    }
  }

  // Starts the job with the test's addresses and database plus `args`;
  // `env` adds variables (JOB_COMPLETION_INDEX, INNOSCOPE_SHARD_COUNT).
  JobProcess Start(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env = {}) {
    JobProcess p;
    const int n = ++starts_;
    p.out_path = absl::StrCat(dir_, "/job-", n, ".out");
    p.err_path = absl::StrCat(dir_, "/job-", n, ".err");
    std::vector<std::string> argv = {
        Job(),
        "--config",
        Data("recompute.yaml"),
        absl::StrCat("--database_url=", RoleUrl(url_, "recompute")),
        absl::StrCat("--ingest_address=", ingest_->grpc_address()),
        absl::StrCat("--weighting_address=", weighting_->grpc_address()),
        absl::StrCat("--scoring_address=", scoring_->grpc_address()),
        absl::StrCat("--network_address=", network_->grpc_address()),
        "--stack_file=/nonexistent",
        "--wait_seconds=120"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> envs;
    for (char** e = environ; *e != nullptr; ++e) {
      if (!absl::StartsWith(*e, "INNOSCOPE_") && !absl::StartsWith(*e, "JOB_COMPLETION_INDEX=")) {
        envs.push_back(*e);
      }
    }
    for (const auto& [k, v] : env) envs.push_back(absl::StrCat(k, "=", v));
    std::vector<char*> cargv, cenv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    for (std::string& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    p.pid = ::fork();
    if (p.pid == 0) {
      const int out = ::open(p.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(p.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::execve(cargv[0], cargv.data(), cenv.data());
      ::_exit(127);
    }
    return p;
  }

  // Waits for the process; its exit code (-signal when killed).
  int Wait(JobProcess& p) {
    int status = 0;
    if (::waitpid(p.pid, &status, 0) == p.pid) {
      p.code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    p.pid = -1;
    return p.code;
  }

  std::string Out(const JobProcess& p) { return ReadFile(p.out_path); }
  std::string Err(const JobProcess& p) { return ReadFile(p.err_path); }

  // Starts a whole shard set and waits for every shard; the shards' outputs.
  std::vector<JobProcess> RunShards(int count, const std::vector<std::string>& extra = {}) {
    std::vector<JobProcess> shards;
    for (int i = 0; i < count; ++i) {
      std::vector<std::string> args = extra;
      args.push_back(absl::StrCat("--shard_index=", i));
      args.push_back(absl::StrCat("--shard_count=", count));
      shards.push_back(Start(args));
    }
    for (JobProcess& s : shards) Wait(s);
    return shards;
  }

  int64_t Count(const std::string& sql) { return std::stoll(Sql(sql)); }

  // What readers see: every listed (published) score run of the test's
  // framework with its ranking, by id.
  std::map<std::string, std::string> Published() {
    scoring::v1::ListRunsRequest request;
    request.set_framework_code("recompute_test");
    request.mutable_page()->set_page_size(100);
    grpc::ClientContext context;
    scoring::v1::ListRunsResponse response;
    grpc::Status s = scoring_stub_->ListRuns(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::map<std::string, std::string> out;
    for (const auto& run : response.runs()) {
      out[run.id()] = absl::StrCat(run.spec().period(), ": ", Ranking(run.id()), " | clusters ",
                                   Ranking(run.id(), /*clusters=*/true));
    }
    return out;
  }

  // Every stored uncertainty analysis: its id and each region's interval,
  // doubles as their shortest exact text (scoring_store.cc Exact).
  std::string UncertaintyRows() {
    return Sql(
        "SELECT string_agg(analysis_id || ' ' || region || ' ' || nominal_score || ' ' || "
        "nominal_rank || ' ' || mean_rank || ' ' || median_rank || ' ' || p05_rank || ' ' || "
        "p95_rank, '; ' ORDER BY analysis_id, region) FROM scoring.uncertainty_ranks");
  }

  // The hand-computed rankings (recompute_pgtest.cc) are what was published.
  void ExpectHandValues(const std::map<std::string, std::string>& published) {
    std::multiset<std::string> rankings;
    for (const auto& [id, text] : published) rankings.insert(text);
    EXPECT_EQ(rankings.count(
                  "2022: 1. CN-GD 59.375 tier 1, 2. CN-BJ 56.250 tier 1, 3. CN-SH 53.125 tier 2, "
                  "4. CN-ZJ 15.625 tier 2 | clusters 1. CN-YRD 68.750 tier 1"),
              1u)
        << ::testing::PrintToString(rankings);
    EXPECT_EQ(published.size(), 3u);
  }

  std::vector<JobProcess*> running_;
  int starts_ = 0;
};

std::string Outputs(const std::vector<JobProcess>& shards,
                    const std::function<std::string(const JobProcess&)>& read) {
  std::string all;
  for (const JobProcess& s : shards) absl::StrAppend(&all, read(s), "\n----\n");
  return all;
}

int CountLines(const std::vector<JobProcess>& shards, const std::string& text,
               const std::function<std::string(const JobProcess&)>& read) {
  int n = 0;
  for (const JobProcess& s : shards) {
    for (absl::string_view line : absl::StrSplit(read(s), '\n')) n += absl::StrContains(line, text);
  }
  return n;
}

TEST_F(RecomputeShardTest, ThreeShardsPublishWhatOneShardPublishes) {
  // (a) Three shards as three processes on fresh data: one of them
  // publishes, once; shard 2 finds its index in JOB_COMPLETION_INDEX and
  // the count in INNOSCOPE_SHARD_COUNT, as in the Indexed Job.
  std::vector<JobProcess> shards;
  shards.push_back(Start({"--shard_index=0", "--shard_count=3"}));
  shards.push_back(Start({"--shard_index=1", "--shard_count=3"}));
  shards.push_back(Start({}, {{"JOB_COMPLETION_INDEX", "2"}, {"INNOSCOPE_SHARD_COUNT", "3"}}));
  auto all = [&](const JobProcess& p) { return Out(p) + Err(p); };
  for (JobProcess& s : shards) ASSERT_EQ(Wait(s), 0) << Outputs(shards, all);
  auto out = [&](const JobProcess& p) { return Out(p); };
  EXPECT_EQ(CountLines(shards, "innoscope-recompute: success: recomputed 2 of 2 indices", out), 1)
      << Outputs(shards, out);
  EXPECT_EQ(CountLines(shards, ": done: ", out), 2) << Outputs(shards, out);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.job_runs"), 1);
  EXPECT_EQ(LastRun("outcome"), "success");
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.sharded_runs WHERE state = 'published'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.work_items"), 8);
  EXPECT_EQ(Sql("SELECT string_agg(DISTINCT shard::text, ',' ORDER BY shard::text) "
                "FROM recompute.work_items"),
            "0,1,2");
  // The Monte Carlo blocks: one per shard, stored by scoring under the one
  // analysis id, which the publisher assembled.
  EXPECT_EQ(Sql("SELECT string_agg(shard || ':' || block_first, ',' ORDER BY block_first) "
                "FROM recompute.work_items WHERE step = 'uncertainty'"),
            "0:0,1:16,2:33");
  EXPECT_EQ(Sql("SELECT string_agg(first_replicate || '+' || replicate_count, ',' "
                "ORDER BY first_replicate) FROM scoring.uncertainty_blocks"),
            "0+16,16+17,33+17");
  EXPECT_EQ(Count("SELECT count(*) FROM scoring.uncertainty_analyses"), 1);
  EXPECT_EQ(Count("SELECT count(DISTINCT analysis_id) FROM scoring.uncertainty_blocks"), 1);
  EXPECT_EQ(Sql("SELECT analysis_id FROM scoring.uncertainty_blocks LIMIT 1"),
            Sql("SELECT id FROM scoring.uncertainty_analyses"));
  const std::string sharded_uncertainty = UncertaintyRows();
  // Every region's interval is there, and they vary (50 replicates of
  // +-20% weights move the close provinces), so equality below means
  // something.
  EXPECT_EQ(Count("SELECT count(*) FROM scoring.uncertainty_ranks"), 4);
  EXPECT_GT(Count("SELECT count(*) FROM scoring.uncertainty_ranks WHERE p05_rank <> p95_rank"), 0);
  const std::map<std::string, std::string> sharded = Published();
  ExpectHandValues(sharded);
  EXPECT_EQ(DraftRuns(), 0);
  const std::string sharded_ids = LastRun("run_ids::text");
  const int64_t stored = StoredRuns();

  // The same config unsharded, --force: every step again, from the same
  // data. Scoring's ids are content-addressed (spec, data versions, weight
  // set, universe), so equal ids mean the unsharded run computed exactly
  // the inputs the shards did, and it stores nothing new. The uncertainty
  // analysis and its blocks are removed first, so the unsharded run
  // computes its 50 replicates at once, and its intervals must equal the
  // ones assembled from the shards' blocks exactly.
  Sql("DELETE FROM scoring.uncertainty_ranks");
  Sql("DELETE FROM scoring.uncertainty_sensitivity");
  Sql("DELETE FROM scoring.uncertainty_analyses");
  Sql("DELETE FROM scoring.uncertainty_blocks");
  CliResult one = Recompute("--force");
  ASSERT_EQ(one.code, 0) << one.out << one.err;
  EXPECT_THAT(one.out, HasSubstr("innoscope-recompute: success: recomputed 2 of 2 indices"));
  EXPECT_EQ(LastRun("run_ids::text"), sharded_ids);
  EXPECT_EQ(StoredRuns(), stored);
  EXPECT_EQ(Published(), sharded);
  EXPECT_EQ(Count("SELECT count(*) FROM scoring.uncertainty_blocks"), 0);
  EXPECT_EQ(UncertaintyRows(), sharded_uncertainty);
  EXPECT_EQ(LastRun("data_versions::text"),
            Sql("SELECT data_versions::text FROM recompute.job_runs ORDER BY id LIMIT 1"));

  // And once more sharded, on unchanged data: nothing to do, said once.
  std::vector<JobProcess> again = RunShards(3);
  for (JobProcess& s : again) EXPECT_EQ(s.code, 0) << Out(s) << Err(s);
  EXPECT_EQ(CountLines(again, "innoscope-recompute: unchanged", out), 3) << Outputs(again, out);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.job_runs WHERE outcome = 'unchanged'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.sharded_runs"), 1);
}

TEST_F(RecomputeShardTest, KilledShardRerunEndsInTheSamePublishedResult) {
  // (b) Shard 0 alone: it records its network item, then waits for shard
  // 1's. Killed there (SIGKILL: no clean-up of any kind).
  JobProcess zero = Start({"--shard_index=0", "--shard_count=3"});
  running_.push_back(&zero);
  ASSERT_TRUE(WaitFor([&] { return Sql("SELECT to_regclass('recompute.work_items')") != "NULL"; },
                      absl::Seconds(60))
                  .ok())
      << Err(zero);
  ASSERT_TRUE(
      WaitFor(
          [&] { return Sql("SELECT count(*) FROM recompute.work_items WHERE shard = 0") == "1"; },
          absl::Seconds(60))
          .ok())
      << Err(zero);
  ASSERT_TRUE(WaitFor([&] { return absl::StrContains(Err(zero), "waiting for other shards"); },
                      absl::Seconds(30))
                  .ok())
      << Err(zero);
  ::kill(zero.pid, SIGKILL);
  EXPECT_EQ(Wait(zero), -SIGKILL);
  running_.clear();
  const std::string recorded =
      Sql("SELECT step || ' ' || entry_key || ' ' || period || ' ' || done_at "
          "FROM recompute.work_items");
  EXPECT_THAT(recorded, HasSubstr("network recompute_test/province/published 2021"));
  EXPECT_EQ(Sql("SELECT state FROM recompute.sharded_runs"), "open");
  EXPECT_EQ(ScoreRunCount(), 0);  // nothing published
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.job_runs"), 0);

  // The other shards and the rerun of shard 0 (as the Job retries it).
  std::vector<JobProcess> rest;
  rest.push_back(Start({"--shard_index=1", "--shard_count=3"}));
  rest.push_back(Start({"--shard_index=2", "--shard_count=3"}));
  rest.push_back(Start({"--shard_index=0", "--shard_count=3"}));
  auto all = [&](const JobProcess& p) { return Out(p) + Err(p); };
  for (JobProcess& s : rest) ASSERT_EQ(Wait(s), 0) << Outputs(rest, all);
  auto out = [&](const JobProcess& p) { return Out(p); };
  EXPECT_EQ(CountLines(rest, "innoscope-recompute: success", out), 1) << Outputs(rest, out);
  // The item recorded before the kill is the one recorded (not redone), and
  // each item is recorded once.
  EXPECT_EQ(Sql("SELECT step || ' ' || entry_key || ' ' || period || ' ' || done_at "
                "FROM recompute.work_items WHERE step = 'network' AND period = 2021"),
            recorded);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.work_items"), 8);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.sharded_runs"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.job_runs WHERE outcome = 'success'"), 1);
  // The published result: the hand values, no duplicate and no draft left.
  ExpectHandValues(Published());
  EXPECT_EQ(StoredRuns(), 3);
  EXPECT_EQ(DraftRuns(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM scoring.uncertainty_analyses"), 1);

  // The same result an unsharded run publishes: equal ids, nothing new.
  const std::string ids = LastRun("run_ids::text");
  CliResult one = Recompute("--force");
  ASSERT_EQ(one.code, 0) << one.out << one.err;
  EXPECT_EQ(LastRun("run_ids::text"), ids);
  EXPECT_EQ(StoredRuns(), 3);
}

TEST_F(RecomputeShardTest, TwoOverlappingShardSetsPublishOnce) {
  // (c) The 3-shard set twice at once (a CronJob schedule overlapping a
  // manual run): six processes, one run, one publication.
  std::vector<JobProcess> shards;
  for (int set = 0; set < 2; ++set) {
    for (int i = 0; i < 3; ++i) {
      shards.push_back(Start({absl::StrCat("--shard_index=", i), "--shard_count=3"}));
    }
  }
  for (JobProcess& s : shards) Wait(s);
  auto all = [&](const JobProcess& p) { return Out(p) + Err(p); };
  auto out = [&](const JobProcess& p) { return Out(p); };
  for (const JobProcess& s : shards) EXPECT_EQ(s.code, 0) << Outputs(shards, all);
  EXPECT_EQ(CountLines(shards, "innoscope-recompute: success", out), 1) << Outputs(shards, out);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.job_runs WHERE outcome = 'success'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.sharded_runs"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.sharded_runs WHERE state = 'published'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.work_items"), 8);
  ExpectHandValues(Published());
  EXPECT_EQ(StoredRuns(), 3);
  EXPECT_EQ(DraftRuns(), 0);
}

TEST_F(RecomputeShardTest, ShardsAndAnUnshardedRunExcludeEachOther) {
  // An unsharded run holds the advisory lock exclusively; a shard takes it
  // shared: a shard finding it held records outcome locked and exits 0.
  pqxx::connection holder(url_);
  pqxx::work held(holder);  // held as a run holds it: in an open transaction
  held.exec("SELECT pg_advisory_xact_lock(hashtext('innoscope.recompute'))");
  JobProcess shard = Start({"--shard_index=1", "--shard_count=3"});
  ASSERT_EQ(Wait(shard), 0) << Out(shard) << Err(shard);
  EXPECT_THAT(Out(shard), HasSubstr("innoscope-recompute: locked"));
  EXPECT_EQ(LastRun("outcome || ' ' || shard"), "locked 1/3");
  EXPECT_EQ(Count("SELECT count(*) FROM recompute.sharded_runs"), 0);
}

TEST_F(RecomputeShardTest, InvalidShardFlagsExitTwo) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--shard_index=3", "--shard_count=3"},
        std::vector<std::string>{"--shard_index=-1", "--shard_count=3"},
        std::vector<std::string>{"--shard_count=0"}}) {
    JobProcess p = Start(args);
    EXPECT_EQ(Wait(p), 2) << Err(p);
    EXPECT_THAT(Err(p), HasSubstr("innoscope-recompute: invalid configuration: --shard_"));
  }
}

}  // namespace
}  // namespace innoscope::testing

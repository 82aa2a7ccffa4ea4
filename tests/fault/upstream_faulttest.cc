// Fault suite: the recompute job with scoring killed mid-run, on the stack
// of tests/integration/recompute_stack.h (four real services, the shared
// PostgreSQL fixture, the built `innoscope-recompute`).
//
// Scoring is frozen (SIGSTOP) before the job starts, so the job passes its
// first steps and then waits in a ComputeScores call; once its log says the
// scores step started, scoring is killed (SIGKILL) under that call. The job
// must fail at the scores step with UNAVAILABLE naming "scoring at
// HOST:PORT" and what to do, publish nothing, and a rerun against a
// restarted scoring must complete and publish every run exactly once.

#include <signal.h>

#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "tests/integration/recompute_stack.h"

namespace innoscope::testing {
namespace {

using ::testing::HasSubstr;

class UpstreamFaultTest : public RecomputeStack {};

TEST_F(UpstreamFaultTest, RecomputeWithScoringKilledMidRunPublishesNothingAndRerunCompletes) {
  const std::string scoring_address = scoring_->grpc_address();
  const std::string log = absl::StrCat(dir_, "/stderr-1.log");  // the first job's log
  scoring_->Signal(SIGSTOP);
  CliResult first;
  std::thread job([&] { first = Recompute("--timeout_seconds=60"); });
  const bool at_scores = WaitFor(
                             [&] {
                               const std::string text = ReadFile(log);
                               return absl::StrContains(text, "\"step started\"") &&
                                      absl::StrContains(text, "\"step\":\"scores\"");
                             },
                             absl::Seconds(60))
                             .ok();
  scoring_->Signal(SIGKILL);  // a stopped process dies too, closing its connections
  job.join();
  ASSERT_TRUE(at_scores) << ReadFile(log);
  ASSERT_TRUE(scoring_->WaitExit(absl::Seconds(10)).ok());

  EXPECT_EQ(first.code, 1) << first.out << first.err;
  EXPECT_THAT(first.err, HasSubstr("innoscope-recompute: step scores failed: "));
  EXPECT_THAT(first.err, HasSubstr("scoring at " + scoring_address + " ComputeScores"));
  EXPECT_THAT(first.err, HasSubstr("check that it runs"));
  EXPECT_EQ(LastRun("outcome"), "failed");
  EXPECT_EQ(LastRun("failed_step"), "scores");
  EXPECT_EQ(LastRun("run_ids"), "{}");

  // Nothing half-written: no score run stored, none published.
  ASSERT_NO_FATAL_FAILURE(StartScoring());
  EXPECT_EQ(StoredRuns(), 0);
  EXPECT_EQ(ScoreRunCount(), 0);

  // The rerun completes and publishes the configured runs, each once.
  CliResult second = Recompute();
  ASSERT_EQ(second.code, 0) << second.out << second.err;
  EXPECT_EQ(LastRun("outcome"), "success");
  EXPECT_EQ(StoredRuns(), 3);
  EXPECT_EQ(DraftRuns(), 0);
  EXPECT_EQ(ScoreRunCount(), 3);
  EXPECT_EQ(Sql("SELECT count(DISTINCT id) FROM scoring.runs"), "3");
  EXPECT_EQ(Sql("SELECT count(*) FROM recompute.job_runs WHERE outcome = 'success'"), "1");

  // The input is intact - tests/data/recompute/observations.csv: 16 rows of
  // firms and patents whose values sum to 436 (awk -F, 'NR>1{s+=$4}END{print
  // s}'), each written once - and every service is ready.
  EXPECT_EQ(Sql("SELECT count(*) || '|' || sum(value) FROM ingest.observations "
                "WHERE indicator_code IN ('firms', 'patents')"),
            "16|436");
  EXPECT_EQ(Sql("SELECT count(*) FROM ingest.observations WHERE revision > 1"), "0");
  for (ServiceProcess* p : {ingest_.get(), weighting_.get(), network_.get(), scoring_.get()}) {
    EXPECT_EQ(HealthOf(p->Channel(), ""), "SERVING") << p->grpc_address();
    EXPECT_EQ(HealthOf(p->Channel(), "readiness"), "SERVING") << p->grpc_address();
  }
}

}  // namespace
}  // namespace innoscope::testing

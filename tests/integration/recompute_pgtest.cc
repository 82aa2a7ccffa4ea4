// The recompute job (`innoscope-recompute`, the Kubernetes CronJob's
// command) against a real PostgreSQL and the four real services, run as the
// built binary (tests/integration/recompute_stack.h); also through the
// CLI's front `innoscope recompute`. Contract: docs/operations.md,
// "Recompute job".
//
// Expected scores, by hand from tests/data/recompute (not from the code
// under test). Framework recompute_test, local weights:
//   index = 3/4 enterprise + 1/4 academic; enterprise = 1/2 firms +
//   1/2 empowerment; academic = patents.
// Leaves are min-max normalised to 0-100 over the four provinces
// (x - min) / (max - min) x 100, nodes are weighted arithmetic means.
//
// empowerment is derived by the network service from relations.csv:
// technology_empowerment relations, outgoing from a sample enterprise,
// counted up to the period (relation_years cumulative). Sample enterprises
// E-BJ, E-SH, E-GD, E-ZJ (one per province, so every province gets a value,
// 0 when nothing matches):
//   E-BJ -> P1 2021, -> P2 2022             BJ: 2021 1, 2022 2
//   E-GD -> P1 2020, -> P2 2021, -> P3, P4 2022   GD: 2021 2, 2022 4
//   E-ZJ -> P1 2022                         ZJ: 2021 0, 2022 1
//   P1 -> E-SH 2022 is incoming for E-SH    SH: 0, 0
//   (V1 -> E-SH is financing, another type)
//
// 2022 (BJ, SH, GD, ZJ):
//   firms 50, 40, 20, 10 -> min 10, range 40 -> 100, 75, 25, 0
//   empowerment 2, 0, 4, 1 -> range 4 -> 50, 0, 100, 25
//   patents 10, 50, 30, 20 -> min 10, range 40 -> 0, 100, 50, 25
//   enterprise 75, 37.5, 62.5, 12.5
//   index 0.75 e + 0.25 a: BJ 56.25, SH 28.125 + 25 = 53.125,
//     GD 46.875 + 12.5 = 59.375, ZJ 9.375 + 6.25 = 15.625
//   ranks GD, BJ, SH, ZJ; rank bands [2]: GD, BJ tier 1, SH, ZJ tier 2
//   CN-YRD = SH + ZJ (cluster_aggregate sum) = 68.75
// 2021:
//   firms 45, 35, 15, 5 -> min 5, range 40 -> 100, 75, 25, 0
//   empowerment 1, 0, 2, 0 -> 50, 0, 100, 0
//   patents 12, 48, 28, 18 -> min 12, range 36 -> 0, 100, 44.444.., 16.666..
//   enterprise 75, 37.5, 62.5, 0
//   index BJ 56.25, SH 53.125, GD 46.875 + 11.111.. = 57.986111..,
//     ZJ 4.1666..; CN-YRD = 57.291666..
// Second index, weighting equal (1/k among k siblings: enterprise and
// academic 1/2, firms and empowerment 1/2), 2022:
//   index 0.5 e + 0.5 a: BJ 37.5, SH 18.75 + 50 = 68.75, GD 31.25 + 25 =
//   56.25, ZJ 6.25 + 12.5 = 18.75
// After observation_change.csv (CN-ZJ firms 2022 10 -> 60):
//   firms 50, 40, 20, 60 -> min 20, range 40 -> 75, 50, 0, 100
//   enterprise 62.5, 25, 50, 62.5
//   index (published weights): BJ 46.875, SH 18.75 + 25 = 43.75,
//     GD 37.5 + 12.5 = 50, ZJ 46.875 + 6.25 = 53.125; CN-YRD 96.875
//   index (equal): BJ 31.25, SH 62.5, GD 50, ZJ 43.75

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/recompute_stack.h"

namespace innoscope::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPublished[] = "recompute_test/province/published";
constexpr char kEqual[] = "recompute_test/province/equal";

class RecomputeTest : public RecomputeStack {
 protected:
  // The newest job run's id of a JSON path, e.g. RunId(kPublished,
  // "score_runs", 1): the 2022 score run of the first index.
  std::string RunId(const std::string& entry, const std::string& kind, int i) {
    return LastRun(absl::StrCat("run_ids->'", entry, "'->'", kind, "'->>", i));
  }

  int64_t RunIdCount(const std::string& entry, const std::string& kind) {
    return std::stoll(LastRun(
        absl::StrCat("coalesce(jsonb_array_length(run_ids->'", entry, "'->'", kind, "'), -1)")));
  }

  // region -> composite score of a run (regions, or its clusters).
  std::map<std::string, double> Scores(const std::string& run_id, bool clusters = false) {
    scoring::v1::GetRankingRequest request;
    request.set_run_id(run_id);
    request.set_clusters(clusters);
    grpc::ClientContext context;
    scoring::v1::GetRankingResponse response;
    grpc::Status s = scoring_stub_->GetRanking(&context, request, &response);
    EXPECT_TRUE(s.ok()) << run_id << ": " << s.error_message();
    std::map<std::string, double> out;
    for (const auto& e : response.entries()) out[e.region_code()] = e.score();
    return out;
  }

  static void ExpectScores(const std::map<std::string, double>& actual,
                           const std::map<std::string, double>& expected) {
    ASSERT_EQ(actual.size(), expected.size());
    for (const auto& [region, score] : expected) {
      ASSERT_TRUE(actual.count(region)) << region;
      EXPECT_NEAR(actual.at(region), score, 1e-9) << region;
    }
  }

  // A config file in the test's folder.
  std::string WriteConfig(const std::string& name, const std::string& text) {
    const std::string path = absl::StrCat(dir_, "/", name);
    std::ofstream(path) << text;
    return path;
  }
};

// The JSON log lines on stderr (libs/common/log.h), one per line.
std::vector<std::string> JsonLines(const std::string& err) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    if (absl::StartsWith(line, "{") && absl::EndsWith(line, "}")) lines.emplace_back(line);
  }
  return lines;
}

TEST_F(RecomputeTest, FirstRunScoresEveryIndexAndRecordsTheRun) {
  const CliResult r = Recompute();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("innoscope-recompute: success: recomputed 2 of 2 indices"));
  EXPECT_THAT(r.out, HasSubstr("3 score runs, 1 weight set, 2 network runs, "
                               "1 uncertainty analysis"));
  EXPECT_EQ(LastRun("outcome"), "success");
  EXPECT_EQ(LastRun("failed_step"), "NULL");

  // (h) progress: JSON lines, every step started and finished, in order.
  std::vector<std::string> started;
  for (const std::string& line : JsonLines(r.err)) {
    EXPECT_THAT(line, HasSubstr("\"service\":\"recompute\""));
    if (absl::StrContains(line, "\"message\":\"step started\"")) {
      for (const char* step : {"check", "network", "weights", "scores", "uncertainty", "publish"}) {
        if (absl::StrContains(line, absl::StrCat("\"step\":\"", step, "\""))) {
          started.push_back(step);
        }
      }
    }
  }
  EXPECT_THAT(started, ::testing::ElementsAre("check", "network", "weights", "scores",
                                              "uncertainty", "publish"))
      << r.err;
  EXPECT_THAT(r.err, HasSubstr("\"message\":\"step finished\",\"step\":\"publish\""));
  EXPECT_THAT(r.err, HasSubstr("\"message\":\"recompute finished\",\"outcome\":\"success\""));

  // (a) the scores are the hand values of the header comment.
  ASSERT_EQ(RunIdCount(kPublished, "score_runs"), 2);  // 2021, 2022
  ASSERT_EQ(RunIdCount(kEqual, "score_runs"), 1);      // 2022
  const std::string run_2021 = RunId(kPublished, "score_runs", 0);
  const std::string run_2022 = RunId(kPublished, "score_runs", 1);
  ExpectScores(Scores(run_2022),
               {{"CN-BJ", 56.25}, {"CN-SH", 53.125}, {"CN-GD", 59.375}, {"CN-ZJ", 15.625}});
  EXPECT_EQ(Ranking(run_2022),
            "1. CN-GD 59.375 tier 1, 2. CN-BJ 56.250 tier 1, 3. CN-SH 53.125 tier 2, "
            "4. CN-ZJ 15.625 tier 2");
  ExpectScores(Scores(run_2022, /*clusters=*/true), {{"CN-YRD", 53.125 + 15.625}});
  ExpectScores(Scores(run_2021), {{"CN-BJ", 56.25},
                                  {"CN-SH", 53.125},
                                  {"CN-GD", 46.875 + 25.0 * 16 / 36},
                                  {"CN-ZJ", 25.0 * 6 / 36}});
  ExpectScores(Scores(run_2021, true), {{"CN-YRD", 53.125 + 25.0 * 6 / 36}});
  ExpectScores(Scores(RunId(kEqual, "score_runs", 0)),
               {{"CN-BJ", 37.5}, {"CN-SH", 68.75}, {"CN-GD", 56.25}, {"CN-ZJ", 18.75}});

  // The job run's record: ids of everything it produced, and the versions
  // its results rest on (ingest's current ones: nothing changed since).
  EXPECT_EQ(RunIdCount(kPublished, "network_runs"), 2);
  EXPECT_EQ(RunIdCount(kPublished, "weight_sets"), 0);  // published: fixed weights
  EXPECT_EQ(RunIdCount(kPublished, "uncertainty"), 1);
  EXPECT_EQ(RunIdCount(kEqual, "network_runs"), 0);
  EXPECT_EQ(RunIdCount(kEqual, "weight_sets"), 1);
  EXPECT_EQ(RunIdCount(kEqual, "uncertainty"), 0);
  for (const auto& [scope, version] : IngestVersions()) {
    SCOPED_TRACE(scope);
    EXPECT_GT(version, 0);
    EXPECT_EQ(LastRun(absl::StrCat("data_versions->'", kPublished, "'->>'", scope, "'")),
              absl::StrCat(version));
  }
  EXPECT_EQ(LastRun(absl::StrCat("entries->'", kPublished, "'->>'recomputed'")), "true");
  EXPECT_EQ(LastRun("changed ? 'recompute_test/province/equal'"), "t");
  EXPECT_EQ(LastRun("started_at <= finished_at"), "t");
  EXPECT_EQ(LastRun("step_seconds ? 'publish'"), "t");
  // Readers see every score run, and none is left a draft.
  EXPECT_EQ(ScoreRunCount(), 3);
  EXPECT_EQ(DraftRuns(), 0);

  // (b) the same data again: nothing to do, and it says so.
  const int64_t stored = StoredRuns();
  const CliResult again = Recompute();
  ASSERT_EQ(again.code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("innoscope-recompute: unchanged: no data version or setting "
                                   "changed since the last successful run of 2 indices; "
                                   "nothing recomputed"));
  EXPECT_EQ(LastRun("outcome"), "unchanged");
  EXPECT_EQ(LastRun("changed"), "{}");
  EXPECT_EQ(LastRun("step_seconds ? 'scores'"), "f");
  EXPECT_EQ(ScoreRunCount(), 3);
  EXPECT_EQ(StoredRuns(), stored);

  // (d) --force recomputes on unchanged data: every step runs again, and
  // the content-addressed runs are the same ones.
  const CliResult forced = Recompute("--force");
  ASSERT_EQ(forced.code, 0) << forced.out << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("success: recomputed 2 of 2 indices: "
                                    "recompute_test/province/equal (forced), "
                                    "recompute_test/province/published (forced)"));
  EXPECT_EQ(LastRun("outcome"), "success");
  EXPECT_EQ(LastRun("forced"), "t");
  EXPECT_EQ(LastRun("step_seconds ? 'scores'"), "t");
  EXPECT_EQ(RunId(kPublished, "score_runs", 1), run_2022);
  EXPECT_EQ(ScoreRunCount(), 3);
  EXPECT_EQ(StoredRuns(), stored);
}

TEST_F(RecomputeTest, ChangedObservationIsRecomputedWithTheNewValue) {
  CliResult r = Recompute();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const std::map<std::string, int64_t> before = IngestVersions();
  const std::string run_2021 = RunId(kPublished, "score_runs", 0);
  const std::string run_2022 = RunId(kPublished, "score_runs", 1);

  // (c) CN-ZJ's firms in 2022: 10 -> 60.
  ASSERT_NO_FATAL_FAILURE(Import(absl::StrCat(
      "observations ", ShellQuote(Data("observation_change.csv")), " --framework recompute_test")));
  const std::map<std::string, int64_t> after = IngestVersions();
  EXPECT_GT(after.at("observations"), before.at("observations"));
  EXPECT_EQ(after.at("relations:test_network"), before.at("relations:test_network"));
  EXPECT_EQ(after.at("regions"), before.at("regions"));

  r = Recompute();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("observations ", before.at("observations"), " -> ",
                                            after.at("observations"))));
  EXPECT_EQ(LastRun("outcome"), "success");
  // What changed is recorded: observations, and neither the relations nor
  // the regions nor the settings.
  const std::string changed = LastRun(absl::StrCat("changed->'", kPublished, "'"));
  EXPECT_THAT(changed, HasSubstr("\"observations\""));
  EXPECT_THAT(changed, Not(HasSubstr("relations:test_network")));
  EXPECT_THAT(changed, Not(HasSubstr("\"regions\"")));
  EXPECT_THAT(changed, Not(HasSubstr("\"config\"")));

  const std::string new_2022 = RunId(kPublished, "score_runs", 1);
  EXPECT_NE(new_2022, run_2022);
  ExpectScores(Scores(new_2022),
               {{"CN-BJ", 46.875}, {"CN-SH", 43.75}, {"CN-GD", 50}, {"CN-ZJ", 53.125}});
  EXPECT_EQ(Ranking(new_2022),
            "1. CN-ZJ 53.125 tier 1, 2. CN-GD 50.000 tier 1, 3. CN-BJ 46.875 tier 2, "
            "4. CN-SH 43.750 tier 2");
  ExpectScores(Scores(new_2022, true), {{"CN-YRD", 96.875}});
  ExpectScores(Scores(RunId(kEqual, "score_runs", 0)),
               {{"CN-BJ", 31.25}, {"CN-SH", 62.5}, {"CN-GD", 50}, {"CN-ZJ", 43.75}});
  // 2021's values did not change, whatever its run id.
  ExpectScores(Scores(RunId(kPublished, "score_runs", 0)), Scores(run_2021));
  // The old runs stay readable by id; the newest 2022 run of the framework
  // is the new one.
  ExpectScores(Scores(run_2022),
               {{"CN-BJ", 56.25}, {"CN-SH", 53.125}, {"CN-GD", 59.375}, {"CN-ZJ", 15.625}});
  int code = 0;
  auto ranking = RunCommand(
      absl::StrCat(Cli(),
                   " ranking --framework recompute_test --period "
                   "2022 --stack_file=/nonexistent "
                   "--ingest_address=",
                   ingest_->grpc_address(), " --scoring_address=", scoring_->grpc_address()),
      &code);
  ASSERT_TRUE(ranking.ok());
  EXPECT_EQ(code, 0) << *ranking;
}

TEST_F(RecomputeTest, CliFrontExecsTheJobBinary) {
  // `innoscope recompute` is the job binary under another name: the same
  // flags, output and exit codes (services/cli/recompute_front.cc).
  int code = 0;
  auto help = RunCommand(absl::StrCat(Cli(), " recompute --help"), &code);
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(code, 0) << *help;
  EXPECT_THAT(*help, HasSubstr("Usage: innoscope-recompute"));
  CliResult r = RecomputeWith(Data("recompute.yaml"), "", absl::StrCat(Cli(), " recompute"));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("innoscope-recompute: success: recomputed 2 of 2 indices"));
  EXPECT_EQ(LastRun("outcome"), "success");
  r = RecomputeWith(Data("recompute.yaml"), "--timeout_seconds=0",
                    absl::StrCat(Cli(), " recompute"));
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("innoscope-recompute: invalid configuration"));
}

TEST_F(RecomputeTest, SecondInstanceExitsZeroWhileTheLockIsHeld) {
  // (e) another run holds the advisory lock (a transaction of its own, as a
  // run holds it, so it also holds through PgBouncer in transaction mode).
  pqxx::connection holder(url_);
  auto held = std::make_unique<pqxx::work>(holder);
  held->exec("SELECT pg_advisory_xact_lock(hashtext('innoscope.recompute'))");
  CliResult r = Recompute();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("innoscope-recompute: locked: another recompute run is in "
                               "progress"));
  EXPECT_EQ(LastRun("outcome"), "locked");
  EXPECT_EQ(ScoreRunCount(), 0);
  EXPECT_EQ(StoredRuns(), 0);
  held->abort();  // releases the lock
  held.reset();
  r = Recompute();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(LastRun("outcome"), "success");
  EXPECT_EQ(Sql("SELECT string_agg(outcome, ',' ORDER BY id) FROM recompute.job_runs"),
            "locked,success");
}

TEST_F(RecomputeTest, FailureHalfWayPublishesNothingAndTheNextRunSucceeds) {
  // (f) The scoring service is down: the run fails at the scores step.
  scoring_->Signal(SIGKILL);
  ASSERT_TRUE(scoring_->WaitExit(absl::Seconds(10)).ok());
  CliResult r = Recompute("--timeout_seconds=5");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("innoscope-recompute: step scores failed: "));
  EXPECT_THAT(r.out, HasSubstr("failed at step scores"));
  EXPECT_EQ(LastRun("outcome"), "failed");
  EXPECT_EQ(LastRun("failed_step"), "scores");
  EXPECT_EQ(LastRun("run_ids"), "{}");
  ASSERT_NO_FATAL_FAILURE(StartScoring());
  EXPECT_EQ(ScoreRunCount(), 0);

  // A failure after some score runs were stored: a third index whose
  // universe (the one country, without data) cannot be scored fails the
  // scores step after the first two indices' three runs. They are stored
  // as drafts, invisible to readers.
  const std::string failing =
      WriteConfig("failing.yaml", absl::StrCat(ReadFile(Data("recompute.yaml")),
                                               "  - framework: recompute_test\n"
                                               "    periods: {first: 2022, last: 2022}\n"
                                               "    universe: countries\n"
                                               "    weighting: published\n"));
  r = RecomputeWith(failing);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("innoscope-recompute: step scores failed: indices[2] "
                               "recompute_test/country/published"));
  EXPECT_EQ(LastRun("failed_step"), "scores");
  EXPECT_EQ(StoredRuns(), 3);
  EXPECT_EQ(DraftRuns(), 3);
  EXPECT_EQ(ScoreRunCount(), 0);  // ListRuns: nothing partial is visible
  EXPECT_EQ(Sql("SELECT count(*) FROM recompute.job_runs WHERE outcome = 'success'"), "0");

  // The next run (the configured indices) succeeds and publishes the
  // same runs at once.
  r = Recompute();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(LastRun("outcome"), "success");
  EXPECT_EQ(StoredRuns(), 3);
  EXPECT_EQ(DraftRuns(), 0);
  EXPECT_EQ(ScoreRunCount(), 3);
  ExpectScores(Scores(RunId(kPublished, "score_runs", 1)),
               {{"CN-BJ", 56.25}, {"CN-SH", 53.125}, {"CN-GD", 59.375}, {"CN-ZJ", 15.625}});
}

// A free loopback port: bound to port 0, read, released.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// The value of the first sample of `name` whose labels contain `label`.
std::optional<double> Sample(const std::string& exposition, const std::string& name,
                             const std::string& label = "") {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::StartsWith(line, name)) continue;
    absl::string_view rest = line.substr(name.size());
    if (rest.empty() || (rest[0] != '{' && rest[0] != ' ')) continue;
    if (!label.empty() && !absl::StrContains(rest, label)) continue;
    double value = 0;
    if (absl::SimpleAtod(rest.substr(rest.rfind(' ') + 1), &value)) return value;
  }
  return std::nullopt;
}

// A prometheus-pushgateway process of this test, stopped (by its pid) at the end.
struct Pushgateway {
  int pid = 0;
  ~Pushgateway() {
    if (pid > 0) ::kill(pid, SIGTERM);
  }
};

TEST_F(RecomputeTest, MetricsArePushedToARealPushgateway) {
  const std::string binary = "/usr/bin/prometheus-pushgateway";
  if (::access(binary.c_str(), X_OK) != 0) {
    GTEST_SKIP() << binary
                 << " is not installed (Debian package prometheus-pushgateway, "
                    "deploy/install-deps.sh)";
  }
  const int port = FreePort();
  ASSERT_GT(port, 0);
  const std::string address = absl::StrCat("127.0.0.1:", port);
  Pushgateway gateway;
  int code = 0;
  auto pid = RunCommand(absl::StrCat(binary, " --web.listen-address=", address, " >",
                                     ShellQuote(dir_ + "/pushgateway.log"), " 2>&1 & echo $!"),
                        &code);
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(*pid), &gateway.pid)) << *pid;
  ASSERT_TRUE(WaitFor([&] { return HttpGet(address, "/-/ready").ok(); }, absl::Seconds(20)).ok())
      << ReadFile(dir_ + "/pushgateway.log");

  const double before = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  const std::string url = absl::StrCat("http://", address, "/metrics/job/innoscope-recompute");
  CliResult r = Recompute(absl::StrCat("--pushgateway_url=", url));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("\"message\":\"metrics pushed\""));
  const double after = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());

  // A real scrape of the Pushgateway, as Prometheus does it.
  auto scraped = RunCommand(absl::StrCat("curl -sf http://", address, "/metrics"), &code);
  ASSERT_TRUE(scraped.ok());
  ASSERT_EQ(code, 0) << *scraped;
  const std::string& text = *scraped;
  const std::string job = "job=\"innoscope-recompute\"";
  EXPECT_EQ(Sample(text, "innoscope_recompute_runs_total", "outcome=\"success\""), 1.0) << text;
  EXPECT_EQ(Sample(text, "innoscope_recompute_runs_total", "outcome=\"failed\""), 0.0);
  EXPECT_EQ(Sample(text, "innoscope_recompute_runs_total", "outcome=\"unchanged\""), 0.0);
  EXPECT_EQ(Sample(text, "innoscope_recompute_runs_total", "outcome=\"locked\""), 0.0);
  EXPECT_THAT(text, HasSubstr(job));
  std::optional<double> last = Sample(text, "innoscope_recompute_last_success_timestamp_seconds");
  ASSERT_TRUE(last.has_value()) << text;
  EXPECT_GE(*last, before - 1);
  EXPECT_LE(*last, after + 1);
  std::optional<double> total =
      Sample(text, "innoscope_recompute_last_run_duration_seconds", "step=\"total\"");
  ASSERT_TRUE(total.has_value()) << text;
  EXPECT_GT(*total, 0);
  EXPECT_LE(*total, after - before + 1);
  for (const char* step : {"network", "weights", "scores", "uncertainty", "publish"}) {
    SCOPED_TRACE(step);
    std::optional<double> seconds = Sample(text, "innoscope_recompute_last_run_duration_seconds",
                                           absl::StrCat("step=\"", step, "\""));
    ASSERT_TRUE(seconds.has_value()) << text;
    EXPECT_GE(*seconds, 0);
    EXPECT_LE(*seconds, *total);
  }
  EXPECT_FALSE(Sample(text, "innoscope_recompute_last_run_duration_seconds", "step=\"check\""));

  // The next run replaces the group: one success, one unchanged, and its
  // durations only (an unchanged run runs no step after the check).
  r = Recompute(absl::StrCat("--pushgateway_url=", url));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  scraped = RunCommand(absl::StrCat("curl -sf http://", address, "/metrics"), &code);
  ASSERT_TRUE(scraped.ok());
  EXPECT_EQ(Sample(*scraped, "innoscope_recompute_runs_total", "outcome=\"success\""), 1.0);
  EXPECT_EQ(Sample(*scraped, "innoscope_recompute_runs_total", "outcome=\"unchanged\""), 1.0);
  EXPECT_FALSE(
      Sample(*scraped, "innoscope_recompute_last_run_duration_seconds", "step=\"scores\""));
  EXPECT_TRUE(Sample(*scraped, "innoscope_recompute_last_run_duration_seconds", "step=\"total\""));
}

}  // namespace
}  // namespace innoscope::testing

// The built `innoscope` binary run as a subprocess on small hand-computed
// inputs: `weights` (offline), `score` and `uncertainty` from files, their
// usage errors and exit codes (0 done, 1 failed, 2 bad usage). Nothing
// running is needed. The binary's path comes from CMake (INNOSCOPE_CLI_PATH).

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OfflineCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/innoscope_cli_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Runs `innoscope <args>` (args are shell words; paths have no spaces).
  CliRun Cli(const std::string& args) {
    CliRun run;
    const std::string out = dir_ + "/stdout", err = dir_ + "/stderr";
    const int status = std::system(
        absl::StrCat("'", INNOSCOPE_CLI_PATH, "' ", args, " >'", out, "' 2>'", err, "' </dev/null")
            .c_str());
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    run.out = ReadAll(out);
    run.err = ReadAll(err);
    return run;
  }

  std::string dir_;
};

// The classic example (docs/methods.md section 9): for a 3 x 3 reciprocal
// matrix lambda_max = 1 + t^(1/3) + t^(-1/3), t = a12 a23 / a13 = 9/5, so
// lambda_max = 3.038511, CI = 0.019256, CR = CI / 0.58 = 0.0332 (Saaty) or
// CI / 0.52 = 0.0370 (cn); w = (0.6370, 0.2583, 0.1047).
TEST_F(OfflineCommandsTest, WeightsAhpPrintsTheClassicExampleAsJson) {
  const std::string m = Write("m.csv",
                              ",cost,safety,style\ncost,1,3,5\nsafety,1/3,1,3\n"
                              "style,1/5,1/3,1\n");
  CliRun run = Cli("weights ahp --matrix " + m + " --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "{\"weights\":{\"cost\":0.6369855717447572,\"safety\":0.25828499437449504,"
            "\"style\":0.10472943388074787},\"lambda_max\":3.0385110905581705,"
            "\"ci\":0.01925554527908524,\"cr\":0.03319921599842283,\"consistent\":true}\n");
  run = Cli("weights ahp --matrix " + m + " --ri cn --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("\"cr\":0.0370298947674716"));  // 0.019256 / 0.52
  // The same priorities by row geometric means (equal for every 3 x 3 matrix).
  run = Cli("weights ahp --matrix " + m + " --method geometric --json");
  EXPECT_THAT(run.out, HasSubstr("\"cost\":0.63698557174475"));
  // Without --json: the CSV `score --weights` reads, diagnostics on stderr.
  run = Cli("weights ahp --matrix " + m);
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, StartsWith("item,weight\ncost,0.6369855717447572\n"));
  EXPECT_THAT(run.err, HasSubstr("cr=0.03319921599842283 consistent=true"));
}

TEST_F(OfflineCommandsTest, WeightsAhpNamesAnInconsistentOrBrokenMatrix) {
  // a > b (3), b > c (3), yet c > a (3): CR far above 0.1.
  const std::string bad = Write("bad.csv", ",a,b,c\na,1,3,1/3\nb,1/3,1,3\nc,3,1/3,1\n");
  CliRun run = Cli("weights ahp --matrix " + bad);
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("consistent=false"));
  EXPECT_THAT(run.err, HasSubstr("revise the judgement"));
  const std::string broken = Write("broken.csv", ",a,b\na,1,3\nb,3,1\n");
  run = Cli("weights ahp --matrix " + broken);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("(1,2)"));
}

// Entropy by hand, 3 regions x 2 indicators:
//   a = (1, 2, 4) -> min-max (0, 1/3, 1), sum 4/3, p = (0, 1/4, 3/4),
//       e = (1/4 ln 4 + 3/4 ln 4/3) / ln 3 = (0.346574 + 0.215762) / 1.098612
//         = 0.511860, d = 0.488140
//   b = (3, 1, 2) -> (1, 0, 1/2), sum 3/2, p = (2/3, 0, 1/3),
//       e = (2/3 ln 3/2 + 1/3 ln 3) / ln 3 = (0.270310 + 0.366204) / 1.098612
//         = 0.579380, d = 0.420620
//   w = (0.488140, 0.420620) / 0.908760 = (0.537150, 0.462850).
// With b "less is better": b -> (0, 1, 1/2), p = (0, 2/3, 1/3), the same
// entropy (a permutation), so the weights do not change.
TEST_F(OfflineCommandsTest, WeightsEntropyMatchesTheHandCalculation) {
  const std::string d = Write("d.csv", "region,a,b\nR1,1,3\nR2,2,1\nR3,4,2\n");
  CliRun run = Cli("weights entropy --data " + d + " --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, StartsWith("{\"weights\":{\"a\":0.53714987"));
  EXPECT_THAT(run.out, HasSubstr("\"b\":0.46285012"));
  const std::string dir = Write("dir.csv", "indicator,direction\nb,-1\n");
  run = Cli("weights entropy --data " + d + " --directions " + dir + " --json");
  EXPECT_THAT(run.out, StartsWith("{\"weights\":{\"a\":0.53714987"));
  run = Cli("weights equal --data " + d + " --json");
  EXPECT_EQ(run.out, "{\"weights\":{\"a\":0.5,\"b\":0.5}}\n");
  // CV: a mean 7/3, sd 1.527525, CV 0.654654; b mean 2, sd 1, CV 0.5;
  // w = (0.654654, 0.5) / 1.154654 = (0.566970, 0.433030).
  run = Cli("weights cv --data " + d + " --json");
  EXPECT_THAT(run.out, StartsWith("{\"weights\":{\"a\":0.56696"));
}

TEST_F(OfflineCommandsTest, WeightsExplainMissingDataAndBadUsage) {
  const std::string d = Write("d.csv", "region,a,b\nR1,1,3\nR2,NA,1\nR3,4,2\n");
  CliRun run = Cli("weights critic --data " + d);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("region 'R2', indicator 'a' is missing"));
  EXPECT_THAT(run.err, HasSubstr("--missing column_mean"));
  run = Cli("weights critic --data " + d + " --missing drop_region --json");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Cli("weights entropy").exit_code, 2);
  EXPECT_EQ(Cli("weights entropy --data " + d + " --framework x").exit_code, 2);
  EXPECT_EQ(Cli("weights bogus").exit_code, 2);
  EXPECT_EQ(Cli("weights ahp --matrix nope.csv").exit_code, 1);
}

// root -> d1 (x weight 3, y weight 1, y "less is better"), d2 (z).
constexpr char kFramework[] =
    "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n"
    "1,x,X,1,3,,NA,NA,d1,Indicator\n"
    "1,y,Y,-1,1,,NA,NA,d1,Indicator\n"
    "1,z,Z,1,1,,NA,NA,d2,Indicator\n"
    "2,d1,D1,1,1,,NA,NA,root,Aggregate\n"
    "2,d2,D2,1,1,,NA,NA,root,Aggregate\n"
    "3,root,Root,1,1,,NA,NA,NA,Aggregate\n";
// Min-max 0-100: x = (10, 0, 5) -> (100, 0, 50); y = (1, 3, 2) reversed ->
// (100, 0, 50); z = (2, 4, 0) -> (50, 100, 0). d1 = 0.75 x + 0.25 y =
// (100, 0, 50); d2 = z; root = (d1 + d2) / 2 = (75, 50, 25).
constexpr char kData[] = "region,x,y,z,label\nA,10,1,2,first\nB,0,3,4,second\nC,5,2,0,third\n";

TEST_F(OfflineCommandsTest, ScoreWritesEveryNodeOfTheHandCalculation) {
  const std::string f = Write("f.csv", kFramework);
  const std::string d = Write("d.csv", kData);
  const std::string out = dir_ + "/results.csv";
  CliRun run = Cli("score --framework " + f + " --data " + d + " --out " + out);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(ReadAll(out),
            "region,node,score,rank\n"
            "A,x,100,1\nA,y,100,1\nA,z,50,2\nA,d1,100,1\nA,d2,50,2\nA,root,75,1\n"
            "B,x,0,3\nB,y,0,3\nB,z,100,1\nB,d1,0,3\nB,d2,100,1\nB,root,50,2\n"
            "C,x,50,2\nC,y,50,2\nC,z,0,3\nC,d1,50,2\nC,d2,0,3\nC,root,25,3\n");
  EXPECT_THAT(run.err, HasSubstr("skipped: label"));
  EXPECT_THAT(run.err, HasSubstr("regions=3 nodes=6"));

  // Equal leaf weights over all leaves (x, y, z 1/3 each): d1 weighs 2/3,
  // so root = (2/3) d1' + (1/3) d2 with d1' = (x + y) / 2 = (100, 0, 50):
  // A 83.33, B 33.33, C 33.33 (B and C tie at rank 2 to 2 decimals).
  const std::string w = Write("w.csv", "indicator,weight\nx,1\ny,1\nz,1\n");
  run = Cli("score --framework " + f + " --data " + d + " --weights " + w +
            " --weights_scope all_leaves --rank_decimals 2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("A,root,83.33333333333"));
  EXPECT_THAT(run.out, HasSubstr("B,root,33.33333333333"));
  EXPECT_THAT(run.out, HasSubstr(",2\nC,x,"));
  EXPECT_THAT(run.out, HasSubstr("C,root,33.33333333333"));
}

TEST_F(OfflineCommandsTest, ScoreExplainsWhatToDo) {
  const std::string f = Write("f.csv", kFramework);
  const std::string d = Write("d.csv", kData);
  // Min-max puts B's x at 0, outside a geometric mean's domain.
  CliRun run = Cli("score --framework " + f + " --data " + d + " --aggregate geometric");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("region 'B'"));
  EXPECT_THAT(run.err, HasSubstr("--non_positive shift"));
  // ... which a shift or a positive scale avoids.
  EXPECT_EQ(Cli("score --framework " + f + " --data " + d + " --aggregate geometric --scale 1,100")
                .exit_code,
            0);
  EXPECT_EQ(Cli("score --framework " + f + " --data " + d + " --normalise fancy").exit_code, 1);
  EXPECT_EQ(Cli("score --data " + d).exit_code, 2);
  EXPECT_EQ(Cli("score --framework " + f).exit_code, 2);
  // A stored framework without a reachable scoring service: say how to
  // reach it, or to score files instead.
  run = Cli("score --framework asem@2 --period 2022 --stack_file /nonexistent/addresses.env");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("--scoring_address"));
  EXPECT_THAT(run.err, HasSubstr("--data D.csv"));
}

TEST_F(OfflineCommandsTest, UncertaintyIsDeterministicAndCollapsesWhenNothingVaries) {
  const std::string f = Write("f.csv", kFramework);
  const std::string d = Write("d.csv", kData);
  CliRun run = Cli("uncertainty --framework " + f + " --data " + d +
                   " --weight_range 0 "
                   "--replicates 50");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "region,nominal_rank,median_rank,q05_rank,q95_rank\n"
            "A,1,1,1,1\nB,2,2,2,2\nC,3,3,3,3\n");
  EXPECT_THAT(run.err, HasSubstr("51/51 runs"));
  const std::string args = "uncertainty --framework " + f + " --data " + d +
                           " --replicates 200 --seed 7 --normalisations minmax,rank "
                           "--aggregations arithmetic,geometric --scale 1,100";
  CliRun one = Cli(args + " --threads 1");
  CliRun two = Cli(args + " --threads 2");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  EXPECT_THAT(one.out, StartsWith("region,nominal_rank,median_rank,q05_rank,q95_rank\nA,1,"));
  // Z-scores into a geometric mean fail before any replicate runs, naming
  // the alternatives as the log lists them.
  run = Cli("uncertainty --framework " + f + " --data " + d +
            " --normalisations zscore --aggregations geometric --scale 1,100");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("normalisation: minmax (nominal), alternative 1 zscore"));
  EXPECT_THAT(run.err, HasSubstr("aggregation: arithmetic (nominal), alternative 1 geometric"));
  EXPECT_THAT(run.err, HasSubstr("normalisation alternative 1 with aggregation alternative 1 "
                                 "cannot score the data"));
  EXPECT_EQ(Cli("uncertainty --framework " + f + " --data " + d + " --weight_range 2").exit_code,
            2);
}

}  // namespace
}  // namespace innoscope::cli

// `innoscope score`, `uncertainty` and `compare` through the services
// against the same commands on files: one small framework and three years
// of data are written as files, imported into ingest with `innoscope
// import`, and scored both ways with the built binary, as users run it.
//
// - online `score` equals offline `score` on the same files (scores within
//   1e-9, identical ranks) for several pipelines: defaults, z-scores with a
//   shifted geometric mean at the top, rank normalisation with presentation
//   ties in the published form, equal weights (computed by weighting),
//   imputation and screening;
// - `--period 2021-2023` writes one run per period, each equal to the
//   offline result on that year's file;
// - online `uncertainty` equals offline `uncertainty` exactly with the same
//   seed and replicates: both run libs/scoring's one uncertainty model, here
//   with two perturbed weight levels, two normalisation alternatives, an
//   aggregation alternative, and imputation and outlier treatment switched
//   (ten factors, on a year with missing values and an outlier, where the
//   last two move the intervals); and it collapses to the nominal ranks
//   with nothing varied;
// - `compare` finds the previous year's run of the same spec and reports
//   rank changes (from the offline ranks of the two years) and the
//   compound annual growth of an indicator over two years (from the file
//   values, (v2023 / v2021)^(1/2) - 1);
// - flags that only apply to files (or only online) are refused, naming
//   the flag.

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/index/csv.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kRegions = 8;

// The value of leaf i (0-3) for region r (1-8) in period p: positive,
// scattered over 5-102 without pattern between indicators and years (so
// composites are close enough for ranks to move), and without ties (the
// last terms separate equal residues).
double Value(int r, int i, int p) {
  const int h = ((r * 37 + i * 101 + (p - 2021) * 53) * (r * 13 + i * 7 + 3)) % 97;
  return 5 + h + r * 0.013 + i * 0.0007;
}

// 2023: region R5's x3 is missing.
bool Missing(int r, int i, int p) { return p == 2023 && r == 5 && i == 2; }

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

double Number(const std::string& text) {
  double v = 0;
  EXPECT_TRUE(absl::SimpleAtod(text, &v)) << "not a number: '" << text << "'";
  return v;
}

// A CSV as rows of named fields.
std::vector<std::map<std::string, std::string>> ReadCsv(const std::string& path) {
  std::vector<std::map<std::string, std::string>> out;
  absl::StatusOr<index::CsvTable> csv = index::ParseCsvTable(ReadText(path));
  EXPECT_TRUE(csv.ok()) << path << ": " << csv.status();
  if (!csv.ok()) return out;
  for (const index::CsvRow& row : csv->rows) {
    std::map<std::string, std::string>& fields = out.emplace_back();
    for (size_t c = 0; c < csv->header.size(); ++c) fields[csv->header[c]] = row.fields[c];
  }
  return out;
}

// region,node,score,rank rows by (region, node), of one period ("" = any).
struct Scored {
  std::string score;
  std::string rank;
};
using Scores = std::map<std::pair<std::string, std::string>, Scored>;

Scores ScoresOf(const std::string& path, const std::string& period = "") {
  Scores out;
  for (auto& row : ReadCsv(path)) {
    if (!period.empty() && row["period"] != period) continue;
    auto key = std::make_pair(row["region"], row["node"]);
    EXPECT_EQ(out.count(key), 0u) << "twice: " << key.first << " " << key.second;
    out[key] = {row["score"], row["rank"]};
  }
  return out;
}

// Scores within 1e-9, the same ranks, the same regions and nodes.
void ExpectSameScores(const Scores& online, const Scores& offline, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(online.size(), offline.size());
  for (const auto& [key, off] : offline) {
    auto it = online.find(key);
    ASSERT_NE(it, online.end()) << key.first << " " << key.second;
    const Scored& on = it->second;
    ASSERT_EQ(on.score.empty(), off.score.empty()) << key.first << " " << key.second;
    if (!off.score.empty()) {
      EXPECT_NEAR(Number(on.score), Number(off.score), 1e-9) << key.first << " " << key.second;
    }
    EXPECT_EQ(on.rank, off.rank) << key.first << " " << key.second;
  }
}

// The value after "key=" in the CLI's log lines (the first, or the one on
// the line that also holds `line_with`).
std::string LogValue(const std::string& log, const std::string& key,
                     const std::string& line_with = "") {
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (!line_with.empty() && line.find(line_with) == absl::string_view::npos) continue;
    for (absl::string_view field : absl::StrSplit(line, ' ')) {
      if (absl::StartsWith(field, key + "=")) return std::string(field.substr(key.size() + 1));
    }
  }
  return "";
}

class CliScoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    auto url = (*pg)->CreateDatabase("cliscore");
    ASSERT_TRUE(url.ok()) << url.status();
    std::map<std::string, std::string> env = {{"DATABASE_URL", *url}};
    auto services = StartServices(env, {"weighting", "scoring"});
    ASSERT_TRUE(services.ok()) << services.status();
    ingest_ = std::move(services->ingest);
    weighting_ = std::move(services->weighting);
    scoring_ = std::move(services->scoring);
    dir_ = absl::StrCat(BuildDir(), "/test-logs/cli-score-", ::getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    int code = 0;
    ASSERT_TRUE(RunCommand("mkdir -p '" + dir_ + "'", &code).ok());
    WriteFiles();
    CliOk("import regions '" + Path("regions.csv") + "'");
    CliOk("import framework '" + Path("framework.csv") + "' --framework tri");
    for (int p = 2021; p <= 2023; ++p) {
      CliOk(absl::StrCat("import observations '", Path(absl::StrCat("data_", p, ".csv")),
                         "' --framework tri --period ", p));
    }
  }

  // index -> D1 (weight 2) -> x1, x2 (less is better)
  //       -> D2 (weight 1) -> x3 (weight 1), x4 (weight 3)
  void WriteFiles() {
    WriteText(Path("framework.csv"),
              "Level,iCode,iName,Direction,Weight,Parent,Type\n"
              "1,x1,Indicator 1,1,1,D1,Indicator\n"
              "1,x2,Indicator 2,-1,1,D1,Indicator\n"
              "1,x3,Indicator 3,1,1,D2,Indicator\n"
              "1,x4,Indicator 4,1,3,D2,Indicator\n"
              "2,D1,Dimension 1,1,2,index,Aggregate\n"
              "2,D2,Dimension 2,1,1,index,Aggregate\n"
              "3,index,Index,1,1,,Aggregate\n");
    std::string regions = "code,name,kind\n";
    for (int r = 1; r <= kRegions; ++r)
      absl::StrAppend(&regions, "R", r, ",Region ", r, ",province\n");
    WriteText(Path("regions.csv"), regions);
    for (int p = 2021; p <= 2023; ++p) {
      std::string data = "region,x1,x2,x3,x4\n";
      for (int r = 1; r <= kRegions; ++r) {
        absl::StrAppend(&data, "R", r);
        for (int i = 0; i < 4; ++i) {
          char number[40];
          std::snprintf(number, sizeof(number), "%.17g", Value(r, i, p));
          absl::StrAppend(&data, ",", Missing(r, i, p) ? "" : number);
        }
        data += "\n";
      }
      WriteText(Path(absl::StrCat("data_", p, ".csv")), data);
    }
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string Cli(const std::string& args, int* exit_code) {
    // Each command takes the addresses of the services it calls; the
    // environment serves them all.
    absl::StatusOr<std::string> out =
        RunCommand(absl::StrCat("INNOSCOPE_INGEST_ADDRESS=", ingest_->grpc_address(),
                                " INNOSCOPE_WEIGHTING_ADDRESS=", weighting_->grpc_address(),
                                " INNOSCOPE_SCORING_ADDRESS=", scoring_->grpc_address(), " '",
                                BuildDir(), "/services/cli/innoscope' ", args),
                   exit_code);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : "";
  }
  std::string CliOk(const std::string& args) {
    int code = -1;
    std::string out = Cli(args, &code);
    EXPECT_EQ(code, 0) << "innoscope " << args << "\n" << out;
    return out;
  }

  // Offline `score` on one year's file and online `score` of that year
  // with the same flags; returns the online log.
  std::string ScoreBothWays(const std::string& flags, int period, Scores* online, Scores* offline) {
    CliOk(absl::StrCat("score --framework '", Path("framework.csv"), "' --data '",
                       Path(absl::StrCat("data_", period, ".csv")), "' --out '",
                       Path("offline.csv"), "' ", flags));
    std::string log = CliOk(absl::StrCat("score --framework tri --period ", period, " --out '",
                                         Path("online.csv"), "' ", flags));
    *online = ScoresOf(Path("online.csv"));
    *offline = ScoresOf(Path("offline.csv"));
    return log;
  }

  std::unique_ptr<ServiceProcess> ingest_, weighting_, scoring_;
  std::string dir_;
};

TEST_F(CliScoreTest, OnlineScoresEqualOfflineScoresOnTheSameFiles) {
  const std::vector<std::string> pipelines = {
      "",
      "--normalise zscore --aggregate_by_level 3=geometric --non_positive shift --shift 5",
      "--normalise rank --rank_decimals 1 --published_form",
      "--weights equal --aggregate harmonic --scale 1,100",
      "--impute mean --treat_outliers",
      "--screen_regions 0.9 --missing propagate",
  };
  for (const std::string& flags : pipelines) {
    Scores online, offline;
    const std::string log = ScoreBothWays(flags, 2023, &online, &offline);
    ExpectSameScores(online, offline, flags);
    EXPECT_EQ(online.size(), (flags.find("screen_regions") != std::string::npos ? 7u : 8u) * 7u)
        << flags;
    EXPECT_THAT(LogValue(log, "run"), ::testing::StartsWith("run-")) << log;
  }
  // The header is the offline one.
  EXPECT_THAT(ReadText(Path("online.csv")), ::testing::StartsWith("region,node,score,rank\n"));
  // Screening R5 (three values of four, below 0.9) is reported.
  Scores online, offline;
  EXPECT_THAT(ScoreBothWays("--screen_regions 0.9", 2023, &online, &offline),
              HasSubstr("screened out (too few values): R5"));
  // Equal weights came from the weighting service as a stored weight set.
  EXPECT_THAT(LogValue(ScoreBothWays("--weights equal", 2023, &online, &offline), "weight_set"),
              ::testing::StartsWith("ws-"));
  // The same command again returns the stored run.
  EXPECT_EQ(LogValue(CliOk("score --framework tri --period 2023 --out '" + Path("again.csv") + "'"),
                     "created"),
            "false");
}

TEST_F(CliScoreTest, PeriodRangeWritesOneRunPerPeriod) {
  const std::string log = CliOk("score --framework tri --period 2021-2023 --out '" +
                                Path("series.csv") + "' --normalise zscore");
  EXPECT_THAT(ReadText(Path("series.csv")),
              ::testing::StartsWith("period,region,node,score,rank\n"));
  for (int p = 2021; p <= 2023; ++p) {
    CliOk(absl::StrCat("score --framework '", Path("framework.csv"), "' --data '",
                       Path(absl::StrCat("data_", p, ".csv")), "' --out '", Path("offline.csv"),
                       "' --normalise zscore"));
    ExpectSameScores(ScoresOf(Path("series.csv"), absl::StrCat(p)), ScoresOf(Path("offline.csv")),
                     absl::StrCat("period ", p));
    EXPECT_THAT(LogValue(log, "run", absl::StrCat("period=", p)), ::testing::StartsWith("run-"));
  }
}

TEST_F(CliScoreTest, OnlineUncertaintyEqualsOfflineExactlyWithTheSameSeed) {
  // 2024, made for this test: three values missing (R2's x2, R5's x3, R7's
  // x4; imputed by column means in the nominal run) and R8's x1 far out (an
  // outlier COINr's rule treats: skew > 2, kurtosis > 3.5). Leaf weights x
  // U(0.7, 1.3) and dimension weights x U(0.8, 1.2); min-max (1-100), rank
  // or z-scores; arithmetic or geometric means (z-scores shifted by 5 stay
  // positive); column means or no imputation; outlier treatment off or on.
  // The same ten factors in the same order both ways (x1..x4, D1, D2, then
  // the discrete ones), so every replicate draws the same setting, and the
  // same model computes it.
  std::string data = "region,x1,x2,x3,x4\n";
  for (int r = 1; r <= kRegions; ++r) {
    absl::StrAppend(&data, "R", r);
    for (int i = 0; i < 4; ++i) {
      const bool missing = (r == 2 && i == 1) || (r == 5 && i == 2) || (r == 7 && i == 3);
      char number[40];
      std::snprintf(number, sizeof(number), "%.17g", r == 8 && i == 0 ? 1000.0 : Value(r, i, 2024));
      absl::StrAppend(&data, ",", missing ? "" : number);
    }
    data += "\n";
  }
  WriteText(Path("data_2024.csv"), data);
  CliOk("import observations '" + Path("data_2024.csv") + "' --framework tri --period 2024");
  const std::string flags =
      "--replicates 400 --seed 20240601 --weight_range 1=0.3,2=0.2 --normalisations rank,zscore "
      "--aggregations geometric --impute mean --scale 1,100 --non_positive shift --shift 5 "
      "--threads 2";
  const std::string varied = " --vary_imputation --vary_outliers";
  const std::string offline_log = CliOk(absl::StrCat(
      "uncertainty --framework '", Path("framework.csv"), "' --data '", Path("data_2024.csv"),
      "' --out '", Path("offline_unc.csv"), "' ", flags, varied));
  const std::string log = CliOk(absl::StrCat("uncertainty --framework tri --period 2024 --out '",
                                             Path("online_unc.csv"), "' ", flags, varied));
  EXPECT_EQ(LogValue(log, "factors"), "10") << log;
  EXPECT_EQ(LogValue(offline_log, "factors"), "10") << offline_log;
  EXPECT_THAT(offline_log, HasSubstr("imputation: mean (nominal) or none"));
  // Imputation and outlier treatment move the intervals here: without them
  // (the same draws for the other eight factors) the file differs.
  CliOk(absl::StrCat("uncertainty --framework '", Path("framework.csv"), "' --data '",
                     Path("data_2024.csv"), "' --out '", Path("fixed_treatment.csv"), "' ", flags));
  EXPECT_NE(ReadText(Path("fixed_treatment.csv")), ReadText(Path("offline_unc.csv")));
  std::map<std::string, std::map<std::string, std::string>> offline;
  for (auto& row : ReadCsv(Path("offline_unc.csv"))) offline[row["region"]] = row;
  const auto online = ReadCsv(Path("online_unc.csv"));
  ASSERT_EQ(online.size(), 8u);
  ASSERT_EQ(offline.size(), 8u);
  bool moved = false;
  for (const auto& row : online) {
    SCOPED_TRACE(row.at("region"));
    const auto& off = offline[row.at("region")];
    // Exactly: the numbers are written as the shortest text that reads back
    // as the same double, so equal text is equal doubles.
    for (const char* column : {"nominal_rank", "median_rank", "q05_rank", "q95_rank"}) {
      EXPECT_EQ(row.at(column), off.at(column)) << column;
    }
    moved = moved || row.at("q05_rank") != row.at("q95_rank");
  }
  EXPECT_TRUE(moved) << "the assumptions move no rank: the comparison proves little";

  // The same analysis asked again is the stored one, with the same numbers.
  const std::string again = CliOk(absl::StrCat("uncertainty --framework tri --period 2024 --out '",
                                               Path("again_unc.csv"), "' ", flags, varied));
  EXPECT_EQ(LogValue(again, "created"), "false") << again;
  EXPECT_EQ(ReadText(Path("again_unc.csv")), ReadText(Path("online_unc.csv")));

  // Nothing varied: every interval is the nominal rank.
  const std::string fixed = CliOk(
      "uncertainty --framework tri --period 2023 --replicates 50 "
      "--weight_range 0 --out '" +
      Path("fixed.csv") + "'");
  EXPECT_THAT(fixed, HasSubstr("nothing varies"));
  const auto collapsed = ReadCsv(Path("fixed.csv"));
  ASSERT_EQ(collapsed.size(), 8u);
  for (const auto& row : collapsed) {
    EXPECT_EQ(Number(row.at("median_rank")), Number(row.at("nominal_rank")));
    EXPECT_EQ(Number(row.at("q05_rank")), Number(row.at("nominal_rank")));
    EXPECT_EQ(Number(row.at("q95_rank")), Number(row.at("nominal_rank")));
  }
}

TEST_F(CliScoreTest, CompareFindsThePreviousPeriodAndGivesGrowth) {
  const std::string log =
      CliOk("score --framework tri --period 2021-2023 --out '" + Path("series.csv") + "'");
  const std::string run_2021 = LogValue(log, "run", "period=2021");
  const std::string run_2022 = LogValue(log, "run", "period=2022");
  const std::string run_2023 = LogValue(log, "run", "period=2023");
  ASSERT_FALSE(run_2023.empty()) << log;

  // Against 2022 by default: rank change = 2022 rank - 2023 rank, both from
  // the offline scoring of the two files.
  const std::string compared =
      CliOk("compare --run " + run_2023 + " --out '" + Path("changes.csv") + "'");
  EXPECT_EQ(LogValue(compared, "previous"), run_2022) << compared;
  EXPECT_EQ(LogValue(compared, "previous_period"), "2022");
  EXPECT_THAT(compared, HasSubstr("risers: "));
  std::map<std::string, int> rank_2022, rank_2023;
  for (int p : {2022, 2023}) {
    CliOk(absl::StrCat("score --framework '", Path("framework.csv"), "' --data '",
                       Path(absl::StrCat("data_", p, ".csv")), "' --out '", Path("offline.csv"),
                       "'"));
    for (const auto& [key, scored] : ScoresOf(Path("offline.csv"))) {
      if (key.second == "index")
        (p == 2022 ? rank_2022 : rank_2023)[key.first] = std::stoi(scored.rank);
    }
  }
  const auto changes = ReadCsv(Path("changes.csv"));
  ASSERT_EQ(changes.size(), 8u);
  int moves = 0;
  for (const auto& row : changes) {
    const std::string& region = row.at("region");
    EXPECT_EQ(std::stoi(row.at("rank_change")), rank_2022[region] - rank_2023[region]) << region;
    moves += rank_2022[region] != rank_2023[region] ? 1 : 0;
    EXPECT_TRUE(row.at("raw_cagr").empty());  // the composite has no raw value
  }
  EXPECT_GT(moves, 0) << "no rank moved between 2022 and 2023: the comparison proves little";

  // An indicator against 2021, two years earlier: CAGR = (v2023 / v2021)^(1/2) - 1
  // from the file values; growth = v2023 / v2021 - 1.
  CliOk("compare --run " + run_2023 + " --previous " + run_2021 + " --node x1 --out '" +
        Path("x1.csv") + "'");
  const auto x1 = ReadCsv(Path("x1.csv"));
  ASSERT_EQ(x1.size(), 8u);
  for (const auto& row : x1) {
    const int r = std::stoi(row.at("region").substr(1));
    const double v2021 = Value(r, 0, 2021), v2023 = Value(r, 0, 2023);
    EXPECT_NEAR(Number(row.at("raw_cagr")), std::sqrt(v2023 / v2021) - 1, 1e-12) << r;
    EXPECT_NEAR(Number(row.at("raw_growth")), v2023 / v2021 - 1, 1e-12) << r;
  }

  // 2021 has no previous year's run: the error says what to compute.
  int code = 0;
  const std::string missing = Cli("compare --run " + run_2021, &code);
  EXPECT_EQ(code, 1) << missing;
  EXPECT_THAT(missing, HasSubstr("no run of the same spec as " + run_2021 + " for 2020"));
}

TEST_F(CliScoreTest, FlagsOfTheOtherModeAreRefusedByName) {
  struct Case {
    std::string args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"score --framework tri --period 2023 --region_column code", "--region_column is for"},
      {"score --framework tri --period 2023 --weights w.csv", "--weights w.csv: a weights file"},
      {"score --framework tri --period 2023 --normalisation_spec n.csv",
       "--normalisation_spec is for"},
      {"score --framework tri --period 2023 --impute group_mean", "needs --group_attribute"},
      {"score --framework tri --period 2023 --weight_set ws-1 --weights equal", "give one of"},
      {"score --framework tri --period 2023 --tiers bands", "--tiers: must be"},
      {"score --framework tri --period 2023-2021", "--period"},
      {absl::StrCat("score --framework '", Path("framework.csv"), "' --data '",
                    Path("data_2023.csv"), "' --tiers median"),
       "--tiers needs the scoring service"},
      {absl::StrCat("uncertainty --framework '", Path("framework.csv"), "' --data '",
                    Path("data_2023.csv"), "' --sensitivity_samples 10"),
       "--sensitivity_samples needs the scoring service"},
      {"uncertainty --framework tri --period 2022-2023", "one period"},
      {"compare", "--run RUN_ID is required"},
  };
  for (const Case& c : cases) {
    int code = 0;
    const std::string out = Cli(c.args, &code);
    EXPECT_EQ(code, 2) << c.args << "\n" << out;
    EXPECT_THAT(out, HasSubstr(c.expected)) << c.args;
  }
  // A bad spec is the service's INVALID_ARGUMENT, exit 1, naming the field.
  int code = 0;
  const std::string out = Cli("score --framework tri --period 2019", &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_THAT(out, HasSubstr("has no data in 2019"));
}

}  // namespace
}  // namespace innoscope::testing

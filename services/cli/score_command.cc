// innoscope score --framework F.csv --data D.csv [pipeline flags] [--out results.csv]
//
// Scores and ranks every region at every node of the framework, the root
// (composite) included, from files, without a cluster: libs/scoring's
// RunPipeline (denominate -> impute -> screen -> treat outliers ->
// normalise -> aggregate -> rank), the same function the scoring service
// and the published-results tests (UNDP HDI, COINr ASEM) use. Writes
// region,node,score,rank. Flags and file layouts: offline_scoring.h,
// score_files.h, docs/cli.md ("Scoring from files").
//
// Online (--framework CODE[@VERSION] --period P, no --data) goes to the
// scoring service; see ScoreOnline.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/scoring/pipeline.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/number_text.h"
#include "services/cli/offline_scoring.h"
#include "services/cli/output_file.h"
#include "services/cli/score_files.h"

namespace innoscope::cli {
namespace {

// Online scoring: a stored framework version and a period, computed and
// persisted by the scoring service (innoscope.scoring.v1 ComputeScores, then
// ExportRun streamed into the same region,node,score,rank rows). The service
// is being written alongside this command, so this build says so; this is
// the one function to fill in: the flags (--framework CODE[@VERSION],
// --period, --scoring_address, --timeout_seconds, --out) are already parsed
// and validated by RunScore.
int ScoreOnline(const ParsedCommand& cmd, const FrameworkArg& /*framework*/, int32_t /*period*/) {
  return Fail(cmd.program, absl::UnimplementedError("online scoring: not available in this build"),
              "score from files instead: --framework F.csv --data D.csv (see 'innoscope score "
              "--help')");
}

void PrintSummary(const ParsedCommand& cmd, const OfflineScoring& offline,
                  const scoring::PipelineResult& r) {
  if (!offline.data.skipped_columns.empty()) {
    std::fprintf(stderr, "%s: columns not in the framework, skipped: %s\n", cmd.program.c_str(),
                 absl::StrJoin(offline.data.skipped_columns, ",").c_str());
  }
  if (!r.dropped_regions.empty()) {
    std::fprintf(stderr, "%s: screened out (too few values): %s\n", cmd.program.c_str(),
                 absl::StrJoin(r.dropped_regions, ",").c_str());
  }
  if (!r.dropped_indicators.empty()) {
    std::fprintf(stderr, "%s: indicators screened out: %s\n", cmd.program.c_str(),
                 absl::StrJoin(r.dropped_indicators, ",").c_str());
  }
  int winsorised = 0, logged = 0;
  for (const index::OutlierReport& report : r.outlier_reports) {
    winsorised += report.winsorised > 0 ? 1 : 0;
    logged += report.log_transformed ? 1 : 0;
  }
  const index::Framework& f = offline.framework.framework;
  int unranked = 0;
  for (int rank : r.ranks[f.Root()]) unranked += rank == 0 ? 1 : 0;
  std::fprintf(stderr,
               "regions=%zu nodes=%zu indicators=%zu imputed=%zu undefined_cells=%zu "
               "dropped_regions=%zu dropped_indicators=%zu winsorised=%d log_transformed=%d "
               "without_composite=%d\n",
               r.scores.rows(), f.Nodes().size(), f.Leaves().size(), r.imputed.size(),
               r.undefined_cells.size(), r.dropped_regions.size(), r.dropped_indicators.size(),
               winsorised, logged, unranked);
}

}  // namespace

int RunScore(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "score",
      "Scores and ranks every region at every node of a framework, the composite included, "
      "and writes region,node,score,rank. From files: --framework F.csv --data D.csv (COINr "
      "metadata or level1_/level2_ layout; wide data). Online: --framework CODE[@VERSION] "
      "--period P.",
      {"scoring"}, "300");
  flags.Add("framework", "", "framework CSV (offline), or a stored CODE[@VERSION] (online)");
  flags.Add("period", "", "online: the year to score");
  flags.Add("out", "", "output CSV (default: standard output)");
  AddPipelineFlags(flags);
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  if (cmd.flags.Get("framework").empty()) {
    config::ExitInvalidConfig(cmd.program,
                              "--framework is required: a framework CSV with --data D.csv, or "
                              "a stored CODE[@VERSION] with --period P");
  }
  if (cmd.flags.Get("data").empty()) {
    if (cmd.flags.Get("period").empty()) {
      config::ExitInvalidConfig(cmd.program,
                                "give --data D.csv (scoring from files) or --period P (a "
                                "stored framework, through the scoring service)");
    }
    absl::StatusOr<FrameworkArg> framework = ParseFrameworkArg(cmd.flags.Get("framework"));
    if (!framework.ok()) {
      config::ExitInvalidConfig(cmd.program, std::string(framework.status().message()));
    }
    absl::StatusOr<int32_t> period = ParsePeriod(cmd.flags.Get("period"));
    if (!period.ok()) {
      config::ExitInvalidConfig(cmd.program, absl::StrCat("--period: ", period.status().message()));
    }
    return ScoreOnline(cmd, *framework, *period);
  }
  if (!cmd.flags.Get("period").empty()) {
    config::ExitInvalidConfig(cmd.program,
                              "--period is for a stored framework; a --data file holds one "
                              "period already");
  }
  absl::StatusOr<OfflineScoring> offline = LoadOfflineScoring(cmd.flags);
  if (!offline.ok()) return Fail(cmd.program, offline.status());
  absl::StatusOr<scoring::PipelineResult> result =
      scoring::RunPipeline(offline->Inputs(), offline->spec);
  if (!result.ok()) {
    return Fail(cmd.program, result.status(),
                "check the flags named above against the data (e.g. a geometric mean needs "
                "positive scores: --scale 1,100 or --non_positive shift)");
  }
  absl::StatusOr<std::unique_ptr<OutputFile>> out = OutputFile::Open(cmd.flags.Get("out"));
  if (!out.ok()) return Fail(cmd.program, out.status());
  *(*out)->buffer() = ScoresCsv(offline->framework.framework, *result);
  if (absl::Status s = (*out)->Commit(); !s.ok()) return Fail(cmd.program, s);
  PrintSummary(cmd, *offline, *result);
  return 0;
}

}  // namespace innoscope::cli

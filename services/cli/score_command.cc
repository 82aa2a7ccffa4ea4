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
// scoring service with the same pipeline flags (online_scoring.h maps them
// to the run spec; flags that only make sense for files are refused) and
// writes the same rows; see ScoreOnline.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "libs/scoring/pipeline.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/number_text.h"
#include "services/cli/offline_scoring.h"
#include "services/cli/online_scoring.h"
#include "services/cli/output_file.h"
#include "services/cli/score_files.h"
#include "services/cli/scoring_runs.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

namespace sv1 = ::innoscope::scoring::v1;

// Codes as a comma-separated list, for the log lines.
std::string Listed(const google::protobuf::RepeatedPtrField<std::string>& codes) {
  return absl::StrJoin(codes, ",");
}

void PrintRunSummary(const ParsedCommand& cmd, const sv1::ComputedRun& computed) {
  const sv1::Run& run = computed.run();
  const sv1::RunSummary& s = run.summary();
  const int period = run.spec().period();
  if (!s.regions_without_data().empty()) {
    std::fprintf(stderr, "%s: %d: no data, left out: %s\n", cmd.program.c_str(), period,
                 Listed(s.regions_without_data()).c_str());
  }
  if (!s.dropped_regions().empty()) {
    std::fprintf(stderr, "%s: %d: screened out (too few values): %s\n", cmd.program.c_str(), period,
                 Listed(s.dropped_regions()).c_str());
  }
  if (!s.dropped_indicators().empty()) {
    std::fprintf(stderr, "%s: %d: indicators screened out: %s\n", cmd.program.c_str(), period,
                 Listed(s.dropped_indicators()).c_str());
  }
  std::fprintf(stderr,
               "run=%s period=%d framework=%s@%d created=%s regions=%d clusters=%d "
               "nodes=%d imputed=%d undefined_cells=%d dropped_regions=%d "
               "dropped_indicators=%d treated_indicators=%d weight_set=%s written_by=%s "
               "published_by=%s\n",
               run.id().c_str(), period, run.spec().framework().code().c_str(),
               run.spec().framework().version(), computed.created() ? "true" : "false", s.regions(),
               s.clusters(), s.nodes_size(), s.imputed_cells(), s.undefined_cells_size(),
               s.dropped_regions_size(), s.dropped_indicators_size(), s.treated_indicators_size(),
               run.weight_set_id().empty() ? "-" : run.weight_set_id().c_str(),
               run.written_by().empty() ? "-" : run.written_by().c_str(),
               run.published_by().empty() ? "-" : run.published_by().c_str());
}

// Online scoring: a stored framework version and one or more periods,
// computed and persisted by the scoring service (ComputeScores with the
// periods), each run's rows streamed back (ExportRun) into the offline
// layout region,node,score,rank -- preceded by period for several periods,
// followed by tier with --tiers and cluster with --clusters.
int ScoreOnline(const ParsedCommand& cmd, const FrameworkArg& framework,
                const std::vector<int32_t>& periods) {
  absl::StatusOr<sv1::RunSpec> spec = RunSpecFromFlags(cmd.flags, framework);
  if (!spec.ok()) config::ExitInvalidConfig(cmd.program, std::string(spec.status().message()));
  sv1::ComputeScoresRequest request;
  *request.mutable_spec() = *std::move(spec);
  if (periods.size() == 1) {
    request.mutable_spec()->set_period(periods[0]);
  } else {
    for (int32_t p : periods) request.add_periods(p);
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      clients::ServiceChannel(cmd.flags, "scoring");
  if (!channel.ok()) return Fail(cmd.program, channel.status(), kScoringServiceHint);
  auto stub = sv1::ScoringService::NewStub(*channel);
  sv1::ComputeScoresResponse response;
  absl::Status status =
      CallUnary(*stub, &sv1::ScoringService::Stub::ComputeScores, request, &response, cmd.timeout);
  if (!status.ok()) return FailOnline(cmd.program, status);

  const bool with_period = periods.size() > 1;
  const bool with_tier =
      request.spec().has_tiers() && request.spec().tiers().rule_case() != sv1::Tiers::RULE_NOT_SET;
  const bool with_cluster = request.spec().clusters().cluster_codes_size() > 0;
  std::vector<std::string> columns;
  if (with_period) columns.push_back("period");
  for (const char* c : {"region", "node", "score", "rank"}) columns.push_back(c);
  if (with_tier) columns.push_back("tier");
  if (with_cluster) columns.push_back("cluster");
  absl::StatusOr<std::unique_ptr<OutputFile>> out = OutputFile::Open(cmd.flags.Get("out"));
  if (!out.ok()) return Fail(cmd.program, out.status());
  TableWriter writer(TableFormat::kCsv, columns, (*out)->buffer());
  std::vector<Cell> cells;
  for (const sv1::ComputedRun& computed : response.runs()) {
    absl::StatusOr<std::vector<sv1::ResultRow>> rows =
        ExportRunRows(*stub, computed.run().id(), cmd.timeout);
    if (!rows.ok()) return FailOnline(cmd.program, rows.status());
    for (const sv1::ResultRow& row : *rows) {
      cells.clear();
      if (with_period) cells.push_back(Cell::Number(absl::StrCat(computed.run().spec().period())));
      cells.push_back(Cell::Text(row.region_code()));
      cells.push_back(Cell::Text(row.node_code()));
      cells.push_back(row.has_score() ? Cell::Number(FormatDouble(row.score())) : Cell::Absent());
      cells.push_back(row.has_rank() ? Cell::Number(absl::StrCat(row.rank())) : Cell::Absent());
      if (with_tier) {
        cells.push_back(row.has_tier() ? Cell::Number(absl::StrCat(row.tier())) : Cell::Absent());
      }
      if (with_cluster) cells.push_back(Cell::Text(row.cluster() ? "true" : "false"));
      writer.Row(cells);
    }
    if (absl::Status s = (*out)->Flush(false); !s.ok()) return Fail(cmd.program, s);
  }
  writer.Finish();
  if (absl::Status s = (*out)->Commit(); !s.ok()) return Fail(cmd.program, s);
  for (const sv1::ComputedRun& computed : response.runs()) PrintRunSummary(cmd, computed);
  return 0;
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
  flags.Add("period", "",
            "online: the year to score, or several: 2014-2022, 2014,2018 (one run each)");
  flags.Add("out", "", "output CSV (default: standard output)");
  AddPipelineFlags(flags);
  AddOnlineScoringFlags(flags);
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
    absl::StatusOr<std::vector<int32_t>> periods = ParsePeriodList(cmd.flags.Get("period"));
    if (!periods.ok()) {
      config::ExitInvalidConfig(cmd.program,
                                absl::StrCat("--period: ", periods.status().message()));
    }
    return ScoreOnline(cmd, *framework, *periods);
  }
  if (!cmd.flags.Get("period").empty()) {
    config::ExitInvalidConfig(cmd.program,
                              "--period is for a stored framework; a --data file holds one "
                              "period already");
  }
  if (absl::Status s = CheckOfflineFlags(cmd.flags, OnlineScoringFlagNames()); !s.ok()) {
    config::ExitInvalidConfig(cmd.program, std::string(s.message()));
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

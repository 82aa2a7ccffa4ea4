// innoscope compare --run RUN_ID [--previous RUN_ID] [--node N] [--clusters]
//                   [--top 5] [--out changes.csv]
//
// Changes between two stored scoring runs at one node (scoring CompareRuns):
// by default against the run of the same spec for the previous period
// (period - 1; computed e.g. by 'innoscope score --period 2022-2023').
// Writes one row per region, region,previous_rank,current_rank,rank_change,
// previous_score,current_score,score_change,raw_growth,raw_cagr,raw_share
// (the raw columns for an indicator only), and the largest risers and
// fallers on standard error. docs/cli.md ("Changes between runs").

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/number_text.h"
#include "services/cli/online_scoring.h"
#include "services/cli/output_file.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

namespace sv1 = ::innoscope::scoring::v1;

Cell Optional(bool has, double value) {
  return has ? Cell::Number(FormatDouble(value)) : Cell::Absent();
}

Cell OptionalRank(bool has, int value) {
  return has ? Cell::Number(absl::StrCat(value)) : Cell::Absent();
}

// "CN-AH +1, CN-ZJ +1" / "CN-HE -4".
std::string Moves(const google::protobuf::RepeatedPtrField<sv1::RegionChange>& changes) {
  std::vector<std::string> parts;
  for (const sv1::RegionChange& c : changes) {
    parts.push_back(
        absl::StrCat(c.region_code(), " ", c.rank_change() > 0 ? "+" : "", c.rank_change()));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

}  // namespace

int RunCompare(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "compare",
      "Rank and score changes of a stored scoring run against another (default: the same "
      "spec's run for the previous period), with growth, compound annual growth and share "
      "of the total for an indicator; writes one row per region and prints the largest "
      "risers and fallers.",
      {"scoring"});
  flags.Add("run", "", "the current run's id (e.g. from 'innoscope score --period P')");
  flags.Add("previous", "",
            "the run to compare with (default: the same spec's run for the period before)");
  flags.Add("node", "", "node code (default: the composite)");
  flags.AddBool("clusters", false, "compare the runs' clusters instead of their regions");
  flags.Add("top", "5", "risers and fallers listed");
  flags.Add("out", "", "output CSV (default: standard output)");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  if (cmd.flags.Get("run").empty()) {
    config::ExitInvalidConfig(cmd.program,
                              "--run RUN_ID is required (the run ids are printed by "
                              "'innoscope score --framework CODE --period P')");
  }
  absl::StatusOr<int64_t> top = cmd.flags.GetInt("top", 1, 1000);
  absl::StatusOr<bool> clusters = cmd.flags.GetBool("clusters");
  if (!top.ok()) config::ExitInvalidConfig(cmd.program, std::string(top.status().message()));
  if (!clusters.ok()) {
    config::ExitInvalidConfig(cmd.program, std::string(clusters.status().message()));
  }

  sv1::CompareRunsRequest request;
  request.set_run_id(cmd.flags.Get("run"));
  request.set_previous_run_id(cmd.flags.Get("previous"));
  request.set_node_code(cmd.flags.Get("node"));
  request.set_clusters(*clusters);
  request.set_top_n(static_cast<int32_t>(*top));
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      clients::ServiceChannel(cmd.flags, "scoring");
  if (!channel.ok()) return Fail(cmd.program, channel.status(), kScoringServiceHint);
  auto stub = sv1::ScoringService::NewStub(*channel);
  sv1::CompareRunsResponse response;
  absl::Status status =
      CallUnary(*stub, &sv1::ScoringService::Stub::CompareRuns, request, &response, cmd.timeout);
  if (!status.ok()) return FailOnline(cmd.program, status);

  absl::StatusOr<std::unique_ptr<OutputFile>> out = OutputFile::Open(cmd.flags.Get("out"));
  if (!out.ok()) return Fail(cmd.program, out.status());
  TableWriter writer(TableFormat::kCsv,
                     {"region", "previous_rank", "current_rank", "rank_change", "previous_score",
                      "current_score", "score_change", "raw_growth", "raw_cagr", "raw_share"},
                     (*out)->buffer());
  for (const sv1::RegionChange& c : response.changes()) {
    writer.Row({Cell::Text(c.region_code()), OptionalRank(c.has_previous_rank(), c.previous_rank()),
                OptionalRank(c.has_current_rank(), c.current_rank()),
                OptionalRank(c.has_rank_change(), c.rank_change()),
                Optional(c.has_previous_score(), c.previous_score()),
                Optional(c.has_current_score(), c.current_score()),
                Optional(c.has_score_change(), c.score_change()),
                Optional(c.has_raw_growth(), c.raw_growth()),
                Optional(c.has_raw_cagr(), c.raw_cagr()),
                Optional(c.has_raw_share(), c.raw_share())});
  }
  writer.Finish();
  if (absl::Status s = (*out)->Commit(); !s.ok()) return Fail(cmd.program, s);
  std::fprintf(stderr, "risers: %s\n", Moves(response.risers()).c_str());
  std::fprintf(stderr, "fallers: %s\n", Moves(response.fallers()).c_str());
  std::fprintf(stderr, "run=%s previous=%s period=%d previous_period=%d node=%s regions=%d\n",
               response.run_id().c_str(), response.previous_run_id().c_str(), response.period(),
               response.previous_period(), response.node_code().c_str(), response.changes_size());
  return 0;
}

}  // namespace innoscope::cli

// innoscope ranking --framework CODE[@V] --period P [--node N] [--clusters]
//                   [--top N] [--run RUN_ID] [--format table|csv|json]
//
// Prints the ranking of a stored scoring run: the newest run of the
// framework and period (scoring ListRuns) unless --run names one, ranked at
// the composite or --node (scoring GetRanking), with region names from
// ingest (ListRegions). The run's id, framework version and period go to
// standard error.

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/number_text.h"
#include "services/cli/scoring_runs.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

namespace sv1 = ::innoscope::scoring::v1;
namespace iv1 = ::innoscope::ingest::v1;

template <typename T>
T OrExit(const std::string& program, absl::StatusOr<T> value) {
  if (!value.ok()) config::ExitInvalidConfig(program, std::string(value.status().message()));
  return *std::move(value);
}

// Code points of UTF-8 text, for column widths.
size_t TextWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80 ? 1 : 0;
  return width;
}

std::string PadRight(const std::string& text, size_t width) {
  const size_t w = TextWidth(text);
  return w >= width ? text : text + std::string(width - w, ' ');
}

// Fixed-width columns: RANK REGION NAME SCORE TIER, scores at the run's
// presentation decimals (2 when the run sets none).
std::string Table(const std::vector<sv1::RankingEntry>& entries,
                  const std::map<std::string, iv1::Region>& regions, int decimals) {
  size_t code_width = 6, name_width = 4, score_width = 5;
  std::vector<std::string> scores;
  for (const sv1::RankingEntry& e : entries) {
    code_width = std::max(code_width, TextWidth(e.region_code()));
    name_width = std::max(name_width, TextWidth(DisplayName(regions, e.region_code())));
    scores.push_back(e.has_score() ? absl::StrFormat("%.*f", decimals, e.score()) : "-");
    score_width = std::max(score_width, scores.back().size());
  }
  std::string out = absl::StrCat(absl::StrFormat("%4s", "RANK"), "  ",
                                 PadRight("REGION", code_width), "  ", PadRight("NAME", name_width),
                                 "  ", absl::StrFormat("%*s", score_width, "SCORE"), "  TIER\n");
  for (size_t i = 0; i < entries.size(); ++i) {
    const sv1::RankingEntry& e = entries[i];
    absl::StrAppend(&out, absl::StrFormat("%4d", e.rank()), "  ",
                    PadRight(e.region_code(), code_width), "  ",
                    PadRight(DisplayName(regions, e.region_code()), name_width), "  ",
                    absl::StrFormat("%*s", score_width, scores[i]), "  ",
                    e.has_tier() ? absl::StrCat(e.tier()) : "-", "\n");
  }
  return out;
}

std::string Rows(TableFormat format, const std::vector<sv1::RankingEntry>& entries,
                 const std::map<std::string, iv1::Region>& regions) {
  std::string out;
  TableWriter writer(format, {"rank", "region", "name", "score", "tier"}, &out);
  for (const sv1::RankingEntry& e : entries) {
    writer.Row({Cell::Number(absl::StrCat(e.rank())), Cell::Text(e.region_code()),
                Cell::Text(DisplayName(regions, e.region_code())),
                e.has_score() ? Cell::Number(FormatDouble(e.score())) : Cell::Absent(),
                e.has_tier() ? Cell::Number(absl::StrCat(e.tier())) : Cell::Absent()});
  }
  writer.Finish();
  return out;
}

}  // namespace

int RunRanking(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "ranking",
      "Prints the ranking of a stored scoring run: rank, region, name, score and tier. The "
      "run is the newest of --framework and --period (any version unless CODE@VERSION), or "
      "--run.",
      {"ingest", "scoring"});
  flags.Add("framework", "", "framework CODE or CODE@VERSION (required)");
  flags.Add("period", "", "the run's period, e.g. 2022 (required)");
  flags.Add("node", "", "rank at this node (default: the composite)");
  flags.AddBool("clusters", false, "rank the run's clusters instead of its regions");
  flags.Add("top", "0", "only the regions ranked N or better, ties included (0: all)");
  flags.Add("run", "", "this run id instead of the newest run");
  flags.Add("format", "table", "table, csv or json");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  const config::ParsedFlags& f = cmd.flags;
  if (f.Get("framework").empty() || f.Get("period").empty()) {
    config::ExitInvalidConfig(cmd.program,
                              "--framework CODE[@VERSION] and --period P are required");
  }
  const FrameworkArg framework = OrExit(cmd.program, ParseFrameworkArg(f.Get("framework")));
  const int32_t period = OrExit(cmd.program, ParsePeriod(f.Get("period")));
  const bool clusters = OrExit(cmd.program, f.GetBool("clusters"));
  const int32_t top = static_cast<int32_t>(OrExit(cmd.program, f.GetInt("top", 0, 1 << 30)));
  const std::string format_text = f.Get("format");
  if (format_text != "table" && format_text != "csv" && format_text != "json") {
    config::ExitInvalidConfig(
        cmd.program, absl::StrCat("--format: \"", format_text, "\" is not table, csv or json"));
  }
  const TableFormat format = format_text == "json" ? TableFormat::kJson : TableFormat::kCsv;

  absl::StatusOr<std::shared_ptr<grpc::Channel>> scoring_channel =
      clients::ServiceChannel(f, "scoring");
  if (!scoring_channel.ok()) return Fail(cmd.program, scoring_channel.status());
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ingest_channel =
      clients::ServiceChannel(f, "ingest");
  if (!ingest_channel.ok()) return Fail(cmd.program, ingest_channel.status());
  auto scoring = sv1::ScoringService::NewStub(*scoring_channel);
  auto ingest = iv1::IngestService::NewStub(*ingest_channel);

  absl::StatusOr<sv1::Run> run = ResolveRun(*scoring, framework, period, f.Get("run"), cmd.timeout);
  if (!run.ok()) return Fail(cmd.program, run.status());
  absl::StatusOr<std::vector<sv1::RankingEntry>> entries =
      FetchRanking(*scoring, run->id(), f.Get("node"), clusters, top, cmd.timeout);
  if (!entries.ok()) return Fail(cmd.program, entries.status());
  absl::StatusOr<std::map<std::string, iv1::Region>> regions = RegionsByCode(*ingest, cmd.timeout);
  if (!regions.ok()) return Fail(cmd.program, regions.status());

  const sv1::RunSpec& spec = run->spec();
  const std::string node = f.Get("node").empty() ? "the composite" : f.Get("node");
  std::fprintf(stderr, "%s: run %s of %s@%d, period %d, ranked at %s among %s\n",
               cmd.program.c_str(), run->id().c_str(), spec.framework().code().c_str(),
               spec.framework().version(), spec.period(), node.c_str(),
               clusters ? "its clusters" : "its regions");
  const std::string out =
      format_text == "table"
          ? Table(*entries, *regions,
                  spec.presentation().has_decimals() ? spec.presentation().decimals() : 2)
          : Rows(format, *entries, *regions);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace innoscope::cli

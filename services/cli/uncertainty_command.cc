// innoscope uncertainty --framework F.csv --data D.csv [pipeline flags]
//     [--replicates N] [--seed S] [--weight_range X] [--normalisations a,b]
//     [--aggregations a,b] [--threads T] [--out unc.csv]
//
// How certain is each rank? Monte Carlo over the modelling assumptions
// (OECD/JRC Handbook section 7; the Global Innovation Index's rank
// intervals): every weight scaled by U(1 - x, 1 + x), and the normalisation
// and aggregation drawn from the alternatives given, N times; each replicate
// re-runs libs/scoring's RunPipeline (offline_scoring.h) and ranks the
// composite. Writes region,nominal_rank,median_rank,q05_rank,q95_rank
// (type-7 percentiles of the replicate ranks). Seeded and deterministic:
// the same seed gives the same file for any --threads.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/parallel.h"
#include "libs/scoring/pipeline.h"
#include "libs/scoring/uncertainty.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/number_text.h"
#include "services/cli/offline_scoring.h"
#include "services/cli/output_file.h"
#include "services/cli/progress.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

// Online uncertainty (--framework CODE[@VERSION] --period P): the scoring
// service's ComputeUncertainty / GetUncertainty (innoscope.scoring.v1),
// being written alongside this command. The one function to fill in.
int UncertaintyOnline(const ParsedCommand& cmd) {
  return Fail(cmd.program,
              absl::UnimplementedError("online uncertainty: not available in this build"),
              "run it from files instead: --framework F.csv --data D.csv (see 'innoscope "
              "uncertainty --help')");
}

absl::StatusOr<UncertaintyAssumptions> AssumptionsFromFlags(const config::ParsedFlags& flags,
                                                            int max_level) {
  UncertaintyAssumptions out;
  ASSIGN_OR_RETURN(out.weight_range, ParseWeightRange(flags.Get("weight_range"), max_level));
  for (absl::string_view name :
       absl::StrSplit(flags.Get("normalisations"), ',', absl::SkipWhitespace())) {
    absl::StatusOr<index::NormaliseMethod> method = ParseNormaliseMethod(name);
    if (!method.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--normalisations: ", method.status().message()));
    }
    out.normalisations.push_back(*method);
  }
  for (absl::string_view name :
       absl::StrSplit(flags.Get("aggregations"), ',', absl::SkipWhitespace())) {
    absl::StatusOr<scoring::AggregationSpec> spec = ParseAggregation(name);
    if (!spec.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--aggregations: ", spec.status().message()));
    }
    out.aggregations.push_back(*spec);
  }
  return out;
}

}  // namespace

int RunUncertainty(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "uncertainty",
      "Monte Carlo rank intervals: re-scores the regions N times with weights, normalisation "
      "and aggregation drawn from the stated ranges and alternatives, and writes "
      "region,nominal_rank,median_rank,q05_rank,q95_rank. Takes every flag of 'innoscope "
      "score' for the nominal pipeline.",
      {"scoring"}, "3600");
  flags.Add("framework", "", "framework CSV (offline), or a stored CODE[@VERSION] (online)");
  flags.Add("period", "", "online: the year to score");
  flags.Add("out", "", "output CSV (default: standard output)");
  flags.Add("replicates", "1000", "Monte Carlo replicates N");
  flags.Add("seed", "0", "seed of the replicates' random streams");
  flags.Add("weight_range", "0.25",
            "every weight times U(1 - X, 1 + X); or LEVEL=X,... per level; 0 = fixed");
  flags.Add("normalisations", "",
            "comma-separated alternatives to --normalise, e.g. minmax,zscore,rank");
  flags.Add("aggregations", "",
            "comma-separated alternatives to --aggregate, e.g. arithmetic,geometric");
  flags.Add("threads", "0", "worker threads; 0 = one per core");
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
                                "give --data D.csv (from files) or --period P (a "
                                "stored framework, through the scoring service)");
    }
    absl::StatusOr<FrameworkArg> framework = ParseFrameworkArg(cmd.flags.Get("framework"));
    if (!framework.ok()) {
      config::ExitInvalidConfig(cmd.program, std::string(framework.status().message()));
    }
    return UncertaintyOnline(cmd);
  }
  absl::StatusOr<int64_t> replicates = cmd.flags.GetInt("replicates", 1, scoring::kMaxReplicates);
  absl::StatusOr<int64_t> seed = cmd.flags.GetInt("seed", 0, INT64_MAX);
  absl::StatusOr<int64_t> threads = cmd.flags.GetInt("threads", 0, scoring::kMaxThreads);
  for (const auto* s : {&replicates, &seed, &threads}) {
    if (!s->ok()) config::ExitInvalidConfig(cmd.program, std::string(s->status().message()));
  }

  absl::StatusOr<OfflineScoring> offline = LoadOfflineScoring(cmd.flags);
  if (!offline.ok()) return Fail(cmd.program, offline.status());
  const index::Framework& f = offline->framework.framework;
  absl::StatusOr<UncertaintyAssumptions> assumptions =
      AssumptionsFromFlags(cmd.flags, f.Node(f.Root()).level);
  if (!assumptions.ok())
    config::ExitInvalidConfig(cmd.program, std::string(assumptions.status().message()));
  absl::StatusOr<scoring::PipelineResult> nominal =
      scoring::RunPipeline(offline->Inputs(), offline->spec);
  if (!nominal.ok()) {
    return Fail(cmd.program, nominal.status(),
                "the nominal pipeline fails; check it with 'innoscope score' and the same flags");
  }
  absl::StatusOr<UncertaintyModel> model = BuildUncertaintyModel(*offline, *nominal, *assumptions);
  if (!model.ok()) return Fail(cmd.program, model.status());
  for (const std::string& line : model->description) {
    std::fprintf(stderr, "%s: %s\n", cmd.program.c_str(), line.c_str());
  }
  if (!model->unscored.empty()) {
    std::fprintf(stderr, "%s: left out (no composite score): %s\n", cmd.program.c_str(),
                 absl::StrJoin(model->unscored, ",").c_str());
  }
  if (model->factors.empty()) {
    std::fprintf(stderr,
                 "%s: nothing varies (--weight_range 0 and no alternatives): every "
                 "interval is the nominal rank\n",
                 cmd.program.c_str());
  }

  scoring::RunControl control;
  control.num_threads = *threads > 0
                            ? static_cast<int>(*threads)
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  control.num_threads = std::min(control.num_threads, scoring::kMaxThreads);
  scoring::MonteCarloOptions options;
  options.replicates = *replicates;
  options.seed = static_cast<uint64_t>(*seed);
  options.rank_options = offline->spec.ranking;
  ProgressOptions progress_options = ProgressOptions::For(stderr);
  progress_options.unit = "runs";
  Progress progress("uncertainty", *replicates + 1, progress_options);
  std::mutex progress_mutex;
  const scoring::ScoreModel& inner = model->model;
  scoring::ScoreModel counted = [&](absl::Span<const double> values) {
    absl::StatusOr<std::vector<double>> scores = inner(values);
    std::lock_guard<std::mutex> lock(progress_mutex);
    progress.Advance(1);
    return scores;
  };
  absl::StatusOr<scoring::MonteCarloResult> mc =
      scoring::RunMonteCarlo(model->factors, counted, options, control);
  progress.Finish();
  if (!mc.ok()) return Fail(cmd.program, mc.status());

  absl::StatusOr<std::unique_ptr<OutputFile>> out = OutputFile::Open(cmd.flags.Get("out"));
  if (!out.ok()) return Fail(cmd.program, out.status());
  TableWriter writer(TableFormat::kCsv,
                     {"region", "nominal_rank", "median_rank", "q05_rank", "q95_rank"},
                     (*out)->buffer());
  for (size_t i = 0; i < model->regions.size(); ++i) {
    const scoring::RegionUncertainty& u = mc->regions[i];
    writer.Row({Cell::Text(model->regions[i]), Cell::Number(absl::StrCat(u.nominal_rank)),
                Cell::Number(FormatDouble(u.median_rank)), Cell::Number(FormatDouble(u.p05_rank)),
                Cell::Number(FormatDouble(u.p95_rank))});
  }
  for (const std::string& region : model->unscored) {
    writer.Row(
        {Cell::Text(region), Cell::Absent(), Cell::Absent(), Cell::Absent(), Cell::Absent()});
  }
  writer.Finish();
  if (absl::Status s = (*out)->Commit(); !s.ok()) return Fail(cmd.program, s);
  std::fprintf(stderr, "regions=%zu replicates=%lld factors=%zu seed=%lld threads=%d\n",
               model->regions.size(), static_cast<long long>(mc->replicates), model->factors.size(),
               static_cast<long long>(*seed), control.num_threads);
  return 0;
}

}  // namespace innoscope::cli

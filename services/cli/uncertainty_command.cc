// innoscope uncertainty --framework F.csv --data D.csv [pipeline flags]
//     [--replicates N] [--seed S] [--weight_range X] [--normalisations a,b]
//     [--aggregations a,b] [--threads T] [--out unc.csv]
//
// How certain is each rank? Monte Carlo over the modelling assumptions
// (OECD/JRC Handbook section 7; the Global Innovation Index's rank
// intervals): every weight scaled by U(1 - x, 1 + x), the normalisation and
// aggregation drawn from the alternatives given, and imputation and outlier
// treatment switched when asked, N times; each replicate re-computes the
// pipeline from the raw data with libs/scoring's uncertainty model
// (uncertainty_model.h) and ranks the composite. Writes
// region,nominal_rank,median_rank,q05_rank,q95_rank (type-7 percentiles of
// the replicate ranks). Seeded and deterministic: the same seed gives the
// same file for any --threads.
//
// Online (--framework CODE[@VERSION] --period P, no --data): the scoring
// service computes the run of the same flags and its analysis
// (ComputeUncertainty) with the same assumptions and the same model, so the
// same data, flags and seed give the same intervals; see UncertaintyOnline.
// This file only reads flags and writes results.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "libs/common/cpu_limit.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/parallel.h"
#include "libs/scoring/pipeline.h"
#include "libs/scoring/uncertainty.h"
#include "libs/scoring/uncertainty_model.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/number_text.h"
#include "services/cli/offline_scoring.h"
#include "services/cli/online_scoring.h"
#include "services/cli/output_file.h"
#include "services/cli/progress.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

namespace sv1 = ::innoscope::scoring::v1;

// The flags only the scoring service's analysis reads.
const std::vector<std::string>& OnlineUncertaintyFlagNames() {
  static const auto* names = [] {
    auto* out = new std::vector<std::string>(OnlineScoringFlagNames());
    out->push_back("sensitivity_samples");
    return out;
  }();
  return *names;
}

absl::StatusOr<scoring::UncertaintyAssumptions> AssumptionsFromFlags(
    const config::ParsedFlags& flags, int max_level) {
  scoring::UncertaintyAssumptions out;
  ASSIGN_OR_RETURN(auto weight_range, ParseWeightRange(flags.Get("weight_range"), max_level));
  for (const auto& [level, fraction] : weight_range) out.weights.push_back({level, fraction});
  for (absl::string_view name :
       absl::StrSplit(flags.Get("normalisations"), ',', absl::SkipWhitespace())) {
    absl::StatusOr<index::NormaliseMethod> method =
        ParseEnumIgnoringCase<index::NormaliseMethod>(name);
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
  ASSIGN_OR_RETURN(out.imputation, flags.GetBool("vary_imputation"));
  ASSIGN_OR_RETURN(out.outlier_treatment, flags.GetBool("vary_outliers"));
  return out;
}

// Online uncertainty (--framework CODE[@VERSION] --period P): the run of
// the pipeline flags (ComputeScores), then its Monte Carlo analysis
// (ComputeUncertainty) with the assumptions of the same flags as from files
// (AssumptionsFor), written as region,nominal_rank,median_rank,q05_rank,
// q95_rank in the run's composite rank order.
int UncertaintyOnline(const ParsedCommand& cmd, const FrameworkArg& framework, int32_t period,
                      int64_t replicates, int64_t seed, int64_t threads) {
  absl::StatusOr<sv1::RunSpec> spec = RunSpecFromFlags(cmd.flags, framework);
  if (!spec.ok()) config::ExitInvalidConfig(cmd.program, std::string(spec.status().message()));
  absl::StatusOr<int64_t> samples = cmd.flags.GetInt("sensitivity_samples", 0, INT32_MAX);
  if (!samples.ok())
    config::ExitInvalidConfig(cmd.program, std::string(samples.status().message()));
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      clients::ServiceChannel(cmd.flags, "scoring");
  if (!channel.ok()) return Fail(cmd.program, channel.status(), kScoringServiceHint);
  auto stub = sv1::ScoringService::NewStub(*channel);

  sv1::ComputeScoresRequest scores;
  *scores.mutable_spec() = *std::move(spec);
  scores.mutable_spec()->set_period(period);
  sv1::ComputeScoresResponse computed;
  absl::Status status =
      CallUnary(*stub, &sv1::ScoringService::Stub::ComputeScores, scores, &computed, cmd.timeout);
  if (!status.ok()) return FailOnline(cmd.program, status);
  const sv1::Run& run = computed.run();
  int max_level = 1;
  for (const sv1::NodeInfo& node : run.summary().nodes()) {
    if (node.parent_code().empty()) max_level = node.level();
  }
  absl::StatusOr<scoring::UncertaintyAssumptions> assumptions =
      AssumptionsFromFlags(cmd.flags, max_level);
  if (!assumptions.ok()) {
    config::ExitInvalidConfig(cmd.program, std::string(assumptions.status().message()));
  }

  sv1::ComputeUncertaintyRequest request;
  request.set_run_id(run.id());
  *request.mutable_assumptions() = AssumptionsFor(*assumptions, run.spec());
  request.set_replicates(replicates);
  request.set_seed(static_cast<uint64_t>(seed));
  request.set_threads(static_cast<int32_t>(threads));
  request.set_sensitivity_samples(*samples);
  sv1::ComputeUncertaintyResponse response;
  status = CallUnary(*stub, &sv1::ScoringService::Stub::ComputeUncertainty, request, &response,
                     cmd.timeout);
  if (!status.ok()) return FailOnline(cmd.program, status);
  const sv1::Uncertainty& analysis = response.uncertainty();

  absl::StatusOr<std::unique_ptr<OutputFile>> out = OutputFile::Open(cmd.flags.Get("out"));
  if (!out.ok()) return Fail(cmd.program, out.status());
  TableWriter writer(TableFormat::kCsv,
                     {"region", "nominal_rank", "median_rank", "q05_rank", "q95_rank"},
                     (*out)->buffer());
  for (const sv1::RegionRankInterval& u : analysis.regions()) {
    writer.Row({Cell::Text(u.region_code()), Cell::Number(absl::StrCat(u.nominal_rank())),
                Cell::Number(FormatDouble(u.median_rank())),
                Cell::Number(FormatDouble(u.p05_rank())),
                Cell::Number(FormatDouble(u.p95_rank()))});
  }
  writer.Finish();
  if (absl::Status s = (*out)->Commit(); !s.ok()) return Fail(cmd.program, s);
  if (analysis.factors().empty()) {
    std::fprintf(stderr,
                 "%s: nothing varies (--weight_range 0 and no alternatives): every "
                 "interval is the nominal rank\n",
                 cmd.program.c_str());
  }
  for (const sv1::FactorSensitivity& f : analysis.sensitivity()) {
    std::fprintf(stderr, "sensitivity factor=%s first_order=%s total=%s\n", f.factor().c_str(),
                 f.has_first_order() ? FormatDouble(f.first_order()).c_str() : "-",
                 f.has_total() ? FormatDouble(f.total()).c_str() : "-");
  }
  std::fprintf(stderr,
               "run=%s uncertainty=%s created=%s regions=%d replicates=%lld factors=%d "
               "seed=%lld model_runs=%lld\n",
               run.id().c_str(), analysis.id().c_str(), response.created() ? "true" : "false",
               analysis.regions_size(), static_cast<long long>(analysis.request().replicates()),
               analysis.factors_size(), static_cast<long long>(seed),
               static_cast<long long>(analysis.model_runs()));
  return 0;
}

// One line per factor of `plan` for the log, with the alternatives
// numbered as the model's errors number them ("normalisation: minmax
// (nominal), alternative 1 zscore").
std::vector<std::string> DescribeFactors(const scoring::FactorPlan& plan,
                                         const OfflineScoring& offline,
                                         const config::ParsedFlags& flags) {
  const index::Framework& f = offline.framework.framework;
  std::vector<std::string> out;
  std::map<int, std::pair<int, double>> per_level;  // level -> (nodes, fraction)
  for (const scoring::FactorPlan::Weight& w : plan.weights) {
    auto& [count, fraction] = per_level[f.Node(w.node).level];
    ++count;
    fraction = w.fraction;
  }
  for (const auto& [level, nodes] : per_level) {
    out.push_back(absl::StrFormat("weights: %d node(s) at level %d x U(%g, %g)", nodes.first, level,
                                  1 - nodes.second, 1 + nodes.second));
  }
  if (plan.weight_group >= 0) {
    out.push_back(absl::StrFormat(
        "weights: one factor, a seeded stream per replicate (%zu weights would exceed %zu "
        "factors)",
        plan.weights.size(), scoring::kMaxFactors));
  }
  if (plan.normalisation >= 0) {
    std::string line =
        absl::StrCat("normalisation: ", EnumToName(offline.spec.normalise.method),
                     offline.spec.by_indicator.empty() ? "" : " (and per indicator)", " (nominal)");
    for (size_t i = 0; i < plan.normalisations.size(); ++i) {
      absl::StrAppend(&line, ", alternative ", i + 1, " ", EnumToName(plan.normalisations[i]));
    }
    out.push_back(std::move(line));
  }
  if (plan.aggregation >= 0) {
    const scoring::AggregationOptions& nominal = offline.spec.aggregation;
    std::string line = absl::StrCat(
        "aggregation: ", nominal.by_level.empty() ? AggregationName(nominal.spec) : "by level",
        " (nominal)");
    for (size_t i = 0; i < plan.aggregations.size(); ++i) {
      absl::StrAppend(&line, ", alternative ", i + 1, " ", AggregationName(plan.aggregations[i]));
    }
    out.push_back(std::move(line));
  }
  if (plan.imputation >= 0) {
    out.push_back(
        absl::StrCat("imputation: ", flags.Get("impute"), " (nominal) or ",
                     plan.imputation_alternative == index::ImputeMethod::kNone ? "none" : "mean"));
  }
  if (plan.outliers >= 0) {
    out.push_back(offline.spec.treat_outliers ? "outlier treatment: on (nominal) or off"
                                              : "outlier treatment: off (nominal) or on");
  }
  return out;
}

}  // namespace

int RunUncertainty(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "uncertainty",
      "Monte Carlo rank intervals: re-scores the regions N times with weights, normalisation, "
      "aggregation, imputation and outlier treatment drawn from the stated ranges and "
      "alternatives, and writes "
      "region,nominal_rank,median_rank,q05_rank,q95_rank. Takes every flag of 'innoscope "
      "score' for the nominal pipeline.",
      {"scoring"}, "3600");
  flags.Add("framework", "", "framework CSV (offline), or a stored CODE[@VERSION] (online)");
  flags.Add("period", "", "online: the year to score");
  flags.Add("out", "", "output CSV (default: standard output)");
  flags.Add("replicates", "1000", "Monte Carlo replicates N (online: at most 100,000)");
  flags.Add("seed", "0", "seed of the replicates' random streams");
  flags.Add("weight_range", "0.25",
            "every weight times U(1 - X, 1 + X); or LEVEL=X,... per level; 0 = fixed");
  flags.Add("normalisations", "",
            "comma-separated alternatives to --normalise, e.g. minmax,zscore,rank");
  flags.Add("aggregations", "",
            "comma-separated alternatives to --aggregate, e.g. arithmetic,geometric");
  flags.Add("threads", "0",
            "worker threads; 0 = the CPU quota of this container (cgroup) within the affinity mask "
            "(online: the service's default)");
  flags.Add("sensitivity_samples", "0",
            "online: Saltelli base sample N for Sobol indices (printed on standard error); "
            "0 = none");
  flags.AddBool("vary_imputation", false,
                "imputation as one more factor: --impute's method or the other (none, or mean "
                "when --impute is none)");
  flags.AddBool("vary_outliers", false,
                "outlier treatment as one more factor: --treat_outliers or the other setting");
  AddPipelineFlags(flags);
  AddOnlineScoringFlags(flags);
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  if (cmd.flags.Get("framework").empty()) {
    config::ExitInvalidConfig(cmd.program,
                              "--framework is required: a framework CSV with --data D.csv, or "
                              "a stored CODE[@VERSION] with --period P");
  }
  absl::StatusOr<int64_t> replicates = cmd.flags.GetInt("replicates", 1, scoring::kMaxReplicates);
  absl::StatusOr<int64_t> seed = cmd.flags.GetInt("seed", 0, INT64_MAX);
  absl::StatusOr<int64_t> threads = cmd.flags.GetInt("threads", 0, scoring::kMaxThreads);
  for (const auto* s : {&replicates, &seed, &threads}) {
    if (!s->ok()) config::ExitInvalidConfig(cmd.program, std::string(s->status().message()));
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
    absl::StatusOr<int32_t> period = ParsePeriod(cmd.flags.Get("period"));
    if (!period.ok()) {
      config::ExitInvalidConfig(cmd.program,
                                absl::StrCat("--period: ", period.status().message(),
                                             " (an analysis is of one run: one period)"));
    }
    return UncertaintyOnline(cmd, *framework, *period, *replicates, *seed, *threads);
  }
  if (!cmd.flags.Get("period").empty()) {
    config::ExitInvalidConfig(cmd.program,
                              "--period is for a stored framework; a --data file holds one "
                              "period already");
  }
  if (absl::Status s = CheckOfflineFlags(cmd.flags, OnlineUncertaintyFlagNames()); !s.ok()) {
    config::ExitInvalidConfig(cmd.program, std::string(s.message()));
  }

  absl::StatusOr<OfflineScoring> offline = LoadOfflineScoring(cmd.flags);
  if (!offline.ok()) return Fail(cmd.program, offline.status());
  const index::Framework& f = offline->framework.framework;
  absl::StatusOr<scoring::UncertaintyAssumptions> assumptions =
      AssumptionsFromFlags(cmd.flags, f.Node(f.Root()).level);
  if (!assumptions.ok())
    config::ExitInvalidConfig(cmd.program, std::string(assumptions.status().message()));
  // The nominal run once, for its local weights (and a clear message when
  // the flags themselves cannot score the data).
  absl::StatusOr<scoring::PipelineResult> nominal =
      scoring::RunPipeline(offline->Inputs(), offline->spec);
  if (!nominal.ok()) {
    return Fail(cmd.program, nominal.status(),
                "the nominal pipeline fails; check it with 'innoscope score' and the same flags");
  }
  std::shared_ptr<const scoring::UncertaintyInputs> inputs =
      UncertaintyInputsOf(*offline, *nominal);
  absl::StatusOr<scoring::FactorPlan> plan = scoring::PlanFactors(f, inputs->nominal, *assumptions);
  if (!plan.ok()) return Fail(cmd.program, plan.status());
  for (const std::string& line : DescribeFactors(*plan, *offline, cmd.flags)) {
    std::fprintf(stderr, "%s: %s\n", cmd.program.c_str(), line.c_str());
  }

  scoring::RunControl control;
  // 0: the CPU quota of this container within the affinity mask.
  control.num_threads = common::ResolveThreadCount(static_cast<int>(*threads));
  control.num_threads = std::min(control.num_threads, scoring::kMaxThreads);
  absl::StatusOr<scoring::UncertaintyModel> model =
      scoring::BuildUncertaintyModel(inputs, *assumptions, control);
  if (!model.ok()) {
    return Fail(cmd.program, model.status(),
                model.status().code() == absl::StatusCode::kInvalidArgument
                    ? "alternatives are numbered as listed above; drop one from "
                      "--normalisations/--aggregations, or pass --non_positive shift (with --shift "
                      "larger than the most negative score) or --non_positive skip"
                    : "");
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

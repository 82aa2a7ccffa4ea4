// Uncertainty analyses of stored runs: the run's inputs read again, the
// model of libs/scoring/uncertainty_model.h (the one `innoscope
// uncertainty` runs on files), Monte Carlo rank intervals and Sobol
// indices, stored by a content-derived id.

#include "services/scoring/scoring_service.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/uncertainty.h"
#include "libs/scoring/uncertainty_model.h"
#include "services/scoring/run_spec.h"
#include "services/scoring/scoring_support.h"

namespace innoscope::scoring {
namespace {

constexpr int64_t kDefaultReplicates = 1000;
constexpr int kDefaultBootstrap = 500;
constexpr double kDefaultConfidence = 0.95;
constexpr absl::Duration kDeadlineSlack = absl::Milliseconds(250);

// Defaults filled and the sizes that need no model checked: INVALID_ARGUMENT
// for values that make no sense, RESOURCE_EXHAUSTED beyond the limits.
absl::StatusOr<v1::ComputeUncertaintyRequest> NormaliseUncertaintyRequest(
    const v1::ComputeUncertaintyRequest& request) {
  v1::ComputeUncertaintyRequest out = request;
  if (out.replicates() < 0) return absl::InvalidArgumentError("replicates: must be >= 0");
  if (out.replicates() == 0) out.set_replicates(kDefaultReplicates);
  if (out.replicates() > kMaxUncertaintyReplicates) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "replicates: ", out.replicates(), " is over the limit of ", kMaxUncertaintyReplicates));
  }
  if (out.sensitivity_samples() < 0 || out.sensitivity_samples() == 1) {
    return absl::InvalidArgumentError("sensitivity_samples: 0 (none) or at least 2");
  }
  if (out.sensitivity_samples() > kMaxSensitivitySamples) {
    return absl::ResourceExhaustedError(
        absl::StrCat("sensitivity_samples: ", out.sensitivity_samples(), " is over the limit of ",
                     kMaxSensitivitySamples));
  }
  if (!out.has_bootstrap()) out.set_bootstrap(kDefaultBootstrap);
  if (out.bootstrap() < 0) return absl::InvalidArgumentError("bootstrap: must be >= 0");
  if (out.bootstrap() > kMaxBootstrap) {
    return absl::ResourceExhaustedError(
        absl::StrCat("bootstrap: ", out.bootstrap(), " is over the limit of ", kMaxBootstrap));
  }
  if (out.confidence() == 0) out.set_confidence(kDefaultConfidence);
  if (!(out.confidence() > 0 && out.confidence() < 1)) {
    return absl::InvalidArgumentError("confidence: must be in (0, 1)");
  }
  if (out.threads() < 0) return absl::InvalidArgumentError("threads: must be >= 0");
  if (out.has_block()) {
    const v1::ReplicateBlock& b = out.block();
    if (b.first() < 0 || b.first() >= out.replicates()) {
      return absl::InvalidArgumentError(
          absl::StrCat("block.first: must be in 0..", out.replicates() - 1, ", got ", b.first()));
    }
    if (b.count() < 1 || b.count() > out.replicates() - b.first()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "block.count: must be in 1..", out.replicates() - b.first(), ", got ", b.count()));
    }
  }
  return out;
}

// The limits that depend on the model: factors, model runs, stored ranks and
// the total work.
absl::Status CheckAnalysisSize(const v1::ComputeUncertaintyRequest& request, size_t factors,
                               size_t regions, size_t leaves) {
  if (factors > kMaxFactors) {
    return absl::ResourceExhaustedError(absl::StrCat("assumptions: ", factors,
                                                     " uncertain factors are over the limit of ",
                                                     kMaxFactors, " (perturb fewer levels)"));
  }
  const int64_t n = request.replicates();
  if (n * static_cast<int64_t>(regions) > kMaxStoredRanks) {
    return absl::ResourceExhaustedError(absl::StrCat("replicates: ", n, " replicates x ", regions,
                                                     " regions are over the limit of ",
                                                     kMaxStoredRanks, " stored ranks"));
  }
  const int64_t sensitivity_runs =
      request.sensitivity_samples() * static_cast<int64_t>(factors + 2);
  if (sensitivity_runs > kMaxModelRuns) {
    return absl::ResourceExhaustedError(
        absl::StrCat("sensitivity_samples: N (K + 2) = ", sensitivity_runs,
                     " model runs are over the limit of ", kMaxModelRuns));
  }
  const double work = static_cast<double>(n + 1 + sensitivity_runs + 1) *
                      static_cast<double>(regions) * static_cast<double>(leaves);
  if (work > kMaxCellEvaluations) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the analysis needs ", work, " cell evaluations (model runs x regions x indicators); ",
        "the limit is ", kMaxCellEvaluations, ": lower replicates or sensitivity_samples"));
  }
  return absl::OkStatus();
}

// The answer to a block request: the analysis id, without intervals.
v1::ComputeUncertaintyResponse BlockResponse(const std::string& id, const std::string& run_id,
                                             const v1::ComputeUncertaintyRequest& normalised,
                                             bool created) {
  v1::ComputeUncertaintyResponse response;
  v1::Uncertainty* analysis = response.mutable_uncertainty();
  analysis->set_id(id);
  analysis->set_run_id(run_id);
  *analysis->mutable_request() = normalised;
  analysis->mutable_request()->clear_threads();
  response.set_created(created);
  return response;
}

// The stored blocks that tile [0, n) from replicate 0 on (the one starting
// at each next replicate: blocks are keyed by their first), or nothing when
// they do not reach n.
std::vector<ReplicateBlockRanks> TilingBlocks(std::vector<ReplicateBlockRanks> stored, int64_t n) {
  std::vector<ReplicateBlockRanks> chain;
  int64_t next = 0;
  for (ReplicateBlockRanks& b : stored) {  // by first replicate
    if (b.first != next) continue;
    next += b.count;
    chain.push_back(std::move(b));
  }
  if (next != n) chain.clear();
  return chain;
}

}  // namespace

absl::StatusOr<v1::ComputeUncertaintyResponse> ScoringService::ComputeUncertainty(
    const v1::ComputeUncertaintyRequest& request, const CallControl& call) {
  const absl::Time upstream_deadline = clients::UpstreamDeadline(call.deadline);
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> run, LoadRun(request.run_id(), "run_id"));
  ASSIGN_OR_RETURN(v1::ComputeUncertaintyRequest normalised, NormaliseUncertaintyRequest(request));
  ASSIGN_OR_RETURN(UncertaintyAssumptions assumptions,
                   ToUncertaintyAssumptions(normalised.assumptions()));
  const std::string id = UncertaintyId(run->id(), normalised);
  {
    ASSIGN_OR_RETURN(std::optional<v1::Uncertainty> existing, store_.FindUncertainty(id));
    // A block of an analysis already complete is not needed.
    if (existing && normalised.has_block()) return BlockResponse(id, run->id(), normalised, false);
    if (existing) {
      v1::ComputeUncertaintyResponse response;
      *response.mutable_uncertainty() = *std::move(existing);
      response.set_created(false);
      return response;
    }
  }
  if (normalised.has_block()) {
    ASSIGN_OR_RETURN(std::optional<int64_t> stored,
                     store_.FindUncertaintyBlock(id, normalised.block().first()));
    if (stored && *stored != normalised.block().count()) {
      return absl::AlreadyExistsError(
          absl::StrCat("block.count: a block of ", *stored, " replicates from replicate ",
                       normalised.block().first(), " is stored for analysis ", id));
    }
    if (stored) return BlockResponse(id, run->id(), normalised, false);
  }

  // The run's inputs again: the same framework version, universe, group
  // labels and weights, and data from the same state (or at its as_of).
  const v1::RunSpec& spec = run->spec();
  ASSIGN_OR_RETURN(
      clients::LoadedFramework framework,
      ingest_.GetFramework(spec.framework().code(), spec.framework().version(), upstream_deadline));
  std::vector<std::string> scopes;
  for (const auto& v : run->data_versions()) scopes.push_back(v.scope());
  ASSIGN_OR_RETURN(std::vector<common::v1::DataVersion> versions,
                   ReadVersions(scopes, upstream_deadline));
  if (!spec.has_as_of() && !SameVersions(run->data_versions(), versions)) {
    return absl::FailedPreconditionError(
        absl::StrCat("run ", run->id(), " was computed on ",
                     DescribeVersions({run->data_versions().begin(), run->data_versions().end()}),
                     " but the data is now at ", DescribeVersions(versions),
                     "; compute a new run (or give the run an as_of) first"));
  }
  std::vector<std::string> universe(run->universe().begin(), run->universe().end());
  ASSIGN_OR_RETURN(RunData data, ReadRunData(framework, spec, universe, upstream_deadline));
  if (!spec.has_as_of()) {
    ASSIGN_OR_RETURN(std::vector<common::v1::DataVersion> after,
                     ReadVersions(scopes, upstream_deadline));
    if (!SameVersions(run->data_versions(), after)) {
      return absl::AbortedError("the ingest data changed while the analysis read it; retry");
    }
  }

  auto inputs = std::make_shared<UncertaintyInputs>();
  inputs->framework = framework.tree;
  inputs->data = std::move(data.data);
  inputs->denominators = std::move(data.denominators);
  inputs->groups.assign(run->group_labels().begin(), run->group_labels().end());
  ASSIGN_OR_RETURN(inputs->nominal, ToPipelineSpec(spec, framework.tree));
  if (run->summary().nodes_size() != static_cast<int>(framework.tree.Nodes().size())) {
    return absl::DataLossError(
        absl::StrCat("run ", run->id(), " does not match ", FrameworkName(spec)));
  }
  for (const v1::NodeInfo& n : run->summary().nodes())
    inputs->nominal.weights.push_back(n.weight());
  const size_t leaves = framework.tree.Leaves().size();
  RunControl control;
  control.num_threads =
      std::clamp(normalised.threads() == 0 ? options_.default_threads : normalised.threads(), 1,
                 std::max(1, options_.max_threads));
  control.deadline = call.deadline;
  control.now = options_.clock;
  // A call whose deadline passes is cancelled too, by the client a little
  // before the server's copy of the deadline expires (it travels as a
  // timeout, counted from when the server received the call): a
  // cancellation within kDeadlineSlack of the deadline is the deadline.
  control.is_cancelled = [&call, this] {
    return call.is_cancelled && call.is_cancelled() &&
           options_.clock() < call.deadline - kDeadlineSlack;
  };
  // The model's set-up (treatment, normalisations, frozen subtrees) runs on
  // the analysis' threads too.
  ASSIGN_OR_RETURN(UncertaintyModel model,
                   BuildUncertaintyModel(std::move(inputs), assumptions, control));
  RETURN_IF_ERROR(
      CheckAnalysisSize(normalised, model.factors.size(), model.regions.size(), leaves));
  if (normalised.sensitivity_samples() > 0 && model.factors.empty()) {
    return absl::InvalidArgumentError(
        "sensitivity_samples: the sensitivity analysis needs at least one assumption");
  }

  const RankOptions rank_options = ToRankOptions(spec.presentation());

  MonteCarloOptions mc_options;
  mc_options.replicates = normalised.replicates();
  mc_options.seed = normalised.seed();
  mc_options.rank_options = rank_options;
  if (normalised.has_block()) {
    ASSIGN_OR_RETURN(
        ReplicateBlockRanks block,
        RunMonteCarloBlock(model.factors, model.model, mc_options, normalised.block().first(),
                           normalised.block().count(), control));
    ASSIGN_OR_RETURN(bool created, store_.InsertUncertaintyBlock(id, block));
    return BlockResponse(id, run->id(), normalised, created);
  }
  // Blocks stored for this analysis that cover every replicate replace the
  // Monte Carlo runs (the same ranks: replicate j draws from its own stream).
  ASSIGN_OR_RETURN(std::vector<ReplicateBlockRanks> stored_blocks, store_.UncertaintyBlocks(id));
  std::vector<ReplicateBlockRanks> blocks =
      TilingBlocks(std::move(stored_blocks), normalised.replicates());
  absl::StatusOr<MonteCarloResult> mc_or =
      blocks.empty()
          ? RunMonteCarlo(model.factors, model.model, mc_options, control)
          : MonteCarloFromBlocks(model.factors, model.model, mc_options, blocks, control);
  if (!blocks.empty() && mc_or.status().code() == absl::StatusCode::kInvalidArgument) {
    return absl::DataLossError(
        absl::StrCat("stored blocks of analysis ", id, ": ", mc_or.status().message()));
  }
  ASSIGN_OR_RETURN(MonteCarloResult mc, std::move(mc_or));

  v1::Uncertainty analysis;
  analysis.set_id(id);
  analysis.set_run_id(run->id());
  *analysis.mutable_request() = normalised;
  analysis.mutable_request()->clear_threads();
  for (const UncertainFactor& f : model.factors) analysis.add_factors(f.name);
  std::vector<size_t> order(mc.regions.size());
  for (size_t r = 0; r < order.size(); ++r) order[r] = r;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return mc.regions[a].nominal_rank != mc.regions[b].nominal_rank
               ? mc.regions[a].nominal_rank < mc.regions[b].nominal_rank
               : model.regions[a] < model.regions[b];
  });
  for (size_t r : order) {
    const RegionUncertainty& u = mc.regions[r];
    v1::RegionRankInterval* out = analysis.add_regions();
    out->set_region_code(model.regions[r]);
    out->set_nominal_score(u.nominal_score);
    out->set_nominal_rank(u.nominal_rank);
    out->set_mean_rank(u.mean_rank);
    out->set_median_rank(u.median_rank);
    out->set_p05_rank(u.p05_rank);
    out->set_p95_rank(u.p95_rank);
  }
  int64_t model_runs = mc.replicates + 1;
  if (normalised.sensitivity_samples() > 0) {
    SensitivityOptions sa_options;
    sa_options.base_samples = normalised.sensitivity_samples();
    sa_options.seed = normalised.seed();
    sa_options.rank_options = rank_options;
    sa_options.bootstrap_replicates = normalised.bootstrap();
    sa_options.confidence = normalised.confidence();
    ASSIGN_OR_RETURN(SensitivityResult sa,
                     RunSensitivity(model.factors, model.model, sa_options, control));
    for (const FactorSensitivity& f : sa.factors) {
      v1::FactorSensitivity* out = analysis.add_sensitivity();
      out->set_factor(f.name);
      // NaN (no variance, no bootstrap) stays unset.
      if (std::isfinite(f.first_order)) out->set_first_order(f.first_order);
      if (std::isfinite(f.total)) out->set_total(f.total);
      if (std::isfinite(f.first_order_low)) out->set_first_order_low(f.first_order_low);
      if (std::isfinite(f.first_order_high)) out->set_first_order_high(f.first_order_high);
      if (std::isfinite(f.total_low)) out->set_total_low(f.total_low);
      if (std::isfinite(f.total_high)) out->set_total_high(f.total_high);
    }
    if (std::isfinite(sa.output_mean)) analysis.set_output_mean(sa.output_mean);
    if (std::isfinite(sa.output_variance)) analysis.set_output_variance(sa.output_variance);
    model_runs += sa.model_runs;
  }
  analysis.set_model_runs(model_runs);

  ASSIGN_OR_RETURN(bool created, store_.InsertUncertainty(analysis));
  ASSIGN_OR_RETURN(std::optional<v1::Uncertainty> stored, store_.FindUncertainty(id));
  if (!stored) return absl::InternalError(absl::StrCat("analysis ", id, " vanished after insert"));
  v1::ComputeUncertaintyResponse response;
  *response.mutable_uncertainty() = *std::move(stored);
  response.set_created(created);
  return response;
}

absl::StatusOr<v1::GetUncertaintyResponse> ScoringService::GetUncertainty(
    const v1::GetUncertaintyRequest& request) {
  if (request.id().empty()) return absl::InvalidArgumentError("id: required");
  ASSIGN_OR_RETURN(std::optional<v1::Uncertainty> analysis, store_.FindUncertainty(request.id()));
  if (!analysis) {
    return absl::NotFoundError(
        absl::StrCat("id: uncertainty analysis \"", request.id(), "\" does not exist"));
  }
  v1::GetUncertaintyResponse response;
  *response.mutable_uncertainty() = *std::move(analysis);
  return response;
}

}  // namespace innoscope::scoring

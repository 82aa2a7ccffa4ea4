#include "services/scoring/scoring_service.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/weights.h"
#include "libs/scoring/profile.h"
#include "libs/scoring/uncertainty.h"
#include "libs/server/paging.h"
#include "services/scoring/ingest_regions.h"
#include "services/scoring/run_comparison.h"
#include "services/scoring/run_results.h"
#include "services/scoring/run_spec.h"
#include "services/scoring/uncertainty_model.h"

namespace innoscope::scoring {
namespace {

using google::protobuf::util::TimeUtil;

constexpr size_t kRunCacheSize = 256;
constexpr size_t kNodeRowsCacheRows = 1'000'000;  // GetRanking's rows, about 100 MB
constexpr int64_t kDefaultReplicates = 1000;
constexpr int kDefaultBootstrap = 500;
constexpr double kDefaultConfidence = 0.95;
constexpr int kDefaultMovers = 5;
constexpr int kDefaultStrengthThreshold = 5;
constexpr size_t kMaxListedCodes = 20;
constexpr absl::Duration kDeadlineSlack = absl::Milliseconds(250);

std::string FrameworkName(const v1::RunSpec& spec) {
  return absl::StrCat("framework ", spec.framework().code(), " v", spec.framework().version());
}

// "A, B, C" with at most kMaxListedCodes, then how many more.
std::string ListCodes(const std::vector<std::string>& codes) {
  std::vector<std::string> shown(codes.begin(),
                                 codes.begin() + std::min(codes.size(), kMaxListedCodes));
  std::string out = absl::StrJoin(shown, ", ");
  if (codes.size() > kMaxListedCodes) {
    absl::StrAppend(&out, " and ", codes.size() - kMaxListedCodes, " more");
  }
  return out;
}

std::optional<absl::Time> AsOf(const v1::RunSpec& spec) {
  if (!spec.has_as_of()) return std::nullopt;
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(spec.as_of()));
}

// Indicator codes the leaves of `framework` are divided by, unique.
std::vector<std::string> DenominatorCodes(const index::Framework& framework) {
  std::set<std::string> codes;
  for (int leaf : framework.Leaves()) {
    if (!framework.Node(leaf).denominator.empty()) codes.insert(framework.Node(leaf).denominator);
  }
  return {codes.begin(), codes.end()};
}

// The ingest data version scopes a run depends on.
std::vector<std::string> DataScopes(const v1::RunSpec& spec) {
  std::vector<std::string> scopes = {"framework:" + spec.framework().code()};
  if (spec.pipeline().denominate() ||
      (spec.clusters().aggregate() == v1::CLUSTER_AGGREGATE_WEIGHTED_MEAN &&
       spec.clusters().cluster_codes_size() > 0)) {
    scopes.push_back("observations");  // indicators that are not leaves
  }
  if (spec.universe().selection_case() == v1::Universe::kClusterCode ||
      spec.clusters().cluster_codes_size() > 0) {
    scopes.push_back("regions");  // cluster memberships
  }
  return scopes;
}

// Whether weights computed with `method` read observations (data-driven
// ones, and the combined method's objective part).
absl::StatusOr<bool> UsesData(weighting::v1::Method method) {
  ASSIGN_OR_RETURN(const index::WeightingMethod m,
                   codecs::FromProto(method, "spec.weights.compute.method"));
  return index::IsDataDriven(m) || m == index::WeightingMethod::kCombined;
}

std::string DescribeVersions(const std::vector<common::v1::DataVersion>& versions) {
  std::vector<std::string> parts;
  for (const auto& v : versions) parts.push_back(absl::StrCat(v.scope(), " ", v.version()));
  return absl::StrJoin(parts, ", ");
}

bool SameVersions(const google::protobuf::RepeatedPtrField<common::v1::DataVersion>& a,
                  const std::vector<common::v1::DataVersion>& b) {
  if (static_cast<size_t>(a.size()) != b.size()) return false;
  for (size_t i = 0; i < b.size(); ++i) {
    if (a[i].scope() != b[i].scope() || a[i].version() != b[i].version()) return false;
  }
  return true;
}

// The node `code` of a run (default: its composite); INVALID_ARGUMENT when
// the run has no such node.
absl::StatusOr<int> NodeOf(const v1::Run& run, const std::string& code, const std::string& field) {
  const auto& nodes = run.summary().nodes();
  for (int i = 0; i < nodes.size(); ++i) {
    if (code.empty() ? nodes[i].parent_code().empty() : nodes[i].code() == code) return i;
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": \"", code, "\" is not a node of run ",
                                                 run.id(), " (", FrameworkName(run.spec()), ")"));
}

bool IsLeaf(const v1::Run& run, const std::string& code) {
  for (const v1::NodeInfo& n : run.summary().nodes()) {
    if (n.parent_code() == code) return false;
  }
  return true;
}

v1::NodeScore ToNodeScore(const NodeProfile& p, const v1::NodeInfo& info) {
  v1::NodeScore out;
  out.set_node_code(info.code());
  out.set_name(info.name());
  out.set_level(info.level());
  if (!std::isnan(p.score)) out.set_score(p.score);
  if (p.rank != kUnranked) out.set_rank(p.rank);
  if (!std::isnan(p.universe_mean)) out.set_universe_mean(p.universe_mean);
  if (!std::isnan(p.universe_median)) out.set_universe_median(p.universe_median);
  return out;
}

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

// Drops the rows of `data` without any value and returns the remaining
// regions (the run's universe). INVALID_ARGUMENT when none has data, when an
// explicit universe lists a region without data, or when fewer than two
// remain; otherwise the regions left out are listed in *without_data.
absl::StatusOr<std::vector<std::string>> KeepRegionsWithData(
    const v1::RunSpec& spec, index::DataMatrix& data, std::vector<std::string>* without_data) {
  std::vector<bool> has_data(data.rows(), false);
  std::vector<std::string> universe;
  for (size_t r = 0; r < data.rows(); ++r) {
    for (size_t c = 0; c < data.cols() && !has_data[r]; ++c) has_data[r] = !data.IsMissing(r, c);
    (has_data[r] ? universe : *without_data).push_back(data.regions()[r]);
  }
  const std::string fw = FrameworkName(spec);
  const v1::Universe::SelectionCase selection = spec.universe().selection_case();
  if (universe.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.period: ", fw, " has no data in ", spec.period(),
                     selection == v1::Universe::SELECTION_NOT_SET ? "" : " for the universe"));
  }
  if (selection == v1::Universe::kRegions && !without_data->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("spec.universe.regions: no data of ", fw, " in ",
                                                   spec.period(), " for ",
                                                   ListCodes(*without_data)));
  }
  if (universe.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat("spec.universe: 1 region with data in ",
                                                   spec.period(), " (", universe[0],
                                                   "); a ranking needs at least 2"));
  }
  if (!without_data->empty()) {
    data = index::Subset(data, has_data, std::vector<bool>(data.cols(), true));
  }
  return universe;
}

}  // namespace

struct ScoringService::RunData {
  index::DataMatrix data;  // regions x leaves
  std::optional<index::DataMatrix> denominators;
  std::optional<index::DataMatrix> cluster_weights;
};

ScoringService::ScoringService(clients::IngestClient& ingest, clients::WeightingClient& weighting,
                               RunStore& store, ScoringOptions options)
    : ingest_(ingest), weighting_(weighting), store_(store), options_(std::move(options)) {}

// ---------------------------------------------------------------- helpers

absl::StatusOr<std::shared_ptr<const v1::Run>> ScoringService::LoadRun(const std::string& id,
                                                                       const std::string& field) {
  if (id.empty()) return absl::InvalidArgumentError(field + ": required");
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = run_cache_.find(id);
    if (it != run_cache_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(std::optional<v1::Run> run, store_.FindRun(id));
  if (!run) {
    return absl::NotFoundError(
        absl::StrCat(field, ": run \"", id, "\" does not exist (see ListRuns)"));
  }
  auto shared = std::make_shared<const v1::Run>(*std::move(run));
  absl::MutexLock lock(&cache_mu_);
  if (run_cache_.size() >= kRunCacheSize)
    run_cache_.clear();  // runs are immutable: any policy is correct
  run_cache_.emplace(id, shared);
  return shared;
}

absl::StatusOr<std::shared_ptr<const v1::Run>> ScoringService::PreviousPeriodRun(
    const v1::Run& current) {
  const int period = current.spec().period() - 1;
  if (current.series().empty()) {
    return absl::NotFoundError(absl::StrCat(
        "previous_run_id: run ", current.id(),
        " was stored before runs had a series, so its previous period's run cannot be found; "
        "pass previous_run_id"));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> id, store_.FindSeriesRun(current.series(), period));
  if (!id) {
    return absl::NotFoundError(absl::StrCat(
        "previous_run_id: no run of the same spec as ", current.id(), " for ", period,
        "; compute it first (ComputeScores with the same spec and period ", period, ", or periods ",
        period, "-", current.spec().period(), ") or pass previous_run_id"));
  }
  return LoadRun(*id, "previous_run_id");
}

absl::StatusOr<std::vector<common::v1::DataVersion>> ScoringService::ReadVersions(
    const std::vector<std::string>& scopes, absl::Time deadline) {
  std::vector<common::v1::DataVersion> versions;
  for (const std::string& scope : scopes) {
    ASSIGN_OR_RETURN(int64_t version, ingest_.DataVersion(scope, deadline));
    common::v1::DataVersion& v = versions.emplace_back();
    v.set_scope(scope);
    v.set_version(version);
  }
  return versions;
}

absl::StatusOr<std::vector<double>> ScoringService::ResolveWeights(
    v1::RunSpec& spec, const clients::LoadedFramework& framework,
    const std::vector<std::string>& universe, absl::Time deadline, std::string* weight_set_id) {
  weighting::v1::WeightSet set;
  switch (spec.weights().source_case()) {
    case v1::Weights::kWeightSetId: {
      ASSIGN_OR_RETURN(set, weighting_.GetWeightSet(spec.weights().weight_set_id(), deadline));
      break;
    }
    case v1::Weights::kCompute: {
      weighting::v1::ComputeWeightsRequest& compute = *spec.mutable_weights()->mutable_compute();
      if (compute.framework().code().empty()) {
        compute.mutable_framework()->set_code(framework.proto.code());
      }
      if (compute.framework().version() == 0 &&
          compute.framework().code() == framework.proto.code()) {
        compute.mutable_framework()->set_version(framework.proto.version());
      }
      ASSIGN_OR_RETURN(const bool uses_data, UsesData(compute.method()));
      if (uses_data) {
        // Data-driven weights from the data the run scores, unless told
        // otherwise.
        if (compute.data().period() == 0) compute.mutable_data()->set_period(spec.period());
        if (compute.data().region_codes().empty() &&
            spec.universe().selection_case() != v1::Universe::SELECTION_NOT_SET) {
          for (const std::string& code : universe) compute.mutable_data()->add_region_codes(code);
        }
      }
      ASSIGN_OR_RETURN(set, weighting_.ComputeWeights(compute, deadline));
      break;
    }
    case v1::Weights::SOURCE_NOT_SET:
      return index::FixedWeights(framework.tree);
  }
  *weight_set_id = set.id();
  return clients::LocalWeightsFor(set, framework);
}

absl::StatusOr<std::vector<std::string>> ScoringService::ResolveUniverse(
    const v1::Universe& universe, int period, const std::string& field, absl::Time deadline) {
  std::vector<std::string> codes;
  switch (universe.selection_case()) {
    case v1::Universe::kRegions: {
      codes.assign(universe.regions().codes().begin(), universe.regions().codes().end());
      std::sort(codes.begin(), codes.end());
      auto dup = std::adjacent_find(codes.begin(), codes.end());
      if (dup != codes.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".regions.codes: ", *dup, " is listed twice"));
      }
      break;
    }
    case v1::Universe::kClusterCode: {
      ASSIGN_OR_RETURN(codes, ClusterMembers(ingest_, universe.cluster_code(), period,
                                             field + ".cluster_code", deadline));
      break;
    }
    case v1::Universe::kKind: {
      ASSIGN_OR_RETURN(std::vector<ingest::v1::Region> regions,
                       ingest_.ListRegions(universe.kind(), deadline));
      for (const auto& r : regions) codes.push_back(r.code());
      if (codes.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ".kind: no region of kind ", ingest::v1::RegionKind_Name(universe.kind())));
      }
      break;
    }
    case v1::Universe::SELECTION_NOT_SET:
      break;
  }
  return codes;
}

absl::StatusOr<ScoringService::RunData> ScoringService::ReadRunData(
    const clients::LoadedFramework& framework, const v1::RunSpec& spec,
    const std::vector<std::string>& regions, absl::Time deadline) {
  const std::optional<absl::Time> as_of = AsOf(spec);
  RunData out;
  ASSIGN_OR_RETURN(out.data,
                   ingest_.ReadMatrix(framework, spec.period(), regions, deadline, as_of));
  const std::vector<std::string>& rows = out.data.regions();
  if (spec.pipeline().denominate()) {
    ASSIGN_OR_RETURN(out.denominators,
                     ingest_.ReadIndicators(DenominatorCodes(framework.tree), spec.period(), rows,
                                            deadline, as_of));
  }
  if (spec.clusters().aggregate() == v1::CLUSTER_AGGREGATE_WEIGHTED_MEAN &&
      spec.clusters().cluster_codes_size() > 0) {
    ASSIGN_OR_RETURN(out.cluster_weights,
                     ingest_.ReadIndicators({spec.clusters().weight_indicator()}, spec.period(),
                                            rows, deadline, as_of));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ScoringService::GroupLabels(
    const std::string& attribute, const std::vector<std::string>& universe, absl::Time deadline) {
  ASSIGN_OR_RETURN(std::vector<ingest::v1::Region> regions,
                   ingest_.ListRegions(ingest::v1::REGION_KIND_UNSPECIFIED, deadline));
  absl::flat_hash_map<std::string, std::string> label;
  for (const auto& r : regions) {
    auto it = r.attributes().find(attribute);
    if (it != r.attributes().end()) label[r.code()] = it->second;
  }
  std::vector<std::string> groups;
  bool any = false;
  for (const std::string& code : universe) {
    auto it = label.find(code);
    groups.push_back(it == label.end() ? "" : it->second);
    any = any || !groups.back().empty();
  }
  if (!any) {
    return absl::InvalidArgumentError(absl::StrCat(
        "spec.pipeline.imputation.group_attribute: no region of the universe has attribute \"",
        attribute, "\""));
  }
  return groups;
}

// ------------------------------------------------------------------- runs

absl::StatusOr<v1::ComputeScoresResponse> ScoringService::ComputeScores(
    const v1::ComputeScoresRequest& request, absl::Time deadline) {
  const bool series = request.periods_size() > 0;
  std::vector<int> periods(request.periods().begin(), request.periods().end());
  if (!series) {
    periods.push_back(request.spec().period());
  } else {
    if (request.spec().period() != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("spec.period: must be 0 (unset) with periods; got ", request.spec().period(),
                       " (each run of the series takes its period from the list)"));
    }
    std::set<int> seen;
    for (int period : periods) {
      if (period < kMinPeriod || period > kMaxPeriod) {
        return absl::InvalidArgumentError(
            absl::StrCat("periods: ", period, " is outside ", kMinPeriod, "-", kMaxPeriod));
      }
      if (!seen.insert(period).second) {
        return absl::InvalidArgumentError(absl::StrCat("periods: ", period, " is listed twice"));
      }
    }
  }
  // The spec is checked once for every period before anything runs.
  v1::RunSpec spec = request.spec();
  for (int period : periods) {
    spec.set_period(period);
    RETURN_IF_ERROR(ValidateRunSpec(spec));
  }
  v1::ComputeScoresResponse response;
  for (int period : periods) {
    spec.set_period(period);
    absl::StatusOr<v1::ComputedRun> computed = ComputeRun(spec, request.draft(), deadline);
    if (!computed.ok()) {
      if (!series) return computed.status();
      return absl::Status(
          computed.status().code(),
          absl::StrCat("period ", period, ": ", computed.status().message(),
                       response.runs_size() == 0
                           ? ""
                           : absl::StrCat(" (the runs of the ", response.runs_size(),
                                          " period(s) before it are stored)")));
    }
    *response.add_runs() = *std::move(computed);
  }
  const v1::ComputedRun& last = response.runs(response.runs_size() - 1);
  *response.mutable_run() = last.run();
  response.set_created(last.created());
  return response;
}

absl::StatusOr<v1::ComputedRun> ScoringService::ComputeRun(const v1::RunSpec& requested,
                                                           bool draft, absl::Time deadline) {
  v1::Run run;
  *run.mutable_spec() = requested;
  v1::RunSpec& spec = *run.mutable_spec();
  RETURN_IF_ERROR(ValidateRunSpec(spec));
  ASSIGN_OR_RETURN(
      clients::LoadedFramework framework,
      ingest_.GetFramework(spec.framework().code(), spec.framework().version(), deadline));
  spec.mutable_framework()->set_version(framework.proto.version());
  run.set_series(SeriesId(spec));  // before ResolveWeights fills weights.compute
  const index::Framework& tree = framework.tree;
  ASSIGN_OR_RETURN(PipelineSpec pipeline, ToPipelineSpec(spec, tree));
  if (pipeline.denominate && DenominatorCodes(tree).empty()) {
    return absl::InvalidArgumentError(absl::StrCat("spec.pipeline.denominate: no indicator of ",
                                                   FrameworkName(spec), " names a denominator"));
  }

  // Everything is read between two readings of the data versions, which
  // must agree: the run then records the one state of the data it used.
  const std::vector<std::string> scopes = DataScopes(spec);
  ASSIGN_OR_RETURN(std::vector<common::v1::DataVersion> versions, ReadVersions(scopes, deadline));
  ASSIGN_OR_RETURN(std::vector<std::string> selected,
                   ResolveUniverse(spec.universe(), spec.period(), "spec.universe", deadline));
  ASSIGN_OR_RETURN(RunData data, ReadRunData(framework, spec, selected, deadline));
  std::vector<std::string> without_data;
  ASSIGN_OR_RETURN(std::vector<std::string> universe,
                   KeepRegionsWithData(spec, data.data, &without_data));
  std::vector<std::string> groups;
  ASSIGN_OR_RETURN(const index::ImputeMethod impute,
                   codecs::FromProto(spec.pipeline().imputation().method(),
                                     "spec.pipeline.imputation.method"));
  if (index::IsGroupImputation(impute)) {
    ASSIGN_OR_RETURN(
        groups, GroupLabels(spec.pipeline().imputation().group_attribute(), universe, deadline));
  }
  ClusterInputs clusters;
  ASSIGN_OR_RETURN(clusters.aggregate,
                   codecs::FromProto(spec.clusters().aggregate(), "spec.clusters.aggregate"));
  if (data.cluster_weights) clusters.member_weights = &*data.cluster_weights;
  for (const std::string& code : spec.clusters().cluster_codes()) {
    ASSIGN_OR_RETURN(
        std::vector<std::string> members,
        ClusterMembers(ingest_, code, spec.period(), "spec.clusters.cluster_codes", deadline));
    v1::ClusterDefinition& def = clusters.definitions.emplace_back();
    def.set_code(code);
    for (std::string& m : members) def.add_member_codes(std::move(m));
  }
  std::string weight_set_id;
  ASSIGN_OR_RETURN(pipeline.weights,
                   ResolveWeights(spec, framework, universe, deadline, &weight_set_id));
  ASSIGN_OR_RETURN(std::vector<common::v1::DataVersion> after, ReadVersions(scopes, deadline));
  run.mutable_data_versions()->Assign(versions.begin(), versions.end());
  if (!SameVersions(run.data_versions(), after)) {
    return absl::AbortedError(absl::StrCat("the ingest data changed while the run read it (",
                                           DescribeVersions(versions), " -> ",
                                           DescribeVersions(after), "); retry"));
  }

  run.set_weight_set_id(weight_set_id);
  for (const std::string& code : universe) run.add_universe(code);
  for (const std::string& g : groups) run.add_group_labels(g);
  for (const v1::ClusterDefinition& def : clusters.definitions) *run.add_clusters() = def;
  run.set_id(RunId(run));
  {
    ASSIGN_OR_RETURN(std::optional<v1::Run> existing, store_.FindRun(run.id()));
    if (existing) {
      // Asked for a published run: a draft left by an unfinished batch is
      // the same run (same id, same inputs), so it is published.
      if (!draft) RETURN_IF_ERROR(store_.PublishExisting(run.id()));
      v1::ComputedRun out;
      *out.mutable_run() = *std::move(existing);
      out.set_created(false);
      return out;
    }
  }

  PipelineInputs inputs{tree, data.data, data.denominators ? &*data.denominators : nullptr, groups};
  ASSIGN_OR_RETURN(PipelineResult result, RunPipeline(inputs, pipeline));
  if (result.scores.rows() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec.pipeline.screening: ", result.scores.rows(),
                     " region left after screening; a ranking needs at least 2"));
  }
  ASSIGN_OR_RETURN(RunResults results,
                   BuildRunResults(tree, pipeline, result, spec.tiers(), clusters));
  *run.mutable_summary() = std::move(results.summary);
  for (const std::string& code : without_data) {
    run.mutable_summary()->add_regions_without_data(code);
  }
  *run.mutable_statistics() = std::move(results.statistics);

  ASSIGN_OR_RETURN(bool created, store_.InsertRun(run, results.rows, draft));
  ASSIGN_OR_RETURN(std::optional<v1::Run> stored, store_.FindRun(run.id()));
  if (!stored) return absl::InternalError(absl::StrCat("run ", run.id(), " vanished after insert"));
  v1::ComputedRun out;
  *out.mutable_run() = *std::move(stored);
  out.set_created(created);
  return out;
}

absl::StatusOr<v1::GetRunResponse> ScoringService::GetRun(const v1::GetRunRequest& request) {
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> run, LoadRun(request.id(), "id"));
  v1::GetRunResponse response;
  *response.mutable_run() = *run;
  return response;
}

absl::StatusOr<v1::ListRunsResponse> ScoringService::ListRuns(const v1::ListRunsRequest& request) {
  ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request.page()));
  int64_t total = 0;
  ASSIGN_OR_RETURN(std::vector<v1::Run> runs,
                   store_.ListRuns(request.framework_code(), request.period(), window.offset,
                                   window.limit, &total));
  v1::ListRunsResponse response;
  for (v1::Run& run : runs) *response.add_runs() = std::move(run);
  *response.mutable_page() = server::PageResult(window, response.runs_size(), total);
  return response;
}

absl::StatusOr<v1::PublishRunsResponse> ScoringService::PublishRuns(
    const v1::PublishRunsRequest& request) {
  if (request.run_ids().empty()) return absl::InvalidArgumentError("run_ids: at least one run id");
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const std::string& id : request.run_ids()) {
    if (id.empty()) return absl::InvalidArgumentError("run_ids: an empty id");
    if (seen.insert(id).second) ids.push_back(id);
  }
  ASSIGN_OR_RETURN(int published, store_.PublishRuns(ids));
  v1::PublishRunsResponse response;
  response.set_published(published);
  return response;
}

// ------------------------------------------------------- reading a run

absl::StatusOr<v1::GetRankingResponse> ScoringService::GetRanking(
    const v1::GetRankingRequest& request, absl::Time deadline) {
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> run, LoadRun(request.run_id(), "run_id"));
  ASSIGN_OR_RETURN(int node, NodeOf(*run, request.node_code(), "node_code"));
  const std::string& node_code = run->summary().nodes(node).code();
  ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request.page()));
  if (request.top_n() < 0) return absl::InvalidArgumentError("top_n: must be >= 0");
  // A run's rows never change, so they are cached like the run (bounded
  // by rows, about 100 bytes each); a ranking then needs no database call.
  const std::string rows_key = absl::StrCat(run->id(), "/", node_code, "/", request.clusters());
  std::shared_ptr<const std::vector<RunResultRow>> cached_rows;
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = node_rows_cache_.find(rows_key);
    if (it != node_rows_cache_.end()) cached_rows = it->second;
  }
  if (cached_rows == nullptr) {
    ASSIGN_OR_RETURN(std::vector<RunResultRow> loaded,
                     store_.NodeResults(run->id(), node_code, request.clusters()));
    cached_rows = std::make_shared<const std::vector<RunResultRow>>(std::move(loaded));
    absl::MutexLock lock(&cache_mu_);
    if (node_rows_cached_ + cached_rows->size() > kNodeRowsCacheRows) {
      node_rows_cache_.clear();  // immutable rows: any eviction policy is correct
      node_rows_cached_ = 0;
    }
    if (node_rows_cache_.emplace(rows_key, cached_rows).second) {
      node_rows_cached_ += cached_rows->size();
    }
  }
  const std::vector<RunResultRow>& rows = *cached_rows;

  // Members of the requested universe, as indices into rows (sorted by code).
  absl::flat_hash_map<std::string, int> row_of;
  for (size_t i = 0; i < rows.size(); ++i) row_of[rows[i].region] = static_cast<int>(i);
  std::vector<int> members;
  const v1::Universe& universe = request.universe();
  if (universe.selection_case() == v1::Universe::SELECTION_NOT_SET) {
    for (size_t i = 0; i < rows.size(); ++i) members.push_back(static_cast<int>(i));
  } else {
    if (request.clusters() && universe.selection_case() != v1::Universe::kRegions) {
      return absl::InvalidArgumentError(
          "universe: clusters are ranked within an explicit list of cluster codes only");
    }
    ASSIGN_OR_RETURN(std::vector<std::string> codes,
                     ResolveUniverse(universe, run->spec().period(), "universe", deadline));
    std::vector<std::string> absent;
    for (const std::string& code : codes) {
      auto it = row_of.find(code);
      if (it == row_of.end()) {
        absent.push_back(code);
      } else {
        members.push_back(it->second);
      }
    }
    if (universe.selection_case() == v1::Universe::kRegions && !absent.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("universe.regions: not in run ", run->id(), ": ", ListCodes(absent)));
    }
    if (members.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("universe: none of its regions is in run ", run->id()));
    }
  }
  std::vector<double> scores;
  scores.reserve(rows.size());
  for (const RunResultRow& row : rows) scores.push_back(row.score);
  ASSIGN_OR_RETURN(
      std::vector<int> ranks,
      CompetitionRanksWithin(scores, members, ToRankOptions(run->spec().presentation())));

  std::vector<int> ranked;
  int unranked = 0;
  for (int m : members) {
    if (ranks[m] == kUnranked) {
      ++unranked;
    } else if (request.top_n() == 0 || ranks[m] <= request.top_n()) {
      ranked.push_back(m);
    }
  }
  std::sort(ranked.begin(), ranked.end(), [&](int a, int b) {
    return ranks[a] != ranks[b] ? ranks[a] < ranks[b] : rows[a].region < rows[b].region;
  });
  v1::GetRankingResponse response;
  response.set_run_id(run->id());
  response.set_node_code(node_code);
  response.set_universe_size(static_cast<int>(members.size()) - unranked);
  response.set_unranked(unranked);
  const int64_t total = static_cast<int64_t>(ranked.size());
  for (int64_t i = window.offset; i < total && i < window.offset + window.limit; ++i) {
    const RunResultRow& row = rows[ranked[i]];
    v1::RankingEntry* entry = response.add_entries();
    entry->set_rank(ranks[ranked[i]]);
    entry->set_region_code(row.region);
    entry->set_score(row.score);
    if (row.rank != kUnranked) entry->set_run_rank(row.rank);
    if (row.tier > 0) entry->set_tier(row.tier);
  }
  *response.mutable_page() = server::PageResult(window, response.entries_size(), total);
  return response;
}

absl::StatusOr<v1::GetRegionProfileResponse> ScoringService::GetRegionProfile(
    const v1::GetRegionProfileRequest& request) {
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> run, LoadRun(request.run_id(), "run_id"));
  if (request.region_code().empty()) return absl::InvalidArgumentError("region_code: required");
  ASSIGN_OR_RETURN(AggregationTree tree, TreeFromNodes(run->summary().nodes()));
  ASSIGN_OR_RETURN(std::vector<RunResultRow> rows, store_.Scores(run->id(), request.cluster()));

  // Regions x nodes, as the run scored them.
  std::vector<std::string> regions;
  for (const RunResultRow& row : rows) regions.push_back(row.region);
  std::sort(regions.begin(), regions.end());
  regions.erase(std::unique(regions.begin(), regions.end()), regions.end());
  std::vector<std::string> node_codes;
  for (const v1::NodeInfo& n : run->summary().nodes()) node_codes.push_back(n.code());
  index::DataMatrix scores(regions, node_codes);
  absl::flat_hash_map<std::string, size_t> region_row;
  for (size_t r = 0; r < regions.size(); ++r) region_row[regions[r]] = r;
  for (const RunResultRow& row : rows) {
    scores.Set(region_row[row.region], row.node_position, row.score);
  }
  auto it = region_row.find(request.region_code());
  if (it == region_row.end()) {
    return absl::NotFoundError(absl::StrCat(request.cluster() ? "cluster " : "region ",
                                            request.region_code(), " is not in run ", run->id()));
  }

  const int top = tree.MaxLevel();
  ProfileOptions options;
  options.rank_options = ToRankOptions(run->spec().presentation());
  if (request.strength_threshold() < 0) {
    return absl::InvalidArgumentError("strength_threshold: must be >= 0");
  }
  options.strength_threshold =
      request.strength_threshold() == 0 ? kDefaultStrengthThreshold : request.strength_threshold();
  if (request.strength_level() < 0 || request.strength_level() >= top) {
    return absl::InvalidArgumentError(
        absl::StrCat("strength_level: must be 0 (every node) or 1-", top - 1));
  }
  options.level = request.strength_level();
  const int radar_level = request.radar_level() == 0 ? top - 1 : request.radar_level();
  if (radar_level < 1 || radar_level >= top) {
    return absl::InvalidArgumentError(absl::StrCat("radar_level: must be 1-", top - 1));
  }
  ASSIGN_OR_RETURN(RegionProfile profile,
                   BuildProfile(tree, scores, static_cast<int>(it->second), options));

  v1::GetRegionProfileResponse response;
  response.set_run_id(run->id());
  response.set_region_code(request.region_code());
  if (profile.composite_rank != kUnranked) response.set_composite_rank(profile.composite_rank);
  response.set_universe_size(static_cast<int>(regions.size()));
  for (const NodeProfile& p : profile.nodes) {
    *response.add_nodes() = ToNodeScore(p, run->summary().nodes(p.node));
  }
  for (const NodeProfile& p : RadarSeries(profile, tree, radar_level)) {
    *response.add_radar() = ToNodeScore(p, run->summary().nodes(p.node));
  }
  for (int node : profile.strengths) response.add_strengths(tree.Code(node));
  for (int node : profile.weaknesses) response.add_weaknesses(tree.Code(node));
  return response;
}

absl::StatusOr<v1::CompareRunsResponse> ScoringService::CompareRuns(
    const v1::CompareRunsRequest& request) {
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> current, LoadRun(request.run_id(), "run_id"));
  std::shared_ptr<const v1::Run> previous;
  if (request.previous_run_id().empty()) {
    ASSIGN_OR_RETURN(previous, PreviousPeriodRun(*current));
  } else {
    ASSIGN_OR_RETURN(previous, LoadRun(request.previous_run_id(), "previous_run_id"));
  }
  ASSIGN_OR_RETURN(int node, NodeOf(*current, request.node_code(), "node_code"));
  const std::string node_code = current->summary().nodes(node).code();
  RETURN_IF_ERROR(NodeOf(*previous, node_code, "node_code").status());
  if (request.top_n() < 0) return absl::InvalidArgumentError("top_n: must be >= 0");
  const size_t movers = request.top_n() == 0 ? kDefaultMovers : request.top_n();

  ASSIGN_OR_RETURN(std::vector<RunResultRow> now,
                   store_.NodeResults(current->id(), node_code, request.clusters()));
  ASSIGN_OR_RETURN(std::vector<RunResultRow> before,
                   store_.NodeResults(previous->id(), node_code, request.clusters()));
  ASSIGN_OR_RETURN(v1::CompareRunsResponse response,
                   CompareNodeRows(before, previous->spec().period(), now, current->spec().period(),
                                   IsLeaf(*current, node_code), movers));
  response.set_run_id(current->id());
  response.set_previous_run_id(previous->id());
  response.set_node_code(node_code);
  return response;
}

absl::Status ScoringService::ExportRun(
    const v1::ExportRunRequest& request,
    const std::function<bool(const v1::ExportRunResponse&)>& on_message) {
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> run, LoadRun(request.run_id(), "run_id"));
  return store_.ExportResults(run->id(), [&](std::vector<RunResultRow>& rows) {
    v1::ExportRunResponse message;
    for (const RunResultRow& row : rows) *message.add_rows() = ToResultRow(row);
    return on_message(message);
  });
}

// ----------------------------------------------------------- uncertainty

absl::StatusOr<v1::ComputeUncertaintyResponse> ScoringService::ComputeUncertainty(
    const v1::ComputeUncertaintyRequest& request, const CallControl& call) {
  const absl::Time upstream_deadline = clients::UpstreamDeadline(call.deadline);
  ASSIGN_OR_RETURN(std::shared_ptr<const v1::Run> run, LoadRun(request.run_id(), "run_id"));
  ASSIGN_OR_RETURN(v1::ComputeUncertaintyRequest normalised, NormaliseUncertaintyRequest(request));
  const std::string id = UncertaintyId(run->id(), normalised);
  {
    ASSIGN_OR_RETURN(std::optional<v1::Uncertainty> existing, store_.FindUncertainty(id));
    if (existing) {
      v1::ComputeUncertaintyResponse response;
      *response.mutable_uncertainty() = *std::move(existing);
      response.set_created(false);
      return response;
    }
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
                   BuildUncertaintyModel(std::move(inputs), normalised.assumptions(), control));
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
  ASSIGN_OR_RETURN(MonteCarloResult mc,
                   RunMonteCarlo(model.factors, model.model, mc_options, control));

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

// Computing runs, and what the other parts share (the run cache, reading
// the run's inputs from ingest and weighting). Reading stored runs is
// scoring_queries.cc, uncertainty analyses scoring_uncertainty.cc.

#include "services/scoring/scoring_service.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>
#include <future>
#include <optional>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/weights.h"
#include "services/scoring/ingest_regions.h"
#include "services/scoring/run_results.h"
#include "services/scoring/run_spec.h"
#include "services/scoring/scoring_support.h"

namespace innoscope::scoring {
namespace {

using google::protobuf::util::TimeUtil;

constexpr size_t kRunCacheSize = 256;
// Matrices up to this many cells (8 bytes each, 8 MiB, within weighting's
// default 16 MiB message limit) go to weighting with a ComputeWeights of
// the run's own data; larger ones weighting reads from ingest itself.
constexpr size_t kMaxPassedCells = size_t{1} << 20;
// Periods of one ComputeScores read and computed at once: two keep both
// cores of a small server busy (one period's read from ingest, the other's
// pipeline and store) with at most two periods' data in memory.
constexpr size_t kPeriodsInFlight = 2;

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
    const std::vector<std::string>& universe, const index::DataMatrix& read, int64_t data_version,
    absl::Time deadline, std::string* weight_set_id) {
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
      bool run_data = false;  // weights of exactly the matrix the run read
      if (uses_data) {
        // Data-driven weights from the data the run scores, unless told
        // otherwise.
        run_data = !spec.has_as_of() && compute.framework().code() == framework.proto.code() &&
                   compute.framework().version() == framework.proto.version() &&
                   (compute.data().period() == 0 || compute.data().period() == spec.period()) &&
                   compute.data().region_codes().empty();
        if (compute.data().period() == 0) compute.mutable_data()->set_period(spec.period());
        if (compute.data().region_codes().empty() &&
            spec.universe().selection_case() != v1::Universe::SELECTION_NOT_SET) {
          for (const std::string& code : universe) compute.mutable_data()->add_region_codes(code);
        }
      }
      if (!run_data || read.rows() * read.cols() > kMaxPassedCells) {
        ASSIGN_OR_RETURN(set, weighting_.ComputeWeights(compute, deadline));
        break;
      }
      // The run's matrix (its rows are the universe) goes with the request;
      // the spec keeps the request without it.
      weighting::v1::ComputeWeightsRequest with_data = compute;
      *with_data.mutable_data()->mutable_observations() =
          clients::MatrixToProto(read, data_version);
      ASSIGN_OR_RETURN(set, weighting_.ComputeWeights(with_data, deadline));
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
    const v1::ComputeScoresRequest& request, const common::CallBudget& budget,
    const std::string& written_by) {
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
  // The periods overlap: while one period's run is finished and stored,
  // the next one's is read and computed on another thread (at most
  // kPeriodsInFlight prepared at once, so memory stays bounded). Runs are
  // stored in request order, each only after every run before it: a
  // failure leaves the runs before it stored and none after, as one period
  // at a time did. A failure also cancels the preparations in flight.
  std::atomic<bool> abandoned{false};
  const common::CallBudget prepare_budget(
      budget.deadline(), [&budget, &abandoned] { return abandoned.load() || budget.IsCancelled(); },
      budget.Clock());
  std::deque<std::future<absl::StatusOr<PreparedRun>>> in_flight;
  size_t started = 0;
  auto start_next = [&] {
    v1::RunSpec period_spec = request.spec();
    period_spec.set_period(periods[started++]);
    in_flight.push_back(
        std::async(std::launch::async, [this, period_spec, &prepare_budget, &written_by] {
          return PrepareRun(period_spec, prepare_budget, written_by);
        }));
  };
  v1::ComputeScoresResponse response;
  for (int period : periods) {
    while (started < periods.size() && in_flight.size() < kPeriodsInFlight) start_next();
    absl::StatusOr<PreparedRun> prepared = in_flight.front().get();
    in_flight.pop_front();
    absl::StatusOr<v1::ComputedRun> computed =
        prepared.ok() ? StoreRun(*std::move(prepared), request.draft(), budget, written_by)
                      : prepared.status();
    if (!computed.ok()) {
      abandoned = true;
      in_flight.clear();  // waits for the preparations in flight
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
    // The stored period's memory, freed here and on the preparing threads
    // (each with its own malloc arena), goes back to the system before
    // the next period is read: otherwise free pages of several arenas add
    // up in the resident size (bench/scoring/services.sh: 760 MB against
    // about 400 in use).
    malloc_trim(0);
  }
  const v1::ComputedRun& last = response.runs(response.runs_size() - 1);
  *response.mutable_run() = last.run();
  response.set_created(last.created());
  return response;
}

absl::StatusOr<ScoringService::PreparedRun> ScoringService::PrepareRun(
    const v1::RunSpec& requested, const common::CallBudget& budget, const std::string& written_by) {
  // Every upstream read of the run shares one deadline: the caller's less
  // the margin (docs/architecture.md "Deadlines and cancellation").
  const absl::Time deadline = budget.UpstreamDeadline();
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
  RETURN_IF_ERROR(budget.Check("the run's weights and pipeline"));
  std::vector<std::string> without_data;
  ASSIGN_OR_RETURN(std::vector<std::string> universe,
                   KeepRegionsWithData(spec, data.data, &without_data));
  std::vector<std::string> groups;
  ASSIGN_OR_RETURN(
      const index::ImputeMethod impute,
      codecs::FromProto(spec.pipeline().imputation().method(), "spec.pipeline.imputation.method"));
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
  int64_t framework_data_version = 0;  // scopes[0] is the framework's
  for (const common::v1::DataVersion& v : versions) {
    if (v.scope() == scopes[0]) framework_data_version = v.version();
  }
  ASSIGN_OR_RETURN(pipeline.weights,
                   ResolveWeights(spec, framework, universe, data.data, framework_data_version,
                                  deadline, &weight_set_id));
  RETURN_IF_ERROR(budget.Check("the run's second reading of the data versions"));
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
  run.set_written_by(written_by);  // not part of the id: kept by the first insert
  PreparedRun prepared;
  ASSIGN_OR_RETURN(prepared.existing, store_.FindRun(run.id()));
  if (prepared.existing) {
    prepared.run = std::move(run);
    return prepared;
  }

  PipelineInputs inputs{tree, data.data, data.denominators ? &*data.denominators : nullptr, groups};
  RunControl control;
  control.deadline = budget.deadline();
  control.now = budget.Clock();
  control.is_cancelled = budget.CancelProbe();
  ASSIGN_OR_RETURN(PipelineResult result, RunPipeline(inputs, pipeline, control));
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
  prepared.run = std::move(run);
  prepared.rows = std::move(results.rows);
  return prepared;
}

absl::StatusOr<v1::ComputedRun> ScoringService::StoreRun(PreparedRun prepared, bool draft,
                                                         const common::CallBudget& budget,
                                                         const std::string& written_by) {
  const v1::Run& run = prepared.run;
  if (std::optional<v1::Run>& existing = prepared.existing) {
    // Asked for a published run: a draft left by an unfinished batch is
    // the same run (same id, same inputs), so it is published.
    if (!draft && existing->published_by().empty()) {
      RETURN_IF_ERROR(store_.PublishExisting(run.id(), written_by));
      ASSIGN_OR_RETURN(existing, store_.FindRun(run.id()));
      if (!existing) return absl::InternalError(absl::StrCat("run ", run.id(), " vanished"));
    }
    v1::ComputedRun out;
    *out.mutable_run() = *std::move(existing);
    out.set_created(false);
    return out;
  }
  // The last check: past it the run is stored whole (one transaction).
  RETURN_IF_ERROR(budget.Check("storing the run"));
  ASSIGN_OR_RETURN(bool created, store_.InsertRun(run, prepared.rows, draft));
  ASSIGN_OR_RETURN(std::optional<v1::Run> stored, store_.FindRun(run.id()));
  if (!stored) return absl::InternalError(absl::StrCat("run ", run.id(), " vanished after insert"));
  v1::ComputedRun out;
  *out.mutable_run() = *std::move(stored);
  out.set_created(created);
  return out;
}

absl::StatusOr<v1::PublishRunsResponse> ScoringService::PublishRuns(
    const v1::PublishRunsRequest& request, const std::string& published_by) {
  if (request.run_ids().empty()) return absl::InvalidArgumentError("run_ids: at least one run id");
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const std::string& id : request.run_ids()) {
    if (id.empty()) return absl::InvalidArgumentError("run_ids: an empty id");
    if (seen.insert(id).second) ids.push_back(id);
  }
  ASSIGN_OR_RETURN(int published, store_.PublishRuns(ids, published_by));
  v1::PublishRunsResponse response;
  response.set_published(published);
  return response;
}

}  // namespace innoscope::scoring

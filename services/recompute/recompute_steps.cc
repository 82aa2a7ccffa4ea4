#include "services/recompute/recompute_steps.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "libs/clients/calls.h"
#include "libs/clients/grpc_ingest_client.h"
#include "libs/clients/grpc_weighting_client.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/server/content_hash.h"
#include "libs/server/grpc_status.h"

namespace innoscope::recompute {
namespace {

namespace iv1 = ::innoscope::ingest::v1;
namespace nv1 = ::innoscope::network::v1;
namespace sv1 = ::innoscope::scoring::v1;
namespace wv1 = ::innoscope::weighting::v1;

// Adds where it happened to an error, keeping its code.
absl::Status Context(const absl::Status& status, const std::string& where) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(where, ": ", status.message()));
}

double SecondsSince(absl::Time start) { return absl::ToDoubleSeconds(absl::Now() - start); }

nv1::FlagFilter ToFlag(recompute::FlagMode mode) {
  switch (mode) {
    case recompute::FlagMode::kOnly:
      return nv1::FLAG_FILTER_ONLY;
    case recompute::FlagMode::kExclude:
      return nv1::FLAG_FILTER_EXCLUDE;
    case recompute::FlagMode::kAny:
      break;
  }
  return nv1::FLAG_FILTER_ANY;
}

nv1::ActorFilter ToActorFilter(const recompute::ActorFilterSpec& spec) {
  nv1::ActorFilter filter;
  filter.set_sample(ToFlag(spec.sample));
  filter.set_platform(ToFlag(spec.platform));
  filter.set_foreign(ToFlag(spec.foreign));
  for (const std::string& kind : spec.kinds) {
    iv1::ActorKind k = iv1::ACTOR_KIND_UNSPECIFIED;
    iv1::ActorKind_Parse(absl::StrCat("ACTOR_KIND_", absl::AsciiStrToUpper(kind)), &k);
    filter.add_kinds(k);
  }
  for (const std::string& layer : spec.layers) {
    iv1::Layer l = iv1::LAYER_UNSPECIFIED;
    iv1::Layer_Parse(absl::StrCat("LAYER_", absl::AsciiStrToUpper(layer)), &l);
    filter.add_layers(l);
  }
  return filter;
}

nv1::IndicatorRule ToRule(const recompute::DerivedIndicator& d) {
  nv1::IndicatorRule rule;
  rule.set_indicator_code(d.indicator);
  rule.set_relation_type(d.relation_type);
  switch (d.direction) {
    case recompute::Direction::kOutgoing:
      rule.set_direction(nv1::RELATION_DIRECTION_OUTGOING);
      break;
    case recompute::Direction::kIncoming:
      rule.set_direction(nv1::RELATION_DIRECTION_INCOMING);
      break;
    case recompute::Direction::kAny:
      rule.set_direction(nv1::RELATION_DIRECTION_ANY);
      break;
  }
  *rule.mutable_anchor() = ToActorFilter(d.anchor);
  *rule.mutable_partner() = ToActorFilter(d.partner);
  rule.set_international(ToFlag(d.international));
  switch (d.aggregate) {
    case recompute::Aggregate::kCount:
      rule.set_aggregate(nv1::AGGREGATE_COUNT);
      break;
    case recompute::Aggregate::kSumAmount:
      rule.set_aggregate(nv1::AGGREGATE_SUM_AMOUNT);
      break;
    case recompute::Aggregate::kSumWeight:
      rule.set_aggregate(nv1::AGGREGATE_SUM_WEIGHT);
      break;
    case recompute::Aggregate::kDistinctPartners:
      rule.set_aggregate(nv1::AGGREGATE_DISTINCT_PARTNERS);
      break;
  }
  return rule;
}

iv1::RegionKind ToRegionKind(const std::string& kind) {
  iv1::RegionKind k = iv1::REGION_KIND_UNSPECIFIED;
  iv1::RegionKind_Parse(absl::StrCat("REGION_KIND_", absl::AsciiStrToUpper(kind)), &k);
  return k;
}

// weighting's method for a config word; METHOD_UNSPECIFIED for published.
wv1::Method ToMethod(recompute::Weighting w) {
  switch (w) {
    case recompute::Weighting::kAhp:
      return wv1::METHOD_AHP;
    case recompute::Weighting::kEntropy:
      return wv1::METHOD_ENTROPY;
    case recompute::Weighting::kCritic:
      return wv1::METHOD_CRITIC;
    case recompute::Weighting::kCv:
      return wv1::METHOD_CV;
    case recompute::Weighting::kPca:
      return wv1::METHOD_PCA;
    case recompute::Weighting::kEqual:
      return wv1::METHOD_EQUAL;
    case recompute::Weighting::kPublished:
      break;
  }
  return wv1::METHOD_UNSPECIFIED;
}

bool IsDataDriven(recompute::Weighting w) {
  return w == recompute::Weighting::kEntropy || w == recompute::Weighting::kCritic ||
         w == recompute::Weighting::kCv || w == recompute::Weighting::kPca;
}

void AddUnique(std::vector<std::string>* ids, const std::string& id) {
  if (std::find(ids->begin(), ids->end(), id) == ids->end()) ids->push_back(id);
}

}  // namespace

std::string ConfigHash(const IndexEntry& entry) {
  return absl::StrFormat("%016x", server::Fnv1a64(recompute::CanonicalText(entry)));
}

class RecomputeSteps::Impl {
 public:
  Impl(RecomputeChannels channels, absl::Duration timeout, RecomputeStore& store)
      : timeout_(timeout),
        store_(store),
        names_{{"ingest", server::UpstreamName("ingest", channels.addresses["ingest"])},
               {"weighting", server::UpstreamName("weighting", channels.addresses["weighting"])},
               {"scoring", server::UpstreamName("scoring", channels.addresses["scoring"])},
               {"network", server::UpstreamName("network", channels.addresses["network"])}},
        ingest_(channels.ingest, channels.addresses["ingest"]),
        weighting_(channels.weighting, channels.addresses["weighting"]),
        weighting_stub_(wv1::WeightingService::NewStub(channels.weighting)),
        scoring_(sv1::ScoringService::NewStub(channels.scoring)),
        network_(nv1::NetworkService::NewStub(channels.network)) {}

  absl::Time Deadline() const { return absl::Now() + timeout_; }

  absl::Status Check(const RecomputeConfig& config, bool force, std::vector<IndexWork>* work) {
    work->clear();
    for (size_t i = 0; i < config.indices.size(); ++i) {
      IndexWork w;
      w.entry = &config.indices[i];
      w.index = i;
      w.key = EntryKey(*w.entry);
      w.config_hash = ConfigHash(*w.entry);
      work->push_back(std::move(w));
    }
    for (IndexWork& w : *work) {
      const IndexEntry& e = *w.entry;
      absl::StatusOr<clients::LoadedFramework> f =
          ingest_.GetFramework(e.framework, e.version, Deadline());
      if (!f.ok()) return Context(f.status(), Where(w));
      RETURN_IF_ERROR(SetFramework(w, *std::move(f)));
    }
    ASSIGN_OR_RETURN(DataVersions all, ReadVersions(*work));
    for (IndexWork& w : *work) {
      w.before = Subset(*w.entry, all);
      ASSIGN_OR_RETURN(w.previous, store_.FindLastSuccess(w.key));
      std::optional<EntryState> last;
      if (w.previous) last = w.previous->state;
      w.changes = DetectChanges(last, {w.config_hash, w.before});
      w.recompute = force || w.changes.any();
      log::Info("index checked",
                {{"index", w.key},
                 {"framework_version", w.framework->proto.version()},
                 {"changes", DescribeChanges(w.changes)},
                 {"last_success_job_run", w.previous ? w.previous->job_run_id : int64_t{0}},
                 {"recompute", w.recompute}});
    }
    return absl::OkStatus();
  }

  absl::Status LoadFramework(IndexWork& w, int version) {
    absl::StatusOr<clients::LoadedFramework> f =
        ingest_.GetFramework(w.entry->framework, version, Deadline());
    if (!f.ok()) return Context(f.status(), Where(w));
    return SetFramework(w, *std::move(f));
  }

  // The resolved framework, after checking that the derived indicators are
  // leaves of it.
  absl::Status SetFramework(IndexWork& w, clients::LoadedFramework f) {
    const IndexEntry& e = *w.entry;
    w.framework = std::move(f);
    const index::Framework& tree = w.framework->tree;
    w.root_level = tree.Node(tree.Root()).level;
    const std::vector<std::string> leaves = tree.LeafCodes();
    for (const DerivedIndicator& rule : e.derived_indicators) {
      if (std::find(leaves.begin(), leaves.end(), rule.indicator) == leaves.end()) {
        return absl::FailedPreconditionError(absl::StrCat(
            Where(w), ": derived indicator '", rule.indicator, "' (config line ", rule.line,
            ") is not a leaf of framework ", e.framework, " version ", w.framework->proto.version(),
            "; its leaves are ", absl::StrJoin(leaves, ", ")));
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<DataVersions> ReadVersions(const std::vector<IndexWork>& work) {
    iv1::GetDataVersionsRequest request;
    std::set<std::string> scopes;
    for (const IndexWork& w : work) {
      for (const std::string& s : VersionScopes(*w.entry)) scopes.insert(s);
    }
    for (const std::string& s : scopes) request.add_scopes(s);
    iv1::GetDataVersionsResponse response;
    std::unique_ptr<grpc::ClientContext> context = clients::ContextWithTimeout(timeout_);
    RETURN_IF_ERROR(server::UpstreamStatus(
        names_.at("ingest"), ingest_.stub().GetDataVersions(context.get(), request, &response),
        "GetDataVersions"));
    DataVersions versions;
    for (const auto& v : response.versions()) versions[v.scope()] = v.version();
    return versions;
  }

  absl::Status Derive(IndexWork& w, int period) {
    const IndexEntry& e = *w.entry;
    if (e.derived_indicators.empty()) return absl::OkStatus();
    const absl::Time start = absl::Now();
    nv1::DeriveRegionIndicatorsRequest request;
    request.mutable_selection()->set_relation_set(e.relation_set);
    if (e.relation_years == RelationYears::kCumulative) {
      request.mutable_selection()->mutable_periods()->set_up_to(period);
    } else {
      request.mutable_selection()->mutable_periods()->mutable_window()->set_first(period);
      request.mutable_selection()->mutable_periods()->mutable_window()->set_last(period);
    }
    request.set_level(nv1::REGION_LEVEL_PROVINCE);
    for (const DerivedIndicator& d : e.derived_indicators) *request.add_rules() = ToRule(d);
    request.set_period(period);
    nv1::DeriveRegionIndicatorsResponse response;
    std::unique_ptr<grpc::ClientContext> context = clients::ContextWithTimeout(timeout_);
    RETURN_IF_ERROR(Context(
        server::UpstreamStatus(names_.at("network"),
                               network_->DeriveRegionIndicators(context.get(), request, &response),
                               "DeriveRegionIndicators"),
        absl::StrCat(Where(w), " period ", period)));
    AddUnique(&w.ids.network_runs, response.run().id());
    log::Info("derived indicators written", {{"step", "network"},
                                             {"index", w.key},
                                             {"period", period},
                                             {"run_id", response.run().id()},
                                             {"values", response.values_size()},
                                             {"batches", response.batches()},
                                             {"replayed_batches", response.replayed_batches()},
                                             {"seconds", SecondsSince(start)}});
    return absl::OkStatus();
  }

  // The regions data-driven weights are computed over: the universe's.
  absl::StatusOr<std::vector<std::string>> UniverseRegions(const IndexEntry& e, int period) {
    if (!e.universe.cluster_code.empty()) {
      return ingest_.ClusterMemberCodes(e.universe.cluster_code, period, Deadline());
    }
    ASSIGN_OR_RETURN(std::vector<iv1::Region> regions,
                     ingest_.ListRegions(ToRegionKind(e.universe.region_kind), Deadline()));
    std::vector<std::string> codes;
    for (const iv1::Region& r : regions) codes.push_back(r.code());
    return codes;
  }

  // The newest stored AHP weight set of the resolved framework version.
  absl::StatusOr<std::string> StoredAhpSet(const IndexWork& w) {
    wv1::ListWeightSetsRequest request;
    request.set_framework_code(w.entry->framework);
    request.mutable_page()->set_page_size(1000);
    while (true) {
      wv1::ListWeightSetsResponse response;
      std::unique_ptr<grpc::ClientContext> context = clients::ContextWithTimeout(timeout_);
      RETURN_IF_ERROR(server::UpstreamStatus(
          names_.at("weighting"),
          weighting_stub_->ListWeightSets(context.get(), request, &response), "ListWeightSets"));
      for (const wv1::WeightSet& set : response.weight_sets()) {
        if (set.method() == wv1::METHOD_AHP &&
            set.framework().version() == w.framework->proto.version()) {
          return set.id();
        }
      }
      if (response.page().next_page_token().empty()) break;
      request.mutable_page()->set_page_token(response.page().next_page_token());
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "no stored AHP weight set for framework ", w.entry->framework, " version ",
        w.framework->proto.version(),
        "; the judgement matrices are not part of the recompute config: compute the set once "
        "with 'innoscope weights ahp --framework ",
        w.entry->framework,
        " --matrices DIR', "
        "then run recompute again"));
  }

  absl::Status PrepareWeights(IndexWork& w) {
    const IndexEntry& e = *w.entry;
    if (e.weighting == Weighting::kPublished) {
      log::Info("fixed weights", {{"step", "weights"}, {"index", w.key}});
      return absl::OkStatus();
    }
    if (e.weighting == Weighting::kAhp) {
      absl::StatusOr<std::string> id = StoredAhpSet(w);
      if (!id.ok()) return Context(id.status(), Where(w));
      for (int period = e.first_period; period <= e.last_period; ++period)
        w.weight_set[period] = *id;
      AddUnique(&w.ids.weight_sets, *id);
      log::Info("stored AHP weights", {{"step", "weights"}, {"index", w.key}, {"weight_set", *id}});
    }
    return absl::OkStatus();
  }

  absl::Status Weights(IndexWork& w, int period) {
    const IndexEntry& e = *w.entry;
    if (e.weighting == Weighting::kPublished || e.weighting == Weighting::kAhp) {
      return absl::OkStatus();
    }
    const absl::Time start = absl::Now();
    const std::string where = absl::StrCat(Where(w), " period ", period);
    wv1::ComputeWeightsRequest request;
    request.mutable_framework()->set_code(e.framework);
    request.mutable_framework()->set_version(w.framework->proto.version());
    request.set_method(ToMethod(e.weighting));
    request.set_label(absl::StrCat("recompute ", w.key, " ", period));
    if (IsDataDriven(e.weighting)) {
      request.mutable_data()->set_period(period);
      absl::StatusOr<std::vector<std::string>> regions = UniverseRegions(e, period);
      if (!regions.ok()) return Context(regions.status(), where);
      for (const std::string& r : *regions) request.mutable_data()->add_region_codes(r);
    }
    absl::StatusOr<wv1::WeightSet> set = weighting_.ComputeWeights(request, Deadline());
    if (!set.ok()) return Context(set.status(), where);
    w.weight_set[period] = set->id();
    AddUnique(&w.ids.weight_sets, set->id());
    log::Info("weights computed", {{"step", "weights"},
                                   {"index", w.key},
                                   {"period", period},
                                   {"weight_set", set->id()},
                                   {"seconds", SecondsSince(start)}});
    return absl::OkStatus();
  }

  sv1::RunSpec Spec(const IndexWork& w, int period) const {
    const IndexEntry& e = *w.entry;
    sv1::RunSpec spec;
    spec.mutable_framework()->set_code(e.framework);
    spec.mutable_framework()->set_version(w.framework->proto.version());
    spec.set_period(period);
    if (e.universe.cluster_code.empty()) {
      spec.mutable_universe()->set_kind(ToRegionKind(e.universe.region_kind));
    } else {
      spec.mutable_universe()->set_cluster_code(e.universe.cluster_code);
    }
    auto it = w.weight_set.find(period);
    if (it != w.weight_set.end()) spec.mutable_weights()->set_weight_set_id(it->second);
    if (e.presentation.decimals)
      spec.mutable_presentation()->set_decimals(*e.presentation.decimals);
    if (e.presentation.global_weighted) {
      spec.mutable_presentation()->set_global_weighted(*e.presentation.global_weighted);
    }
    if (!e.clusters.empty()) {
      for (const std::string& c : e.clusters) spec.mutable_clusters()->add_cluster_codes(c);
      spec.mutable_clusters()->set_aggregate(codecs::ToProto(e.cluster_aggregate));
    }
    switch (e.tiers.kind) {
      case recompute::TierRule::Kind::kRankBands:
        for (int last : e.tiers.rank_bands)
          spec.mutable_tiers()->mutable_rank_bands()->add_last_ranks(last);
        break;
      case recompute::TierRule::Kind::kQuantiles:
        spec.mutable_tiers()->set_quantiles(e.tiers.classes);
        break;
      case recompute::TierRule::Kind::kNaturalBreaks:
        spec.mutable_tiers()->set_natural_breaks(e.tiers.classes);
        break;
      case recompute::TierRule::Kind::kMedianSplit:
        spec.mutable_tiers()->mutable_median_split();
        break;
      case recompute::TierRule::Kind::kNone:
        break;
    }
    spec.set_label(absl::StrCat("recompute ", w.key));
    return spec;
  }

  absl::StatusOr<sv1::Run> Scores(IndexWork& w, int period) {
    const absl::Time start = absl::Now();
    sv1::ComputeScoresRequest request;
    *request.mutable_spec() = Spec(w, period);
    // Drafts until the publish step: a run failing later leaves none of
    // this run's score runs listed (ListRuns, `innoscope ranking`).
    request.set_draft(true);
    sv1::ComputeScoresResponse response;
    std::unique_ptr<grpc::ClientContext> context = clients::ContextWithTimeout(timeout_);
    RETURN_IF_ERROR(
        Context(server::UpstreamStatus(names_.at("scoring"),
                                       scoring_->ComputeScores(context.get(), request, &response),
                                       "ComputeScores"),
                absl::StrCat(Where(w), " period ", period)));
    const sv1::Run& r = response.run();
    w.score_run[period] = r.id();
    AddUnique(&w.ids.score_runs, r.id());
    log::Info("scores computed",
              {{"step", "scores"},
               {"index", w.key},
               {"period", period},
               {"run_id", r.id()},
               {"created", response.created()},
               {"regions", r.summary().regions()},
               {"clusters", r.summary().clusters()},
               {"first", r.summary().top_size() > 0 ? r.summary().top(0).region_code() : ""},
               {"seconds", SecondsSince(start)}});
    return r;
  }

  absl::Status Uncertainty(IndexWork& w, int64_t block_first, int64_t block_count) {
    const IndexEntry& e = *w.entry;
    if (e.uncertainty.monte_carlo_runs == 0) return absl::OkStatus();
    const absl::Time start = absl::Now();
    sv1::ComputeUncertaintyRequest request;
    request.set_run_id(w.score_run.at(e.last_period));
    for (int level = 1; level < w.root_level; ++level) {
      sv1::WeightPerturbation* p = request.mutable_assumptions()->add_weights();
      p->set_level(level);
      p->set_fraction(e.uncertainty.weight_fraction);
    }
    request.set_replicates(e.uncertainty.monte_carlo_runs);
    request.set_seed(e.uncertainty.seed);
    if (block_count > 0) {
      request.mutable_block()->set_first(block_first);
      request.mutable_block()->set_count(block_count);
    }
    sv1::ComputeUncertaintyResponse response;
    std::unique_ptr<grpc::ClientContext> context = clients::ContextWithTimeout(timeout_);
    RETURN_IF_ERROR(Context(
        server::UpstreamStatus(names_.at("scoring"),
                               scoring_->ComputeUncertainty(context.get(), request, &response),
                               "ComputeUncertainty"),
        absl::StrCat(Where(w), " period ", e.last_period)));
    AddUnique(&w.ids.uncertainty, response.uncertainty().id());
    log::Info("uncertainty computed", {{"step", "uncertainty"},
                                       {"index", w.key},
                                       {"period", e.last_period},
                                       {"uncertainty_id", response.uncertainty().id()},
                                       {"replicates", e.uncertainty.monte_carlo_runs},
                                       {"block_first", block_first},
                                       {"block_count", block_count},
                                       {"created", response.created()},
                                       {"seconds", SecondsSince(start)}});
    return absl::OkStatus();
  }

  absl::StatusOr<int> Publish(const std::vector<std::string>& score_runs) {
    if (score_runs.empty()) return 0;
    sv1::PublishRunsRequest request;
    for (const std::string& id : score_runs) request.add_run_ids(id);
    const absl::Time start = absl::Now();
    sv1::PublishRunsResponse response;
    std::unique_ptr<grpc::ClientContext> context = clients::ContextWithTimeout(timeout_);
    RETURN_IF_ERROR(server::UpstreamStatus(names_.at("scoring"),
                                           scoring_->PublishRuns(context.get(), request, &response),
                                           "PublishRuns"));
    log::Info("score runs published", {{"step", "publish"},
                                       {"runs", request.run_ids_size()},
                                       {"were_drafts", response.published()},
                                       {"seconds", SecondsSince(start)}});
    return response.published();
  }

 private:
  absl::Duration timeout_;
  RecomputeStore& store_;
  // "scoring at HOST:PORT" by service name, for errors.
  std::map<std::string, std::string> names_;
  clients::GrpcIngestClient ingest_;
  clients::GrpcWeightingClient weighting_;
  std::unique_ptr<wv1::WeightingService::Stub> weighting_stub_;
  std::unique_ptr<sv1::ScoringService::Stub> scoring_;
  std::unique_ptr<nv1::NetworkService::Stub> network_;
};

RecomputeSteps::RecomputeSteps(RecomputeChannels channels, absl::Duration timeout,
                               RecomputeStore& store)
    : impl_(std::make_unique<Impl>(std::move(channels), timeout, store)) {}
RecomputeSteps::~RecomputeSteps() = default;

absl::Status RecomputeSteps::Check(const RecomputeConfig& config, bool force,
                                   std::vector<IndexWork>* work) {
  return impl_->Check(config, force, work);
}
absl::Status RecomputeSteps::LoadFramework(IndexWork& w, int version) {
  return impl_->LoadFramework(w, version);
}
absl::StatusOr<DataVersions> RecomputeSteps::ReadVersions(const std::vector<IndexWork>& work) {
  return impl_->ReadVersions(work);
}
DataVersions RecomputeSteps::Subset(const IndexEntry& entry, const DataVersions& all) {
  DataVersions out;
  for (const std::string& scope : VersionScopes(entry)) {
    auto it = all.find(scope);
    out[scope] = it == all.end() ? 0 : it->second;
  }
  return out;
}
absl::Status RecomputeSteps::Derive(IndexWork& w, int period) { return impl_->Derive(w, period); }
absl::Status RecomputeSteps::PrepareWeights(IndexWork& w) { return impl_->PrepareWeights(w); }
absl::Status RecomputeSteps::Weights(IndexWork& w, int period) { return impl_->Weights(w, period); }
absl::StatusOr<scoring::v1::Run> RecomputeSteps::Scores(IndexWork& w, int period) {
  return impl_->Scores(w, period);
}
absl::Status RecomputeSteps::Uncertainty(IndexWork& w, int64_t block_first, int64_t block_count) {
  return impl_->Uncertainty(w, block_first, block_count);
}
absl::StatusOr<int> RecomputeSteps::Publish(const std::vector<std::string>& score_runs) {
  return impl_->Publish(score_runs);
}

std::string RecomputeSteps::Where(const IndexWork& w) {
  return absl::StrCat("indices[", w.index, "] ", w.key, " (config line ", w.entry->line, ")");
}

}  // namespace innoscope::recompute

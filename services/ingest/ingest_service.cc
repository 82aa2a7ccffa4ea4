#include "services/ingest/ingest_service.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"
#include "libs/server/paging.h"

namespace innoscope::ingest {

namespace {

// Unknown-reference errors can be caused by a stale cache; others cannot.
bool MayBeStale(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         (absl::StrContains(status.message(), "unknown") ||
          absl::StrContains(status.message(), "not an indicator"));
}

// A repeated ActorKind filter holds only known kinds.
absl::Status CheckActorKinds(const google::protobuf::RepeatedField<int>& kinds,
                             const std::string& field) {
  for (int i = 0; i < kinds.size(); ++i) {
    RETURN_IF_ERROR(codecs::CheckProtoEnum(static_cast<v1::ActorKind>(kinds[i]),
                                           absl::StrCat(field, "[", i, "]")));
  }
  return absl::OkStatus();
}

// A read filter's list of codes, capped by --max_filter_codes.
absl::Status CheckFilter(const std::string& field, int size, const IngestLimits& limits) {
  return CheckLimit(absl::StatusCode::kInvalidArgument, field, "codes in one filter", size,
                    limits.max_filter_codes, kMaxFilterCodesFlag);
}

}  // namespace

absl::StatusOr<v1::UpsertRegionsResponse> IngestService::UpsertRegions(
    const v1::UpsertRegionsRequest& request, const common::CallBudget& budget) {
  RETURN_IF_ERROR(CheckBatchRows("regions", request.regions_size(), limits_));
  ASSIGN_OR_RETURN(Catalog catalog, store_.LoadCatalog());
  RETURN_IF_ERROR(ValidateRegions(request, catalog));
  ASSIGN_OR_RETURN(
      UpsertCounts counts,
      store_.UpsertRegions({request.regions().begin(), request.regions().end()}, budget));
  v1::UpsertRegionsResponse response;
  response.set_inserted(counts.inserted);
  response.set_updated(counts.updated);
  response.set_unchanged(counts.unchanged);
  return response;
}

absl::StatusOr<v1::ListRegionsResponse> IngestService::ListRegions(
    const v1::ListRegionsRequest& request) {
  RETURN_IF_ERROR(codecs::CheckProtoEnum(request.kind(), "kind"));
  ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request));
  int64_t total = 0;
  ASSIGN_OR_RETURN(std::vector<v1::Region> regions,
                   store_.ListRegions(request.kind(), window.offset, window.limit, &total));
  v1::ListRegionsResponse response;
  for (auto& r : regions) *response.add_regions() = std::move(r);
  *response.mutable_page() = server::PageResult(window, response.regions_size(), total);
  return response;
}

absl::StatusOr<v1::SetClusterMembersResponse> IngestService::SetClusterMembers(
    const v1::SetClusterMembersRequest& request, const common::CallBudget& budget) {
  RETURN_IF_ERROR(CheckBatchRows("members", request.members_size(), limits_));
  ASSIGN_OR_RETURN(Catalog catalog, store_.LoadCatalog());
  RowErrors errors("members");
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < request.members_size(); ++i) {
    const v1::ClusterMember& m = request.members(i);
    if (!catalog.regions.contains(m.member_code())) {
      errors.Add(i, "member_code", absl::StrCat("unknown region \"", m.member_code(), "\""));
    }
    if (m.member_code() == request.cluster_code()) {
      errors.Add(i, "member_code", "a cluster cannot be its own member");
    }
    if (m.first_period() != 0 && m.last_period() != 0 && m.first_period() > m.last_period()) {
      errors.Add(i, "last_period", "before first_period");
    }
    if (!seen.insert(absl::StrCat(m.member_code(), ":", m.first_period())).second) {
      errors.Add(i, "member_code", "listed twice with the same first_period");
    }
  }
  RETURN_IF_ERROR(errors.ToStatus("cluster " + request.cluster_code()));
  ASSIGN_OR_RETURN(bool changed, store_.SetClusterMembers(
                                     request.cluster_code(),
                                     {request.members().begin(), request.members().end()}, budget));
  v1::SetClusterMembersResponse response;
  response.set_members(request.members_size());
  response.set_changed(changed);
  return response;
}

absl::StatusOr<v1::ListClusterMembersResponse> IngestService::ListClusterMembers(
    const v1::ListClusterMembersRequest& request) {
  ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request));
  ASSIGN_OR_RETURN(auto memberships,
                   store_.ListClusterMembers(request.cluster_code(), request.period()));
  v1::ListClusterMembersResponse response;
  server::AppendPage(window, memberships, response.mutable_memberships());
  *response.mutable_page() = server::PageResult(window, response.memberships_size(),
                                                static_cast<int64_t>(memberships.size()));
  return response;
}

absl::StatusOr<v1::UpsertIndicatorsResponse> IngestService::UpsertIndicators(
    const v1::UpsertIndicatorsRequest& request, const common::CallBudget& budget) {
  RETURN_IF_ERROR(CheckBatchRows("indicators", request.indicators_size(), limits_));
  RETURN_IF_ERROR(ValidateIndicators(request));
  ASSIGN_OR_RETURN(
      UpsertCounts counts,
      store_.UpsertIndicators({request.indicators().begin(), request.indicators().end()}, budget));
  v1::UpsertIndicatorsResponse response;
  response.set_inserted(counts.inserted);
  response.set_updated(counts.updated);
  response.set_unchanged(counts.unchanged);
  return response;
}

absl::StatusOr<v1::ListIndicatorsResponse> IngestService::ListIndicators(
    const v1::ListIndicatorsRequest& request) {
  ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request));
  int64_t total = 0;
  ASSIGN_OR_RETURN(std::vector<v1::Indicator> indicators,
                   store_.ListIndicators(window.offset, window.limit, &total));
  v1::ListIndicatorsResponse response;
  for (auto& i : indicators) *response.add_indicators() = std::move(i);
  *response.mutable_page() = server::PageResult(window, response.indicators_size(), total);
  return response;
}

absl::StatusOr<v1::CreateFrameworkResponse> IngestService::CreateFramework(
    const v1::CreateFrameworkRequest& request, const common::CallBudget& budget) {
  ASSIGN_OR_RETURN(Catalog catalog, store_.LoadCatalog());
  RETURN_IF_ERROR(ValidateFramework(request, catalog, limits_));
  {
    v1::UpsertIndicatorsRequest indicators;
    *indicators.mutable_indicators() = request.indicators();
    RETURN_IF_ERROR(ValidateIndicators(indicators));
  }
  // The documented default: an unset convention is stored as relative.
  v1::CreateFrameworkRequest resolved = request;
  if (resolved.weight_convention() == v1::WEIGHT_CONVENTION_UNSPECIFIED) {
    resolved.set_weight_convention(v1::WEIGHT_CONVENTION_RELATIVE);
  }
  // The content hash covers the tree and its metadata, not the version
  // number, so re-sending the same framework is recognised as a replay. The
  // default convention hashes as unset, as it did when relative was the
  // enum's zero value, so frameworks stored before keep their hash.
  v1::CreateFrameworkRequest content = resolved;
  content.clear_version();
  if (content.weight_convention() == v1::WEIGHT_CONVENTION_RELATIVE) {
    content.clear_weight_convention();
  }
  return store_.CreateFramework(resolved, ContentHash(content), budget);
}

absl::StatusOr<v1::GetFrameworkResponse> IngestService::GetFramework(
    const v1::GetFrameworkRequest& request) {
  if (request.framework().code().empty()) {
    return absl::InvalidArgumentError("framework.code: required");
  }
  v1::GetFrameworkResponse response;
  ASSIGN_OR_RETURN(*response.mutable_framework(),
                   store_.GetFramework(request.framework().code(), request.framework().version()));
  return response;
}

absl::StatusOr<v1::ListFrameworksResponse> IngestService::ListFrameworks(
    const v1::ListFrameworksRequest& request) {
  ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request));
  ASSIGN_OR_RETURN(std::vector<v1::Framework> frameworks, store_.ListFrameworks(request.code()));
  v1::ListFrameworksResponse response;
  server::AppendPage(window, frameworks, response.mutable_frameworks());
  *response.mutable_page() = server::PageResult(window, response.frameworks_size(),
                                                static_cast<int64_t>(frameworks.size()));
  return response;
}

absl::StatusOr<v1::GetDataVersionsResponse> IngestService::GetDataVersions(
    const v1::GetDataVersionsRequest& request) {
  RETURN_IF_ERROR(CheckLimit(absl::StatusCode::kInvalidArgument, "scopes", "scopes",
                             request.scopes_size(), limits_.max_data_version_scopes,
                             kMaxDataVersionScopesFlag));
  ASSIGN_OR_RETURN(auto versions,
                   store_.GetDataVersions({request.scopes().begin(), request.scopes().end()}));
  v1::GetDataVersionsResponse response;
  for (auto& v : versions) *response.add_versions() = std::move(v);
  return response;
}

// -------------------------------------------------------------- writes

template <typename T>
absl::StatusOr<T> IngestService::BatchWriter::WithCatalog(
    const std::function<absl::StatusOr<T>(const Catalog&)>& validate) {
  bool fresh = !catalog_.has_value();
  if (fresh) {
    ASSIGN_OR_RETURN(catalog_, store_.LoadCatalog());
  }
  absl::StatusOr<T> result = validate(*catalog_);
  if (result.ok() || fresh || !MayBeStale(result.status())) return result;
  ASSIGN_OR_RETURN(catalog_, store_.LoadCatalog());
  return validate(*catalog_);
}

absl::StatusOr<v1::WriteObservationsResponse> IngestService::BatchWriter::WriteObservations(
    const v1::WriteObservationsRequest& request) {
  std::optional<FrameworkScope> framework;
  if (!request.framework().code().empty()) {
    ASSIGN_OR_RETURN(framework, store_.LoadFrameworkScope(request.framework().code(),
                                                          request.framework().version()));
  }
  ASSIGN_OR_RETURN(std::vector<v1::Observation> rows,
                   WithCatalog<std::vector<v1::Observation>>([&](const Catalog& catalog) {
                     return ValidateObservations(request, catalog,
                                                 framework ? &*framework : nullptr, limits_);
                   }));
  ASSIGN_OR_RETURN(WriteResult result,
                   store_.WriteObservations(request.batch_id(), ContentHash(request), rows,
                                            request.note(), written_by_, budget_));
  v1::WriteObservationsResponse response;
  response.set_batch_id(request.batch_id());
  *response.mutable_summary() = result.summary;
  response.set_replayed(result.replayed);
  return response;
}

absl::StatusOr<const absl::flat_hash_set<std::string>*> IngestService::BatchWriter::Actors(
    const std::string& set, bool reload) {
  if (!actors_ || actors_set_ != set || reload) {
    ASSIGN_OR_RETURN(actors_, store_.ActorCodes(set));
    actors_set_ = set;
  }
  return &*actors_;
}

absl::StatusOr<v1::UpsertActorsResponse> IngestService::BatchWriter::UpsertActors(
    const v1::UpsertActorsRequest& request) {
  ASSIGN_OR_RETURN(std::string set, RelationSetName(request.relation_set()));
  RETURN_IF_ERROR((WithCatalog<bool>([&](const Catalog& catalog) -> absl::StatusOr<bool> {
                     RETURN_IF_ERROR(ValidateActors(request, catalog, limits_));
                     return true;
                   }).status()));
  ASSIGN_OR_RETURN(WriteResult result,
                   store_.UpsertActors(set, request.batch_id(), ContentHash(request),
                                       {request.actors().begin(), request.actors().end()},
                                       written_by_, budget_));
  // Later relation batches of this stream may name these actors.
  if (actors_ && actors_set_ == set) {
    for (const v1::Actor& a : request.actors()) actors_->insert(a.code());
  }
  v1::UpsertActorsResponse response;
  response.set_batch_id(request.batch_id());
  *response.mutable_summary() = result.summary;
  response.set_replayed(result.replayed);
  return response;
}

absl::StatusOr<v1::WriteRelationsResponse> IngestService::BatchWriter::WriteRelations(
    const v1::WriteRelationsRequest& request) {
  ASSIGN_OR_RETURN(std::string set, RelationSetName(request.relation_set()));
  ASSIGN_OR_RETURN(const absl::flat_hash_set<std::string>* actors, Actors(set, false));
  absl::Status valid = ValidateRelations(request, *actors, limits_);
  if (MayBeStale(valid)) {
    ASSIGN_OR_RETURN(actors, Actors(set, true));
    valid = ValidateRelations(request, *actors, limits_);
  }
  RETURN_IF_ERROR(valid);
  ASSIGN_OR_RETURN(WriteResult result,
                   store_.WriteRelations(set, request.batch_id(), ContentHash(request),
                                         {request.relations().begin(), request.relations().end()},
                                         written_by_, budget_));
  v1::WriteRelationsResponse response;
  response.set_batch_id(request.batch_id());
  *response.mutable_summary() = result.summary;
  response.set_replayed(result.replayed);
  return response;
}

// --------------------------------------------------------------- reads

absl::Status IngestService::ReadObservations(
    const v1::ReadObservationsRequest& request,
    const std::function<bool(const v1::ReadObservationsResponse&)>& on_message) {
  RETURN_IF_ERROR(CheckFilter("indicator_codes", request.indicator_codes_size(), limits_));
  RETURN_IF_ERROR(CheckFilter("region_codes", request.region_codes_size(), limits_));
  std::optional<FrameworkScope> framework;
  if (!request.framework().code().empty()) {
    ASSIGN_OR_RETURN(framework, store_.LoadFrameworkScope(request.framework().code(),
                                                          request.framework().version()));
  }
  if (request.has_periods() && request.periods().first() > request.periods().last()) {
    return absl::InvalidArgumentError("periods: first is after last");
  }
  return store_.ReadObservations(request, framework ? &*framework : nullptr,
                                 [&](std::vector<v1::StoredObservation>& chunk) {
                                   v1::ReadObservationsResponse message;
                                   for (auto& o : chunk) *message.add_observations() = std::move(o);
                                   return on_message(message);
                                 });
}

absl::Status IngestService::ReadActors(
    const v1::ReadActorsRequest& request,
    const std::function<bool(const v1::ReadActorsResponse&)>& on_message) {
  ASSIGN_OR_RETURN(std::string set, RelationSetName(request.relation_set()));
  RETURN_IF_ERROR(CheckFilter("kinds", request.kinds_size(), limits_));
  RETURN_IF_ERROR(CheckActorKinds(request.kinds(), "kinds"));
  return store_.ReadActors(request, set, [&](std::vector<v1::Actor>& chunk) {
    v1::ReadActorsResponse message;
    for (auto& a : chunk) *message.add_actors() = std::move(a);
    return on_message(message);
  });
}

absl::Status IngestService::ReadRelations(
    const v1::ReadRelationsRequest& request,
    const std::function<bool(const v1::ReadRelationsResponse&)>& on_message) {
  ASSIGN_OR_RETURN(std::string set, RelationSetName(request.relation_set()));
  if (request.has_periods() && request.periods().first() > request.periods().last()) {
    return absl::InvalidArgumentError("periods: first is after last");
  }
  RETURN_IF_ERROR(CheckFilter("types", request.types_size(), limits_));
  RETURN_IF_ERROR(CheckFilter("source_kinds", request.source_kinds_size(), limits_));
  RETURN_IF_ERROR(CheckFilter("target_kinds", request.target_kinds_size(), limits_));
  RETURN_IF_ERROR(CheckActorKinds(request.source_kinds(), "source_kinds"));
  RETURN_IF_ERROR(CheckActorKinds(request.target_kinds(), "target_kinds"));
  return store_.ReadRelations(
      request, set,
      [&](std::vector<v1::Relation>& chunk, std::vector<common::v1::Provenance>& provenance) {
        v1::ReadRelationsResponse message;
        for (auto& r : chunk) *message.add_relations() = std::move(r);
        for (auto& p : provenance) *message.add_provenance() = std::move(p);
        return on_message(message);
      });
}

}  // namespace innoscope::ingest

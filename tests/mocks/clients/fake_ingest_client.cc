#include "tests/mocks/clients/fake_ingest_client.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/support/status.h"
#include "libs/common/status_macros.h"
#include "libs/server/grpc_status.h"

namespace innoscope::clients::testing {

absl::Status UpstreamUnavailable(const std::string& service, const std::string& rpc) {
  // What gRPC reports for a channel whose server is not listening.
  return server::UpstreamStatus(
      service, grpc::Status(grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses"),
      rpc);
}

// ------------------------------------------------------------------ set-up

void FakeIngestClient::AddFramework(ingest::v1::Framework framework) {
  if (framework.version() == 0) framework.set_version(1);
  std::pair<std::string, int> key{framework.code(), framework.version()};
  frameworks_[key] = std::move(framework);
}

void FakeIngestClient::AddObservation(const std::string& region, const std::string& indicator,
                                      int period, double value) {
  observations_[{region, indicator, period}] = Stored{value, ""};
}

void FakeIngestClient::AddRegion(ingest::v1::Region region) {
  std::string code = region.code();
  regions_[code] = std::move(region);
}

void FakeIngestClient::SetClusterMembers(const std::string& cluster,
                                         std::vector<std::string> members) {
  clusters_[cluster] = std::move(members);
}

void FakeIngestClient::SetDataVersion(const std::string& scope, int64_t version) {
  versions_[scope] = version;
}

void FakeIngestClient::AddActor(ActorRecord actor, const std::string& relation_set) {
  std::string code = actor.code;
  actors_[relation_set][code] = std::move(actor);
}

void FakeIngestClient::AddRelation(RelationRecord relation, const std::string& relation_set) {
  relations_[relation_set].push_back(std::move(relation));
}

void FakeIngestClient::FailWith(const std::string& method, absl::Status status) {
  failures_[method] = std::move(status);
}

int FakeIngestClient::calls(const std::string& method) const {
  auto it = calls_.find(method);
  return it == calls_.end() ? 0 : it->second;
}

std::optional<double> FakeIngestClient::Value(const std::string& region,
                                              const std::string& indicator, int period) const {
  auto it = observations_.find({region, indicator, period});
  if (it == observations_.end()) return std::nullopt;
  return it->second.value;
}

absl::Status FakeIngestClient::Enter(const std::string& method) {
  ++calls_[method];
  auto it = failures_.find(method);
  return it == failures_.end() ? absl::OkStatus() : it->second;
}

// ----------------------------------------------------------- IngestClient

absl::StatusOr<LoadedFramework> FakeIngestClient::GetFramework(const std::string& code, int version,
                                                               absl::Time) {
  RETURN_IF_ERROR(Enter("GetFramework"));
  const ingest::v1::Framework* found = nullptr;
  for (const auto& [key, framework] : frameworks_) {
    if (key.first == code && (version == 0 || key.second == version)) found = &framework;
  }
  if (found == nullptr) {
    return absl::NotFoundError(absl::StrCat("ingest GetFramework: framework ", code,
                                            version > 0 ? absl::StrCat(" v", version) : "",
                                            " does not exist"));
  }
  ASSIGN_OR_RETURN(index::Framework tree, FrameworkFromProto(*found));
  return LoadedFramework{*found, std::move(tree)};
}

absl::StatusOr<index::DataMatrix> FakeIngestClient::ReadIndicators(
    const std::vector<std::string>& indicators, int period, const std::vector<std::string>& regions,
    absl::Time, std::optional<absl::Time>) {
  RETURN_IF_ERROR(Enter("ReadIndicators"));
  std::vector<std::string> rows = regions;
  if (rows.empty()) {
    // Every region with a value of one of the indicators in the period.
    std::set<std::string> seen;
    for (const auto& [key, stored] : observations_) {
      const auto& [region, indicator, p] = key;
      if (p == period &&
          std::find(indicators.begin(), indicators.end(), indicator) != indicators.end()) {
        seen.insert(region);
      }
    }
    rows.assign(seen.begin(), seen.end());
  }
  index::DataMatrix matrix(rows, indicators);
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < indicators.size(); ++c) {
      auto it = observations_.find({rows[r], indicators[c], period});
      if (it != observations_.end()) matrix.Set(r, c, it->second.value);
    }
  }
  return matrix;
}

absl::StatusOr<std::vector<ingest::v1::Region>> FakeIngestClient::ListRegions(
    ingest::v1::RegionKind kind, absl::Time) {
  RETURN_IF_ERROR(Enter("ListRegions"));
  std::vector<ingest::v1::Region> out;
  for (const auto& [code, region] : regions_) {  // by code
    if (kind == ingest::v1::REGION_KIND_UNSPECIFIED || region.kind() == kind) {
      out.push_back(region);
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> FakeIngestClient::ClusterMemberCodes(
    const std::string& cluster, int, absl::Time) {
  RETURN_IF_ERROR(Enter("ClusterMemberCodes"));
  if (cluster.empty()) return absl::InvalidArgumentError("empty cluster code");
  auto it = clusters_.find(cluster);
  if (it == clusters_.end()) return std::vector<std::string>();
  std::set<std::string> members(it->second.begin(), it->second.end());
  return std::vector<std::string>(members.begin(), members.end());
}

absl::StatusOr<int64_t> FakeIngestClient::DataVersion(const std::string& scope, absl::Time) {
  RETURN_IF_ERROR(Enter("DataVersion"));
  auto it = versions_.find(scope);
  return it == versions_.end() ? 0 : it->second;
}

absl::StatusOr<std::vector<ActorRecord>> FakeIngestClient::ReadActors(
    const std::string& relation_set, absl::Time, std::optional<absl::Time>) {
  RETURN_IF_ERROR(Enter("ReadActors"));
  std::vector<ActorRecord> out;
  auto it = actors_.find(relation_set.empty() ? "default" : relation_set);
  if (it == actors_.end()) return out;
  for (const auto& [code, actor] : it->second) out.push_back(actor);  // by code
  return out;
}

absl::StatusOr<std::vector<RelationRecord>> FakeIngestClient::ReadRelations(
    const RelationQuery& query, absl::Time) {
  RETURN_IF_ERROR(Enter("ReadRelations"));
  std::vector<RelationRecord> out;
  auto it = relations_.find(query.relation_set.empty() ? "default" : query.relation_set);
  if (it == relations_.end()) return out;
  // GrpcIngestClient asks for years 1900-2100 when only one bound is set.
  const bool by_year = query.first_year || query.last_year;
  const int32_t first = query.first_year.value_or(1900);
  const int32_t last = query.last_year.value_or(2100);
  for (const RelationRecord& r : it->second) {
    if (!query.types.empty() &&
        std::find(query.types.begin(), query.types.end(), r.type) == query.types.end()) {
      continue;
    }
    if (by_year && (r.year < first || r.year > last)) continue;
    out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [](const RelationRecord& a, const RelationRecord& b) {
    return std::tie(a.year, a.type, a.source, a.target, a.qualifier) <
           std::tie(b.year, b.type, b.source, b.target, b.qualifier);
  });
  return out;
}

absl::StatusOr<bool> FakeIngestClient::HasRelationType(const std::string& relation_set,
                                                       const std::string& type, absl::Time) {
  RETURN_IF_ERROR(Enter("HasRelationType"));
  auto it = relations_.find(relation_set.empty() ? "default" : relation_set);
  if (it == relations_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const RelationRecord& r) { return r.type == type; });
}

absl::StatusOr<ObservationWriteSummary> FakeIngestClient::WriteObservations(
    const ObservationWrite& write, absl::Time) {
  RETURN_IF_ERROR(Enter("WriteObservations"));
  writes_.push_back(write);
  ObservationWriteSummary summary;
  const size_t n = write.observations.size();
  const size_t batch_size = static_cast<size_t>(std::max(write.batch_size, 1));
  summary.batches = static_cast<int>((n + batch_size - 1) / batch_size);
  for (const ingest::v1::Observation& o : write.observations) {
    const std::string source = o.source().empty() ? write.source : o.source();
    const Key key{o.region_code(), o.indicator_code(), o.period()};
    ingest::v1::WriteSummary& rows = summary.rows;
    auto it = observations_.find(key);
    if (it == observations_.end()) {
      rows.set_inserted(rows.inserted() + 1);
    } else if (it->second.value != o.value() || it->second.source != source) {
      rows.set_revised(rows.revised() + 1);
    } else {
      rows.set_unchanged(rows.unchanged() + 1);
    }
    observations_[key] = Stored{o.value(), source};
  }
  return summary;
}

}  // namespace innoscope::clients::testing

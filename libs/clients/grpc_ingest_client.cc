#include "libs/clients/grpc_ingest_client.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/client_context.h"
#include "libs/common/status_macros.h"
#include "libs/server/content_hash.h"
#include "libs/server/grpc_status.h"

namespace innoscope::clients {
namespace {

void SetDeadline(grpc::ClientContext& context, absl::Time deadline) {
  context.set_deadline(absl::ToChronoTime(deadline));
}

// Calls a List RPC page after page (1,000 items each) until the last page,
// handing each response to `take`; an error names ingest and the RPC.
template <typename Response, typename Request, typename Call, typename Take>
absl::Status EveryPage(const std::string& name, Request request, absl::Time deadline,
                       const char* rpc, Call call, Take take) {
  request.mutable_page()->set_page_size(1000);
  do {
    grpc::ClientContext context;
    SetDeadline(context, deadline);
    Response response;
    RETURN_IF_ERROR(server::UpstreamStatus(name, call(&context, request, &response), rpc));
    take(response);
    request.mutable_page()->set_page_token(response.page().next_page_token());
  } while (!request.page().page_token().empty());
  return absl::OkStatus();
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(time));
}

// Reads a server stream to its end; `on_message` returns false to stop
// early (the rest of the stream is cancelled and its status ignored).
template <typename Response, typename OnMessage>
absl::Status Drain(const std::string& name, grpc::ClientContext& context,
                   grpc::ClientReaderInterface<Response>& reader, const std::string& what,
                   const OnMessage& on_message) {
  Response message;
  while (reader.Read(&message)) {
    if (!on_message(message)) {
      context.TryCancel();
      while (reader.Read(&message)) {
      }
      reader.Finish();
      return absl::OkStatus();
    }
  }
  return server::UpstreamStatus(name, reader.Finish(), what);
}

}  // namespace

GrpcIngestClient::GrpcIngestClient(std::shared_ptr<grpc::Channel> channel, std::string address)
    : stub_(ingest::v1::IngestService::NewStub(channel)),
      name_(server::UpstreamName("ingest", address)) {}

absl::StatusOr<LoadedFramework> GrpcIngestClient::GetFramework(const std::string& code, int version,
                                                               absl::Time deadline) {
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  ingest::v1::GetFrameworkRequest request;
  request.mutable_framework()->set_code(code);
  request.mutable_framework()->set_version(version);
  ingest::v1::GetFrameworkResponse response;
  RETURN_IF_ERROR(server::UpstreamStatus(name_, stub_->GetFramework(&context, request, &response),
                                         "GetFramework"));
  ASSIGN_OR_RETURN(index::Framework tree, FrameworkFromProto(response.framework()));
  return LoadedFramework{response.framework(), std::move(tree)};
}

absl::StatusOr<index::DataMatrix> GrpcIngestClient::ReadIndicators(
    const std::vector<std::string>& indicators, int period, const std::vector<std::string>& regions,
    absl::Time deadline, std::optional<absl::Time> as_of) {
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  ingest::v1::ReadObservationsRequest request;
  for (const std::string& code : indicators) request.add_indicator_codes(code);
  for (const std::string& code : regions) request.add_region_codes(code);
  request.mutable_periods()->set_first(period);
  request.mutable_periods()->set_last(period);
  if (as_of) *request.mutable_as_of() = ToTimestamp(*as_of);
  request.set_values_only(true);  // a matrix needs no provenance
  // Codes to positions; regions by first sight when none are given (sorted
  // below). Each value lands at (region position, indicator position); a
  // later value of the same cell replaces an earlier one.
  absl::flat_hash_map<std::string, int> column_of, row_of;
  for (size_t c = 0; c < indicators.size(); ++c) column_of.emplace(indicators[c], c);
  std::vector<std::string> rows = regions;
  for (size_t r = 0; r < rows.size(); ++r) row_of.emplace(rows[r], r);
  struct Cell {
    int row, column;
    double value;
  };
  std::vector<Cell> cells;
  {
    auto reader = stub_->ReadObservations(&context, request);
    ingest::v1::ReadObservationsResponse message;
    while (reader->Read(&message)) {
      for (const auto& stored : message.observations()) {
        const auto& o = stored.observation();
        auto column = column_of.find(o.indicator_code());
        if (column == column_of.end()) continue;
        auto row = row_of.find(o.region_code());
        if (row == row_of.end()) {
          if (!regions.empty()) continue;
          row = row_of.emplace(o.region_code(), rows.size()).first;
          rows.push_back(o.region_code());
        }
        cells.push_back({row->second, column->second, o.value()});
      }
    }
    RETURN_IF_ERROR(server::UpstreamStatus(name_, reader->Finish(), "ReadObservations"));
  }
  std::vector<int> position(rows.size());  // first-sight row -> matrix row
  for (size_t r = 0; r < rows.size(); ++r) position[r] = static_cast<int>(r);
  if (regions.empty()) {
    std::vector<int> order(rows.size());
    for (size_t r = 0; r < rows.size(); ++r) order[r] = static_cast<int>(r);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return rows[a] < rows[b]; });
    std::vector<std::string> sorted;
    sorted.reserve(rows.size());
    for (size_t k = 0; k < order.size(); ++k) {
      position[order[k]] = static_cast<int>(k);
      sorted.push_back(std::move(rows[order[k]]));
    }
    rows = std::move(sorted);
  }
  index::DataMatrix matrix(rows, indicators);
  for (const Cell& cell : cells) matrix.Set(position[cell.row], cell.column, cell.value);
  return matrix;
}

absl::StatusOr<std::vector<ingest::v1::Region>> GrpcIngestClient::ListRegions(
    ingest::v1::RegionKind kind, absl::Time deadline) {
  std::vector<ingest::v1::Region> out;
  ingest::v1::ListRegionsRequest request;
  request.set_kind(kind);
  RETURN_IF_ERROR(EveryPage<ingest::v1::ListRegionsResponse>(
      name_, request, deadline, "ListRegions",
      [&](grpc::ClientContext* context, const auto& r, auto* response) {
        return stub_->ListRegions(context, r, response);
      },
      [&](ingest::v1::ListRegionsResponse& response) {
        for (ingest::v1::Region& r : *response.mutable_regions()) out.push_back(std::move(r));
      }));
  std::sort(out.begin(), out.end(), [](const ingest::v1::Region& a, const ingest::v1::Region& b) {
    return a.code() < b.code();
  });
  return out;
}

absl::StatusOr<std::vector<std::string>> GrpcIngestClient::ClusterMemberCodes(
    const std::string& cluster, int year, absl::Time deadline) {
  if (cluster.empty()) return absl::InvalidArgumentError("empty cluster code");
  ingest::v1::ListClusterMembersRequest request;
  request.set_cluster_code(cluster);
  request.set_period(year);
  std::vector<std::string> members;
  RETURN_IF_ERROR(EveryPage<ingest::v1::ListClusterMembersResponse>(
      name_, request, deadline, "ListClusterMembers",
      [&](grpc::ClientContext* context, const auto& r, auto* response) {
        return stub_->ListClusterMembers(context, r, response);
      },
      [&](ingest::v1::ListClusterMembersResponse& response) {
        for (const auto& m : response.memberships()) members.push_back(m.member().member_code());
      }));
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  return members;
}

absl::StatusOr<int64_t> GrpcIngestClient::DataVersion(const std::string& scope,
                                                      absl::Time deadline) {
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  ingest::v1::GetDataVersionsRequest request;
  request.add_scopes(scope);
  ingest::v1::GetDataVersionsResponse response;
  RETURN_IF_ERROR(server::UpstreamStatus(
      name_, stub_->GetDataVersions(&context, request, &response), "GetDataVersions"));
  for (const auto& v : response.versions()) {
    if (v.scope() == scope) return v.version();
  }
  return 0;
}

absl::StatusOr<std::vector<ActorRecord>> GrpcIngestClient::ReadActors(
    const std::string& relation_set, absl::Time deadline, std::optional<absl::Time> as_of) {
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  ingest::v1::ReadActorsRequest request;
  request.set_relation_set(relation_set);
  if (as_of) *request.mutable_as_of() = ToTimestamp(*as_of);
  std::vector<ActorRecord> actors;
  auto reader = stub_->ReadActors(&context, request);
  RETURN_IF_ERROR(Drain(
      name_, context, *reader, "ReadActors", [&](const ingest::v1::ReadActorsResponse& message) {
        for (const ingest::v1::Actor& a : message.actors()) {
          actors.push_back({a.code(), a.name(), a.kind(), a.province_code(), a.city_code(),
                            a.sample(), a.platform(), a.foreign(), a.layer()});
        }
        return true;
      }));
  return actors;
}

absl::StatusOr<std::vector<RelationRecord>> GrpcIngestClient::ReadRelations(
    const RelationQuery& query, absl::Time deadline) {
  std::vector<RelationRecord> relations;
  RETURN_IF_ERROR(StreamRelations(query, deadline, [&](const RelationRecord& r) {
    relations.push_back(r);
    return true;
  }));
  return relations;
}

absl::Status GrpcIngestClient::StreamRelations(
    const RelationQuery& query, absl::Time deadline,
    const std::function<bool(const RelationRecord&)>& on_relation) {
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  ingest::v1::ReadRelationsRequest request;
  request.set_relation_set(query.relation_set);
  for (const std::string& type : query.types) request.add_types(type);
  if (query.first_year || query.last_year) {
    // Ingest stores years 1900-2100.
    request.mutable_periods()->set_first(query.first_year.value_or(1900));
    request.mutable_periods()->set_last(query.last_year.value_or(2100));
  }
  if (query.as_of) *request.mutable_as_of() = ToTimestamp(*query.as_of);
  RelationRecord out;  // reused: its strings keep their buffers
  auto reader = stub_->ReadRelations(&context, request);
  return Drain(name_, context, *reader, "ReadRelations",
               [&](const ingest::v1::ReadRelationsResponse& message) {
                 for (const ingest::v1::Relation& r : message.relations()) {
                   out.source = r.source_code();
                   out.target = r.target_code();
                   out.type = r.type();
                   out.year = r.period();
                   out.qualifier = r.qualifier();
                   out.weight.reset();
                   out.amount.reset();
                   if (r.has_weight()) out.weight = r.weight();
                   if (r.has_amount()) out.amount = r.amount();
                   out.tags.clear();
                   out.tags.insert(r.tags().begin(), r.tags().end());
                   if (!on_relation(out)) return false;
                 }
                 return true;
               });
}

absl::StatusOr<bool> GrpcIngestClient::HasRelationType(const std::string& relation_set,
                                                       const std::string& type,
                                                       absl::Time deadline) {
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  ingest::v1::ReadRelationsRequest request;
  request.set_relation_set(relation_set);
  request.add_types(type);
  bool found = false;
  auto reader = stub_->ReadRelations(&context, request);
  RETURN_IF_ERROR(Drain(name_, context, *reader, "ReadRelations",
                        [&](const ingest::v1::ReadRelationsResponse& message) {
                          found = message.relations_size() > 0;
                          return !found;
                        }));
  return found;
}

absl::StatusOr<ObservationWriteSummary> GrpcIngestClient::WriteObservations(
    const ObservationWrite& write, absl::Time deadline) {
  ObservationWriteSummary summary;
  if (write.observations.empty()) return summary;
  const size_t batch_size = static_cast<size_t>(std::max(write.batch_size, 1));
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  auto stream = stub_->WriteObservations(&context);
  const size_t total = write.observations.size();
  size_t start = 0;
  for (; start < total; start += batch_size) {
    ingest::v1::WriteObservationsRequest batch;
    const size_t end = std::min(total, start + batch_size);
    for (size_t i = start; i < end; ++i) *batch.add_observations() = write.observations[i];
    batch.set_source(write.source);
    batch.set_note(write.note);
    batch.set_batch_id(absl::StrCat(write.batch_prefix, "-", server::ContentHashHex(batch)));
    ingest::v1::WriteObservationsResponse response;
    if (!stream->Write(batch) || !stream->Read(&response)) break;  // Finish() says why
    ++summary.batches;
    if (response.replayed()) ++summary.replayed_batches;
    summary.rows.set_inserted(summary.rows.inserted() + response.summary().inserted());
    summary.rows.set_revised(summary.rows.revised() + response.summary().revised());
    summary.rows.set_unchanged(summary.rows.unchanged() + response.summary().unchanged());
  }
  stream->WritesDone();
  RETURN_IF_ERROR(server::UpstreamStatus(name_, stream->Finish(), "WriteObservations"));
  if (start < total) {
    return absl::UnavailableError(
        absl::StrCat("ingest WriteObservations: the stream ended after ", summary.batches,
                     " batches; run again (committed batches are replayed)"));
  }
  return summary;
}

}  // namespace innoscope::clients

#include "services/ingest/ingest_grpc.h"

#include "libs/server/caller_identity.h"
#include "libs/server/grpc_status.h"

namespace innoscope::ingest {
namespace {

using server::ToGrpcStatus;
using server::Unary;

// Bidirectional batch streams: each request is one batch, answered once it
// is committed. An invalid batch ends the stream with its status; batches
// answered before it stay committed. A client that stops reading the answers
// is cut by the watchdog like a reader.
template <typename Request, typename Response, typename Apply>
grpc::Status BatchStream(server::StreamWatchdog& watchdog, grpc::ServerContext* context,
                         grpc::ServerReaderWriter<Response, Request>* stream, Apply apply) {
  return server::WatchedStream<Response>(watchdog, context, stream, [&](auto send) {
    Request request;
    while (stream->Read(&request)) {
      if (context->IsCancelled()) return absl::CancelledError("cancelled");
      absl::StatusOr<Response> response = apply(request);
      if (!response.ok()) return response.status();
      if (!send(*response)) break;  // the client went away
    }
    return absl::OkStatus();
  });
}

}  // namespace

grpc::Status IngestGrpc::GetServiceInfo(grpc::ServerContext*, const v1::GetServiceInfoRequest*,
                                        v1::GetServiceInfoResponse* response) {
  return server::FillServiceInfo(info_, response->mutable_info());
}

grpc::Status IngestGrpc::UpsertRegions(grpc::ServerContext*, const v1::UpsertRegionsRequest* r,
                                       v1::UpsertRegionsResponse* response) {
  return Unary(core_.UpsertRegions(*r), response);
}

grpc::Status IngestGrpc::ListRegions(grpc::ServerContext*, const v1::ListRegionsRequest* r,
                                     v1::ListRegionsResponse* response) {
  return Unary(core_.ListRegions(*r), response);
}

grpc::Status IngestGrpc::SetClusterMembers(grpc::ServerContext*,
                                           const v1::SetClusterMembersRequest* r,
                                           v1::SetClusterMembersResponse* response) {
  return Unary(core_.SetClusterMembers(*r), response);
}

grpc::Status IngestGrpc::ListClusterMembers(grpc::ServerContext*,
                                            const v1::ListClusterMembersRequest* r,
                                            v1::ListClusterMembersResponse* response) {
  return Unary(core_.ListClusterMembers(*r), response);
}

grpc::Status IngestGrpc::UpsertIndicators(grpc::ServerContext*,
                                          const v1::UpsertIndicatorsRequest* r,
                                          v1::UpsertIndicatorsResponse* response) {
  return Unary(core_.UpsertIndicators(*r), response);
}

grpc::Status IngestGrpc::ListIndicators(grpc::ServerContext*, const v1::ListIndicatorsRequest* r,
                                        v1::ListIndicatorsResponse* response) {
  return Unary(core_.ListIndicators(*r), response);
}

grpc::Status IngestGrpc::CreateFramework(grpc::ServerContext*, const v1::CreateFrameworkRequest* r,
                                         v1::CreateFrameworkResponse* response) {
  return Unary(core_.CreateFramework(*r), response);
}

grpc::Status IngestGrpc::GetFramework(grpc::ServerContext*, const v1::GetFrameworkRequest* r,
                                      v1::GetFrameworkResponse* response) {
  return Unary(core_.GetFramework(*r), response);
}

grpc::Status IngestGrpc::ListFrameworks(grpc::ServerContext*, const v1::ListFrameworksRequest* r,
                                        v1::ListFrameworksResponse* response) {
  return Unary(core_.ListFrameworks(*r), response);
}

grpc::Status IngestGrpc::GetDataVersions(grpc::ServerContext*, const v1::GetDataVersionsRequest* r,
                                         v1::GetDataVersionsResponse* response) {
  return Unary(core_.GetDataVersions(*r), response);
}

grpc::Status IngestGrpc::WriteObservations(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::WriteObservationsResponse, v1::WriteObservationsRequest>* stream) {
  auto writer = core_.NewBatchWriter(server::CallerIdentity(*context));
  return BatchStream(watchdog_, context, stream, [&](const v1::WriteObservationsRequest& r) {
    return writer->WriteObservations(r);
  });
}

grpc::Status IngestGrpc::UpsertActors(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::UpsertActorsResponse, v1::UpsertActorsRequest>* stream) {
  auto writer = core_.NewBatchWriter(server::CallerIdentity(*context));
  return BatchStream(watchdog_, context, stream,
                     [&](const v1::UpsertActorsRequest& r) { return writer->UpsertActors(r); });
}

grpc::Status IngestGrpc::WriteRelations(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::WriteRelationsResponse, v1::WriteRelationsRequest>* stream) {
  auto writer = core_.NewBatchWriter(server::CallerIdentity(*context));
  return BatchStream(watchdog_, context, stream,
                     [&](const v1::WriteRelationsRequest& r) { return writer->WriteRelations(r); });
}

grpc::Status IngestGrpc::ReadObservations(
    grpc::ServerContext* context, const v1::ReadObservationsRequest* request,
    grpc::ServerWriter<v1::ReadObservationsResponse>* writer) {
  return server::WatchedStream<v1::ReadObservationsResponse>(
      watchdog_, context, writer,
      [&](auto send) { return core_.ReadObservations(*request, send); });
}

grpc::Status IngestGrpc::ReadActors(grpc::ServerContext* context,
                                    const v1::ReadActorsRequest* request,
                                    grpc::ServerWriter<v1::ReadActorsResponse>* writer) {
  return server::WatchedStream<v1::ReadActorsResponse>(
      watchdog_, context, writer, [&](auto send) { return core_.ReadActors(*request, send); });
}

grpc::Status IngestGrpc::ReadRelations(grpc::ServerContext* context,
                                       const v1::ReadRelationsRequest* request,
                                       grpc::ServerWriter<v1::ReadRelationsResponse>* writer) {
  return server::WatchedStream<v1::ReadRelationsResponse>(
      watchdog_, context, writer, [&](auto send) { return core_.ReadRelations(*request, send); });
}

}  // namespace innoscope::ingest

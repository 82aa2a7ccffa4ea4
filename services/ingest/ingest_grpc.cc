#include "services/ingest/ingest_grpc.h"

#include "libs/server/caller_identity.h"
#include "libs/server/grpc_status.h"

namespace innoscope::ingest {
namespace {

using server::BudgetOf;
using server::ToGrpcStatus;

// A unary handler: no work starts for a call already past its deadline or
// cancelled (the caller no longer waits for it); writes also check the
// budget last before their commit (IngestService).
template <typename Response, typename Run>
grpc::Status Unary(const grpc::ServerContext* context, const char* rpc, Response* response,
                   Run run) {
  absl::Status start = BudgetOf(*context).Check(rpc);
  if (!start.ok()) return ToGrpcStatus(start);
  return server::Unary<Response>(run(), response);
}

// Bidirectional batch streams: each request is one batch, answered once it
// is committed. An invalid batch ends the stream with its status; batches
// answered before it stay committed. A client that stops reading the answers
// is cut by the watchdog like a reader. The stream's deadline and
// cancellation are checked before each batch and before each batch's commit.
template <typename Request, typename Response, typename Apply>
grpc::Status BatchStream(server::StreamWatchdog& watchdog, grpc::ServerContext* context,
                         grpc::ServerReaderWriter<Response, Request>* stream, Apply apply) {
  const common::CallBudget budget = BudgetOf(*context);
  return server::WatchedStream<Response>(watchdog, context, stream, [&](auto send) {
    Request request;
    while (stream->Read(&request)) {
      absl::Status go = budget.Check("the next batch");
      if (!go.ok()) return go;
      absl::StatusOr<Response> response = apply(request);
      if (!response.ok()) return response.status();
      if (!send(*response)) break;  // the client went away
    }
    // A stream that ended because its deadline passed or its client went
    // away says so (the batches answered before stay committed).
    return budget.Check("the next batch");
  });
}

}  // namespace

grpc::Status IngestGrpc::GetServiceInfo(grpc::ServerContext*, const v1::GetServiceInfoRequest*,
                                        v1::GetServiceInfoResponse* response) {
  return server::FillServiceInfo(info_, response->mutable_info());
}

grpc::Status IngestGrpc::UpsertRegions(grpc::ServerContext* context,
                                       const v1::UpsertRegionsRequest* r,
                                       v1::UpsertRegionsResponse* response) {
  return Unary(context, "UpsertRegions", response,
               [&] { return core_.UpsertRegions(*r, BudgetOf(*context)); });
}

grpc::Status IngestGrpc::ListRegions(grpc::ServerContext* context, const v1::ListRegionsRequest* r,
                                     v1::ListRegionsResponse* response) {
  return Unary(context, "ListRegions", response, [&] { return core_.ListRegions(*r); });
}

grpc::Status IngestGrpc::SetClusterMembers(grpc::ServerContext* context,
                                           const v1::SetClusterMembersRequest* r,
                                           v1::SetClusterMembersResponse* response) {
  return Unary(context, "SetClusterMembers", response,
               [&] { return core_.SetClusterMembers(*r, BudgetOf(*context)); });
}

grpc::Status IngestGrpc::ListClusterMembers(grpc::ServerContext* context,
                                            const v1::ListClusterMembersRequest* r,
                                            v1::ListClusterMembersResponse* response) {
  return Unary(context, "ListClusterMembers", response,
               [&] { return core_.ListClusterMembers(*r); });
}

grpc::Status IngestGrpc::UpsertIndicators(grpc::ServerContext* context,
                                          const v1::UpsertIndicatorsRequest* r,
                                          v1::UpsertIndicatorsResponse* response) {
  return Unary(context, "UpsertIndicators", response,
               [&] { return core_.UpsertIndicators(*r, BudgetOf(*context)); });
}

grpc::Status IngestGrpc::ListIndicators(grpc::ServerContext* context,
                                        const v1::ListIndicatorsRequest* r,
                                        v1::ListIndicatorsResponse* response) {
  return Unary(context, "ListIndicators", response, [&] { return core_.ListIndicators(*r); });
}

grpc::Status IngestGrpc::CreateFramework(grpc::ServerContext* context,
                                         const v1::CreateFrameworkRequest* r,
                                         v1::CreateFrameworkResponse* response) {
  return Unary(context, "CreateFramework", response,
               [&] { return core_.CreateFramework(*r, BudgetOf(*context)); });
}

grpc::Status IngestGrpc::GetFramework(grpc::ServerContext* context,
                                      const v1::GetFrameworkRequest* r,
                                      v1::GetFrameworkResponse* response) {
  return Unary(context, "GetFramework", response, [&] { return core_.GetFramework(*r); });
}

grpc::Status IngestGrpc::ListFrameworks(grpc::ServerContext* context,
                                        const v1::ListFrameworksRequest* r,
                                        v1::ListFrameworksResponse* response) {
  return Unary(context, "ListFrameworks", response, [&] { return core_.ListFrameworks(*r); });
}

grpc::Status IngestGrpc::GetDataVersions(grpc::ServerContext* context,
                                         const v1::GetDataVersionsRequest* r,
                                         v1::GetDataVersionsResponse* response) {
  return Unary(context, "GetDataVersions", response, [&] { return core_.GetDataVersions(*r); });
}

grpc::Status IngestGrpc::WriteObservations(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::WriteObservationsResponse, v1::WriteObservationsRequest>* stream) {
  auto writer = core_.NewBatchWriter(server::CallerIdentity(*context), BudgetOf(*context));
  return BatchStream(watchdog_, context, stream, [&](const v1::WriteObservationsRequest& r) {
    return writer->WriteObservations(r);
  });
}

grpc::Status IngestGrpc::UpsertActors(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::UpsertActorsResponse, v1::UpsertActorsRequest>* stream) {
  auto writer = core_.NewBatchWriter(server::CallerIdentity(*context), BudgetOf(*context));
  return BatchStream(watchdog_, context, stream,
                     [&](const v1::UpsertActorsRequest& r) { return writer->UpsertActors(r); });
}

grpc::Status IngestGrpc::WriteRelations(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::WriteRelationsResponse, v1::WriteRelationsRequest>* stream) {
  auto writer = core_.NewBatchWriter(server::CallerIdentity(*context), BudgetOf(*context));
  return BatchStream(watchdog_, context, stream,
                     [&](const v1::WriteRelationsRequest& r) { return writer->WriteRelations(r); });
}

grpc::Status IngestGrpc::ReadObservations(
    grpc::ServerContext* context, const v1::ReadObservationsRequest* request,
    grpc::ServerWriter<v1::ReadObservationsResponse>* writer) {
  return server::WatchedStream<v1::ReadObservationsResponse>(
      watchdog_, context, writer, [&](auto send) {
        return core_.ReadObservations(*request, [&](const v1::ReadObservationsResponse& message) {
          if (observations_read_ != nullptr)
            observations_read_->Increment(message.observations_size());
          return send(message);
        });
      });
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

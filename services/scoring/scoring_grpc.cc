#include "services/scoring/scoring_grpc.h"

#include "libs/clients/ingest_client.h"
#include "libs/server/caller_identity.h"
#include "libs/server/grpc_status.h"

namespace innoscope::scoring {

using server::Deadline;
using server::Unary;

grpc::Status ScoringGrpc::GetServiceInfo(grpc::ServerContext*, const v1::GetServiceInfoRequest*,
                                         v1::GetServiceInfoResponse* response) {
  return server::FillServiceInfo(info_, response->mutable_info());
}

grpc::Status ScoringGrpc::ComputeScores(grpc::ServerContext* context,
                                        const v1::ComputeScoresRequest* request,
                                        v1::ComputeScoresResponse* response) {
  return Unary(
      core_.ComputeScores(*request, server::BudgetOf(*context), server::CallerIdentity(*context)),
      response);
}

grpc::Status ScoringGrpc::GetRun(grpc::ServerContext*, const v1::GetRunRequest* request,
                                 v1::GetRunResponse* response) {
  return Unary(core_.GetRun(*request), response);
}

grpc::Status ScoringGrpc::ListRuns(grpc::ServerContext*, const v1::ListRunsRequest* request,
                                   v1::ListRunsResponse* response) {
  return Unary(core_.ListRuns(*request), response);
}

grpc::Status ScoringGrpc::PublishRuns(grpc::ServerContext* context,
                                      const v1::PublishRunsRequest* request,
                                      v1::PublishRunsResponse* response) {
  return Unary(core_.PublishRuns(*request, server::CallerIdentity(*context)), response);
}

grpc::Status ScoringGrpc::GetRanking(grpc::ServerContext* context,
                                     const v1::GetRankingRequest* request,
                                     v1::GetRankingResponse* response) {
  return Unary(core_.GetRanking(*request, clients::UpstreamDeadline(Deadline(*context))), response);
}

grpc::Status ScoringGrpc::GetRegionProfile(grpc::ServerContext*,
                                           const v1::GetRegionProfileRequest* request,
                                           v1::GetRegionProfileResponse* response) {
  return Unary(core_.GetRegionProfile(*request), response);
}

grpc::Status ScoringGrpc::CompareRuns(grpc::ServerContext*, const v1::CompareRunsRequest* request,
                                      v1::CompareRunsResponse* response) {
  return Unary(core_.CompareRuns(*request), response);
}

grpc::Status ScoringGrpc::ComputeUncertainty(grpc::ServerContext* context,
                                             const v1::ComputeUncertaintyRequest* request,
                                             v1::ComputeUncertaintyResponse* response) {
  CallControl call;
  call.deadline = Deadline(*context);
  call.is_cancelled = [context] { return context->IsCancelled(); };
  return Unary(core_.ComputeUncertainty(*request, call), response);
}

grpc::Status ScoringGrpc::GetUncertainty(grpc::ServerContext*,
                                         const v1::GetUncertaintyRequest* request,
                                         v1::GetUncertaintyResponse* response) {
  return Unary(core_.GetUncertainty(*request), response);
}

grpc::Status ScoringGrpc::ExportRun(grpc::ServerContext* context,
                                    const v1::ExportRunRequest* request,
                                    grpc::ServerWriter<v1::ExportRunResponse>* writer) {
  return server::WatchedStream<v1::ExportRunResponse>(
      watchdog_, context, writer, [&](auto send) { return core_.ExportRun(*request, send); });
}

}  // namespace innoscope::scoring

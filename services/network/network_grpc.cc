#include "services/network/network_grpc.h"

#include "libs/server/caller_identity.h"
#include "libs/server/grpc_status.h"

namespace innoscope::network {
namespace {

using server::Unary;

// The call's deadline, an interrupt that fires at it or when the client
// cancels (ServerContext::IsCancelled is thread-safe in the sync API), and
// the caller's identity.
CallContext CallOf(grpc::ServerContext* context) {
  const absl::Time deadline = server::Deadline(*context);
  return {deadline,
          graph::Interrupt::WithProbe([context] { return context->IsCancelled(); }, deadline),
          server::CallerIdentity(*context)};
}

}  // namespace

grpc::Status NetworkGrpc::GetServiceInfo(grpc::ServerContext*, const v1::GetServiceInfoRequest*,
                                         v1::GetServiceInfoResponse* response) {
  return server::FillServiceInfo(info_, response->mutable_info());
}

grpc::Status NetworkGrpc::ComputeNetworkStats(grpc::ServerContext* context,
                                              const v1::ComputeNetworkStatsRequest* request,
                                              v1::ComputeNetworkStatsResponse* response) {
  return Unary(core_.ComputeNetworkStats(*request, CallOf(context)), response);
}

grpc::Status NetworkGrpc::ComputeCentralities(
    grpc::ServerContext* context, const v1::ComputeCentralitiesRequest* request,
    grpc::ServerWriter<v1::ComputeCentralitiesResponse>* writer) {
  return server::WatchedStream<v1::ComputeCentralitiesResponse>(
      watchdog_, context, writer,
      [&](auto send) { return core_.ComputeCentralities(*request, CallOf(context), send); });
}

grpc::Status NetworkGrpc::DetectCommunities(grpc::ServerContext* context,
                                            const v1::DetectCommunitiesRequest* request,
                                            v1::DetectCommunitiesResponse* response) {
  return Unary(core_.DetectCommunities(*request, CallOf(context)), response);
}

grpc::Status NetworkGrpc::ComputeRegionFlows(grpc::ServerContext* context,
                                             const v1::ComputeRegionFlowsRequest* request,
                                             v1::ComputeRegionFlowsResponse* response) {
  return Unary(core_.ComputeRegionFlows(*request, CallOf(context)), response);
}

grpc::Status NetworkGrpc::FitDegreeDistribution(grpc::ServerContext* context,
                                                const v1::FitDegreeDistributionRequest* request,
                                                v1::FitDegreeDistributionResponse* response) {
  return Unary(core_.FitDegreeDistribution(*request, CallOf(context)), response);
}

grpc::Status NetworkGrpc::ComputeStatsTimeSeries(grpc::ServerContext* context,
                                                 const v1::ComputeStatsTimeSeriesRequest* request,
                                                 v1::ComputeStatsTimeSeriesResponse* response) {
  return Unary(core_.ComputeStatsTimeSeries(*request, CallOf(context)), response);
}

grpc::Status NetworkGrpc::DeriveRegionIndicators(grpc::ServerContext* context,
                                                 const v1::DeriveRegionIndicatorsRequest* request,
                                                 v1::DeriveRegionIndicatorsResponse* response) {
  return Unary(core_.DeriveRegionIndicators(*request, CallOf(context)), response);
}

grpc::Status NetworkGrpc::ListRuns(grpc::ServerContext*, const v1::ListRunsRequest* request,
                                   v1::ListRunsResponse* response) {
  return Unary(core_.ListRuns(*request), response);
}

}  // namespace innoscope::network

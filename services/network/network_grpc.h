#pragma once

// Thin gRPC adapter of the network service: converts between protobuf and the
// core types and between absl::Status and grpc::Status, nothing more. Each
// call's deadline and cancellation reach the core as a CallContext, whose
// interrupt long computations poll.

#include "innoscope/network/v1/network.grpc.pb.h"
#include "libs/server/service_host.h"
#include "libs/server/stream_watchdog.h"
#include "services/network/network_service.h"

namespace innoscope::network {

class NetworkGrpc final : public v1::NetworkService::Service {
 public:
  // Server streams whose client reads nothing for `stream_write_timeout`
  // are cut (libs/server/stream_watchdog.h).
  NetworkGrpc(const server::ServiceInfoProvider& info, NetworkService& core,
              absl::Duration stream_write_timeout)
      : info_(info), core_(core), watchdog_(stream_write_timeout) {}

  grpc::Status GetServiceInfo(grpc::ServerContext* context,
                              const v1::GetServiceInfoRequest* request,
                              v1::GetServiceInfoResponse* response) override;
  grpc::Status ComputeNetworkStats(grpc::ServerContext* context,
                                   const v1::ComputeNetworkStatsRequest* request,
                                   v1::ComputeNetworkStatsResponse* response) override;
  grpc::Status ComputeCentralities(
      grpc::ServerContext* context, const v1::ComputeCentralitiesRequest* request,
      grpc::ServerWriter<v1::ComputeCentralitiesResponse>* writer) override;
  grpc::Status DetectCommunities(grpc::ServerContext* context,
                                 const v1::DetectCommunitiesRequest* request,
                                 v1::DetectCommunitiesResponse* response) override;
  grpc::Status ComputeRegionFlows(grpc::ServerContext* context,
                                  const v1::ComputeRegionFlowsRequest* request,
                                  v1::ComputeRegionFlowsResponse* response) override;
  grpc::Status FitDegreeDistribution(grpc::ServerContext* context,
                                     const v1::FitDegreeDistributionRequest* request,
                                     v1::FitDegreeDistributionResponse* response) override;
  grpc::Status ComputeStatsTimeSeries(grpc::ServerContext* context,
                                      const v1::ComputeStatsTimeSeriesRequest* request,
                                      v1::ComputeStatsTimeSeriesResponse* response) override;
  grpc::Status DeriveRegionIndicators(grpc::ServerContext* context,
                                      const v1::DeriveRegionIndicatorsRequest* request,
                                      v1::DeriveRegionIndicatorsResponse* response) override;
  grpc::Status ListRuns(grpc::ServerContext* context, const v1::ListRunsRequest* request,
                        v1::ListRunsResponse* response) override;

 private:
  const server::ServiceInfoProvider& info_;
  NetworkService& core_;
  server::StreamWatchdog watchdog_;
};

}  // namespace innoscope::network

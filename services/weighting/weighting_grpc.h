#pragma once

// Thin gRPC adapter of the weighting service: converts, nothing more.

#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "libs/server/service_host.h"
#include "services/weighting/weighting_service.h"

namespace innoscope::weighting {

class WeightingGrpc final : public v1::WeightingService::Service {
 public:
  WeightingGrpc(const server::ServiceInfoProvider& info, WeightingService& core)
      : info_(info), core_(core) {}

  grpc::Status GetServiceInfo(grpc::ServerContext* context,
                              const v1::GetServiceInfoRequest* request,
                              v1::GetServiceInfoResponse* response) override;
  grpc::Status ComputeWeights(grpc::ServerContext* context,
                              const v1::ComputeWeightsRequest* request,
                              v1::ComputeWeightsResponse* response) override;
  grpc::Status CheckConsistency(grpc::ServerContext* context,
                                const v1::CheckConsistencyRequest* request,
                                v1::CheckConsistencyResponse* response) override;
  grpc::Status GetWeightSet(grpc::ServerContext* context, const v1::GetWeightSetRequest* request,
                            v1::GetWeightSetResponse* response) override;
  grpc::Status ListWeightSets(grpc::ServerContext* context,
                              const v1::ListWeightSetsRequest* request,
                              v1::ListWeightSetsResponse* response) override;

 private:
  const server::ServiceInfoProvider& info_;
  WeightingService& core_;
};

}  // namespace innoscope::weighting

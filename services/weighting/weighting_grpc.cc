#include "services/weighting/weighting_grpc.h"

#include "libs/clients/ingest_client.h"
#include "libs/server/caller_identity.h"
#include "libs/server/grpc_status.h"

namespace innoscope::weighting {

grpc::Status WeightingGrpc::GetServiceInfo(grpc::ServerContext*, const v1::GetServiceInfoRequest*,
                                           v1::GetServiceInfoResponse* response) {
  return server::FillServiceInfo(info_, response->mutable_info());
}

grpc::Status WeightingGrpc::ComputeWeights(grpc::ServerContext* context,
                                           const v1::ComputeWeightsRequest* request,
                                           v1::ComputeWeightsResponse* response) {
  return server::Unary(
      core_.ComputeWeights(*request, server::BudgetOf(*context), server::CallerIdentity(*context)),
      response);
}

grpc::Status WeightingGrpc::CheckConsistency(grpc::ServerContext*,
                                             const v1::CheckConsistencyRequest* request,
                                             v1::CheckConsistencyResponse* response) {
  return server::Unary(core_.CheckConsistency(*request), response);
}

grpc::Status WeightingGrpc::GetWeightSet(grpc::ServerContext*,
                                         const v1::GetWeightSetRequest* request,
                                         v1::GetWeightSetResponse* response) {
  return server::Unary(core_.GetWeightSet(*request), response);
}

grpc::Status WeightingGrpc::ListWeightSets(grpc::ServerContext*,
                                           const v1::ListWeightSetsRequest* request,
                                           v1::ListWeightSetsResponse* response) {
  return server::Unary(core_.ListWeightSets(*request), response);
}

}  // namespace innoscope::weighting

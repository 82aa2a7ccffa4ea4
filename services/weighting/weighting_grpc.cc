#include "services/weighting/weighting_grpc.h"

#include "libs/clients/ingest_client.h"
#include "libs/server/grpc_status.h"

namespace innoscope::weighting {
namespace {

// The caller's identity, recorded as provenance (written_by).
// TODO: CallerIdentity of libs/server/caller_identity.h once it exists.
std::string WrittenBy(const grpc::ServerContext&) { return "anonymous"; }

}  // namespace

grpc::Status WeightingGrpc::GetServiceInfo(grpc::ServerContext*, const v1::GetServiceInfoRequest*,
                                           v1::GetServiceInfoResponse* response) {
  return server::FillServiceInfo(info_, response->mutable_info());
}

grpc::Status WeightingGrpc::ComputeWeights(grpc::ServerContext* context,
                                           const v1::ComputeWeightsRequest* request,
                                           v1::ComputeWeightsResponse* response) {
  return server::Unary(
      core_.ComputeWeights(*request, clients::UpstreamDeadline(server::Deadline(*context)),
                           WrittenBy(*context)),
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

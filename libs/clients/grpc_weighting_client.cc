#include "libs/clients/grpc_weighting_client.h"

#include "grpcpp/client_context.h"
#include "libs/common/status_macros.h"
#include "libs/server/grpc_status.h"

namespace innoscope::clients {
namespace {

namespace wv1 = weighting::v1;

}  // namespace

GrpcWeightingClient::GrpcWeightingClient(std::shared_ptr<grpc::Channel> channel,
                                         std::string address)
    : stub_(wv1::WeightingService::NewStub(channel)),
      name_(server::UpstreamName("weighting", address)) {}

absl::StatusOr<wv1::WeightSet> GrpcWeightingClient::GetWeightSet(const std::string& id,
                                                                 absl::Time deadline) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  wv1::GetWeightSetRequest request;
  request.set_id(id);
  wv1::GetWeightSetResponse response;
  RETURN_IF_ERROR(server::UpstreamStatus(name_, stub_->GetWeightSet(&context, request, &response),
                                         "GetWeightSet"));
  return std::move(*response.mutable_weight_set());
}

absl::StatusOr<wv1::WeightSet> GrpcWeightingClient::ComputeWeights(
    const wv1::ComputeWeightsRequest& request, absl::Time deadline) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  wv1::ComputeWeightsResponse response;
  RETURN_IF_ERROR(server::UpstreamStatus(name_, stub_->ComputeWeights(&context, request, &response),
                                         "ComputeWeights"));
  return std::move(*response.mutable_weight_set());
}

}  // namespace innoscope::clients

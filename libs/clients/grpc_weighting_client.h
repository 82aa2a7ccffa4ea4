#pragma once

// GrpcWeightingClient: WeightingClient over gRPC, what main.cc wires into
// the scoring service and what the recompute job uses. One unary RPC per
// method with the caller's deadline; statuses come back through
// server::UpstreamStatus ("weighting <Rpc>: ...", the upstream's code).
//
//   GrpcWeightingClient weighting(channel);
//   ASSIGN_OR_RETURN(weighting::v1::WeightSet set, weighting.ComputeWeights(request, deadline));

#include <memory>
#include <string>

#include "grpcpp/channel.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "libs/clients/weighting_client.h"

namespace innoscope::clients {

class GrpcWeightingClient final : public WeightingClient {
 public:
  // `address` (HOST:PORT of the channel) names the upstream in errors
  // ("weighting at HOST:PORT ComputeWeights: ..."); empty = "weighting".
  explicit GrpcWeightingClient(std::shared_ptr<grpc::Channel> channel, std::string address = "");

  absl::StatusOr<weighting::v1::WeightSet> GetWeightSet(const std::string& id,
                                                        absl::Time deadline) override;
  absl::StatusOr<weighting::v1::WeightSet> ComputeWeights(
      const weighting::v1::ComputeWeightsRequest& request, absl::Time deadline) override;

 private:
  std::unique_ptr<weighting::v1::WeightingService::Stub> stub_;
  std::string name_;  // "weighting" or "weighting at HOST:PORT"
};

}  // namespace innoscope::clients

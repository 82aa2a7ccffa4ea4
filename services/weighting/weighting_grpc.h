#pragma once

// Thin gRPC adapter of the weighting service: converts between protobuf and the
// core types and between absl::Status and grpc::Status, nothing more.

#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "libs/server/service_host.h"

namespace innoscope::weighting {

class WeightingGrpc final : public v1::WeightingService::Service {
 public:
  explicit WeightingGrpc(const server::ServiceInfoProvider& info) : info_(info) {}

  grpc::Status GetServiceInfo(grpc::ServerContext* context,
                              const v1::GetServiceInfoRequest* request,
                              v1::GetServiceInfoResponse* response) override;

 private:
  const server::ServiceInfoProvider& info_;
};

}  // namespace innoscope::weighting

#pragma once

// Thin gRPC adapter of the network service: converts between protobuf and the
// core types and between absl::Status and grpc::Status, nothing more.

#include "innoscope/network/v1/network.grpc.pb.h"
#include "libs/server/service_host.h"

namespace innoscope::network {

class NetworkGrpc final : public v1::NetworkService::Service {
 public:
  explicit NetworkGrpc(const server::ServiceInfoProvider& info) : info_(info) {}

  grpc::Status GetServiceInfo(grpc::ServerContext* context,
                              const v1::GetServiceInfoRequest* request,
                              v1::GetServiceInfoResponse* response) override;

 private:
  const server::ServiceInfoProvider& info_;
};

}  // namespace innoscope::network

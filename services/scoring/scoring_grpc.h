#pragma once

// Thin gRPC adapter of the scoring service: converts between protobuf and the
// core types and between absl::Status and grpc::Status, nothing more.

#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "libs/server/service_host.h"

namespace innoscope::scoring {

class ScoringGrpc final : public v1::ScoringService::Service {
 public:
  explicit ScoringGrpc(const server::ServiceInfoProvider& info) : info_(info) {}

  grpc::Status GetServiceInfo(grpc::ServerContext* context,
                              const v1::GetServiceInfoRequest* request,
                              v1::GetServiceInfoResponse* response) override;

 private:
  const server::ServiceInfoProvider& info_;
};

}  // namespace innoscope::scoring

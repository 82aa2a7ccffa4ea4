#pragma once

// Thin gRPC adapter of the ingest service: converts between protobuf and the
// core types and between absl::Status and grpc::Status, nothing more.

#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "libs/server/service_host.h"

namespace innoscope::ingest {

class IngestGrpc final : public v1::IngestService::Service {
 public:
  explicit IngestGrpc(const server::ServiceInfoProvider& info) : info_(info) {}

  grpc::Status GetServiceInfo(grpc::ServerContext* context,
                              const v1::GetServiceInfoRequest* request,
                              v1::GetServiceInfoResponse* response) override;

 private:
  const server::ServiceInfoProvider& info_;
};

}  // namespace innoscope::ingest

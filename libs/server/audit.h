#pragma once

// The audit trail: one JSON log line per call of a method whose declared
// role is writer or above (imports, compute runs, weight sets, publishing),
// written when the call ends:
//
//   {"time":"...","level":"info","service":"ingest","message":"audit","audit":true,
//    "identity":"san:spiffe://innoscope/cli","method":"innoscope.ingest.v1.IngestService/
//    WriteObservations","resources":"batch:b-2024-01,framework:gii@3","code":"OK",
//    "duration_ms":41.2}
//
// The resources are what the request and response messages name, found by
// walking them (AuditResources): framework code@version, batch ids, run ids,
// weight set ids and relation sets. Refused calls never get here; the
// authoriser writes their audit line (libs/server/authorization.h).
//
//   interceptors.push_back(std::make_unique<AuditInterceptorFactory>(role_table));

#include <set>
#include <string>

#include "google/protobuf/message.h"
#include "grpcpp/support/server_interceptor.h"
#include "libs/server/authorization.h"

namespace innoscope::server {

// Adds what `message` names to `resources` ("framework:gii@3",
// "batch:<id>", "run:<id>", "weight_set:<id>", "relation_set:<name>").
// Walks singular sub-messages and the first elements of repeated ones, a
// few levels deep, so a batch of many rows costs little.
void AuditResources(const google::protobuf::Message& message, std::set<std::string>* resources);

class AuditInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuditInterceptorFactory(const RoleTable& roles) : roles_(roles) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  const RoleTable& roles_;
};

}  // namespace innoscope::server

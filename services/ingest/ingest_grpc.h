#pragma once

// Thin gRPC adapter of the ingest service: converts between the stream APIs
// and IngestService, and between absl::Status and grpc::Status, nothing more.

#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "libs/server/service_host.h"
#include "libs/server/stream_watchdog.h"
#include "prometheus/counter.h"
#include "services/ingest/ingest_service.h"

namespace innoscope::ingest {

class IngestGrpc final : public v1::IngestService::Service {
 public:
  // Server streams whose client reads nothing for `stream_write_timeout`
  // are cut (libs/server/stream_watchdog.h).
  // `observations_read`, when given, counts the observations
  // ReadObservations streams (innoscope_ingest_observations_read_total).
  IngestGrpc(const server::ServiceInfoProvider& info, IngestService& core,
             absl::Duration stream_write_timeout, prometheus::Counter* observations_read = nullptr)
      : info_(info),
        core_(core),
        watchdog_(stream_write_timeout),
        observations_read_(observations_read) {}

  grpc::Status GetServiceInfo(grpc::ServerContext* context,
                              const v1::GetServiceInfoRequest* request,
                              v1::GetServiceInfoResponse* response) override;
  grpc::Status UpsertRegions(grpc::ServerContext* context, const v1::UpsertRegionsRequest* request,
                             v1::UpsertRegionsResponse* response) override;
  grpc::Status ListRegions(grpc::ServerContext* context, const v1::ListRegionsRequest* request,
                           v1::ListRegionsResponse* response) override;
  grpc::Status SetClusterMembers(grpc::ServerContext* context,
                                 const v1::SetClusterMembersRequest* request,
                                 v1::SetClusterMembersResponse* response) override;
  grpc::Status ListClusterMembers(grpc::ServerContext* context,
                                  const v1::ListClusterMembersRequest* request,
                                  v1::ListClusterMembersResponse* response) override;
  grpc::Status UpsertIndicators(grpc::ServerContext* context,
                                const v1::UpsertIndicatorsRequest* request,
                                v1::UpsertIndicatorsResponse* response) override;
  grpc::Status ListIndicators(grpc::ServerContext* context,
                              const v1::ListIndicatorsRequest* request,
                              v1::ListIndicatorsResponse* response) override;
  grpc::Status CreateFramework(grpc::ServerContext* context,
                               const v1::CreateFrameworkRequest* request,
                               v1::CreateFrameworkResponse* response) override;
  grpc::Status GetFramework(grpc::ServerContext* context, const v1::GetFrameworkRequest* request,
                            v1::GetFrameworkResponse* response) override;
  grpc::Status ListFrameworks(grpc::ServerContext* context,
                              const v1::ListFrameworksRequest* request,
                              v1::ListFrameworksResponse* response) override;
  grpc::Status GetDataVersions(grpc::ServerContext* context,
                               const v1::GetDataVersionsRequest* request,
                               v1::GetDataVersionsResponse* response) override;

  grpc::Status WriteObservations(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::WriteObservationsResponse, v1::WriteObservationsRequest>* stream)
      override;
  grpc::Status UpsertActors(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::UpsertActorsResponse, v1::UpsertActorsRequest>* stream) override;
  grpc::Status WriteRelations(grpc::ServerContext* context,
                              grpc::ServerReaderWriter<v1::WriteRelationsResponse,
                                                       v1::WriteRelationsRequest>* stream) override;

  grpc::Status ReadObservations(grpc::ServerContext* context,
                                const v1::ReadObservationsRequest* request,
                                grpc::ServerWriter<v1::ReadObservationsResponse>* writer) override;
  grpc::Status ReadActors(grpc::ServerContext* context, const v1::ReadActorsRequest* request,
                          grpc::ServerWriter<v1::ReadActorsResponse>* writer) override;
  grpc::Status ReadRelations(grpc::ServerContext* context, const v1::ReadRelationsRequest* request,
                             grpc::ServerWriter<v1::ReadRelationsResponse>* writer) override;

 private:
  const server::ServiceInfoProvider& info_;
  IngestService& core_;
  server::StreamWatchdog watchdog_;
  prometheus::Counter* observations_read_;  // may be null (tests)
};

}  // namespace innoscope::ingest

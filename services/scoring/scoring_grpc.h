#pragma once

// Thin gRPC adapter of the scoring service: converts, nothing more.

#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "libs/server/service_host.h"
#include "libs/server/stream_watchdog.h"
#include "services/scoring/scoring_service.h"

namespace innoscope::scoring {

class ScoringGrpc final : public v1::ScoringService::Service {
 public:
  // Server streams whose client reads nothing for `stream_write_timeout`
  // are cut (libs/server/stream_watchdog.h).
  ScoringGrpc(const server::ServiceInfoProvider& info, ScoringService& core,
              absl::Duration stream_write_timeout)
      : info_(info), core_(core), watchdog_(stream_write_timeout) {}

  grpc::Status GetServiceInfo(grpc::ServerContext* context,
                              const v1::GetServiceInfoRequest* request,
                              v1::GetServiceInfoResponse* response) override;
  grpc::Status ComputeScores(grpc::ServerContext* context, const v1::ComputeScoresRequest* request,
                             v1::ComputeScoresResponse* response) override;
  grpc::Status GetRun(grpc::ServerContext* context, const v1::GetRunRequest* request,
                      v1::GetRunResponse* response) override;
  grpc::Status ListRuns(grpc::ServerContext* context, const v1::ListRunsRequest* request,
                        v1::ListRunsResponse* response) override;
  grpc::Status PublishRuns(grpc::ServerContext* context, const v1::PublishRunsRequest* request,
                           v1::PublishRunsResponse* response) override;
  grpc::Status GetRanking(grpc::ServerContext* context, const v1::GetRankingRequest* request,
                          v1::GetRankingResponse* response) override;
  grpc::Status GetRegionProfile(grpc::ServerContext* context,
                                const v1::GetRegionProfileRequest* request,
                                v1::GetRegionProfileResponse* response) override;
  grpc::Status CompareRuns(grpc::ServerContext* context, const v1::CompareRunsRequest* request,
                           v1::CompareRunsResponse* response) override;
  grpc::Status ComputeUncertainty(grpc::ServerContext* context,
                                  const v1::ComputeUncertaintyRequest* request,
                                  v1::ComputeUncertaintyResponse* response) override;
  grpc::Status GetUncertainty(grpc::ServerContext* context,
                              const v1::GetUncertaintyRequest* request,
                              v1::GetUncertaintyResponse* response) override;
  grpc::Status ExportRun(grpc::ServerContext* context, const v1::ExportRunRequest* request,
                         grpc::ServerWriter<v1::ExportRunResponse>* writer) override;

 private:
  const server::ServiceInfoProvider& info_;
  ScoringService& core_;
  server::StreamWatchdog watchdog_;
};

}  // namespace innoscope::scoring

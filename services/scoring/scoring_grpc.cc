#include "services/scoring/scoring_grpc.h"

namespace innoscope::scoring {

grpc::Status ScoringGrpc::GetServiceInfo(grpc::ServerContext* /*context*/,
                                     const v1::GetServiceInfoRequest* /*request*/,
                                     v1::GetServiceInfoResponse* response) {
  return server::FillServiceInfo(info_, response->mutable_info());
}

}  // namespace innoscope::scoring

#include "services/weighting/weighting_grpc.h"

namespace innoscope::weighting {

grpc::Status WeightingGrpc::GetServiceInfo(grpc::ServerContext* /*context*/,
                                     const v1::GetServiceInfoRequest* /*request*/,
                                     v1::GetServiceInfoResponse* response) {
  return server::FillServiceInfo(info_, response->mutable_info());
}

}  // namespace innoscope::weighting

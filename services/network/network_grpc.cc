#include "services/network/network_grpc.h"

namespace innoscope::network {

grpc::Status NetworkGrpc::GetServiceInfo(grpc::ServerContext* /*context*/,
                                     const v1::GetServiceInfoRequest* /*request*/,
                                     v1::GetServiceInfoResponse* response) {
  return server::FillServiceInfo(info_, response->mutable_info());
}

}  // namespace innoscope::network

#include "services/ingest/ingest_grpc.h"

namespace innoscope::ingest {

grpc::Status IngestGrpc::GetServiceInfo(grpc::ServerContext* /*context*/,
                                     const v1::GetServiceInfoRequest* /*request*/,
                                     v1::GetServiceInfoResponse* response) {
  return server::FillServiceInfo(info_, response->mutable_info());
}

}  // namespace innoscope::ingest

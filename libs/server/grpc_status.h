#pragma once

// Conversion between absl::Status (core code) and grpc::Status (the edge).
// The numeric codes of the two are the same canonical codes, so the mapping
// is one-to-one; messages pass through unchanged.
//
//   grpc::Status GetThing(...) override {
//     return ToGrpcStatus(core_.GetThing(request, response));
//   }

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace innoscope::server {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace innoscope::server

#include "libs/clients/calls.h"

namespace innoscope::clients {

std::unique_ptr<grpc::ClientContext> ContextWithTimeout(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

std::string HintFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return "is the service running? Check with 'innoscope status'; start the local "
             "stack with deploy/local/stack.sh start, or pass the service's address "
             "(--ingest_address, --weighting_address, --scoring_address, --network_address)";
    case absl::StatusCode::kDeadlineExceeded:
      return "the service did not answer in time; retry, or raise --timeout_seconds";
    case absl::StatusCode::kNotFound:
      return "check the code or path named above";
    case absl::StatusCode::kAlreadyExists:
      return "something with this code exists with different content; pick a new "
             "code or --version";
    case absl::StatusCode::kResourceExhausted:
      return "the request is too large; lower --batch_size";
    case absl::StatusCode::kAborted:
      return "a concurrent change conflicted; run the same command again";
    default:
      return "";
  }
}

}  // namespace innoscope::clients

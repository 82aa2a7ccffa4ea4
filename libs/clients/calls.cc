#include "libs/clients/calls.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace innoscope::clients {
namespace {

// The first words of the explained messages; HintFor recognises them.
constexpr char kDeadlinePrefix[] = "no answer within the call's deadline";
constexpr char kConnectionClosedPrefix[] = "the server closed the connection";
constexpr char kServerCancelledPrefix[] = "the server cancelled the call";

// gRPC's texts for a connection closed under a running call (gRPC 1.51:
// "enter idle" is the GOAWAY reason of max connection age as of idleness).
bool IsConnectionClosed(absl::string_view message) {
  for (const char* phrase : {"enter idle", "goaway", "socket closed", "connection reset",
                             "broken pipe", "max_age", "connection age", "endpoint closing"}) {
    if (absl::StrContains(absl::AsciiStrToLower(message), phrase)) return true;
  }
  return false;
}

std::string Seconds(absl::Duration d) { return absl::StrCat(absl::ToDoubleSeconds(d)); }

}  // namespace

absl::Status ExplainCallFailure(const absl::Status& status, absl::Duration timeout,
                                const std::string& timeout_flag) {
  const std::string grpc_text = absl::StrCat(" (gRPC: ", status.message(), ")");
  switch (status.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      if (absl::StartsWith(status.message(), kDeadlinePrefix)) return status;
      return absl::DeadlineExceededError(absl::StrCat(
          kDeadlinePrefix, " of ", Seconds(timeout), " s (", timeout_flag, "=", Seconds(timeout),
          "): the service did not finish in time; it stops the computation too", grpc_text));
    case absl::StatusCode::kUnavailable:
      if (!IsConnectionClosed(status.message())) return status;
      return absl::UnavailableError(
          absl::StrCat(kConnectionClosedPrefix,
                       " while the call was running (a GOAWAY: the service's connection-age limit "
                       "--max_connection_age_seconds, or a restart or shutdown)",
                       grpc_text));
    case absl::StatusCode::kCancelled:
      if (absl::StartsWith(status.message(), kServerCancelledPrefix)) return status;
      return absl::CancelledError(absl::StrCat(
          kServerCancelledPrefix, " (it is shutting down, or stopped the computation)", grpc_text));
    default:
      return status;
  }
}

std::unique_ptr<grpc::ClientContext> ContextWithTimeout(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

std::string HintFor(const absl::Status& status) {
  if (absl::StartsWith(status.message(), kConnectionClosedPrefix)) {
    return "run the command again; a call longer than the service's "
           "--max_connection_age_seconds needs that raised on the service (plus its grace)";
  }
  if (absl::StartsWith(status.message(), kServerCancelledPrefix)) {
    return "run the command again once the service is ready ('innoscope status')";
  }
  if (absl::StartsWith(status.message(), kDeadlinePrefix)) {
    return "raise --timeout_seconds, or narrow the request (long network computations: "
           "sampled statistics, docs/network.md \"Size limits\")";
  }
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
      // SQLSTATE class 53 (storage::CodeFromSqlState): the database, not
      // the request, ran out of something.
      if (absl::StrContains(status.message(), "database error 53")) {
        return "the database ran out of disk space, memory or connections (see the "
               "message above); free it or ask its operator, then run the same command "
               "again (what was committed is not written twice)";
      }
      return "the request is too large; lower --batch_size";
    case absl::StatusCode::kAborted:
      return "a concurrent change conflicted; run the same command again";
    default:
      return "";
  }
}

}  // namespace innoscope::clients
